using System.Text;
using CallPush.Api.Answers;
using CallPush.Api.Features.Push;
using CallPush.Api.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace CallPush.Api.Features.Reprocessing;

/// <summary>
/// Runs stored pushes through today's parser and the push store again, in batches over push_log.id. Each push is
/// applied in its own short transaction with the live push's upserts, so pushes arriving meanwhile are never
/// overwritten by an older CDR, and an interrupted run is completed by running it again.
/// </summary>
internal sealed partial class PushReprocessor(NpgsqlDataSource dataSource, PushStore store, ILogger<PushReprocessor> logger)
{
    public const int BatchSize = 500;

    // A push refused because its sender may not write its SdkAppId (4030) was refused by authorization, not by the
    // parser: parsing it again must never let it in.
    private const string Filter = """
        received_at >= $1 AND received_at < $2 AND ($3::text IS NULL OR action = $3) AND ($4::text IS NULL OR status = $4)
          AND error_code <> 4030
        """;

    private sealed record StoredRow(long Id, string DedupKey, string? Action, string Status, string? Body, byte[]? RawBody);

    public async Task<ReprocessSummary> RunAsync(ReprocessWindow window, Action<ReprocessProgress>? progress, CancellationToken cancellationToken)
    {
        var total = await CountAsync(window, cancellationToken);
        var summary = new ReprocessSummary();
        progress?.Invoke(new ReprocessProgress(0, total, summary));
        var after = 0L;
        while (await ReadBatchAsync(window, after, cancellationToken) is { Count: > 0 } rows)
        {
            foreach (var row in rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await ReprocessAsync(row, summary, cancellationToken);
            }
            after = rows[^1].Id;
            progress?.Invoke(new ReprocessProgress(summary.Seen, Math.Max(total, summary.Seen), summary));
        }
        LogFinished(logger, window.From, window.To, window.Action ?? "any", window.Status ?? "any", summary);
        return summary;
    }

    private async Task ReprocessAsync(StoredRow row, ReprocessSummary summary, CancellationToken cancellationToken)
    {
        summary.Seen++;
        var wasRejected = row.Status == PushLogEntry.Rejected;
        var body = row.RawBody ?? (row.Body is null ? [] : Encoding.UTF8.GetBytes(row.Body));
        var verdict = PushIngestion.Judge(row.Action, body);
        if (verdict.ErrCode != ErrCodes.Ok || verdict.Parsed.Content is null)
        {
            Refused(summary, wasRejected);
            return;
        }
        try
        {
            var applied = await store.ReapplyAsync(row.DedupKey, verdict.Parsed, cancellationToken);
            if (applied.Accepted && wasRejected)
            {
                summary.NowAccepted++;
            }
            summary.ChangedSessions += applied.Sessions;
            summary.ChangedRecordings += applied.Recordings;
            summary.ChangedVoicemails += applied.Voicemails;
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("22", StringComparison.Ordinal) || e.SqlState.StartsWith("23", StringComparison.Ordinal))
        {
            // As on a live push: a value the database refuses keeps the push as it is stored.
            LogUnstorable(logger, row.Id, e.SqlState);
            Refused(summary, wasRejected);
        }
    }

    private static void Refused(ReprocessSummary summary, bool wasRejected)
    {
        if (wasRejected)
        {
            summary.StillRejected++;
        }
        else
        {
            summary.AcceptedButRefusedNow++;
        }
    }

    private async Task<long> CountAsync(ReprocessWindow window, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT count(*) FROM push_log WHERE {Filter}");
        AddFilter(command.Parameters, window);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task<List<StoredRow>> ReadBatchAsync(ReprocessWindow window, long after, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT id, dedup_key, action, status, body::text, raw_body FROM push_log
            WHERE {Filter} AND id > $5
            ORDER BY id
            LIMIT {BatchSize}
            """);
        AddFilter(command.Parameters, window);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<StoredRow>(BatchSize);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new StoredRow(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<byte[]>(5)));
        }
        return rows;
    }

    private static void AddFilter(NpgsqlParameterCollection parameters, ReprocessWindow window)
    {
        parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = window.From });
        parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = window.To });
        parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)window.Action ?? DBNull.Value });
        parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)window.Status ?? DBNull.Value });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reprocessed pushes received from {From} to {To} (action {Action}, status {Status}): {Summary}")]
    private static partial void LogFinished(ILogger logger, DateTimeOffset from, DateTimeOffset to, string action, string status, ReprocessSummary summary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database refused a value of push_log row {Id} on reprocessing ({SqlState}); kept it as stored")]
    private static partial void LogUnstorable(ILogger logger, long id, string sqlState);
}
