namespace CallPush.Api.Persistence.Migrations;

/// <summary>
/// The part of the StatisticsIntervals migration that EF Core does not model: the triggers that mark changed
/// statistics intervals in the push's own transaction, and the analysts' views. Released with that migration, so
/// never edited: a later change is a new migration.
/// </summary>
internal static class StatisticsSchemaSql
{
    public static readonly string[] ReaderObjects =
        ["stat_skill_group_intervals", "stat_agent_intervals", "stat_dirty_intervals", "calls", "skill_group_day", "agent_day"];

    // Row triggers append to stat_dirty_intervals without a unique key, so two pushes of one interval never wait for
    // each other; the old and the new interval are both marked, so a CDR pushed again with other times moves.
    // An update that leaves every column the counters read unchanged marks nothing (the WHEN clause).
    public const string Up = """
        CREATE FUNCTION stat_mark_call_session() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.direction = 0 AND OLD.queued_skill_group_id IS NOT NULL
               AND OLD.queued_at IS NOT NULL THEN
                INSERT INTO stat_dirty_intervals (kind, sdk_app_id, key, interval_start)
                VALUES ('skill_group', OLD.sdk_app_id, OLD.queued_skill_group_id,
                        date_bin('15 minutes', OLD.queued_at, timestamptz '2000-01-01 00:00:00+00'));
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.direction = 0 AND NEW.queued_skill_group_id IS NOT NULL
               AND NEW.queued_at IS NOT NULL
               AND (TG_OP = 'INSERT' OR (NEW.sdk_app_id, NEW.queued_skill_group_id, date_bin('15 minutes', NEW.queued_at, timestamptz '2000-01-01 00:00:00+00'))
                    IS DISTINCT FROM (OLD.sdk_app_id, OLD.queued_skill_group_id, date_bin('15 minutes', OLD.queued_at, timestamptz '2000-01-01 00:00:00+00'))
                    OR OLD.direction IS DISTINCT FROM 0) THEN
                INSERT INTO stat_dirty_intervals (kind, sdk_app_id, key, interval_start)
                VALUES ('skill_group', NEW.sdk_app_id, NEW.queued_skill_group_id,
                        date_bin('15 minutes', NEW.queued_at, timestamptz '2000-01-01 00:00:00+00'));
            END IF;
            RETURN NULL;
        END
        $$;

        CREATE TRIGGER stat_mark_call_session_insert AFTER INSERT ON call_sessions
            FOR EACH ROW EXECUTE FUNCTION stat_mark_call_session();
        CREATE TRIGGER stat_mark_call_session_update AFTER UPDATE ON call_sessions
            FOR EACH ROW
            WHEN ((OLD.sdk_app_id, OLD.direction, OLD.queued_skill_group_id, OLD.queued_at, OLD.accepted_at, OLD.ended_at, OLD.duration_seconds)
                  IS DISTINCT FROM
                  (NEW.sdk_app_id, NEW.direction, NEW.queued_skill_group_id, NEW.queued_at, NEW.accepted_at, NEW.ended_at, NEW.duration_seconds))
            EXECUTE FUNCTION stat_mark_call_session();
        CREATE TRIGGER stat_mark_call_session_delete AFTER DELETE ON call_sessions
            FOR EACH ROW EXECUTE FUNCTION stat_mark_call_session();

        CREATE FUNCTION stat_mark_serve_participant() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.agent_id IS NOT NULL AND COALESCE(OLD.ring_at, OLD.started_at) IS NOT NULL THEN
                INSERT INTO stat_dirty_intervals (kind, sdk_app_id, key, interval_start)
                VALUES ('agent', OLD.sdk_app_id, OLD.agent_id,
                        date_bin('15 minutes', COALESCE(OLD.ring_at, OLD.started_at), timestamptz '2000-01-01 00:00:00+00'));
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.agent_id IS NOT NULL AND COALESCE(NEW.ring_at, NEW.started_at) IS NOT NULL THEN
                INSERT INTO stat_dirty_intervals (kind, sdk_app_id, key, interval_start)
                VALUES ('agent', NEW.sdk_app_id, NEW.agent_id,
                        date_bin('15 minutes', COALESCE(NEW.ring_at, NEW.started_at), timestamptz '2000-01-01 00:00:00+00'));
            END IF;
            RETURN NULL;
        END
        $$;

        CREATE TRIGGER stat_mark_serve_participant AFTER INSERT OR UPDATE OR DELETE ON serve_participants
            FOR EACH ROW EXECUTE FUNCTION stat_mark_serve_participant();

        CREATE VIEW calls AS
        SELECT s.id AS call_session_id, s.sdk_app_id, s.session_id,
               CASE s.direction WHEN 0 THEN 'inbound' WHEN 1 THEN 'outbound' END AS direction,
               s.caller, s.callee, (s.started_at AT TIME ZONE 'UTC')::date AS day,
               s.started_at, s.queued_at, s.ring_at, s.accepted_at, s.ended_at,
               s.accepted_at IS NOT NULL AS answered,
               s.end_status, s.hung_up_side,
               s.ivr_duration_seconds AS ivr_seconds,
               CASE WHEN s.direction = 0 THEN GREATEST(0, EXTRACT(EPOCH FROM COALESCE(s.accepted_at, s.ended_at) - s.queued_at))::integer END
                   AS wait_seconds,
               s.duration_seconds AS talk_seconds,
               s.queued_skill_group_id AS skill_group_id, COALESCE(g.name, s.queued_skill_group_name) AS skill_group_name,
               s.seat_agent_id AS agent_id, a.agent_key, a.name AS agent_name, a.mail AS agent_mail, a.staff_number AS agent_staff_number,
               (SELECT count(*) FROM serve_participants p WHERE p.call_session_id = s.id)::integer AS tracks,
               f.recording_files, f.recordings_archived,
               CASE WHEN f.recording_files = 0 THEN 'none'
                    WHEN f.recordings_archived = f.recording_files THEN 'archived'
                    WHEN f.recordings_failed > 0 THEN 'failed'
                    ELSE 'pending' END AS recording_status,
               s.record_id, s.user_remark, s.uui, s.tel_province, s.tel_city, s.tel_operator
        FROM call_sessions s
        LEFT JOIN skill_groups g ON g.sdk_app_id = s.sdk_app_id AND g.skill_group_id = s.queued_skill_group_id
        LEFT JOIN agents a ON a.id = s.seat_agent_id
        CROSS JOIN LATERAL (
            SELECT count(*)::integer AS recording_files,
                   count(*) FILTER (WHERE r.status = 'archived')::integer AS recordings_archived,
                   count(*) FILTER (WHERE r.status = 'failed')::integer AS recordings_failed
            FROM recording_files r WHERE r.sdk_app_id = s.sdk_app_id AND r.session_id = s.session_id
        ) f;

        CREATE VIEW skill_group_day AS
        SELECT i.sdk_app_id, i.skill_group_id, g.name AS skill_group_name,
               (i.interval_start AT TIME ZONE 'UTC')::date AS day,
               sum(i.offered)::integer AS offered, sum(i.answered)::integer AS answered, sum(i.abandoned)::integer AS abandoned,
               sum(i.answered_within_t1)::integer AS answered_within_t1,
               sum(i.abandoned_within_t2)::integer AS abandoned_within_t2,
               round(sum(i.answered_within_t1)::numeric / NULLIF(sum(i.offered), 0), 4) AS service_level,
               round(sum(i.answered_within_t1)::numeric / NULLIF(sum(i.offered) - sum(i.abandoned_within_t2), 0), 4)
                   AS service_level_without_short_abandons,
               round(sum(i.answered)::numeric / NULLIF(sum(i.offered), 0), 4) AS answer_rate,
               round(sum(i.abandoned)::numeric / NULLIF(sum(i.offered), 0), 4) AS abandon_rate,
               round(sum(i.wait_seconds_total)::numeric / NULLIF(sum(i.answered), 0), 1) AS average_wait_seconds,
               max(i.wait_seconds_max) AS max_wait_seconds,
               sum(i.talk_seconds_total)::bigint AS talk_seconds,
               round(sum(i.talk_seconds_total)::numeric / NULLIF(sum(i.answered), 0), 1) AS average_talk_seconds,
               min(i.t1_seconds) AS t1_seconds_min, max(i.t1_seconds) AS t1_seconds_max,
               min(i.t2_seconds) AS t2_seconds_min, max(i.t2_seconds) AS t2_seconds_max
        FROM stat_skill_group_intervals i
        LEFT JOIN skill_groups g ON g.sdk_app_id = i.sdk_app_id AND g.skill_group_id = i.skill_group_id
        GROUP BY i.sdk_app_id, i.skill_group_id, g.name, (i.interval_start AT TIME ZONE 'UTC')::date;

        CREATE VIEW agent_day AS
        SELECT i.sdk_app_id, i.agent_id, a.agent_key, a.name AS agent_name,
               (i.interval_start AT TIME ZONE 'UTC')::date AS day,
               sum(i.offered)::integer AS offered, sum(i.answered)::integer AS answered,
               sum(i.not_answered)::integer AS not_answered,
               round(sum(i.answered)::numeric / NULLIF(sum(i.offered), 0), 4) AS answer_rate,
               sum(i.ring_seconds)::bigint AS ring_seconds, sum(i.talk_seconds)::bigint AS talk_seconds,
               round(sum(i.talk_seconds)::numeric / NULLIF(sum(i.answered), 0), 1) AS average_talk_seconds,
               sum(i.inbound_offered)::integer AS inbound_offered, sum(i.inbound_answered)::integer AS inbound_answered,
               sum(i.outbound_offered)::integer AS outbound_offered, sum(i.outbound_answered)::integer AS outbound_answered,
               sum(i.outbound_connected)::integer AS outbound_connected
        FROM stat_agent_intervals i
        LEFT JOIN agents a ON a.id = i.agent_id
        GROUP BY i.sdk_app_id, i.agent_id, a.agent_key, a.name, (i.interval_start AT TIME ZONE 'UTC')::date;
        """;

    public const string Down = """
        DROP VIEW agent_day;
        DROP VIEW skill_group_day;
        DROP VIEW calls;
        DROP TRIGGER stat_mark_serve_participant ON serve_participants;
        DROP FUNCTION stat_mark_serve_participant();
        DROP TRIGGER stat_mark_call_session_insert ON call_sessions;
        DROP TRIGGER stat_mark_call_session_update ON call_sessions;
        DROP TRIGGER stat_mark_call_session_delete ON call_sessions;
        DROP FUNCTION stat_mark_call_session();
        """;
}
