using System.Text.Json.Serialization;

namespace CallPush.Api.Features.Exports;

/// <summary>The body of POST and PUT /exports/jobs.</summary>
internal sealed record JobRequest(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("connectorId")] long? ConnectorId,
    [property: JsonPropertyName("containers")] string[]? Containers,
    [property: JsonPropertyName("tenants")] long[]? Tenants,
    [property: JsonPropertyName("timeZone")] string? TimeZone,
    [property: JsonPropertyName("frequency")] string? Frequency,
    [property: JsonPropertyName("at")] string? At,
    [property: JsonPropertyName("dayOfWeek")] int? DayOfWeek,
    [property: JsonPropertyName("dayOfMonth")] int? DayOfMonth,
    [property: JsonPropertyName("cron")] string? Cron,
    [property: JsonPropertyName("startDate")] DateOnly? StartDate,
    [property: JsonPropertyName("endDate")] DateOnly? EndDate,
    [property: JsonPropertyName("enabled")] bool? Enabled,
    [property: JsonPropertyName("gzip")] bool Gzip,
    [property: JsonPropertyName("bom")] bool Bom);

internal sealed record JobResponse(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("connectorId")] long ConnectorId,
    [property: JsonPropertyName("containers")] string[] Containers,
    [property: JsonPropertyName("tenants")] long[] Tenants,
    [property: JsonPropertyName("timeZone")] string TimeZone,
    [property: JsonPropertyName("frequency")] string Frequency,
    [property: JsonPropertyName("at")] string? At,
    [property: JsonPropertyName("dayOfWeek")] int? DayOfWeek,
    [property: JsonPropertyName("dayOfMonth")] int? DayOfMonth,
    [property: JsonPropertyName("cron")] string? Cron,
    [property: JsonPropertyName("startDate")] DateOnly? StartDate,
    [property: JsonPropertyName("endDate")] DateOnly? EndDate,
    [property: JsonPropertyName("enabled")] bool Enabled,
    [property: JsonPropertyName("gzip")] bool Gzip,
    [property: JsonPropertyName("bom")] bool Bom,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("nextRunAt")] DateTimeOffset? NextRunAt,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt);

/// <summary>The optional body of POST /exports/jobs/{id}/runs: one day, or a range of days to export again.</summary>
internal sealed record RunRequest(
    [property: JsonPropertyName("day")] DateOnly? Day,
    [property: JsonPropertyName("from")] DateOnly? From,
    [property: JsonPropertyName("to")] DateOnly? To);

internal sealed record RunFile(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("container")] string Container,
    [property: JsonPropertyName("tenant")] long Tenant,
    [property: JsonPropertyName("day")] DateOnly? Day,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("delivered")] bool Delivered);

internal sealed record RunResponse(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("jobId")] long JobId,
    [property: JsonPropertyName("triggeredBy")] string TriggeredBy,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("fromDay")] DateOnly? FromDay,
    [property: JsonPropertyName("toDay")] DateOnly? ToDay,
    [property: JsonPropertyName("days")] DateOnly[] Days,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("startedAt")] DateTimeOffset? StartedAt,
    [property: JsonPropertyName("finishedAt")] DateTimeOffset? FinishedAt,
    [property: JsonPropertyName("durationSeconds")] double? DurationSeconds,
    [property: JsonPropertyName("attempts")] int Attempts,
    [property: JsonPropertyName("watermark")] DateTimeOffset? Watermark,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("files")] IReadOnlyList<RunFile> Files,
    [property: JsonPropertyName("error")] string? Error);

/// <summary>The 409 of POST /exports/jobs/{id}/runs while another run of the job is pending or running.</summary>
internal sealed record RunConflict(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("runId")] long RunId);
