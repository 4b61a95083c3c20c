namespace CallPush.Api.Persistence;

/// <summary>One row of push_log: every push that reached the service, accepted or not, as received.</summary>
public sealed class PushLogEntry
{
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
    public const string FromPush = "push";
    public const string FromReconciliation = "reconcile";

    public long Id { get; set; }
    public required string DedupKey { get; set; }
    public string? PushUuid { get; set; }
    public string? Action { get; set; }
    public string? Version { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public long? SdkAppId { get; set; }
    public string? SessionId { get; set; }
    public required string Status { get; set; }
    public int ErrorCode { get; set; }
    public string? Error { get; set; }
    public int BodyBytes { get; set; }
    public string? Body { get; set; }
    public byte[]? RawBody { get; set; }
    public string? Headers { get; set; }

    /// <summary>How the row arrived: pushed by the platform, or pulled from its API by reconciliation.</summary>
    public string Source { get; set; } = FromPush;

    /// <summary>
    /// The configured source (CallPush:Sources:&lt;name&gt;) whose own credentials authenticated the push, or that
    /// reconciliation pulled it from; null for the global credentials or unauthenticated pushes.
    /// </summary>
    public string? SourceName { get; set; }

    public static string StatusOf(int errorCode) => errorCode == 0 ? Accepted : Rejected;

    /// <summary>The same push kept as rejected, with the raw bytes in place of the parsed body.</summary>
    public PushLogEntry AsRejected(int errorCode, string reason, byte[] rawBody) => new()
    {
        DedupKey = DedupKey,
        PushUuid = PushUuid,
        Action = Action,
        Version = Version,
        ReceivedAt = ReceivedAt,
        SdkAppId = SdkAppId,
        SessionId = SessionId,
        Status = Rejected,
        ErrorCode = errorCode,
        Error = reason,
        BodyBytes = BodyBytes,
        RawBody = rawBody,
        Headers = Headers,
        Source = Source,
        SourceName = SourceName,
    };
}
