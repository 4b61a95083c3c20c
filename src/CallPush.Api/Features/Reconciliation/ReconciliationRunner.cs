using System.Text;
using System.Text.Json;
using CallPush.Api.Answers;
using CallPush.Api.Features.Push;
using CallPush.Api.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace CallPush.Api.Features.Reconciliation;

/// <summary>A window of a source to reconcile, and why it runs.</summary>
internal sealed record ReconcileWindow(string Source, DateTimeOffset From, DateTimeOffset To, string Trigger);

/// <summary>Where a run stands: its counters, and how far it is through the SdkAppId being read.</summary>
internal sealed record ReconcileProgress(ReconcileRun Run, long SdkAppId, long Done, long Total);

/// <summary>
/// A run that holds its source's lock: a session-level advisory lock on a connection of its own, so one run per
/// source goes at a time across replicas, and a crashed replica's lock goes with its connection.
/// </summary>
internal sealed class StartedRun(NpgsqlConnection connection, ReconcileRun run, ReconcileWindow window) : IAsyncDisposable
{
    public NpgsqlConnection Connection { get; } = connection;
    public ReconcileRun Run { get; } = run;
    public ReconcileWindow Window { get; } = window;

    public async ValueTask DisposeAsync()
    {
        try
        {
            // The pool does not reset sessions: the lock is released here, not by returning the connection.
            await using var unlock = new NpgsqlCommand(ReconciliationRunner.UnlockSql, Connection);
            unlock.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = Window.Source.ToLowerInvariant() });
            await unlock.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // A broken connection is closed below, and its lock with it.
        }
        await Connection.DisposeAsync();
    }
}

