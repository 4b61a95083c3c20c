using CallPush.Api.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace CallPush.Api.Features.Exports;

internal sealed record ClaimedRun(long Id, long JobId, string TriggeredBy, DateOnly? FromDay, DateOnly? ToDay, int Attempts);

/// <summary>Where the last incremental run of a job got to.</summary>
internal sealed record ExportProgressMark(DateTimeOffset Watermark, DateOnly? ExportedThrough);

/// <summary>
/// export_runs as a queue in PostgreSQL. A run is inserted pending before anything starts; at most one run of a job is
/// pending or running (the unique index ux_export_runs_active), whatever replica or trigger asks; a replica claims a run
/// with a lease it renews while working, and a run whose lease ran out (its replica died) is claimed again.
/// </summary>
internal sealed class ExportRunQueue(NpgsqlDataSource dataSource)
{
    private const string Active = "status IN ('pending', 'processing', 'delivering')";

    /// <summary>The new run's id, or the id of the run of the job that is already pending or running.</summary>
    public async Task<(long? RunId, long? ActiveRunId)> EnqueueAsync(long jobId, string triggeredBy, DateOnly? from, DateOnly? to,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var insert = dataSource.CreateCommand($"""
                INSERT INTO export_runs (job_id, triggered_by, status, from_day, to_day, created_at, attempts, rows, bytes)
                VALUES ($1, $2, 'pending', $3, $4, now(), 0, 0, 0)
                ON CONFLICT (job_id) WHERE {Active} DO NOTHING
                RETURNING id
                """);
            insert.Parameters.Add(new NpgsqlParameter { Value = jobId });
            insert.Parameters.Add(new NpgsqlParameter { Value = triggeredBy });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)from ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Date });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)to ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Date });
            if (await insert.ExecuteScalarAsync(cancellationToken) is long id)
            {
                return (id, null);
            }
            await using var active = dataSource.CreateCommand($"SELECT id FROM export_runs WHERE job_id = $1 AND {Active}");
            active.Parameters.Add(new NpgsqlParameter { Value = jobId });
            var activeId = await active.ExecuteScalarAsync(cancellationToken) as long?;
            if (activeId is not null || attempt >= 3)
            {
                return (null, activeId);
            }
        }
    }

    /// <summary>Claims a pending run, or one whose replica stopped renewing its lease (only <paramref name="runId"/> when given).</summary>
    public async Task<ClaimedRun?> ClaimAsync(string owner, TimeSpan lease, long? runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            UPDATE export_runs r
            SET status = 'processing', started_at = coalesce(r.started_at, now()), attempts = r.attempts + 1,
                lease_owner = $1, lease_until = now() + $2
            WHERE r.id = (
                SELECT id FROM export_runs
                WHERE (status = 'pending' OR status IN ('processing', 'delivering') AND lease_until < now())
                  AND ($3::bigint IS NULL OR id = $3)
                ORDER BY id
                LIMIT 1
                FOR UPDATE SKIP LOCKED)
            RETURNING r.id, r.job_id, r.triggered_by, r.from_day, r.to_day, r.attempts
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = owner });
        command.Parameters.Add(new NpgsqlParameter { Value = lease });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)runId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new ClaimedRun(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetFieldValue<DateOnly>(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateOnly>(4),
            reader.GetInt32(5));
    }

    /// <summary>Renews the lease; false when the run is no longer this owner's (another replica took it over).</summary>
    public async Task<bool> RenewAsync(long runId, string owner, TimeSpan lease, string? status, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE export_runs SET lease_until = now() + $3, status = coalesce($4, status)
            WHERE id = $1 AND lease_owner = $2 AND status IN ('processing', 'delivering')
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        command.Parameters.Add(new NpgsqlParameter { Value = owner });
        command.Parameters.Add(new NpgsqlParameter { Value = lease });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)status ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> FinishAsync(long runId, string owner, string status, DateOnly[] days, ExportProgressMark? mark,
        string files, long rows, long bytes, string? error, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE export_runs
            SET status = $3, days = $4, watermark = $5, exported_through = $6, files = $7::jsonb, rows = $8, bytes = $9, error = $10,
                finished_at = now(), lease_until = NULL
            WHERE id = $1 AND lease_owner = $2 AND status IN ('processing', 'delivering')
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        command.Parameters.Add(new NpgsqlParameter { Value = owner });
        command.Parameters.Add(new NpgsqlParameter { Value = status });
        command.Parameters.Add(new NpgsqlParameter { Value = days, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)mark?.Watermark ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)mark?.ExportedThrough ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Date });
        command.Parameters.Add(new NpgsqlParameter { Value = files });
        command.Parameters.Add(new NpgsqlParameter { Value = rows });
        command.Parameters.Add(new NpgsqlParameter { Value = bytes });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The watermark and last day of the job's latest successful incremental run.</summary>
    public async Task<ExportProgressMark?> LastMarkAsync(long jobId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT watermark, exported_through FROM export_runs
            WHERE job_id = $1 AND status = 'success' AND watermark IS NOT NULL
            ORDER BY id DESC LIMIT 1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ExportProgressMark(reader.GetFieldValue<DateTimeOffset>(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateOnly>(1))
            : null;
    }

    public async Task<DateTimeOffset> DatabaseNowAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT now()");
        return new DateTimeOffset((DateTime)(await command.ExecuteScalarAsync(cancellationToken))!, TimeSpan.Zero);
    }

    /// <summary>
    /// Days (in the job's zone) touched by pushes received in (since, until]: the push itself, the session its CDR
    /// describes (its start, its queue time and its participants' ring times, which place its interval statistics),
    /// and the recordings and voicemails it names.
    /// </summary>
    public async Task<List<DateOnly>> TouchedDaysAsync(long[] tenants, string zone, DateTimeOffset since, DateTimeOffset until,
        CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            WITH touched AS (
                SELECT p.sdk_app_id, p.session_id, p.received_at FROM push_log p
                WHERE p.received_at > $2 AND p.received_at <= $3 AND p.sdk_app_id = ANY($1))
            SELECT (t.received_at AT TIME ZONE $4)::date FROM touched t
            UNION
            SELECT (cs.started_at AT TIME ZONE $4)::date FROM touched t
            JOIN call_sessions cs ON cs.sdk_app_id = t.sdk_app_id AND cs.session_id = t.session_id
            WHERE cs.started_at IS NOT NULL
            UNION
            SELECT (cs.queued_at AT TIME ZONE $4)::date FROM touched t
            JOIN call_sessions cs ON cs.sdk_app_id = t.sdk_app_id AND cs.session_id = t.session_id
            WHERE cs.queued_at IS NOT NULL
            UNION
            SELECT (coalesce(sp.ring_at, sp.started_at) AT TIME ZONE $4)::date FROM touched t
            JOIN call_sessions cs ON cs.sdk_app_id = t.sdk_app_id AND cs.session_id = t.session_id
            JOIN serve_participants sp ON sp.call_session_id = cs.id
            WHERE coalesce(sp.ring_at, sp.started_at) IS NOT NULL
            UNION
            SELECT (coalesce(r.recorded_at, r.updated_at) AT TIME ZONE $4)::date FROM touched t
            JOIN recordings r ON r.sdk_app_id = t.sdk_app_id AND r.session_id = t.session_id
            UNION
            SELECT (coalesce(v.recorded_at, v.updated_at) AT TIME ZONE $4)::date FROM touched t
            JOIN voicemails v ON v.sdk_app_id = t.sdk_app_id AND v.session_id = t.session_id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = tenants, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = since });
        command.Parameters.Add(new NpgsqlParameter { Value = until });
        command.Parameters.Add(new NpgsqlParameter { Value = zone });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var days = new List<DateOnly>();
        while (await reader.ReadAsync(cancellationToken))
        {
            days.Add(reader.GetFieldValue<DateOnly>(0));
        }
        return days;
    }

    /// <summary>
    /// Starts a run for every enabled job whose time has come and moves its next time on. A job with a run already
    /// pending or running gets none for this occurrence: the next incremental run catches up what it would have exported.
    /// </summary>
    public async Task<List<(long JobId, long? RunId, long? ActiveRunId)>> StartDueJobsAsync(CancellationToken cancellationToken)
    {
        var started = new List<(long, long?, long?)>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var due = new List<ExportJob>();
        await using (var select = new NpgsqlCommand($"""
            SELECT {ExportJobRows.Columns} FROM export_jobs
            WHERE enabled AND next_run_at <= now()
            ORDER BY next_run_at
            FOR UPDATE SKIP LOCKED
            """, connection, transaction))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                due.Add(ExportJobRows.Read(reader));
            }
        }
        foreach (var job in due)
        {
            await using var insert = new NpgsqlCommand($"""
                INSERT INTO export_runs (job_id, triggered_by, status, created_at, attempts, rows, bytes)
                VALUES ($1, 'schedule', 'pending', now(), 0, 0, 0)
                ON CONFLICT (job_id) WHERE {Active} DO NOTHING
                RETURNING id
                """, connection, transaction);
            insert.Parameters.Add(new NpgsqlParameter { Value = job.Id });
            var runId = await insert.ExecuteScalarAsync(cancellationToken) as long?;
            long? activeId = null;
            if (runId is null)
            {
                await using var active = new NpgsqlCommand($"SELECT id FROM export_runs WHERE job_id = $1 AND {Active}", connection, transaction);
                active.Parameters.Add(new NpgsqlParameter { Value = job.Id });
                activeId = await active.ExecuteScalarAsync(cancellationToken) as long?;
            }
            var next = job.Frequency == "once" ? null : ExportSchedule.NextAfter(job, DateTimeOffset.UtcNow);
            await using var update = new NpgsqlCommand("UPDATE export_jobs SET next_run_at = $2 WHERE id = $1", connection, transaction);
            update.Parameters.Add(new NpgsqlParameter { Value = job.Id });
            update.Parameters.Add(new NpgsqlParameter { Value = (object?)next ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            await update.ExecuteNonQueryAsync(cancellationToken);
            started.Add((job.Id, runId, activeId));
        }
        await transaction.CommitAsync(cancellationToken);
        return started;
    }
}

