namespace CallPush.Api.Persistence;

/// <summary>One agent's service tracks in one 15-minute UTC interval; see docs/statistics.md.</summary>
public sealed class StatAgentInterval
{
    public long SdkAppId { get; set; }
    public long AgentId { get; set; }
    public DateTimeOffset IntervalStart { get; set; }
    public int Offered { get; set; }
    public int Answered { get; set; }
    public int NotAnswered { get; set; }
    public long RingSeconds { get; set; }
    public long TalkSeconds { get; set; }
    public int InboundOffered { get; set; }
    public int InboundAnswered { get; set; }
    public int OutboundOffered { get; set; }
    public int OutboundAnswered { get; set; }
    public int OutboundConnected { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
