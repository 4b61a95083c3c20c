namespace CallPush.Api.Persistence;

/// <summary>One execution of an export job, recorded before it starts.</summary>
public sealed class ExportRun
{
    public const string Pending = "pending";
    public const string Processing = "processing";
    public const string Delivering = "delivering";
    public const string Success = "success";
    public const string PartialSuccess = "partial_success";
    public const string HandlerFailed = "handler_failed";
    public const string DeliveryFailed = "delivery_failed";

    public long Id { get; set; }
    public long JobId { get; set; }

    /// <summary><c>schedule</c>, <c>manual</c> (the API) or <c>cli</c>.</summary>
    public required string TriggeredBy { get; set; }

    public required string Status { get; set; }

    /// <summary>Days asked for explicitly (a backfill); when null the run exports what the job has not exported yet.</summary>
    public DateOnly? FromDay { get; set; }
    public DateOnly? ToDay { get; set; }

    /// <summary>The days whose fact files the run wrote.</summary>
    public DateOnly[]? Days { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public int Attempts { get; set; }

    /// <summary>push_log.received_at up to which the run saw the data; later pushes make the next run re-export their days.</summary>
    public DateTimeOffset? Watermark { get; set; }

    /// <summary>The last day of the job's contiguous export after this run (incremental runs only).</summary>
    public DateOnly? ExportedThrough { get; set; }

    /// <summary>JSON array of the files written: path, container, tenant, day, rows, bytes, sha256, delivered.</summary>
    public string? Files { get; set; }

    public long Rows { get; set; }
    public long Bytes { get; set; }
    public string? Error { get; set; }
}
