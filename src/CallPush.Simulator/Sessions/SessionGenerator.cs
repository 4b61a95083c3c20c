using System.Globalization;

namespace CallPush.Simulator.Sessions;

internal sealed record SessionGeneratorOptions
{
    public long SdkAppId { get; init; } = 1400123456;

    /// <summary>How many agents take calls; agents are upserted by CallPush, so a small pool exercises the updates.</summary>
    public int Agents { get; init; } = 40;

    public double InboundShare { get; init; } = 0.6;
    public double InboundAnsweredShare { get; init; } = 0.75;
    public double OutboundAnsweredShare { get; init; } = 0.55;

    /// <summary>Of the answered calls, how many are transferred (to a second agent, and sometimes a third).</summary>
    public double TransferShare { get; init; } = 0.15;

    /// <summary>Of the inbound calls nobody answered in queue or out of hours, how many leave a voicemail.</summary>
    public double VoicemailShare { get; init; } = 0.4;
}

/// <summary>
/// Generates finished calls the way the platform reports them. Statuses, field shapes and the recording rule
/// ("a separate recording for each participant": the customer's side plus each agent who took the call) follow
/// the platform's data-push and end-status documentation.
/// </summary>
internal sealed class SessionGenerator(SessionGeneratorOptions options, Random random, TimeProvider time)
{
    public static readonly string[] InboundUnansweredStatuses =
        ["ivrGiveUp", "ivrEnd", "notWorkTime", "noSeatOnline", "waitingGiveUp", "ringingGiveUp", "blackList"];

    public static readonly string[] OutboundUnansweredStatuses =
        ["notAnswer", "userReject", "busy", "powerOff", "numberNotExist", "notInService", "callerCancel", "restrictedCallee"];

    private static readonly string[] VoicemailStatuses = ["notWorkTime", "noSeatOnline", "waitingGiveUp"];
    private static readonly string[] InboundSeatTypes = ["staffSeat", "staffSeat", "staffPhoneSeat", "miniProgramSeat"];
    private static readonly string[] OutboundSeatTypes = ["staffSeat", "outboundSeat", "staffPhoneSeat", "miniProgramSeat"];
    private static readonly (long Id, string Name)[] SkillGroups =
        [(2734, "Outbound Consultant"), (2735, "Sales"), (2736, "Customer Support"), (2737, "Billing")];
    private static readonly (string Key, string Label)[] Menu =
        [("1", "Sales"), ("2", "Support"), ("3", "Billing"), ("9", "English"), ("0", "Operator")];
    private static readonly TelLocationBody[] Locations =
    [
        new(string.Empty, "China", "Guangdong", "Shenzhen", "Mobile"),
        new(string.Empty, "China", "Guizhou", "Anshun", "Mobile"),
        new(string.Empty, "China", "Shanghai", "Shanghai", "Unicom"),
        new(string.Empty, "China", "Beijing", "Beijing", "Telecom"),
        new(string.Empty, "China", "Sichuan", "Chengdu", "Mobile"),
    ];
    private const string ServiceNumber = "00864001006666";

    public SimulatedSession Next()
    {
        var inbound = random.NextDouble() < options.InboundShare;
        var answered = random.NextDouble() < (inbound ? options.InboundAnsweredShare : options.OutboundAnsweredShare);
        return inbound ? Inbound(answered) : Outbound(answered);
    }

