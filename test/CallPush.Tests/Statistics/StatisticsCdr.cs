using System.Text.Json.Nodes;

namespace CallPush.Tests.Statistics;

/// <summary>A service track of a CDR built for statistics tests; times are UTC, null for "did not happen".</summary>
public sealed record Track(string Mail, DateTimeOffset? Start, DateTimeOffset? Ring, DateTimeOffset? Accept, DateTimeOffset? End,
    string Type = "staffSeat", long SkillGroupId = 0);

/// <summary>CDRs with exactly the fields the statistics read, in the platform's format (Unix seconds, 0 for none).</summary>
public static class StatisticsCdr
{
    public const long SdkAppId = 1400000001;

    public static string Inbound(string sessionId, long skillGroupId, DateTimeOffset queued, DateTimeOffset? accept, DateTimeOffset ended,
        params Track[] tracks) =>
        Build(sessionId, 0, skillGroupId, queued.AddSeconds(-20), queued, tracks.LastOrDefault()?.Ring, accept, ended, tracks);

    public static string Outbound(string sessionId, long skillGroupId, DateTimeOffset started, DateTimeOffset? userRing, DateTimeOffset? userAccept,
        DateTimeOffset ended, params Track[] tracks) =>
        Build(sessionId, 1, skillGroupId, started, null, userRing, userAccept, ended, tracks);

    private static string Build(string sessionId, int direction, long skillGroupId, DateTimeOffset started, DateTimeOffset? queued,
        DateTimeOffset? ring, DateTimeOffset? accept, DateTimeOffset ended, Track[] tracks)
    {
        var seat = tracks.LastOrDefault();
        var cdr = new JsonObject
        {
            ["SdkAppId"] = SdkAppId,
            ["SessionId"] = sessionId,
            ["Caller"] = "008613800000000",
            ["Callee"] = "0086400000000",
            ["Direction"] = direction,
            ["Duration"] = accept is { } a ? (long)(ended - a).TotalSeconds : 0,
            ["SeatUser"] = seat is null ? null : new JsonObject { ["Mail"] = seat.Mail, ["UserId"] = seat.Mail, ["Name"] = seat.Mail },
            ["IVRDuration"] = queued is { } q ? (long)(q - started).TotalSeconds : 0,
            ["StartTimestamp"] = Unix(started),
            ["QueuedTimestamp"] = Unix(queued),
            ["RingTimestamp"] = Unix(ring),
            ["AcceptTimestamp"] = Unix(accept),
            ["EndedTimestamp"] = Unix(ended),
            ["HungUpSide"] = "user",
            ["EndStatusString"] = accept is null ? "notAnswer" : "ok",
            ["QueuedSkillGroupId"] = skillGroupId,
            ["QueuedSkillGroupName"] = $"group {skillGroupId}",
            ["ServeParticipants"] = new JsonArray([.. tracks.Select((t, i) => (JsonNode)new JsonObject
            {
                ["Mail"] = t.Mail,
                ["Phone"] = "",
                ["Type"] = t.Type,
                ["Sequence"] = i,
                ["StartTimestamp"] = Unix(t.Start),
                ["RingTimestamp"] = Unix(t.Ring),
                ["AcceptTimestamp"] = Unix(t.Accept),
                ["EndedTimestamp"] = Unix(t.End),
                ["SkillGroupId"] = t.SkillGroupId == 0 ? skillGroupId : t.SkillGroupId,
                ["EndStatusString"] = t.Accept is null ? "notAnswer" : "ok",
            })]),
        };
        return cdr.ToJsonString();
    }

    private static long Unix(DateTimeOffset? time) => time?.ToUnixTimeSeconds() ?? 0;
}
