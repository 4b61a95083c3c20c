using Microsoft.Extensions.Options;
using Npgsql;

namespace CallPush.Api.Features.Retention;

/// <summary>What one purge round did (or, dry, would do): rows deleted, and rows past the age kept because they are referenced.</summary>
internal sealed record PurgeResult(DateTimeOffset Cutoff, long Purged, long Batches);

/// <summary>
/// Deletes the push_log rows past the configured age that no session, recording or voicemail references, in small
/// batches over push_log.id, holding an advisory lock so that one replica purges at a time.
/// </summary>
internal sealed partial class PushLogPurger(NpgsqlDataSource dataSource, IOptions<RetentionOptions> options, TimeProvider time,
    ILogger<PushLogPurger> logger)
{
    private const string LockSql = "SELECT pg_try_advisory_lock(hashtext('callpush.retention'), hashtext('push_log'))";
    private const string UnlockSql = "SELECT pg_advisory_unlock(hashtext('callpush.retention'), hashtext('push_log'))";

    private const string Purgeable = """
        p.received_at < $4 AND (p.status = 'accepted' OR NOT $5)
        AND NOT EXISTS (SELECT FROM call_sessions s WHERE s.cdr_push_id = p.id)
        AND NOT EXISTS (SELECT FROM recordings r WHERE r.push_id = p.id)
        AND NOT EXISTS (SELECT FROM voicemails v WHERE v.push_id = p.id)
        """;

    // One statement, one short transaction: the next rows by id, and among them the purgeable ones a concurrent
    // reprocessing does not hold. The foreign keys still refuse a delete if a reference appeared meanwhile.
    private const string PurgeBatch = $"""
        WITH chunk AS (
            SELECT id FROM push_log WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3
        ), doomed AS (
            SELECT p.id FROM push_log p JOIN chunk c ON c.id = p.id
            WHERE {Purgeable}
            FOR UPDATE OF p SKIP LOCKED
        ), deleted AS (
            DELETE FROM push_log p USING doomed d WHERE p.id = d.id RETURNING p.id
        )
        SELECT (SELECT max(id) FROM chunk), (SELECT count(*) FROM deleted)
        """;

    private const string CountBatch = $"""
        WITH chunk AS (
            SELECT id FROM push_log WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3
        )
        SELECT (SELECT max(id) FROM chunk), (SELECT count(*) FROM push_log p JOIN chunk c ON c.id = p.id WHERE {Purgeable})
        """;

    private readonly RetentionOptions _options = options.Value;

    public bool Enabled => _options.PushLogDays is not null;

    /// <summary>One round; null when another replica holds the lock. Nothing is purged when no age is configured.</summary>
    public async Task<PurgeResult?> TryPurgeAsync(bool dryRun, CancellationToken cancellationToken)
    {
        if (_options.PushLogDays is not { } days)
        {
            return new PurgeResult(DateTimeOffset.MinValue, 0, 0);
        }
        var cutoff = time.GetUtcNow().AddDays(-days);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await ScalarAsync<bool>(connection, LockSql, cancellationToken))
        {
            return null;
        }
        try
        {
            var result = await PurgeAsync(connection, cutoff, dryRun, cancellationToken);
            if (result.Purged > 0 && !dryRun)
            {
                LogPurged(logger, result.Purged, cutoff, result.Batches);
            }
            return result;
        }
        finally
        {
            try
            {
                // Not with the caller's token: a stop must still give the lock back before the connection returns to the pool.
                await ScalarAsync<bool>(connection, UnlockSql, CancellationToken.None);
            }
            catch (NpgsqlException)
            {
                // The connection is broken, and the lock went with its session.
            }
        }
    }

    private async Task<PurgeResult> PurgeAsync(NpgsqlConnection connection, DateTimeOffset cutoff, bool dryRun, CancellationToken cancellationToken)
    {
        await using var last = new NpgsqlCommand("SELECT id FROM push_log WHERE received_at < $1 ORDER BY received_at DESC LIMIT 1", connection);
        last.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = cutoff });
        if (await last.ExecuteScalarAsync(cancellationToken) is not long upTo)
        {
            return new PurgeResult(cutoff, 0, 0);
        }
        long after = 0, purged = 0, batches = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await using var command = new NpgsqlCommand(dryRun ? CountBatch : PurgeBatch, connection);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = upTo });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = _options.BatchSize });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = cutoff });
            command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = _options.KeepRejected });
            long? reached;
            try
            {
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                reached = reader.IsDBNull(0) ? null : reader.GetInt64(0);
                purged += reader.GetInt64(1);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
            {
                // A row became referenced between the check and the delete: leave this batch to the next round.
                LogBatchSkipped(logger, after);
                reached = await NextChunkEndAsync(connection, after, upTo, cancellationToken);
            }
            if (reached is not { } end)
            {
                return new PurgeResult(cutoff, purged, batches);
            }
            batches++;
            after = end;
        }
    }

    private async Task<long?> NextChunkEndAsync(NpgsqlConnection connection, long after, long upTo, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT max(id) FROM (SELECT id FROM push_log WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3) c", connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = upTo });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = _options.BatchSize });
        return await command.ExecuteScalarAsync(cancellationToken) is long end ? end : null;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Purged} push_log rows received before {Cutoff} that nothing references ({Batches} batches)")]
    private static partial void LogPurged(ILogger logger, long purged, DateTimeOffset cutoff, long batches);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A push_log row after id {After} became referenced while being purged; its batch is left to the next round")]
    private static partial void LogBatchSkipped(ILogger logger, long after);
}
