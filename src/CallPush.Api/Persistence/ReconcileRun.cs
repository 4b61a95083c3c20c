namespace CallPush.Api.Persistence;

/// <summary>One reconciliation of a source's window against the platform's DescribeTelCdr, and what it found.</summary>
public sealed class ReconcileRun
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Abandoned = "abandoned";

    public const string SlidingTrigger = "sliding";
    public const string NightlyTrigger = "nightly";
    public const string ManualTrigger = "manual";
    public const string ApiTrigger = "api";

    public long Id { get; set; }
    public required string Source { get; set; }
    public required string Trigger { get; set; }
    public DateTimeOffset WindowStart { get; set; }
    public DateTimeOffset WindowEnd { get; set; }
    public required string Status { get; set; }
    public int Pages { get; set; }
    public int SessionsSeen { get; set; }
    public int Missing { get; set; }
    public int Filled { get; set; }
    public int Updated { get; set; }
    public int Errors { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}
