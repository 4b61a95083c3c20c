namespace CallPush.Api.Persistence;

/// <summary>
/// One recording file to keep: a row of the archive queue from the moment a push names its URL (in the push's own
/// transaction) until the file is in CallPush's storage, or has failed for good.
/// </summary>
public sealed class RecordingFile
{
    public const string Pending = "pending";
    public const string Archived = "archived";
    public const string Failed = "failed";

    /// <summary>Where the URL came from: a record push's RecordURL or CustomRecordURL, or a voicemail.</summary>
    public const string RecordKind = "record";
    public const string CustomRecordKind = "record_custom";
    public const string VoicemailKind = "voicemail";

    public long Id { get; set; }
    public long SdkAppId { get; set; }
    public required string SessionId { get; set; }
    public required string Kind { get; set; }

    /// <summary>Which recording of the session: its record id and endpoint user; empty for the session's voicemail.</summary>
    public required string RecordingKey { get; set; }

    public string? RecordId { get; set; }
    public string? EndpointUser { get; set; }
    public required string SourceUrl { get; set; }
    public required string Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset EnqueuedAt { get; set; }
    public DateTimeOffset? RecordedAt { get; set; }
    public string? LastError { get; set; }
    public long? SizeBytes { get; set; }

    /// <summary>Lower-case hex SHA-256 of the stored bytes.</summary>
    public string? Sha256 { get; set; }

    public string? ContentType { get; set; }
    public double? DurationSeconds { get; set; }
    public string? StorageKey { get; set; }
    public DateTimeOffset? ArchivedAt { get; set; }
}
