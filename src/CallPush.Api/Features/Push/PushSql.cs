namespace CallPush.Api.Features.Push;

/// <summary>
/// The statements of one push batch (see <see cref="PushStore"/>). Kept apart so that the benchmark's baseline
/// (bench/Baseline) compiles the very same text.
/// </summary>
internal static class PushSql
{
    // True in a statement only when this batch's INSERT into push_log was not a duplicate: nextval() runs even
    // when ON CONFLICT DO NOTHING skips the row, so currval() then names no row with this dedup key.
    public const string ThisPush = "p.id = currval(pg_get_serial_sequence('push_log', 'id')) AND p.dedup_key = $1";

    // First in every push batch. The statements are prepared (auto-prepare), but PostgreSQL's estimate for unnest() of
    // an array parameter makes their generic plans look dearer than a custom one, so it planned nearly every statement
    // afresh for every push: 18% of its CPU at 64 connections. Their plans are index lookups whatever the values, so
    // the generic plan is the right one. is_local: it ends with the batch's transaction, other statements keep "auto".
    public const string GenericPlans = "SELECT set_config('plan_cache_mode', 'force_generic_plan', true)";

    public const string InsertPushLog = """
        INSERT INTO push_log (dedup_key, push_uuid, action, version, received_at, sdk_app_id, session_id,
                              status, error_code, error, body_bytes, body, raw_body, headers, source, source_name)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
        ON CONFLICT (dedup_key) DO NOTHING
        RETURNING id
        """;

    public const string AgentColumns = "$3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]";

    public const string InsertAgents = $"""
        INSERT INTO agents (sdk_app_id, agent_key, user_id, mail, name, nick, phone, staff_number, first_seen_at, updated_at)
        SELECT $2, a.agent_key, a.user_id, a.mail, a.name, a.nick, a.phone, a.staff_number, now(), now()
        FROM unnest({AgentColumns}) AS a(agent_key, user_id, mail, name, nick, phone, staff_number)
        WHERE EXISTS (SELECT FROM push_log p WHERE {ThisPush})
        ORDER BY a.agent_key
        ON CONFLICT (sdk_app_id, agent_key) DO NOTHING
        """;

    // A separate UPDATE that only touches rows whose attributes changed, so pushes naming the same agent do not
    // queue behind each other's row lock (ON CONFLICT DO UPDATE would lock the row even when nothing changes).
    public const string UpdateAgents = $"""
        UPDATE agents t
        SET user_id = COALESCE(a.user_id, t.user_id), mail = COALESCE(a.mail, t.mail), name = COALESCE(a.name, t.name),
            nick = COALESCE(a.nick, t.nick), phone = COALESCE(a.phone, t.phone),
            staff_number = COALESCE(a.staff_number, t.staff_number), updated_at = now()
        FROM unnest({AgentColumns}) AS a(agent_key, user_id, mail, name, nick, phone, staff_number)
        WHERE t.sdk_app_id = $2 AND t.agent_key = a.agent_key
          AND (t.user_id, t.mail, t.name, t.nick, t.phone, t.staff_number) IS DISTINCT FROM
              (COALESCE(a.user_id, t.user_id), COALESCE(a.mail, t.mail), COALESCE(a.name, t.name),
               COALESCE(a.nick, t.nick), COALESCE(a.phone, t.phone), COALESCE(a.staff_number, t.staff_number))
          AND EXISTS (SELECT FROM push_log p WHERE {ThisPush})
        """;

    public const string InsertSkillGroups = $"""
        INSERT INTO skill_groups (sdk_app_id, skill_group_id, name, first_seen_at, updated_at)
        SELECT $2, g.id, g.name, now(), now()
        FROM unnest($3::bigint[], $4::text[]) AS g(id, name)
        WHERE EXISTS (SELECT FROM push_log p WHERE {ThisPush})
        ORDER BY g.id
        ON CONFLICT (sdk_app_id, skill_group_id) DO NOTHING
        """;

    public const string UpdateSkillGroups = $"""
        UPDATE skill_groups t SET name = g.name, updated_at = now()
        FROM unnest($3::bigint[], $4::text[]) AS g(id, name)
        WHERE t.sdk_app_id = $2 AND t.skill_group_id = g.id AND g.name IS NOT NULL AND t.name IS DISTINCT FROM g.name
          AND EXISTS (SELECT FROM push_log p WHERE {ThisPush})
        """;

