namespace CallPush.Api.Persistence;

/// <summary>One skill group's inbound queue in one 15-minute UTC interval; see docs/statistics.md.</summary>
public sealed class StatSkillGroupInterval
{
    public long SdkAppId { get; set; }
    public long SkillGroupId { get; set; }
    public DateTimeOffset IntervalStart { get; set; }
    public int T1Seconds { get; set; }
    public int T2Seconds { get; set; }
    public int Offered { get; set; }
    public int Answered { get; set; }
    public int Abandoned { get; set; }
    public int AnsweredWithinT1 { get; set; }
    public int AbandonedWithinT2 { get; set; }
    public long WaitSecondsTotal { get; set; }
    public int WaitSecondsMax { get; set; }
    public long TalkSecondsTotal { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
