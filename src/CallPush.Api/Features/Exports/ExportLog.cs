namespace CallPush.Api.Features.Exports;

internal static partial class ExportLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Export run {RunId} ended {Status}: {Rows} rows")]
    public static partial void RunSucceeded(ILogger logger, long runId, string status, long rows);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "Export run {RunId} ended {Status}: {Rows} rows. {Error}")]
    public static partial void RunEndedWithError(ILogger logger, long runId, string status, long rows, string error);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Error, Message = "Export run {RunId} failed")]
    public static partial void RunFailed(ILogger logger, Exception exception, long runId);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Export run {RunId} was interrupted; it will be resumed when its lease expires")]
    public static partial void RunInterrupted(ILogger logger, long runId);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Export run {RunId}: another replica took it over; this one stops")]
    public static partial void LeaseLost(ILogger logger, long runId);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "Export run {RunId}: the lease could not be renewed")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception, long runId);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "The temporary export folder {Folder} could not be deleted")]
    public static partial void TempNotDeleted(ILogger logger, Exception exception, string folder);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Information, Message = "Export job {JobId}: scheduled occurrence skipped, run {ActiveRunId} is still pending or running")]
    public static partial void OccurrenceSkipped(ILogger logger, long jobId, long? activeRunId);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Warning, Message = "The export scheduler could not reach the database")]
    public static partial void SchedulerUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Error, Message = "Export configuration: {Problem}")]
    public static partial void DeclarationRefused(ILogger logger, string problem);
}
