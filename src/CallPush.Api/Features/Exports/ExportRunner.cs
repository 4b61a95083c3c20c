using System.Diagnostics;
using System.Text.Json;
using CallPush.Api.Diagnostics;
using CallPush.Api.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallPush.Api.Features.Exports;

internal sealed record RunOutcome(long RunId, string Status, long Rows, string? Error);

/// <summary>What a run reports while it works: the file it writes and the rows written so far.</summary>
internal delegate void ExportProgressHandler(string path, long rows);

/// <summary>
/// Executes one claimed run: works out its days, writes every file to a temporary folder (rows streamed from the
/// database), delivers the files and a manifest to the job's connector, and records the outcome. The lease is renewed
/// in the background; when it is lost (another replica took the run over) the work stops.
/// </summary>
internal sealed class ExportRunner(
    NpgsqlDataSource dataSource,
    ExportRunQueue queue,
    ConnectorCatalog connectors,
    ExportMetrics metrics,
    IOptions<ExportsOptions> options,
    ILogger<ExportRunner> logger)
{
    private static readonly JsonSerializerOptions ManifestJson = new() { WriteIndented = true };
    private readonly ExportsOptions _options = options.Value;

    public static string NewOwner() => $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    public async Task<RunOutcome> ExecuteAsync(ClaimedRun run, string owner, ExportProgressHandler? progress, CancellationToken stoppingToken)
    {
        using var activity = ExportMetrics.StartRun(run.Id, run.JobId, run.TriggeredBy);
        var started = Stopwatch.GetTimestamp();
        if (run.Attempts > _options.MaxAttempts)
        {
            return await FinishAsync(run, owner, ExportRun.HandlerFailed, [], null, [], $"abandoned after {run.Attempts - 1} attempts: the replicas running it stopped", started, activity);
        }

        using var work = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var status = new StatusBox(ExportRun.Processing);
        var heartbeat = HeartbeatAsync(run, owner, status, work);
        var folder = Path.Combine(_options.TempPath ?? Path.GetTempPath(), $"callpush-export-{run.Id}-{Guid.NewGuid():N}");
        var files = new List<(RunFile File, string Local)>();
        DateOnly[] days = [];
        ExportProgressMark? mark = null;
        try
        {
            var job = await LoadJobAsync(run.JobId, work.Token) ?? throw new InvalidOperationException($"job {run.JobId} no longer exists");
            var zone = ExportSchedule.FindZone(job.TimeZone) ?? throw new InvalidOperationException($"unknown time zone {job.TimeZone}");
            (days, mark) = await PlanAsync(job, run, zone, work.Token);
            activity?.SetTag("callpush.export.days", days.Length);
            Directory.CreateDirectory(folder);
            foreach (var tenant in job.Tenants)
            {
                var tenantName = ExportPaths.Tenant(tenant, _options.TenantNames);
                foreach (var container in job.Containers.Select(ExportContainers.Find).OfType<ExportContainer>())
                {
                    if (container.Kind == ContainerKind.Dimension)
                    {
                        files.Add(await WriteFileAsync(container, tenant, null, null, ExportPaths.Dimension(tenantName, container, job.Gzip),
                            job, folder, progress, work.Token));
                        continue;
                    }
                    foreach (var day in days)
                    {
                        files.Add(await WriteFileAsync(container, tenant, day, zone, ExportPaths.Fact(tenantName, container, day, job.Gzip),
                            job, folder, progress, work.Token));
                    }
                }
            }

            status.Value = ExportRun.Delivering;
            await queue.RenewAsync(run.Id, owner, _options.Lease, ExportRun.Delivering, work.Token);
            var (delivered, problem) = await DeliverAsync(job, run, days, mark, files, folder, work.Token);
            var finalStatus = delivered == files.Count + 1 ? ExportRun.Success : delivered == 0 ? ExportRun.DeliveryFailed : ExportRun.PartialSuccess;
            return await FinishAsync(run, owner, finalStatus, days, finalStatus == ExportRun.Success ? mark : null,
                files.Select(f => f.File).ToList(), problem, started, activity);
        }
        catch (OperationCanceledException) when (work.IsCancellationRequested)
        {
            // Stopping, or the lease was lost: the run stays with its lease, to be resumed by whichever replica claims it.
            ExportLog.RunInterrupted(logger, run.Id);
            activity?.SetStatus(ActivityStatusCode.Error, "interrupted");
            return new RunOutcome(run.Id, status.Value, files.Sum(f => f.File.Rows), "interrupted");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ExportLog.RunFailed(logger, e, run.Id);
            return await FinishAsync(run, owner, ExportRun.HandlerFailed, days, null, files.Select(f => f.File).ToList(), OneLine(e), started, activity);
        }
        finally
        {
            await work.CancelAsync();
            await heartbeat;
            try
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            catch (IOException e)
            {
                ExportLog.TempNotDeleted(logger, e, folder);
            }
        }
    }

    private sealed class StatusBox(string value)
    {
        public volatile string Value = value;
    }

    private async Task HeartbeatAsync(ClaimedRun run, string owner, StatusBox status, CancellationTokenSource work)
    {
        var every = _options.Lease / 3;
        try
        {
            while (!work.IsCancellationRequested)
            {
                await Task.Delay(every, work.Token);
                try
                {
                    if (!await queue.RenewAsync(run.Id, owner, _options.Lease, null, work.Token))
                    {
                        ExportLog.LeaseLost(logger, run.Id);
                        await work.CancelAsync();
                    }
                }
                catch (NpgsqlException e)
                {
                    ExportLog.HeartbeatFailed(logger, e, run.Id);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// An explicit run exports its days. An incremental run exports the days after the job's last exported day up to
    /// yesterday in the job's zone (at most MaxDaysPerRun), and again every earlier day that pushes received since the
    /// last successful run touched.
    /// </summary>
    private async Task<(DateOnly[] Days, ExportProgressMark? Mark)> PlanAsync(ExportJob job, ClaimedRun run, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        if (run.FromDay is { } from)
        {
            var to = run.ToDay ?? from;
            return (Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(from.AddDays).ToArray(), null);
        }
        var now = await queue.DatabaseNowAsync(cancellationToken);
        var watermark = now - _options.WatermarkGrace;
        var previous = await queue.LastMarkAsync(job.Id, cancellationToken);
        var lastComplete = ExportDays.Today(now, zone).AddDays(-1);
        if (job.EndDate is { } end && end < lastComplete)
        {
            lastComplete = end;
        }
        var first = previous?.ExportedThrough?.AddDays(1) ?? job.StartDate ?? lastComplete;
        if (job.StartDate is { } start && first < start)
        {
            first = start;
        }
        var days = new SortedSet<DateOnly>();
        for (var day = first; day <= lastComplete && days.Count < _options.MaxDaysPerRun; day = day.AddDays(1))
        {
            days.Add(day);
        }
        var exportedThrough = days.Count > 0 ? days.Max : previous?.ExportedThrough ?? first.AddDays(-1);
        if (previous is not null && previous.Watermark < watermark)
        {
            foreach (var touched in await queue.TouchedDaysAsync(job.Tenants, job.TimeZone, previous.Watermark, watermark, cancellationToken))
            {
                if (touched <= exportedThrough && (job.StartDate is null || touched >= job.StartDate))
                {
                    days.Add(touched);
                }
            }
        }
        return (days.ToArray(), new ExportProgressMark(previous is not null && previous.Watermark > watermark ? previous.Watermark : watermark, exportedThrough));
    }

    private async Task<(RunFile File, string Local)> WriteFileAsync(ExportContainer container, long tenant, DateOnly? day, TimeZoneInfo? zone,
        string path, ExportJob job, string folder, ExportProgressHandler? progress, CancellationToken cancellationToken)
    {
        using var activity = ExportMetrics.StartFile(path, container.Name, tenant);
        var local = Path.Combine(folder, Guid.NewGuid().ToString("N"));
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(container.Sql, connection) { CommandTimeout = 0 };
        command.Parameters.Add(new NpgsqlParameter("tenant", tenant));
        if (day is { } d)
        {
            command.Parameters.Add(new NpgsqlParameter("from", ExportDays.StartOf(d, zone!)));
            command.Parameters.Add(new NpgsqlParameter("to", ExportDays.StartOf(d.AddDays(1), zone!)));
        }
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
        progress?.Invoke(path, 0);
        var written = await CsvExportWriter.WriteAsync(reader, local, job.Gzip, job.Bom, rows => progress?.Invoke(path, rows), cancellationToken);
        metrics.FileWritten(container.Name, written.Rows, written.Bytes);
        activity?.SetTag("callpush.export.rows", written.Rows);
        activity?.SetTag("callpush.export.bytes", written.Bytes);
        return (new RunFile(path, container.Name, tenant, day, written.Rows, written.Bytes, written.Sha256, Delivered: false), local);
    }

    /// <summary>Delivers every file, then the manifest; answers how many of them arrived and the first problem.</summary>
    private async Task<(int Delivered, string? Problem)> DeliverAsync(ExportJob job, ClaimedRun run, DateOnly[] days, ExportProgressMark? mark,
        List<(RunFile File, string Local)> files, string folder, CancellationToken cancellationToken)
    {
        var connector = await LoadConnectorAsync(job.ConnectorId, cancellationToken)
            ?? throw new InvalidOperationException($"connector {job.ConnectorId} no longer exists");
        string? problem = null;
        var delivered = 0;
        IExportDestination destination;
        try
        {
            destination = connectors.Open(connector);
        }
        catch (DestinationException e)
        {
            return (0, e.Message);
        }
        using (destination)
        {
            for (var i = 0; i < files.Count; i++)
            {
                var (file, local) = files[i];
                using var activity = ExportMetrics.StartFile(file.Path, file.Container, file.Tenant);
                var contentType = job.Gzip ? "application/gzip" : "text/csv; charset=utf-8";
                if (await TryPutAsync(destination, file.Path, local, contentType, cancellationToken) is { } failure)
                {
                    problem ??= $"{file.Path}: {failure.Stage}: {failure.Message}";
                    activity?.SetStatus(ActivityStatusCode.Error, failure.Stage);
                    metrics.FileDelivered(false);
                    continue;
                }
                files[i] = (file with { Delivered = true }, local);
                delivered++;
                metrics.FileDelivered(true);
            }
            var manifest = Path.Combine(folder, "manifest.json");
            await File.WriteAllTextAsync(manifest, JsonSerializer.Serialize(new
            {
                runId = run.Id,
                jobId = job.Id,
                job = job.Name,
                triggeredBy = run.TriggeredBy,
                timeZone = job.TimeZone,
                days,
                watermark = mark?.Watermark,
                createdAt = DateTimeOffset.UtcNow,
                files = files.Select(f => f.File),
            }, ManifestJson), cancellationToken);
            if (await TryPutAsync(destination, ExportPaths.Manifest(run.Id), manifest, "application/json", cancellationToken) is { } manifestFailure)
            {
                problem ??= $"{ExportPaths.Manifest(run.Id)}: {manifestFailure.Stage}: {manifestFailure.Message}";
            }
            else
            {
                delivered++;
            }
        }
        return (delivered, problem);
    }

    private static async Task<DestinationProblem?> TryPutAsync(IExportDestination destination, string path, string local, string contentType,
        CancellationToken cancellationToken)
    {
        try
        {
            await destination.PutAsync(path, local, contentType, cancellationToken);
            return null;
        }
        catch (DestinationException e)
        {
            return e.Problem;
        }
        catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException)
        {
            return S3Destination.Explain(e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new DestinationProblem(e is UnauthorizedAccessException ? "permission" : "other", e.Message);
        }
    }

    private async Task<RunOutcome> FinishAsync(ClaimedRun run, string owner, string status, DateOnly[] days, ExportProgressMark? mark,
        IReadOnlyList<RunFile> files, string? error, long started, Activity? activity)
    {
        var rows = files.Sum(f => f.Rows);
        // The outcome is written even when the service is stopping: it is one short statement.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await queue.FinishAsync(run.Id, owner, status, days, mark, JsonSerializer.Serialize(files), rows, files.Sum(f => f.Bytes), error, timeout.Token);
        metrics.RunFinished(status, Stopwatch.GetElapsedTime(started));
        activity?.SetTag("callpush.export.status", status);
        activity?.SetTag("callpush.export.rows", rows);
        if (status != ExportRun.Success)
        {
            activity?.SetStatus(ActivityStatusCode.Error, error);
        }
        if (error is null)
        {
            ExportLog.RunSucceeded(logger, run.Id, status, rows);
        }
        else
        {
            ExportLog.RunEndedWithError(logger, run.Id, status, rows, error);
        }
        return new RunOutcome(run.Id, status, rows, error);
    }

    private async Task<ExportJob?> LoadJobAsync(long jobId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {ExportJobRows.Columns} FROM export_jobs WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ExportJobRows.Read(reader) : null;
    }

    private async Task<ExportConnector?> LoadConnectorAsync(long connectorId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT id, name, kind, settings::text, protected_secrets, source FROM export_connectors WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = connectorId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new ExportConnector
        {
            Id = reader.GetInt64(0),
            Name = reader.GetString(1),
            Kind = reader.GetString(2),
            Settings = reader.GetString(3),
            ProtectedSecrets = reader.IsDBNull(4) ? null : reader.GetString(4),
            Source = reader.GetString(5),
        };
    }

    private static string OneLine(Exception e) =>
        string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