    private SimulatedSession Inbound(bool answered)
    {
        var customer = CustomerNumber();
        var sessionId = Guid.NewGuid().ToString();
        var status = answered ? "ok" : Pick(InboundUnansweredStatuses);
        var end = EndTime();
        var ivrSeconds = status is "blackList" ? 0 : random.Next(4, 40);
        var reachesQueue = answered || status is "noSeatOnline" or "waitingGiveUp" or "ringingGiveUp";
        var waitSeconds = reachesQueue ? random.Next(1, 45) : 0;
        var talkSeconds = answered ? random.Next(20, 600) : 0;
        var ringSeconds = answered || status == "ringingGiveUp" ? random.Next(2, 12) : 0;
        var start = end - ivrSeconds - waitSeconds - ringSeconds - talkSeconds - (answered ? 0 : random.Next(0, 3));
        var queued = reachesQueue ? start + ivrSeconds : 0;
        var ring = ringSeconds > 0 ? queued + waitSeconds : 0;
        var accept = answered ? ring + ringSeconds : 0;

        var keys = ivrSeconds > 0 && random.NextDouble() < 0.6 ? PressKeys(start, ivrSeconds) : null;
        var participantCount = answered ? ParticipantCount() : status == "ringingGiveUp" ? 1 : 0;
        var agents = PickAgents(participantCount);
        var group = agents.Count > 0 ? GroupOf(agents[0]) : reachesQueue ? Pick(SkillGroups) : default;
        var participants = answered
            ? Transferred(agents, InboundSeatTypes, ring, accept, end, group)
            : agents.Select((agent, i) => new ParticipantBody
            {
                Mail = Mail(agent), Type = Pick(InboundSeatTypes), Sequence = i, StartTimestamp = ring, RingTimestamp = ring,
                EndedTimestamp = end, SkillGroupId = group.Id, SkillGroupName = group.Name, EndStatusString = status,
            }).ToArray();

        var leavesVoicemail = !answered && VoicemailStatuses.Contains(status) && random.NextDouble() < options.VoicemailShare;
        var voicemailUrl = leavesVoicemail ? RecordingUrl(end, Guid.NewGuid().ToString()) : null;
        var cdr = new CdrBody
        {
            SessionId = sessionId,
            Caller = "0086" + customer,
            Callee = ServiceNumber,
            Direction = 0,
            Duration = answered ? end - accept : 0,
            SeatUser = agents.Count > 0 ? Seat(agents[^1]) : null,
            IVRDuration = reachesQueue ? queued - start : ivrSeconds,
            RingTimestamp = ring,
            AcceptTimestamp = accept,
            EndedTimestamp = end,
            IVRKeyPressed = keys?.Select(k => k.Key).ToArray(),
            IVRKeyPressedEx = keys,
            HungUpSide = answered && random.NextDouble() < 0.3 ? "seat" : "user",
            ServeParticipants = participants,
            EndStatusString = status,
            StartTimestamp = start,
            QueuedTimestamp = queued,
            PostIVRKeyPressed = answered && random.NextDouble() < 0.3 ? [new KeyPressBody(random.Next(1, 4).ToString(CultureInfo.InvariantCulture), "Satisfaction")] : null,
            QueuedSkillGroupId = group.Id,
            QueuedSkillGroupName = group.Name ?? string.Empty,
            SdkAppId = options.SdkAppId,
            RecordId = answered ? Guid.NewGuid().ToString() : string.Empty,
            UserRemark = "*****" + customer[^4..],
            TelLocation = Location(customer),
            VoicemailRecordURL = voicemailUrl,
        };
        var voicemail = leavesVoicemail
            ? new VoicemailBody(options.SdkAppId, sessionId, end + 1, voicemailUrl!, long.Parse(customer, CultureInfo.InvariantCulture))
            : null;
        return new SimulatedSession(cdr, Recordings(cdr, "0086" + customer), voicemail);
    }

    private SimulatedSession Outbound(bool answered)
    {
        var customer = CustomerNumber();
        var sessionId = Guid.NewGuid().ToString();
        var status = answered ? "ok" : Pick(OutboundUnansweredStatuses);
        var end = EndTime();
        var ringSeconds = status is "numberNotExist" or "notInService" or "restrictedCallee" or "powerOff" ? random.Next(1, 4) : random.Next(3, 30);
        var talkSeconds = answered ? random.Next(15, 500) : 0;
        var start = end - ringSeconds - talkSeconds - 1;
        var ring = start + 1;
        var accept = answered ? ring + ringSeconds : 0;
        var agents = PickAgents(answered ? ParticipantCount() : 1);
        var group = GroupOf(agents[0]);
        var participants = answered
            ? Transferred(agents, OutboundSeatTypes, start, start + 1, end, group)
            :
            [
                // The agent's own leg was up (it placed the call) even though the customer never answered.
                new ParticipantBody
                {
                    Mail = Mail(agents[0]), Type = Pick(OutboundSeatTypes), Sequence = 0, StartTimestamp = start,
                    RingTimestamp = start, AcceptTimestamp = start + 1, EndedTimestamp = end, RecordId = Guid.NewGuid().ToString(),
                    SkillGroupId = group.Id, SkillGroupName = group.Name, EndStatusString = "ok",
                },
            ];
        var cdr = new CdrBody
        {
            SessionId = sessionId,
            Caller = ServiceNumber,
            Callee = "0086" + customer,
            Direction = 1,
            Duration = answered ? end - accept : 0,
            SeatUser = Seat(agents[^1]),
            RingTimestamp = ring,
            AcceptTimestamp = accept,
            EndedTimestamp = end,
            HungUpSide = random.NextDouble() < 0.5 ? "seat" : "user",
            ServeParticipants = participants,
            EndStatusString = status,
            StartTimestamp = start,
            QueuedSkillGroupId = group.Id,
            QueuedSkillGroupName = group.Name,
            SdkAppId = options.SdkAppId,
            RecordId = answered ? Guid.NewGuid().ToString() : string.Empty,
            UserRemark = "*****" + customer[^4..],
            Uui = random.NextDouble() < 0.5 ? "crm-" + random.Next(100000, 999999).ToString(CultureInfo.InvariantCulture) : string.Empty,
            TelLocation = Location(customer),
        };
        return new SimulatedSession(cdr, Recordings(cdr, "0086" + customer), null);
    }

