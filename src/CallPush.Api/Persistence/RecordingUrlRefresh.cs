namespace CallPush.Api.Persistence;

/// <summary>
/// A fresh URL the platform's DescribeSessionDetail gave for a recording file whose pushed URL no longer worked. The
/// pushed URL stays in <see cref="RecordingFile.SourceUrl"/>; this one applies only while the file still holds the
/// pushed URL it replaces (<see cref="SourceUrl"/>), so a new push's URL makes it void.
/// </summary>
public sealed class RecordingUrlRefresh
{
    public long RecordingFileId { get; set; }

    /// <summary>The pushed URL that was replaced.</summary>
    public required string SourceUrl { get; set; }

    /// <summary>The platform's RecordURL: signed, valid for 24 hours from <see cref="RefreshedAt"/>.</summary>
    public required string RefreshedUrl { get; set; }

    public DateTimeOffset RefreshedAt { get; set; }

    /// <summary>The API answer's RequestId, for the platform's support.</summary>
    public string? RequestId { get; set; }
}
