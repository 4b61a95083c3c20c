using CallPush.Api.Persistence;

namespace CallPush.Api.Features.Exports;

/// <summary>Turns a job request into a job row: validation, defaults and the next run time.</summary>
internal static class JobRules
{
    /// <summary>Applies the request to the row, or answers why it cannot (the row is then left half-changed: discard it).</summary>
    public static string? Apply(JobRequest request, ExportJob row, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200 || request.Name.Any(char.IsControl))
        {
            return "name is required (at most 200 characters)";
        }
        if (request.ConnectorId is not > 0)
        {
            return "connectorId is required";
        }
        if (request.Containers is not { Length: > 0 })
        {
            return $"containers is required: any of {string.Join(", ", ExportContainers.All.Select(c => c.Name))}";
        }
        if (request.Containers.FirstOrDefault(c => ExportContainers.Find(c) is null) is { } unknown)
        {
            return $"unknown container '{unknown}': the containers are {string.Join(", ", ExportContainers.All.Select(c => c.Name))}";
        }
        if (request.Tenants is not { Length: > 0 } || request.Tenants.Any(t => t <= 0))
        {
            return "tenants is required: the SdkAppIds to export";
        }
        row.Name = request.Name.Trim();
        row.ConnectorId = request.ConnectorId.Value;
        row.Containers = request.Containers.Distinct().ToArray();
        row.Tenants = request.Tenants.Distinct().ToArray();
        row.TimeZone = string.IsNullOrWhiteSpace(request.TimeZone) ? "UTC" : request.TimeZone.Trim();
        row.Frequency = request.Frequency ?? "daily";
        row.At = request.At;
        row.DayOfWeek = request.DayOfWeek;
        row.DayOfMonth = request.DayOfMonth;
        row.Cron = request.Cron;
        row.StartDate = request.StartDate;
        row.EndDate = request.EndDate;
        row.Enabled = request.Enabled ?? true;
        row.Gzip = request.Gzip;
        row.Bom = request.Bom;
        if (ExportSchedule.Validate(row) is { } problem)
        {
            return problem;
        }
        row.NextRunAt = row.Enabled ? ExportSchedule.NextAfter(row, now) : null;
        row.UpdatedAt = now;
        return null;
    }

    public static JobResponse Describe(ExportJob job) => new(job.Id, job.Name, job.ConnectorId, job.Containers, job.Tenants, job.TimeZone,
        job.Frequency, job.At, job.DayOfWeek, job.DayOfMonth, job.Cron, job.StartDate, job.EndDate, job.Enabled, job.Gzip, job.Bom,
        job.Source, job.NextRunAt, job.CreatedAt, job.UpdatedAt);

    public static RunResponse Describe(ExportRun run) => new(run.Id, run.JobId, run.TriggeredBy, run.Status, run.FromDay, run.ToDay,
        run.Days ?? [], run.CreatedAt, run.StartedAt, run.FinishedAt,
        run.StartedAt is { } started && run.FinishedAt is { } finished ? (finished - started).TotalSeconds : null,
        run.Attempts, run.Watermark, run.Rows, run.Bytes,
        run.Files is null ? [] : System.Text.Json.JsonSerializer.Deserialize<List<RunFile>>(run.Files) ?? [], run.Error);
}