/// <summary>Reads export_jobs rows without EF Core (inside the scheduler's own transaction).</summary>
internal static class ExportJobRows
{
    public const string Columns = "id, name, connector_id, containers, tenants, time_zone, frequency, at, day_of_week, day_of_month, cron, "
        + "start_date, end_date, enabled, gzip, bom, source, next_run_at, created_at, updated_at";

    public static ExportJob Read(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        Name = reader.GetString(1),
        ConnectorId = reader.GetInt64(2),
        Containers = reader.GetFieldValue<string[]>(3),
        Tenants = reader.GetFieldValue<long[]>(4),
        TimeZone = reader.GetString(5),
        Frequency = reader.GetString(6),
        At = reader.IsDBNull(7) ? null : reader.GetString(7),
        DayOfWeek = reader.IsDBNull(8) ? null : reader.GetInt32(8),
        DayOfMonth = reader.IsDBNull(9) ? null : reader.GetInt32(9),
        Cron = reader.IsDBNull(10) ? null : reader.GetString(10),
        StartDate = reader.IsDBNull(11) ? null : reader.GetFieldValue<DateOnly>(11),
        EndDate = reader.IsDBNull(12) ? null : reader.GetFieldValue<DateOnly>(12),
        Enabled = reader.GetBoolean(13),
        Gzip = reader.GetBoolean(14),
        Bom = reader.GetBoolean(15),
        Source = reader.GetString(16),
        NextRunAt = reader.IsDBNull(17) ? null : reader.GetFieldValue<DateTimeOffset>(17),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(18),
        UpdatedAt = reader.GetFieldValue<DateTimeOffset>(19),
    };
}
