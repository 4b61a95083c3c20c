namespace CallPush.Api.Features.Push;

internal sealed record CdrPush(long SdkAppId, string SessionId) : PushContent(SdkAppId, SessionId)
{
    public string? Caller { get; init; }
    public string? Callee { get; init; }
    public short? Direction { get; init; }
    public int? DurationSeconds { get; init; }
    public int? IvrDurationSeconds { get; init; }
    public string? CallerLocation { get; init; }
    public SeatUser? Seat { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? QueuedAt { get; init; }
    public DateTimeOffset? RingAt { get; init; }
    public DateTimeOffset? AcceptedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public string? HungUpSide { get; init; }
    public string? EndStatus { get; init; }
    public long? QueuedSkillGroupId { get; init; }
    public string? QueuedSkillGroupName { get; init; }
    public string? RecordId { get; init; }
    public string? UserRemark { get; init; }
    public string? Uui { get; init; }
    public TelLocation? TelLocation { get; init; }
    public string? CallType { get; init; }
    public string? ProtectedCaller { get; init; }
    public string? AsrUrl { get; init; }
    public string? VoicemailRecordUrl { get; init; }
    public IReadOnlyList<Participant> Participants { get; init; } = [];
    public IReadOnlyList<KeyPress> IvrKeys { get; init; } = [];
    public IReadOnlyList<KeyPress> PostIvrKeys { get; init; } = [];

    /// <summary>Every agent the CDR names, once each, in key order (a stable lock order for concurrent pushes).</summary>
    public IReadOnlyList<AgentInfo> Agents()
    {
        var agents = new SortedDictionary<string, AgentInfo>(StringComparer.Ordinal);
        if (Seat?.AgentKey is { } seatKey)
        {
            agents[seatKey] = new AgentInfo(seatKey, Seat.UserId, Seat.Mail, Seat.Name, Seat.Nick, Seat.Phone, Seat.StaffNumber);
        }
        foreach (var participant in Participants)
        {
            if (participant.AgentKey is { } key && !agents.ContainsKey(key))
            {
                agents[key] = new AgentInfo(key, null, participant.Mail, null, null, participant.Phone, null);
            }
        }
        return [.. agents.Values];
    }

    /// <summary>Every skill group the CDR names with its platform id, once each, in id order.</summary>
    public IReadOnlyList<(long Id, string? Name)> SkillGroups()
    {
        var groups = new SortedDictionary<long, string?>();
        if (QueuedSkillGroupId is { } queued)
        {
            groups[queued] = QueuedSkillGroupName;
        }
        foreach (var participant in Participants)
        {
            if (participant.SkillGroupId is { } id && (!groups.TryGetValue(id, out var name) || name is null))
            {
                groups[id] = participant.SkillGroupName;
            }
        }
        return [.. groups.Select(g => (g.Key, g.Value))];
    }
}

internal sealed record SeatUser(string? UserId, string? Mail, string? Name, string? Nick, string? Phone, string? StaffNumber, string[]? SkillGroupNames)
{
    public string? AgentKey => AgentInfo.KeyOf(Mail ?? UserId ?? StaffNumber ?? Phone);
}

internal sealed record AgentInfo(string Key, string? UserId, string? Mail, string? Name, string? Nick, string? Phone, string? StaffNumber)
{
    /// <summary>Agents are matched by e-mail where there is one (the seat user and the participants both carry it).</summary>
    public static string? KeyOf(string? identity) => identity?.Trim().ToLowerInvariant() is { Length: > 0 } key ? key : null;
}

internal sealed record Participant(int Sequence)
{
    public string? Mail { get; init; }
    public string? Phone { get; init; }
    public string? Type { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? RingAt { get; init; }
    public DateTimeOffset? AcceptedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public string? RecordId { get; init; }
    public string? TransferFrom { get; init; }
    public string? TransferFromType { get; init; }
    public string? TransferTo { get; init; }
    public string? TransferToType { get; init; }
    public long? SkillGroupId { get; init; }
    public string? SkillGroupName { get; init; }
    public int? SkillGroupPriority { get; init; }
    public string? EndStatus { get; init; }

    public string? AgentKey => AgentInfo.KeyOf(Mail ?? Phone);
}

internal sealed record KeyPress(string? Key, string? Label, DateTimeOffset? PressedAt);

internal sealed record TelLocation(string? TelNumber, string? Country, string? Province, string? City, string? Operator);
