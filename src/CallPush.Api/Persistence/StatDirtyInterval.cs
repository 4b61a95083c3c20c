namespace CallPush.Api.Persistence;

/// <summary>
/// A statistics interval whose source rows changed: written by triggers on call_sessions and serve_participants in the
/// push's own transaction, consumed by the statistics worker. Append-only, so marking never waits for a lock.
/// </summary>
public sealed class StatDirtyInterval
{
    public const string SkillGroup = "skill_group";
    public const string Agent = "agent";

    public long Id { get; set; }
    public required string Kind { get; set; }
    public long SdkAppId { get; set; }
    public long Key { get; set; }
    public DateTimeOffset IntervalStart { get; set; }
    public DateTimeOffset MarkedAt { get; set; }
}