    // The session reflects the CDR with the newest EndedTimestamp; on a tie the one written last wins.
    public const string NewestCdrWins = "COALESCE(excluded.ended_at, '-infinity') >= COALESCE(call_sessions.ended_at, '-infinity')";

    public const string UpsertSession = $"""
        INSERT INTO call_sessions (sdk_app_id, session_id, caller, callee, direction, duration_seconds, ivr_duration_seconds,
            caller_location, seat_agent_id, seat_skill_group_names, started_at, queued_at, ring_at, accepted_at, ended_at,
            hung_up_side, end_status, queued_skill_group_id, queued_skill_group_name, record_id, user_remark, uui,
            tel_number, tel_country, tel_province, tel_city, tel_operator, call_type, protected_caller, asr_url,
            voicemail_record_url, cdr_push_id, updated_at)
        SELECT $2, $3, $4, $5, $6, $7, $8, $9,
               (SELECT a.id FROM agents a WHERE a.sdk_app_id = $2 AND a.agent_key = $10),
               $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32,
               p.id, now()
        FROM push_log p WHERE {ThisPush}
        ON CONFLICT (sdk_app_id, session_id) DO UPDATE SET
            caller = excluded.caller, callee = excluded.callee, direction = excluded.direction,
            duration_seconds = excluded.duration_seconds, ivr_duration_seconds = excluded.ivr_duration_seconds,
            caller_location = excluded.caller_location, seat_agent_id = excluded.seat_agent_id,
            seat_skill_group_names = excluded.seat_skill_group_names, started_at = excluded.started_at,
            queued_at = excluded.queued_at, ring_at = excluded.ring_at, accepted_at = excluded.accepted_at,
            ended_at = excluded.ended_at, hung_up_side = excluded.hung_up_side, end_status = excluded.end_status,
            queued_skill_group_id = excluded.queued_skill_group_id, queued_skill_group_name = excluded.queued_skill_group_name,
            record_id = excluded.record_id, user_remark = excluded.user_remark, uui = excluded.uui,
            tel_number = excluded.tel_number, tel_country = excluded.tel_country, tel_province = excluded.tel_province,
            tel_city = excluded.tel_city, tel_operator = excluded.tel_operator, call_type = excluded.call_type,
            protected_caller = excluded.protected_caller, asr_url = excluded.asr_url,
            voicemail_record_url = excluded.voicemail_record_url, cdr_push_id = excluded.cdr_push_id,
            updated_at = excluded.updated_at
        WHERE {NewestCdrWins}
        """;

    // Participants and IVR keys are replaced only when the session row now reflects this push.
    public const string SessionOfThisPush = $"""
        call_sessions s JOIN push_log p ON p.id = s.cdr_push_id AND {ThisPush}
        """;

    public const string DeleteParticipants = $"""
        DELETE FROM serve_participants sp USING {SessionOfThisPush}
        WHERE sp.call_session_id = s.id AND s.sdk_app_id = $2 AND s.session_id = $3
        """;

    public const string InsertParticipants = $"""
        INSERT INTO serve_participants (call_session_id, sdk_app_id, sequence, agent_id, mail, phone, type, started_at,
            ring_at, accepted_at, ended_at, record_id, transfer_from, transfer_from_type, transfer_to, transfer_to_type,
            skill_group_id, skill_group_name, skill_group_priority, end_status)
        SELECT s.id, $2, v.sequence, a.id, v.mail, v.phone, v.type, v.started_at, v.ring_at, v.accepted_at, v.ended_at,
               v.record_id, v.transfer_from, v.transfer_from_type, v.transfer_to, v.transfer_to_type,
               v.skill_group_id, v.skill_group_name, v.skill_group_priority, v.end_status
        FROM {SessionOfThisPush}
        CROSS JOIN unnest($4::integer[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[],
                          $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::text[], $14::text[], $15::text[],
                          $16::text[], $17::text[], $18::bigint[], $19::text[], $20::integer[], $21::text[])
            AS v(sequence, agent_key, mail, phone, type, started_at, ring_at, accepted_at, ended_at, record_id,
                 transfer_from, transfer_from_type, transfer_to, transfer_to_type, skill_group_id, skill_group_name,
                 skill_group_priority, end_status)
        LEFT JOIN agents a ON a.sdk_app_id = $2 AND a.agent_key = v.agent_key
        WHERE s.sdk_app_id = $2 AND s.session_id = $3
        """;

