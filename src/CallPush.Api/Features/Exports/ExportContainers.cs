namespace CallPush.Api.Features.Exports;

internal enum ContainerKind
{
    /// <summary>One file per day (in the job's time zone), under CCAAS/FACTS.</summary>
    Fact,

    /// <summary>One file per tenant, overwritten by every run, under CCAAS/DIMENSIONS.</summary>
    Dimension,
}

/// <summary>
/// A container: one query, its columns in order. Fact queries take @tenant, @from and @to (the day's bounds as UTC
/// instants); dimension queries take @tenant. Every query orders its rows so that a file is reproducible.
/// </summary>
internal sealed record ExportContainer(string Name, ContainerKind Kind, string Sql)
{
    /// <summary>The file's letter: F for facts, D for dimensions.</summary>
    public char Letter => Kind == ContainerKind.Fact ? 'F' : 'D';
}

/// <summary>
/// Every container a job may name, each with its row in docs/exports.md.
/// </summary>
internal static class ExportContainers
{
    public static readonly ExportContainer Calls = new("calls", ContainerKind.Fact, """
        SELECT cs.id, cs.sdk_app_id, cs.session_id, cs.caller, cs.callee, cs.direction, cs.duration_seconds,
               cs.ivr_duration_seconds, cs.caller_location, cs.seat_agent_id, a.agent_key AS seat_agent_key,
               array_to_json(cs.seat_skill_group_names)::text AS seat_skill_group_names,
               cs.started_at, cs.queued_at, cs.ring_at, cs.accepted_at, cs.ended_at, cs.hung_up_side, cs.end_status,
               cs.queued_skill_group_id, cs.queued_skill_group_name, cs.record_id, cs.user_remark, cs.uui,
               cs.tel_number, cs.tel_country, cs.tel_province, cs.tel_city, cs.tel_operator, cs.call_type,
               cs.protected_caller, cs.asr_url, cs.voicemail_record_url, cs.cdr_push_id, cs.updated_at
        FROM call_sessions cs
        LEFT JOIN agents a ON a.id = cs.seat_agent_id
        WHERE cs.sdk_app_id = @tenant AND cs.started_at >= @from AND cs.started_at < @to
        ORDER BY cs.started_at, cs.id
        """);

    public static readonly ExportContainer Participants = new("participants", ContainerKind.Fact, """
        SELECT sp.id, sp.call_session_id, cs.sdk_app_id, cs.session_id, sp.sequence, sp.agent_id, sp.mail, sp.phone, sp.type,
               sp.started_at, sp.ring_at, sp.accepted_at, sp.ended_at, sp.record_id, sp.transfer_from, sp.transfer_from_type,
               sp.transfer_to, sp.transfer_to_type, sp.skill_group_id, sp.skill_group_name, sp.skill_group_priority, sp.end_status
        FROM call_sessions cs
        JOIN serve_participants sp ON sp.call_session_id = cs.id
        WHERE cs.sdk_app_id = @tenant AND cs.started_at >= @from AND cs.started_at < @to
        ORDER BY cs.started_at, cs.id, sp.sequence
        """);

    public static readonly ExportContainer IvrKeyPresses = new("ivr_key_presses", ContainerKind.Fact, """
        SELECT k.id, k.call_session_id, cs.sdk_app_id, cs.session_id, k.stage, k.position, k.key, k.label, k.pressed_at
        FROM call_sessions cs
        JOIN ivr_key_presses k ON k.call_session_id = cs.id
        WHERE cs.sdk_app_id = @tenant AND cs.started_at >= @from AND cs.started_at < @to
        ORDER BY cs.started_at, cs.id, k.stage, k.position
        """);

    public static readonly ExportContainer Recordings = new("recordings", ContainerKind.Fact, """
        SELECT r.id, r.sdk_app_id, r.session_id, r.record_id, r.endpoint_user, r.record_url, r.custom_record_url, r.recorded_at,
               f.status AS archive_status, f.storage_key, f.size_bytes, f.sha256, f.archived_at,
               c.status AS custom_archive_status, c.storage_key AS custom_storage_key, r.push_id, r.updated_at
        FROM recordings r
        LEFT JOIN recording_files f ON f.sdk_app_id = r.sdk_app_id AND f.session_id = r.session_id AND f.kind = 'record'
             AND f.record_id IS NOT DISTINCT FROM r.record_id AND f.endpoint_user IS NOT DISTINCT FROM r.endpoint_user
        LEFT JOIN recording_files c ON c.sdk_app_id = r.sdk_app_id AND c.session_id = r.session_id AND c.kind = 'record_custom'
             AND c.record_id IS NOT DISTINCT FROM r.record_id AND c.endpoint_user IS NOT DISTINCT FROM r.endpoint_user
        WHERE r.sdk_app_id = @tenant AND coalesce(r.recorded_at, r.updated_at) >= @from AND coalesce(r.recorded_at, r.updated_at) < @to
        ORDER BY coalesce(r.recorded_at, r.updated_at), r.id
        """);

