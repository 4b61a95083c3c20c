namespace CallPush.Api.Features.Recordings;

/// <summary>The archive's log lines. They name rows and hosts, never a URL: signed URLs carry credentials in their query.</summary>
internal static partial class RecordingArchiveLog
{
    [LoggerMessage(1, LogLevel.Information, "Recording file {Id} archived from {Host}: {Size} bytes as {StorageKey}")]
    public static partial void Archived(ILogger logger, long id, string host, long size, string storageKey);

    [LoggerMessage(2, LogLevel.Information, "Recording file {Id} from {Host} not fetched ({Reason}: {Error}); next attempt in {Delay}")]
    public static partial void RetryScheduled(ILogger logger, long id, string host, string reason, string error, TimeSpan delay);

    [LoggerMessage(3, LogLevel.Warning, "Recording file {Id} from {Host} failed for good ({Reason}): {Error}")]
    public static partial void Failed(ILogger logger, long id, string host, string reason, string error);

    [LoggerMessage(4, LogLevel.Warning, "The recording archive could not read its queue; it tries again")]
    public static partial void QueueUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(5, LogLevel.Error, "Recording file {Id}: the attempt ended unexpectedly; the row is due again after its lease")]
    public static partial void AttemptCrashed(ILogger logger, Exception exception, long id);

    [LoggerMessage(6, LogLevel.Information,
        "Recording file {Id} of session {SessionId}: {Why}; source {Source}'s DescribeSessionDetail gave a fresh URL on {Host} (RequestId {RequestId})")]
    public static partial void UrlRefreshed(ILogger logger, long id, string sessionId, string why, string source, string host, string? requestId);

    [LoggerMessage(7, LogLevel.Error,
        "DescribeSessionDetail refused source {Source}'s credentials ({Code}, RequestId {RequestId}): recording URLs cannot be refreshed until the source's CloudApi settings are fixed")]
    public static partial void RefreshRefused(ILogger logger, string source, string code, string? requestId);
}