    public const string DeleteKeyPresses = $"""
        DELETE FROM ivr_key_presses k USING {SessionOfThisPush}
        WHERE k.call_session_id = s.id AND s.sdk_app_id = $2 AND s.session_id = $3
        """;

    public const string InsertKeyPresses = $"""
        INSERT INTO ivr_key_presses (call_session_id, stage, position, key, label, pressed_at)
        SELECT s.id, v.stage, v.position, v.key, v.label, v.pressed_at
        FROM {SessionOfThisPush}
        CROSS JOIN unnest($4::text[], $5::integer[], $6::text[], $7::text[], $8::timestamptz[])
            AS v(stage, position, key, label, pressed_at)
        WHERE s.sdk_app_id = $2 AND s.session_id = $3
        """;

    public const string NewestRecordingWins = "COALESCE(excluded.recorded_at, '-infinity') >= COALESCE(recordings.recorded_at, '-infinity')";

    public const string UpsertRecording = $"""
        INSERT INTO recordings (sdk_app_id, session_id, record_id, endpoint_user, record_url, custom_record_url,
                                recorded_at, push_id, updated_at)
        SELECT $2, $3, $4, $5, $6, $7, $8, p.id, now()
        FROM push_log p WHERE {ThisPush}
        ON CONFLICT (sdk_app_id, session_id, record_id, endpoint_user) DO UPDATE SET
            record_url = excluded.record_url,
            custom_record_url = COALESCE(excluded.custom_record_url, recordings.custom_record_url),
            recorded_at = excluded.recorded_at, push_id = excluded.push_id, updated_at = excluded.updated_at
        WHERE {NewestRecordingWins}
        """;

    public const string NewestVoicemailWins = "COALESCE(excluded.recorded_at, '-infinity') >= COALESCE(voicemails.recorded_at, '-infinity')";

    public const string UpsertVoicemail = $"""
        INSERT INTO voicemails (sdk_app_id, session_id, endpoint_user, record_url, recorded_at, push_id, updated_at)
        SELECT $2, $3, $4, $5, $6, p.id, now()
        FROM push_log p WHERE {ThisPush}
        ON CONFLICT (sdk_app_id, session_id) DO UPDATE SET
            endpoint_user = excluded.endpoint_user, record_url = excluded.record_url,
            recorded_at = excluded.recorded_at, push_id = excluded.push_id, updated_at = excluded.updated_at
        WHERE {NewestVoicemailWins}
        """;

    // Every recording URL a push names joins the archive queue in the push's own transaction. A re-push of the same
    // URL changes nothing; a new URL replaces one that is not archived yet and starts its attempts afresh.
    public const string EnqueueRecordingFiles = $"""
        INSERT INTO recording_files (sdk_app_id, session_id, kind, recording_key, record_id, endpoint_user, source_url,
                                     status, attempts, next_attempt_at, enqueued_at, recorded_at)
        SELECT $2, $3, f.kind,
               CASE WHEN f.kind = 'voicemail' THEN '' ELSE COALESCE($4, '') || '|' || COALESCE($5, '') END,
               $4, $5, f.url, 'pending', 0, now(), now(), $8
        FROM push_log p CROSS JOIN unnest($6::text[], $7::text[]) AS f(kind, url)
        WHERE {ThisPush}
        ON CONFLICT (sdk_app_id, session_id, kind, recording_key) DO UPDATE SET
            source_url = excluded.source_url, status = 'pending', attempts = 0, next_attempt_at = now(),
            enqueued_at = now(), last_error = NULL,
            endpoint_user = COALESCE(excluded.endpoint_user, recording_files.endpoint_user),
            recorded_at = COALESCE(excluded.recorded_at, recording_files.recorded_at)
        WHERE recording_files.source_url <> excluded.source_url AND recording_files.status <> 'archived'
        """;
}
