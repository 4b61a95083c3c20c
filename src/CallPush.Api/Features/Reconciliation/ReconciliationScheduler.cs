using System.Collections.Concurrent;
using CallPush.Api.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace CallPush.Api.Features.Reconciliation;

/// <summary>
/// Runs the due windows of every source with API credentials: the sliding window (the last <c>Lookback</c>, every
/// <c>Interval</c>) and the nightly sweep of the previous UTC day. What is due is read from reconcile_runs, so replicas
/// and restarts agree; the source's lock keeps two replicas from running one source at once. Runs started through
/// the API run here too, so a shutdown stops them cleanly.
/// </summary>
internal sealed partial class ReconciliationScheduler(ReconciliationRunner runner, DatabaseState database, NpgsqlDataSource dataSource,
    IOptions<SourcesOptions> sources, IOptions<ReconciliationOptions> options, TimeProvider time, ILogger<ReconciliationScheduler> logger)
    : BackgroundService
{
    private readonly ConcurrentDictionary<long, Task> _launched = new();
    // Never disposed: the host may stop a service after disposing it, and a source without a timer holds nothing to free.
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Finishes a started run in the background (the API answers at once).</summary>
    public void Launch(StartedRun started)
    {
        var id = started.Run.Id;
        _launched[id] = Task.Run(async () =>
        {
            try
            {
                await runner.CompleteAsync(started, null, _stopping.Token);
            }
            finally
            {
                _launched.TryRemove(id, out _);
            }
        });
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
        await Task.WhenAll(_launched.Values).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Schedule || !sources.Value.WithCloudApi().Any())
        {
            return;
        }
        while (!database.SchemaIsCurrent)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), time, stoppingToken);
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var (name, _) in sources.Value.WithCloudApi())
            {
                try
                {
                    await RunDueAsync(name, settings, stoppingToken);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException)
                {
                    LogScheduleFailure(logger, e, name);
                }
            }
            await Task.Delay(settings.Tick, time, stoppingToken);
        }
    }

    private async Task RunDueAsync(string source, ReconciliationOptions settings, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        var lastSliding = await LastStartAsync(source, ReconcileRun.SlidingTrigger, null, stoppingToken);
        if (lastSliding is null || now - lastSliding >= settings.Interval)
        {
            await runner.RunAsync(new ReconcileWindow(source, now - settings.Lookback, now, ReconcileRun.SlidingTrigger), null, stoppingToken);
        }

        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        if (settings.NightlySweep && now - today >= settings.NightlySweepAt)
        {
            var yesterday = today.AddDays(-1);
            var lastNightly = await LastStartAsync(source, ReconcileRun.NightlyTrigger, yesterday, stoppingToken);
            // A failed sweep is tried again after an interval; a succeeded one is not repeated.
            if (lastNightly is null || (now - lastNightly >= settings.Interval && !await SweptAsync(source, yesterday, stoppingToken)))
            {
                await runner.RunAsync(new ReconcileWindow(source, yesterday, today, ReconcileRun.NightlyTrigger), null, stoppingToken);
            }
        }
    }

    private async Task<DateTimeOffset?> LastStartAsync(string source, string trigger, DateTimeOffset? windowStart, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT max(started_at) FROM reconcile_runs
            WHERE source = $1 AND trigger = $2 AND ($3::timestamptz IS NULL OR window_start = $3)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = source });
        command.Parameters.Add(new NpgsqlParameter { Value = trigger });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)windowStart ?? DBNull.Value });
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime utc ? new DateTimeOffset(utc, TimeSpan.Zero) : null;
    }

    private async Task<bool> SweptAsync(string source, DateTimeOffset windowStart, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT EXISTS (SELECT FROM reconcile_runs
                           WHERE source = $1 AND trigger = 'nightly' AND window_start = $2 AND status IN ('succeeded', 'running'))
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = source });
        command.Parameters.Add(new NpgsqlParameter { Value = windowStart });
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look up or run the due reconciliation of source {Source}; trying again at the next tick")]
    private static partial void LogScheduleFailure(ILogger logger, Exception exception, string source);
}