    public static readonly ExportContainer Voicemails = new("voicemails", ContainerKind.Fact, """
        SELECT v.id, v.sdk_app_id, v.session_id, v.endpoint_user, v.record_url, v.recorded_at,
               f.status AS archive_status, f.storage_key, f.size_bytes, f.sha256, f.archived_at, v.push_id, v.updated_at
        FROM voicemails v
        LEFT JOIN recording_files f ON f.sdk_app_id = v.sdk_app_id AND f.session_id = v.session_id AND f.kind = 'voicemail'
             AND f.recording_key = ''
        WHERE v.sdk_app_id = @tenant AND coalesce(v.recorded_at, v.updated_at) >= @from AND coalesce(v.recorded_at, v.updated_at) < @to
        ORDER BY coalesce(v.recorded_at, v.updated_at), v.id
        """);

    public static readonly ExportContainer PushLog = new("push_log", ContainerKind.Fact, """
        SELECT p.id, p.dedup_key, p.push_uuid, p.action, p.version, p.received_at, p.sdk_app_id, p.session_id, p.status,
               p.error_code, p.error, p.body_bytes, p.source
        FROM push_log p
        WHERE p.sdk_app_id = @tenant AND p.received_at >= @from AND p.received_at < @to
        ORDER BY p.received_at, p.id
        """);

    public static readonly ExportContainer SkillGroupIntervals = new("stat_skill_group_intervals", ContainerKind.Fact, """
        SELECT i.sdk_app_id, i.skill_group_id, g.name AS skill_group_name, i.interval_start, i.t1_seconds, i.t2_seconds,
               i.offered, i.answered, i.abandoned, i.answered_within_t1, i.abandoned_within_t2, i.wait_seconds_total,
               i.wait_seconds_max, i.talk_seconds_total, i.updated_at
        FROM stat_skill_group_intervals i
        LEFT JOIN skill_groups g ON g.sdk_app_id = i.sdk_app_id AND g.skill_group_id = i.skill_group_id
        WHERE i.sdk_app_id = @tenant AND i.interval_start >= @from AND i.interval_start < @to
        ORDER BY i.interval_start, i.skill_group_id
        """);

    public static readonly ExportContainer AgentIntervals = new("stat_agent_intervals", ContainerKind.Fact, """
        SELECT i.sdk_app_id, i.agent_id, a.agent_key, i.interval_start, i.offered, i.answered, i.not_answered,
               i.ring_seconds, i.talk_seconds, i.inbound_offered, i.inbound_answered, i.outbound_offered,
               i.outbound_answered, i.outbound_connected, i.updated_at
        FROM stat_agent_intervals i
        LEFT JOIN agents a ON a.id = i.agent_id
        WHERE i.sdk_app_id = @tenant AND i.interval_start >= @from AND i.interval_start < @to
        ORDER BY i.interval_start, i.agent_id
        """);

    public static readonly ExportContainer Agents = new("agents", ContainerKind.Dimension, """
        SELECT a.id, a.sdk_app_id, a.agent_key, a.user_id, a.mail, a.name, a.nick, a.phone, a.staff_number, a.first_seen_at, a.updated_at
        FROM agents a
        WHERE a.sdk_app_id = @tenant
        ORDER BY a.id
        """);

    public static readonly ExportContainer SkillGroups = new("skill_groups", ContainerKind.Dimension, """
        SELECT g.sdk_app_id, g.skill_group_id, g.name, g.first_seen_at, g.updated_at
        FROM skill_groups g
        WHERE g.sdk_app_id = @tenant
        ORDER BY g.skill_group_id
        """);

    public static readonly IReadOnlyList<ExportContainer> All = [Calls, Participants, IvrKeyPresses, Recordings, Voicemails, PushLog,
        SkillGroupIntervals, AgentIntervals, Agents, SkillGroups];

    public static ExportContainer? Find(string name) => All.FirstOrDefault(c => c.Name == name);
}
