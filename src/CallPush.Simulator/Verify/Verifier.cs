using CallPush.Simulator.Manifest;
using Npgsql;
using NpgsqlTypes;

namespace CallPush.Simulator.Verify;

/// <summary>What the database holds for one session of the manifest.</summary>
internal sealed record StoredSession(int Sessions, int Participants, int Recordings, int Voicemails, int AcknowledgedPushesStored, int PushLogRows);

internal sealed record SessionProblem(string SessionId, string Kind, string Detail);

internal sealed record VerifyReport(int Sessions, int Pushes, int AcknowledgedPushes, int UnacknowledgedPushes, IReadOnlyList<SessionProblem> Problems)
{
    public bool Passed => Problems.Count == 0;
}

/// <summary>
/// Checks the database against a manifest: every push the service acknowledged is stored exactly once and every
/// session has exactly the participants, recordings and voicemails it was sent with. A push the service never
/// acknowledged (the sender gave up) may be stored or not, but never twice.
/// </summary>
internal static class Verifier
{
    private const string Query = """
        SELECT m.ord,
            (SELECT count(*) FROM call_sessions s WHERE s.sdk_app_id = m.sdk_app_id AND s.session_id = m.session_id)::int,
            (SELECT count(*) FROM serve_participants sp JOIN call_sessions s ON s.id = sp.call_session_id
             WHERE s.sdk_app_id = m.sdk_app_id AND s.session_id = m.session_id)::int,
            (SELECT count(*) FROM recordings r WHERE r.sdk_app_id = m.sdk_app_id AND r.session_id = m.session_id)::int,
            (SELECT count(*) FROM voicemails v WHERE v.sdk_app_id = m.sdk_app_id AND v.session_id = m.session_id)::int,
            (SELECT count(*) FROM push_log p WHERE p.dedup_key = ANY(m.acknowledged) AND p.status = 'accepted')::int,
            (SELECT count(*) FROM push_log p WHERE p.sdk_app_id = m.sdk_app_id AND p.session_id = m.session_id)::int
        FROM manifest_acknowledged m
        """;

    public static async Task<VerifyReport> VerifyAsync(string connectionString, IReadOnlyList<ManifestSession> manifest, CancellationToken cancellationToken = default)
    {
        var stored = await ReadAsync(connectionString, manifest, cancellationToken);
        var problems = new List<SessionProblem>();
        for (var i = 0; i < manifest.Count; i++)
        {
            problems.AddRange(Check(manifest[i], stored[i]));
        }
        var pushes = manifest.SelectMany(s => s.Pushes).ToList();
        return new VerifyReport(manifest.Count, pushes.Count, pushes.Count(p => p.Acknowledged), pushes.Count(p => !p.Acknowledged), problems);
    }

    public static IEnumerable<SessionProblem> Check(ManifestSession expected, StoredSession stored)
    {
        var id = expected.SessionId;
        var acknowledged = expected.Pushes.Where(p => p.Acknowledged).ToList();
        var cdrAcknowledged = acknowledged.Any(p => p.Action == "cdr");
        var recordingsAcknowledged = acknowledged.Count(p => p.Action == "record");
        var voicemailsAcknowledged = acknowledged.Count(p => p.Action == "voicemail");

        if (stored.Sessions > 1)
        {
            yield return new(id, "duplicate", $"{stored.Sessions} call_sessions rows");
        }
        else if (cdrAcknowledged && stored.Sessions == 0)
        {
            yield return new(id, "lost", "the CDR was acknowledged but there is no call_sessions row");
        }
        if (stored.Sessions == 1 && cdrAcknowledged && stored.Participants != expected.Participants)
        {
            yield return new(id, stored.Participants > expected.Participants ? "duplicate" : "lost",
                $"{stored.Participants} serve_participants rows, expected {expected.Participants}");
        }
        foreach (var problem in Between(id, "recordings", stored.Recordings, recordingsAcknowledged, expected.Recordings))
        {
            yield return problem;
        }
        foreach (var problem in Between(id, "voicemails", stored.Voicemails, voicemailsAcknowledged, expected.Voicemails))
        {
            yield return problem;
        }
        if (stored.AcknowledgedPushesStored != acknowledged.Count)
        {
            yield return new(id, "lost", $"{acknowledged.Count - stored.AcknowledgedPushesStored} acknowledged push(es) missing from push_log");
        }
        if (stored.PushLogRows > expected.Pushes.Count)
        {
            yield return new(id, "duplicate", $"{stored.PushLogRows} push_log rows for {expected.Pushes.Count} distinct pushes sent");
        }
    }

    private static IEnumerable<SessionProblem> Between(string id, string table, int stored, int atLeast, int atMost)
    {
        if (stored < atLeast)
        {
            yield return new(id, "lost", $"{stored} {table} rows, expected {atLeast}");
        }
        else if (stored > atMost)
        {
            yield return new(id, "duplicate", $"{stored} {table} rows, expected at most {atMost}");
        }
    }

    private static async Task<StoredSession[]> ReadAsync(string connectionString, IReadOnlyList<ManifestSession> manifest, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var create = new NpgsqlCommand(
            "CREATE TEMP TABLE manifest_acknowledged (ord int PRIMARY KEY, sdk_app_id bigint, session_id text, acknowledged text[])", connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var import = await connection.BeginBinaryImportAsync(
            "COPY manifest_acknowledged (ord, sdk_app_id, session_id, acknowledged) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var i = 0; i < manifest.Count; i++)
            {
                var session = manifest[i];
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(i, NpgsqlDbType.Integer, cancellationToken);
                await import.WriteAsync(session.SdkAppId, NpgsqlDbType.Bigint, cancellationToken);
                await import.WriteAsync(session.SessionId, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(session.Pushes.Where(p => p.Acknowledged).Select(p => p.Uuid).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
            }
            await import.CompleteAsync(cancellationToken);
        }

        var stored = new StoredSession[manifest.Count];
        await using var command = new NpgsqlCommand(Query, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            stored[reader.GetInt32(0)] = new StoredSession(reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3),
                reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6));
        }
        return stored;
    }
}