    /// <summary>Agents who each took the call in turn, every one but the last transferring it to the next.</summary>
    private ParticipantBody[] Transferred(List<int> agents, string[] types, long firstRing, long from, long end, (long Id, string Name) firstGroup)
    {
        var participants = new ParticipantBody[agents.Count];
        var typesOf = agents.Select(_ => Pick(types)).ToArray();
        var segment = Math.Max(2, (end - from) / agents.Count);
        for (var i = 0; i < agents.Count; i++)
        {
            var group = i == 0 ? firstGroup : GroupOf(agents[i]);
            var ring = i == 0 ? firstRing : from + (i * segment);
            var accept = i == 0 ? from : ring + 1;
            participants[i] = new ParticipantBody
            {
                Mail = Mail(agents[i]),
                Type = typesOf[i],
                Sequence = i,
                StartTimestamp = ring,
                RingTimestamp = ring,
                AcceptTimestamp = accept,
                EndedTimestamp = i == agents.Count - 1 ? end : from + ((i + 1) * segment),
                RecordId = Guid.NewGuid().ToString(),
                TransferFrom = i > 0 ? Mail(agents[i - 1]) : string.Empty,
                TransferFromType = i > 0 ? typesOf[i - 1] : string.Empty,
                TransferTo = i < agents.Count - 1 ? Mail(agents[i + 1]) : string.Empty,
                TransferToType = i < agents.Count - 1 ? typesOf[i + 1] : string.Empty,
                SkillGroupId = group.Id,
                SkillGroupName = group.Name,
                SkillGroupPriority = random.Next(0, 3),
                EndStatusString = "ok",
            };
        }
        return participants;
    }

    /// <summary>Only answered calls are recorded: the customer's side, then each agent who was on the call.</summary>
    private List<RecordBody> Recordings(CdrBody cdr, string customer)
    {
        if (cdr.AcceptTimestamp == 0)
        {
            return [];
        }
        var records = new List<RecordBody> { Recording(cdr, cdr.RecordId, customer) };
        records.AddRange(cdr.ServeParticipants.Where(p => p.AcceptTimestamp > 0).Select(p => Recording(cdr, p.RecordId, p.Mail)));
        return records;
    }

    private RecordBody Recording(CdrBody cdr, string recordId, string endpointUser) => new()
    {
        SdkAppId = cdr.SdkAppId,
        RecordId = recordId,
        SessionId = cdr.SessionId,
        Timestamp = cdr.EndedTimestamp + random.Next(1, 6),
        EndpointUser = endpointUser,
        RecordURL = RecordingUrl(cdr.EndedTimestamp, recordId),
        CustomRecordURL = random.NextDouble() < 0.2 ? $"https://recordings-archive.example.com/{cdr.SessionId}/{recordId}.mp3" : null,
    };

    private int ParticipantCount() => random.NextDouble() >= options.TransferShare ? 1 : random.NextDouble() < 0.75 ? 2 : 3;

    private List<int> PickAgents(int count)
    {
        var agents = new List<int>(count);
        while (agents.Count < Math.Min(count, options.Agents))
        {
            var agent = random.Next(options.Agents);
            if (!agents.Contains(agent))
            {
                agents.Add(agent);
            }
        }
        return agents;
    }

    private KeyPressBody[] PressKeys(long start, int ivrSeconds)
    {
        var count = random.Next(1, Math.Min(4, ivrSeconds));
        return [.. Enumerable.Range(0, count).Select(_ => Pick(Menu)).Select(k => new KeyPressBody(k.Key, k.Label))];
    }

    private static SeatUserBody Seat(int agent)
    {
        var number = (8000 + agent).ToString(CultureInfo.InvariantCulture);
        return new SeatUserBody(Mail(agent), $"Agent {number}", $"agent{number}", string.Empty, Mail(agent), number, [GroupOf(agent).Name]);
    }

    private static (long Id, string Name) GroupOf(int agent) => SkillGroups[agent % SkillGroups.Length];

    private static string Mail(int agent) => $"agent{agent:000}@example.com";

    private string CustomerNumber() => "1" + random.Next(30, 90).ToString(CultureInfo.InvariantCulture) + random.Next(10000000, 99999999).ToString(CultureInfo.InvariantCulture);

    private TelLocationBody Location(string customer) => Pick(Locations) with { TelNumber = "0086" + customer };

    private string RecordingUrl(long endedAt, string recordId) =>
        $"https://recorder-{options.SdkAppId}.cos.ap-shanghai.myqcloud.com/{DateTimeOffset.FromUnixTimeSeconds(endedAt):yyyyMM}/{recordId}.mp3";

    /// <summary>Calls that ended within the last minute: pushes follow the end of a call closely.</summary>
    private long EndTime() => time.GetUtcNow().ToUnixTimeSeconds() - random.Next(0, 60);

    private T Pick<T>(T[] items) => items[random.Next(items.Length)];
}
