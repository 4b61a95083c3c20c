using CallPush.Api.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace CallPush.Api.Features.Push;

/// <summary>
/// Writes a push as one batch of statements: PostgreSQL runs a batch sent before one Sync as a single implicit
/// transaction, so the push_log row and every normalized row commit together in one round trip, and the answer
/// can only be sent after that commit. The batch is written in SQL rather than through EF Core because it needs
/// <c>ON CONFLICT</c>: dedup is the unique index on push_log.dedup_key, never a check-then-insert.
/// </summary>
internal sealed class PushStore(NpgsqlDataSource dataSource)
{
    /// <summary>Drops the pool's idle connections, so that the next attempt opens a new one.</summary>
    public void ClearIdleConnections() => dataSource.Clear();

    /// <summary>Stores the push; false when its dedup key was already stored (nothing was changed then).</summary>
    public async Task<bool> StoreAsync(PushLogEntry log, PushContent? content, CancellationToken cancellationToken) =>
        (await StoreGroupAsync([(log, content)], cancellationToken))[0];

    /// <summary>
    /// Stores several pushes in one batch, so one implicit transaction and one commit: for each, false when its
    /// dedup key was already stored, also by an earlier push of the same group. When any statement fails, nothing
    /// of the group is stored and the exception is thrown.
    /// </summary>
    public async Task<bool[]> StoreGroupAsync(IReadOnlyList<(PushLogEntry Log, PushContent? Content)> pushes, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = NewBatch(connection);
        var firsts = new int[pushes.Count];
        for (var i = 0; i < pushes.Count; i++)
        {
            firsts[i] = batch.BatchCommands.Count;
            AddPush(batch, pushes[i].Log, pushes[i].Content);
        }

        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.NextResultAsync(cancellationToken))
            {
            }
        }
        // Each push_log INSERT ... ON CONFLICT DO NOTHING affects its row only when it was not a duplicate.
        return [.. firsts.Select(first => batch.BatchCommands[first].RecordsAffected > 0)];
    }

    /// <summary>A batch whose transaction plans the push statements generically (see <see cref="PushSql.GenericPlans"/>).</summary>
    private static NpgsqlBatch NewBatch(NpgsqlConnection connection)
    {
        var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(PushSql.GenericPlans));
        return batch;
    }

    private static void AddPush(NpgsqlBatch batch, PushLogEntry log, PushContent? content)
    {
        AddPushLog(batch, log);
        switch (content)
        {
            case CdrPush cdr:
                AddCdr(batch, log.DedupKey, cdr, Statements.Live);
                break;
            case RecordPush record:
                AddRecord(batch, log.DedupKey, record, Statements.Live);
                break;
            case VoicemailPush voicemail:
                AddVoicemail(batch, log.DedupKey, voicemail, Statements.Live);
                break;
        }
    }

    /// <summary>
    /// Applies a push whose push_log row is stored already, with today's parse of it: the row becomes accepted (when it
    /// was not) and the normalized rows are written where this push is the newest for them and a value differs. Safe to
    /// repeat and to run while pushes arrive: the same upserts and row locks as a live push, in one transaction.
    /// </summary>
    public async Task<ReappliedPush> ReapplyAsync(string dedupKey, ParsedPush parsed, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = NewBatch(connection);
        var accept = batch.BatchCommands.Count;
        batch.BatchCommands.Add(Command(StoredPushSql.AcceptPushLog,
            Text(dedupKey), Json(parsed.BodyJson), Int64(parsed.SdkAppId), Text(PushText.Storable(parsed.SessionId))));
        switch (parsed.Content)
        {
            case CdrPush cdr:
                AddCdr(batch, dedupKey, cdr, Statements.Stored);
                break;
            case RecordPush record:
                AddRecord(batch, dedupKey, record, Statements.Stored);
                break;
            case VoicemailPush voicemail:
                AddVoicemail(batch, dedupKey, voicemail, Statements.Stored);
                break;
        }
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return new ReappliedPush(
            Accepted: batch.BatchCommands[accept].RecordsAffected > 0,
            Sessions: Affected(batch, Statements.Stored.UpsertSession),
            Recordings: Affected(batch, Statements.Stored.UpsertRecording),
            Voicemails: Affected(batch, Statements.Stored.UpsertVoicemail));
    }

    private static int Affected(NpgsqlBatch batch, string statement)
    {
        var affected = 0;
        foreach (var command in batch.BatchCommands)
        {
            affected += command.CommandText == statement ? command.RecordsAffected : 0;
        }
        return affected;
    }

    private static void AddPushLog(NpgsqlBatch batch, PushLogEntry log) => batch.BatchCommands.Add(Command(PushSql.InsertPushLog,
        Text(log.DedupKey),
        Text(log.PushUuid),
        Text(log.Action),
        Text(log.Version),
        new NpgsqlParameter<DateTimeOffset> { TypedValue = log.ReceivedAt },
        Int64(log.SdkAppId),
        Text(log.SessionId),
        Text(log.Status),
        new NpgsqlParameter<int> { TypedValue = log.ErrorCode },
        Text(log.Error),
        new NpgsqlParameter<int> { TypedValue = log.BodyBytes },
        Json(log.Body),
        new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = (object?)log.RawBody ?? DBNull.Value },
        Json(log.Headers),
        Text(log.Source),
        Text(log.SourceName)));

    private static void AddCdr(NpgsqlBatch batch, string dedupKey, CdrPush cdr, Statements sql)
    {
        var agents = cdr.Agents();
        if (agents.Count > 0)
        {
            NpgsqlParameter[] agentParameters =
            [
                Text(dedupKey), Int64(cdr.SdkAppId),
                Texts(agents, a => a.Key), Texts(agents, a => a.UserId), Texts(agents, a => a.Mail), Texts(agents, a => a.Name),
                Texts(agents, a => a.Nick), Texts(agents, a => a.Phone), Texts(agents, a => a.StaffNumber),
            ];
            batch.BatchCommands.Add(Command(sql.InsertAgents, agentParameters));
            batch.BatchCommands.Add(Command(sql.UpdateAgents, [.. agentParameters.Select(p => p.Clone())]));
        }

        var groups = cdr.SkillGroups();
        if (groups.Count > 0)
        {
            NpgsqlParameter[] groupParameters =
            [
                Text(dedupKey), Int64(cdr.SdkAppId),
                Array(groups.Select(g => g.Id).ToArray(), NpgsqlDbType.Bigint), Texts(groups, g => g.Name),
            ];
            batch.BatchCommands.Add(Command(sql.InsertSkillGroups, groupParameters));
            batch.BatchCommands.Add(Command(sql.UpdateSkillGroups, [.. groupParameters.Select(p => p.Clone())]));
        }

        batch.BatchCommands.Add(Command(sql.UpsertSession,
            Text(dedupKey), Int64(cdr.SdkAppId), Text(cdr.SessionId), Text(cdr.Caller), Text(cdr.Callee),
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Smallint, Value = (object?)cdr.Direction ?? DBNull.Value },
            Int32(cdr.DurationSeconds), Int32(cdr.IvrDurationSeconds), Text(cdr.CallerLocation), Text(cdr.Seat?.AgentKey),
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = (object?)cdr.Seat?.SkillGroupNames ?? DBNull.Value },
            Time(cdr.StartedAt), Time(cdr.QueuedAt), Time(cdr.RingAt), Time(cdr.AcceptedAt), Time(cdr.EndedAt),
            Text(cdr.HungUpSide), Text(cdr.EndStatus), Int64(cdr.QueuedSkillGroupId), Text(cdr.QueuedSkillGroupName),
            Text(cdr.RecordId), Text(cdr.UserRemark), Text(cdr.Uui),
            Text(cdr.TelLocation?.TelNumber), Text(cdr.TelLocation?.Country), Text(cdr.TelLocation?.Province),
            Text(cdr.TelLocation?.City), Text(cdr.TelLocation?.Operator),
            Text(cdr.CallType), Text(cdr.ProtectedCaller), Text(cdr.AsrUrl), Text(cdr.VoicemailRecordUrl)));
        AddRecordingFiles(batch, sql, dedupKey, cdr, recordId: null, endpointUser: null, cdr.EndedAt ?? cdr.StartedAt,
            (RecordingFile.VoicemailKind, cdr.VoicemailRecordUrl));

        batch.BatchCommands.Add(Command(sql.DeleteParticipants, Text(dedupKey), Int64(cdr.SdkAppId), Text(cdr.SessionId)));
        var participants = cdr.Participants;
        if (participants.Count > 0)
        {
            batch.BatchCommands.Add(Command(sql.InsertParticipants,
                Text(dedupKey), Int64(cdr.SdkAppId), Text(cdr.SessionId),
                Array(participants.Select(p => p.Sequence).ToArray(), NpgsqlDbType.Integer),
                Texts(participants, p => p.AgentKey), Texts(participants, p => p.Mail), Texts(participants, p => p.Phone),
                Texts(participants, p => p.Type),
                Times(participants, p => p.StartedAt), Times(participants, p => p.RingAt),
                Times(participants, p => p.AcceptedAt), Times(participants, p => p.EndedAt),
                Texts(participants, p => p.RecordId), Texts(participants, p => p.TransferFrom),
                Texts(participants, p => p.TransferFromType), Texts(participants, p => p.TransferTo),
                Texts(participants, p => p.TransferToType),
                Array(participants.Select(p => p.SkillGroupId).ToArray(), NpgsqlDbType.Bigint),
                Texts(participants, p => p.SkillGroupName),
                Array(participants.Select(p => p.SkillGroupPriority).ToArray(), NpgsqlDbType.Integer),
                Texts(participants, p => p.EndStatus)));
        }

        batch.BatchCommands.Add(Command(sql.DeleteKeyPresses, Text(dedupKey), Int64(cdr.SdkAppId), Text(cdr.SessionId)));
        var keys = cdr.IvrKeys.Select((k, i) => (Stage: "ivr", Position: i, Press: k))
            .Concat(cdr.PostIvrKeys.Select((k, i) => (Stage: "post_ivr", Position: i, Press: k)))
            .ToList();
        if (keys.Count > 0)
        {
            batch.BatchCommands.Add(Command(sql.InsertKeyPresses,
                Text(dedupKey), Int64(cdr.SdkAppId), Text(cdr.SessionId),
                Texts(keys, k => k.Stage),
                Array(keys.Select(k => k.Position).ToArray(), NpgsqlDbType.Integer),
                Texts(keys, k => k.Press.Key), Texts(keys, k => k.Press.Label), Times(keys, k => k.Press.PressedAt)));
        }
    }

    private static void AddRecord(NpgsqlBatch batch, string dedupKey, RecordPush record, Statements sql)
    {
        batch.BatchCommands.Add(Command(sql.UpsertRecording,
            Text(dedupKey), Int64(record.SdkAppId), Text(record.SessionId), Text(record.RecordId), Text(record.EndpointUser),
            Text(record.RecordUrl), Text(record.CustomRecordUrl), Time(record.RecordedAt)));
        AddRecordingFiles(batch, sql, dedupKey, record, record.RecordId, record.EndpointUser, record.RecordedAt,
            (RecordingFile.RecordKind, record.RecordUrl), (RecordingFile.CustomRecordKind, record.CustomRecordUrl));
    }

    private static void AddVoicemail(NpgsqlBatch batch, string dedupKey, VoicemailPush voicemail, Statements sql)
    {
        batch.BatchCommands.Add(Command(sql.UpsertVoicemail,
            Text(dedupKey), Int64(voicemail.SdkAppId), Text(voicemail.SessionId), Text(voicemail.EndpointUser),
            Text(voicemail.RecordUrl), Time(voicemail.RecordedAt)));
        AddRecordingFiles(batch, sql, dedupKey, voicemail, recordId: null, voicemail.EndpointUser, voicemail.RecordedAt,
            (RecordingFile.VoicemailKind, voicemail.RecordUrl));
    }

    /// <summary>Queues the named recording URLs for the archive; a URL that is not usable is queued too, and fails there with its reason.</summary>
    private static void AddRecordingFiles(NpgsqlBatch batch, Statements sql, string dedupKey, PushContent push, string? recordId, string? endpointUser,
        DateTimeOffset? recordedAt, params (string Kind, string? Url)[] files)
    {
        var named = files.Where(f => !string.IsNullOrWhiteSpace(f.Url)).ToList();
        if (named.Count == 0)
        {
            return;
        }
        batch.BatchCommands.Add(Command(sql.EnqueueRecordingFiles,
            Text(dedupKey), Int64(push.SdkAppId), Text(push.SessionId), Text(recordId), Text(endpointUser),
            Texts(named, f => f.Kind), Texts(named, f => f.Url!.Trim()), Time(recordedAt)));
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter Text(string? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter Json(string? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter Int64(long? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter Int32(int? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Integer, Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter Time(DateTimeOffset? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter Array<T>(T[] values, NpgsqlDbType elementType) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | elementType, Value = values };

    private static NpgsqlParameter Texts<T>(IEnumerable<T> items, Func<T, string?> value) =>
        Array(items.Select(value).ToArray(), NpgsqlDbType.Text);

    private static NpgsqlParameter Times<T>(IEnumerable<T> items, Func<T, DateTimeOffset?> value) =>
        Array(items.Select(value).ToArray(), NpgsqlDbType.TimestampTz);

    /// <summary>The statements of a push batch: a live push's, or those for a push stored already.</summary>
    private sealed record Statements(string InsertAgents, string UpdateAgents, string InsertSkillGroups, string UpdateSkillGroups,
        string UpsertSession, string DeleteParticipants, string InsertParticipants, string DeleteKeyPresses, string InsertKeyPresses,
        string UpsertRecording, string UpsertVoicemail, string EnqueueRecordingFiles)
    {
        public static readonly Statements Live = new(PushSql.InsertAgents, PushSql.UpdateAgents, PushSql.InsertSkillGroups,
            PushSql.UpdateSkillGroups, PushSql.UpsertSession, PushSql.DeleteParticipants, PushSql.InsertParticipants,
            PushSql.DeleteKeyPresses, PushSql.InsertKeyPresses, PushSql.UpsertRecording, PushSql.UpsertVoicemail,
            PushSql.EnqueueRecordingFiles);

        public static readonly Statements Stored = new(StoredPushSql.InsertAgents, StoredPushSql.UpdateAgents,
            StoredPushSql.InsertSkillGroups, StoredPushSql.UpdateSkillGroups, StoredPushSql.UpsertSession,
            StoredPushSql.DeleteParticipants, StoredPushSql.InsertParticipants, StoredPushSql.DeleteKeyPresses,
            StoredPushSql.InsertKeyPresses, StoredPushSql.UpsertRecording, StoredPushSql.UpsertVoicemail,
            StoredPushSql.EnqueueRecordingFiles);
    }
}

/// <summary>What applying a stored push changed: its push_log row (now accepted), and how many normalized rows.</summary>
internal sealed record ReappliedPush(bool Accepted, int Sessions, int Recordings, int Voicemails);
