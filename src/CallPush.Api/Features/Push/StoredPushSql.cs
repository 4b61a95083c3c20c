namespace CallPush.Api.Features.Push;

/// <summary>
/// The statements of <see cref="PushSql"/> for a push whose push_log row is stored already (reprocessing): the row is
/// named by its dedup key instead of by the id this batch inserted, and a write happens only where it changes a value,
/// so applying the same push twice changes nothing the second time. Derived from the live text, so both stay one
/// normalizer.
/// </summary>
internal static class StoredPushSql
{
    public const string StoredPush = "p.dedup_key = $1 AND p.status = 'accepted'";

    /// <summary>Marks the row accepted with today's parsed body; $1 dedup key, $2 body, $3 SdkAppId, $4 SessionId.</summary>
    public const string AcceptPushLog = """
        UPDATE push_log SET status = 'accepted', error_code = 0, error = NULL, body = $2, raw_body = NULL,
                            sdk_app_id = $3, session_id = $4
        WHERE dedup_key = $1
          AND (status, error_code, error, body, raw_body, sdk_app_id, session_id) IS DISTINCT FROM
              ('accepted', 0, NULL::text, $2::jsonb, NULL::bytea, $3::bigint, $4::text)
        """;

    private const string SessionColumns = """
        caller, callee, direction, duration_seconds, ivr_duration_seconds, caller_location, seat_agent_id,
        seat_skill_group_names, started_at, queued_at, ring_at, accepted_at, ended_at, hung_up_side, end_status,
        queued_skill_group_id, queued_skill_group_name, record_id, user_remark, uui, tel_number, tel_country,
        tel_province, tel_city, tel_operator, call_type, protected_caller, asr_url, voicemail_record_url, cdr_push_id
        """;

    // A tie on EndedTimestamp goes to the push that arrived last (the higher id), as it did when both were live.
    private static readonly string StoredCdrWins = $"""
        (COALESCE(excluded.ended_at, '-infinity') > COALESCE(call_sessions.ended_at, '-infinity')
               OR (COALESCE(excluded.ended_at, '-infinity') = COALESCE(call_sessions.ended_at, '-infinity')
                   AND excluded.cdr_push_id >= COALESCE(call_sessions.cdr_push_id, 0)))
          AND ({Qualified("call_sessions", SessionColumns)}) IS DISTINCT FROM ({Qualified("excluded", SessionColumns)})
        """;

    private static readonly string StoredRecordingWins = """
        (COALESCE(excluded.recorded_at, '-infinity') > COALESCE(recordings.recorded_at, '-infinity')
               OR (COALESCE(excluded.recorded_at, '-infinity') = COALESCE(recordings.recorded_at, '-infinity')
                   AND excluded.push_id >= COALESCE(recordings.push_id, 0)))
          AND (recordings.record_url, recordings.custom_record_url, recordings.recorded_at, recordings.push_id) IS DISTINCT FROM
              (excluded.record_url, COALESCE(excluded.custom_record_url, recordings.custom_record_url), excluded.recorded_at, excluded.push_id)
        """;

    private static readonly string StoredVoicemailWins = """
        (COALESCE(excluded.recorded_at, '-infinity') > COALESCE(voicemails.recorded_at, '-infinity')
               OR (COALESCE(excluded.recorded_at, '-infinity') = COALESCE(voicemails.recorded_at, '-infinity')
                   AND excluded.push_id >= COALESCE(voicemails.push_id, 0)))
          AND (voicemails.endpoint_user, voicemails.record_url, voicemails.recorded_at, voicemails.push_id) IS DISTINCT FROM
              (excluded.endpoint_user, excluded.record_url, excluded.recorded_at, excluded.push_id)
        """;

    // Participants and IVR keys are replaced only when this transaction wrote the session row.
    private static readonly string SessionWrittenNow = $"""
        call_sessions s JOIN push_log p ON p.id = s.cdr_push_id AND {StoredPush} AND s.xmin = pg_current_xact_id()::xid
        """;

    public static readonly string InsertAgents = Stored(PushSql.InsertAgents);
    public static readonly string UpdateAgents = Stored(PushSql.UpdateAgents);
    public static readonly string InsertSkillGroups = Stored(PushSql.InsertSkillGroups);
    public static readonly string UpdateSkillGroups = Stored(PushSql.UpdateSkillGroups);
    public static readonly string UpsertSession = Stored(Swap(PushSql.UpsertSession, PushSql.NewestCdrWins, StoredCdrWins));
    public static readonly string DeleteParticipants = Swap(PushSql.DeleteParticipants, PushSql.SessionOfThisPush, SessionWrittenNow);
    public static readonly string InsertParticipants = Swap(PushSql.InsertParticipants, PushSql.SessionOfThisPush, SessionWrittenNow);
    public static readonly string DeleteKeyPresses = Swap(PushSql.DeleteKeyPresses, PushSql.SessionOfThisPush, SessionWrittenNow);
    public static readonly string InsertKeyPresses = Swap(PushSql.InsertKeyPresses, PushSql.SessionOfThisPush, SessionWrittenNow);
    public static readonly string UpsertRecording = Stored(Swap(PushSql.UpsertRecording, PushSql.NewestRecordingWins, StoredRecordingWins));
    public static readonly string UpsertVoicemail = Stored(Swap(PushSql.UpsertVoicemail, PushSql.NewestVoicemailWins, StoredVoicemailWins));
    public static readonly string EnqueueRecordingFiles = Stored(PushSql.EnqueueRecordingFiles);

    private static string Stored(string statement) => Swap(statement, PushSql.ThisPush, StoredPush);

    /// <summary>Fails at start rather than running a statement that silently kept the live form after an edit of PushSql.</summary>
    private static string Swap(string statement, string live, string stored) =>
        statement.Contains(live, StringComparison.Ordinal)
            ? statement.Replace(live, stored, StringComparison.Ordinal)
            : throw new InvalidOperationException($"PushSql changed: a statement no longer contains \"{live}\"");

    private static string Qualified(string table, string columns) =>
        string.Join(", ", columns.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(c => $"{table}.{c}"));
}