/// <summary>
/// Reconciles a window: every session the platform lists that CallPush lacks, or has with an older EndedTimestamp,
/// goes through the push's own ingestion (parser, store, archive queue) as a push with source 'reconcile'.
/// </summary>
internal sealed partial class ReconciliationRunner(NpgsqlDataSource dataSource, PushIngestion ingestion, TelCdrClients clients,
    IOptions<SourcesOptions> sources, IOptions<ReconciliationOptions> options, TimeProvider time, ILogger<ReconciliationRunner> logger)
{
    internal const string LockSql = "SELECT pg_try_advisory_lock(hashtext('callpush.reconcile'), hashtext($1))";
    internal const string UnlockSql = "SELECT pg_advisory_unlock(hashtext('callpush.reconcile'), hashtext($1))";

    /// <summary>Why the window cannot run (unknown source, no credentials, a window the API refuses), or null.</summary>
    public string? Problem(ReconcileWindow window)
    {
        if (!sources.Value.Sources.TryGetValue(window.Source, out var source))
        {
            return $"no source is named '{window.Source}'";
        }
        if (source.CloudApi is null)
        {
            return $"source '{window.Source}' has no CloudApi credentials";
        }
        return TelCdrClient.WindowProblem(window.From, window.To, time.GetUtcNow());
    }

    /// <summary>Takes the source's lock and records the run as running; null when another run of the source holds it.</summary>
    public async Task<StartedRun?> TryStartAsync(ReconcileWindow window, CancellationToken cancellationToken)
    {
        var source = sources.Value.Sources.First(s => string.Equals(s.Key, window.Source, StringComparison.OrdinalIgnoreCase));
        window = window with { Source = source.Key };
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using (var take = new NpgsqlCommand(LockSql, connection))
            {
                take.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = window.Source.ToLowerInvariant() });
                if (await take.ExecuteScalarAsync(cancellationToken) is not true)
                {
                    await connection.DisposeAsync();
                    return null;
                }
            }
            var run = new ReconcileRun
            {
                Source = window.Source,
                Trigger = window.Trigger,
                WindowStart = window.From,
                WindowEnd = window.To,
                Status = ReconcileRun.Running,
                StartedAt = time.GetUtcNow(),
            };
            // Holding the lock, no other process runs this source: a row still running was left by one that stopped.
            await using (var abandon = new NpgsqlCommand("""
                UPDATE reconcile_runs SET status = 'abandoned', finished_at = now(),
                       last_error = COALESCE(last_error, 'the process running it stopped before it finished')
                WHERE source = $1 AND status = 'running'
                """, connection))
            {
                abandon.Parameters.Add(new NpgsqlParameter { Value = window.Source });
                await abandon.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var insert = new NpgsqlCommand("""
                INSERT INTO reconcile_runs (source, trigger, window_start, window_end, status, pages, sessions_seen, missing, filled,
                                            updated, errors, started_at)
                VALUES ($1, $2, $3, $4, 'running', 0, 0, 0, 0, 0, 0, $5)
                RETURNING id
                """, connection);
            insert.Parameters.Add(new NpgsqlParameter { Value = run.Source });
            insert.Parameters.Add(new NpgsqlParameter { Value = run.Trigger });
            insert.Parameters.Add(new NpgsqlParameter { Value = run.WindowStart });
            insert.Parameters.Add(new NpgsqlParameter { Value = run.WindowEnd });
            insert.Parameters.Add(new NpgsqlParameter { Value = run.StartedAt });
            run.Id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
            LogStarted(logger, run.Id, run.Source, run.Trigger, run.WindowStart, run.WindowEnd);
            return new StartedRun(connection, run, window);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a started run to its end and releases its lock; the run's final row is returned.</summary>
    public async Task<ReconcileRun> CompleteAsync(StartedRun started, Action<ReconcileProgress>? progress, CancellationToken cancellationToken)
    {
        await using var _ = started;
        var run = started.Run;
        var window = started.Window;
        try
        {
            var client = clients.For(window.Source) ?? throw new InvalidOperationException($"source '{window.Source}' has no CloudApi credentials");
            foreach (var sdkAppId in sources.Value.Sources[window.Source].SdkAppIds.Distinct())
            {
                await ReconcileAppAsync(started, client, sdkAppId, progress, cancellationToken);
            }
            run.Status = ReconcileRun.Succeeded;
        }
        catch (CloudApiException e)
        {
            run.Status = ReconcileRun.Failed;
            run.LastError = e.Message;
            if (e.IsAuthFailure)
            {
                LogAuthFailure(logger, run.Id, run.Source, e.Code, e.RequestId);
            }
            else
            {
                LogApiFailure(logger, run.Id, run.Source, e.Message);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            run.Status = ReconcileRun.Abandoned;
            run.LastError = "stopped before it finished";
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            run.Status = ReconcileRun.Failed;
            run.LastError = e.Message;
            LogRunFailure(logger, e, run.Id, run.Source);
        }
        run.FinishedAt = time.GetUtcNow();
        await SaveAsync(started.Connection, run, CancellationToken.None);
        LogFinished(logger, run.Id, run.Source, run.Status, run.SessionsSeen, run.Missing, run.Filled, run.Updated, run.Errors);
        return run;
    }

    public async Task<ReconcileRun?> RunAsync(ReconcileWindow window, Action<ReconcileProgress>? progress, CancellationToken cancellationToken)
    {
        var started = await TryStartAsync(window, cancellationToken);
        return started is null ? null : await CompleteAsync(started, progress, cancellationToken);
    }

    private async Task ReconcileAppAsync(StartedRun started, TelCdrClient client, long sdkAppId, Action<ReconcileProgress>? progress,
        CancellationToken cancellationToken)
    {
        var run = started.Run;
        var pageSize = options.Value.PageSize;
        long done = 0;
        for (var pageNumber = 0; ; pageNumber++)
        {
            var page = await client.DescribeTelCdrAsync(sdkAppId, started.Window.From, started.Window.To, pageSize, pageNumber, cancellationToken);
            run.Pages++;
            await ReconcilePageAsync(run, sdkAppId, page, cancellationToken);
            done += page.TelCdrList.Count;
            await SaveAsync(started.Connection, run, cancellationToken);
            progress?.Invoke(new ReconcileProgress(run, sdkAppId, done, page.TotalCount));
            if (page.TelCdrList.Count == 0 || (long)(pageNumber + 1) * pageSize >= page.TotalCount)
            {
                return;
            }
        }
    }

    private async Task ReconcilePageAsync(ReconcileRun run, long sdkAppId, TelCdrPage page, CancellationToken cancellationToken)
    {
        var cdrs = page.TelCdrList.Where(c => c.ValueKind == JsonValueKind.Object && TelCdrMapping.SessionId(c) is not null).ToList();
        run.SessionsSeen += page.TelCdrList.Count;
        var stored = await EndedTimesAsync(sdkAppId, [.. cdrs.Select(c => TelCdrMapping.SessionId(c)!).Distinct()], cancellationToken);
        foreach (var cdr in cdrs)
        {
            var sessionId = TelCdrMapping.SessionId(cdr)!;
            var ended = TelCdrMapping.EndedTimestamp(cdr);
            var missing = !stored.TryGetValue(sessionId, out var ours);
            var older = !missing && ended is { } theirs && (ours is null || ours.Value.ToUnixTimeSeconds() < theirs);
            if (!missing && !older)
            {
                continue;
            }
            if (missing)
            {
                run.Missing++;
            }
            if (await IngestAsync(run, sdkAppId, cdr, page.RequestId))
            {
                if (missing)
                {
                    run.Filled++;
                }
                else
                {
                    run.Updated++;
                }
                stored[sessionId] = ended is { } e ? DateTimeOffset.FromUnixTimeSeconds(e) : null;
            }
        }
    }

    private async Task<bool> IngestAsync(ReconcileRun run, long sdkAppId, JsonElement cdr, string? requestId)
    {
        var headers = JsonSerializer.Serialize(new Dictionary<string, object?> { ["ReconcileRun"] = run.Id, ["RequestId"] = requestId });
        var ok = true;
        foreach (var push in TelCdrMapping.Pushes(sdkAppId, cdr))
        {
            var result = await ingestion.IngestAsync(new ReceivedPush(push.Action, "1", null, push.Body, headers)
            {
                Source = PushLogEntry.FromReconciliation,
                DedupKey = push.DedupKey,
                SourceName = run.Source,
            });
            if (result.Answer.ErrCode != ErrCodes.Ok)
            {
                ok = false;
                run.Errors++;
                run.LastError = $"{push.DedupKey}: {result.Answer.ErrMsg}";
                LogIngestFailure(logger, run.Id, push.DedupKey, result.Answer.ErrCode, result.Answer.ErrMsg);
            }
        }
        return ok;
    }

    private async Task<Dictionary<string, DateTimeOffset?>> EndedTimesAsync(long sdkAppId, string[] sessionIds, CancellationToken cancellationToken)
    {
        var ended = new Dictionary<string, DateTimeOffset?>(StringComparer.Ordinal);
        if (sessionIds.Length == 0)
        {
            return ended;
        }
        await using var command = dataSource.CreateCommand(
            "SELECT session_id, ended_at FROM call_sessions WHERE sdk_app_id = $1 AND session_id = ANY($2)");
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = sdkAppId });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = sessionIds });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ended[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1);
        }
        return ended;
    }

    private static async Task SaveAsync(NpgsqlConnection connection, ReconcileRun run, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            UPDATE reconcile_runs SET status = $2, pages = $3, sessions_seen = $4, missing = $5, filled = $6, updated = $7,
                   errors = $8, last_error = $9, finished_at = $10
            WHERE id = $1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = run.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = run.Status });
        command.Parameters.Add(new NpgsqlParameter { Value = run.Pages });
        command.Parameters.Add(new NpgsqlParameter { Value = run.SessionsSeen });
        command.Parameters.Add(new NpgsqlParameter { Value = run.Missing });
        command.Parameters.Add(new NpgsqlParameter { Value = run.Filled });
        command.Parameters.Add(new NpgsqlParameter { Value = run.Updated });
        command.Parameters.Add(new NpgsqlParameter { Value = run.Errors });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)run.LastError ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)run.FinishedAt ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciliation run {RunId} of source {Source} ({Trigger}) started for {From:o} to {To:o}")]
    private static partial void LogStarted(ILogger logger, long runId, string source, string trigger, DateTimeOffset from, DateTimeOffset to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciliation run {RunId} of source {Source} {Status}: {Seen} sessions seen, {Missing} missing, {Filled} filled, {Updated} updated, {Errors} errors")]
    private static partial void LogFinished(ILogger logger, long runId, string source, string status, int seen, int missing, int filled, int updated, int errors);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciliation run {RunId} of source {Source} stopped: the platform refused its credentials ({Code}, RequestId {RequestId})")]
    private static partial void LogAuthFailure(ILogger logger, long runId, string source, string code, string? requestId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciliation run {RunId} of source {Source} stopped: {Reason}")]
    private static partial void LogApiFailure(ILogger logger, long runId, string source, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciliation run {RunId} of source {Source} failed")]
    private static partial void LogRunFailure(ILogger logger, Exception exception, long runId, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciliation run {RunId} could not store {DedupKey}: ErrCode {ErrCode}, {Reason}")]
    private static partial void LogIngestFailure(ILogger logger, long runId, string dedupKey, int errCode, string reason);
}
