using Npgsql;
using NpgsqlTypes;

namespace CallPush.Api.Features.Recordings;

/// <summary>
/// A recording_files row claimed by this replica until <see cref="RecordingQueue.ClaimAsync"/>'s lease ends, with the
/// fresh URL the platform gave for its pushed URL, if any (recording_url_refreshes).
/// </summary>
internal sealed record ClaimedRecording(long Id, long SdkAppId, string SessionId, string Kind, string? RecordId, string? EndpointUser,
    string SourceUrl, int Attempts, DateTimeOffset EnqueuedAt, DateTimeOffset? RecordedAt, string? LastError,
    string? RefreshedUrl = null, DateTimeOffset? RefreshedAt = null);

/// <summary>The session of a recording file as CallPush has it: its CDR's times and RecordId, and how many record files it has.</summary>
internal sealed record FileSession(DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? CdrRecordId, long RecordFiles);

/// <summary>The archive queue in recording_files: every state change is one short statement, so replicas share it safely.</summary>
internal sealed class RecordingQueue(NpgsqlDataSource dataSource)
{
    // Claiming moves next_attempt_at past the lease: the row stays pending, so if this replica dies the row is due
    // again when the lease ends, and no other replica takes it before.
    private const string Claim = """
        WITH claimed AS (
            UPDATE recording_files SET attempts = attempts + 1, next_attempt_at = now() + $2
            WHERE id IN (SELECT id FROM recording_files
                         WHERE status = 'pending' AND next_attempt_at <= now()
                         ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
            RETURNING id, sdk_app_id, session_id, kind, record_id, endpoint_user, source_url, attempts, enqueued_at, recorded_at, last_error)
        SELECT c.id, c.sdk_app_id, c.session_id, c.kind, c.record_id, c.endpoint_user, c.source_url, c.attempts, c.enqueued_at,
               c.recorded_at, c.last_error, r.refreshed_url, r.refreshed_at
        FROM claimed c LEFT JOIN recording_url_refreshes r ON r.recording_file_id = c.id AND r.source_url = c.source_url
        """;

    // Every outcome applies only while the row still holds the URL that was fetched: a push may have replaced it since.
    private const string ThisClaim = "id = $1 AND source_url = $2 AND status = 'pending'";

    private const string MarkArchived = $"""
        UPDATE recording_files SET status = 'archived', size_bytes = $3, sha256 = $4, content_type = $5, duration_seconds = $6,
            storage_key = $7, archived_at = now(), last_error = NULL
        WHERE {ThisClaim}
        """;

    private const string MarkRetry = $"""
        UPDATE recording_files SET next_attempt_at = now() + $3, last_error = $4 WHERE {ThisClaim}
        """;

    private const string MarkFailed = $"""
        UPDATE recording_files SET status = 'failed', last_error = $3 WHERE {ThisClaim}
        """;

    // A fetch cut short by a graceful stop: due again at once, and the attempt does not count.
    private const string HandBack = $"""
        UPDATE recording_files SET next_attempt_at = now(), attempts = GREATEST(attempts - 1, 0) WHERE {ThisClaim}
        """;

    // The pushed URL stays in recording_files.source_url; the fresh one is kept beside it, for this pushed URL only.
    private const string SaveRefresh = $"""
        INSERT INTO recording_url_refreshes (recording_file_id, source_url, refreshed_url, refreshed_at, request_id)
        SELECT id, source_url, $3, now(), $4 FROM recording_files WHERE {ThisClaim}
        ON CONFLICT (recording_file_id) DO UPDATE SET source_url = excluded.source_url, refreshed_url = excluded.refreshed_url,
            refreshed_at = excluded.refreshed_at, request_id = excluded.request_id
        """;

    private const string SessionOfFile = """
        SELECT s.started_at, s.ended_at, s.record_id,
               (SELECT count(*) FROM recording_files f WHERE f.sdk_app_id = $1 AND f.session_id = $2 AND f.kind = 'record')
        FROM (SELECT 1) AS one LEFT JOIN call_sessions s ON s.sdk_app_id = $1 AND s.session_id = $2
        """;

    private const string Measure = """
        SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(enqueued_at))::double precision, 0)
        FROM recording_files WHERE status = 'pending'
        """;

    public async Task<IReadOnlyList<ClaimedRecording>> ClaimAsync(int count, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Claim);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = lease, NpgsqlDbType = NpgsqlDbType.Interval });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var claimed = new List<ClaimedRecording>();
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new ClaimedRecording(
                reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetString(6), reader.GetInt32(7), reader.GetFieldValue<DateTimeOffset>(8),
                reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9), reader.IsDBNull(10) ? null : reader.GetString(10),
                reader.IsDBNull(11) ? null : reader.GetString(11), reader.IsDBNull(12) ? null : reader.GetFieldValue<DateTimeOffset>(12)));
        }
        return claimed;
    }

    public Task<bool> ArchivedAsync(ClaimedRecording row, long size, string sha256, string contentType, double? duration, string storageKey,
        CancellationToken cancellationToken) =>
        ExecuteAsync(MarkArchived, row, cancellationToken,
            new NpgsqlParameter<long> { TypedValue = size },
            new NpgsqlParameter<string> { TypedValue = sha256 },
            new NpgsqlParameter<string> { TypedValue = contentType },
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Double, Value = (object?)duration ?? DBNull.Value },
            new NpgsqlParameter<string> { TypedValue = storageKey });

    public Task<bool> RetryAsync(ClaimedRecording row, TimeSpan delay, string error, CancellationToken cancellationToken) =>
        ExecuteAsync(MarkRetry, row, cancellationToken,
            new NpgsqlParameter<TimeSpan> { TypedValue = delay, NpgsqlDbType = NpgsqlDbType.Interval },
            new NpgsqlParameter<string> { TypedValue = error });

    public Task<bool> FailedAsync(ClaimedRecording row, string error, CancellationToken cancellationToken) =>
        ExecuteAsync(MarkFailed, row, cancellationToken, new NpgsqlParameter<string> { TypedValue = error });

    public Task<bool> HandBackAsync(ClaimedRecording row, CancellationToken cancellationToken) =>
        ExecuteAsync(HandBack, row, cancellationToken);

    public Task<bool> SaveRefreshedUrlAsync(ClaimedRecording row, string refreshedUrl, string? requestId, CancellationToken cancellationToken) =>
        ExecuteAsync(SaveRefresh, row, cancellationToken,
            new NpgsqlParameter<string> { TypedValue = refreshedUrl },
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)requestId ?? DBNull.Value });

    /// <summary>What CallPush knows of the row's session: its CDR's times and RecordId (nulls without a CDR) and its record files.</summary>
    public async Task<FileSession> SessionOfAsync(ClaimedRecording row, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(SessionOfFile);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = row.SdkAppId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = row.SessionId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new FileSession(
            reader.IsDBNull(0) ? null : reader.GetFieldValue<DateTimeOffset>(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1),
            reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3));
    }

    /// <summary>How many files wait, and for how long the oldest has (seconds).</summary>
    public async Task<(long Depth, double OldestAgeSeconds)> MeasureAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Measure);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetDouble(1));
    }

    private async Task<bool> ExecuteAsync(string sql, ClaimedRecording row, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = row.Id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = row.SourceUrl });
        command.Parameters.AddRange(parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
