namespace CallPush.Api.Features.Statistics;

/// <summary>
/// Recomputes statistics intervals wholly from call_sessions and serve_participants. The worker and the rebuild command
/// run the same statements and differ only in where the keys come from, so an incremental result equals a rebuild.
/// </summary>
internal static class StatisticsSql
{
    /// <summary>The 15-minute UTC interval a time falls in (the same expression as the triggers of the migration).</summary>
    public static string IntervalOf(string time) => $"date_bin('15 minutes', {time}, timestamptz '2000-01-01 00:00:00+00')";

    /// <summary>Serializes recomputations across replicas and the rebuild command: two concurrent recomputations of one
    /// interval could otherwise write in the opposite order of the snapshots they read.</summary>
    public const long LockKey = 0x43_50_53_74_61_74_73; // "CPStats"

    public const string TakeDirty = """
        DELETE FROM stat_dirty_intervals
        WHERE id IN (SELECT id FROM stat_dirty_intervals ORDER BY id LIMIT @batch)
        RETURNING kind, sdk_app_id, key, interval_start
        """;

    public const string SkillGroupKeysFromArrays = """
        SELECT DISTINCT * FROM unnest(@sdk_app_ids::bigint[], @keys::bigint[], @interval_starts::timestamptz[])
            AS k(sdk_app_id, skill_group_id, interval_start)
        """;

    public const string AgentKeysFromArrays = """
        SELECT DISTINCT * FROM unnest(@sdk_app_ids::bigint[], @keys::bigint[], @interval_starts::timestamptz[])
            AS k(sdk_app_id, agent_id, interval_start)
        """;

    // A range's keys: every interval with calls now, and every interval that had a row (it may have none left).
    public static readonly string RangeSkillGroupKeys = $"""
        SELECT s.sdk_app_id, s.queued_skill_group_id, {IntervalOf("s.queued_at")}
        FROM call_sessions s
        WHERE s.direction = 0 AND s.queued_skill_group_id IS NOT NULL AND s.queued_at >= @from AND s.queued_at < @to
        UNION
        SELECT sdk_app_id, skill_group_id, interval_start FROM stat_skill_group_intervals
        WHERE interval_start >= @from AND interval_start < @to
        """;

    public static readonly string RangeAgentKeys = $"""
        SELECT p.sdk_app_id, p.agent_id, {IntervalOf("COALESCE(p.ring_at, p.started_at)")}
        FROM serve_participants p
        WHERE p.agent_id IS NOT NULL AND COALESCE(p.ring_at, p.started_at) >= @from AND COALESCE(p.ring_at, p.started_at) < @to
        UNION
        SELECT sdk_app_id, agent_id, interval_start FROM stat_agent_intervals
        WHERE interval_start >= @from AND interval_start < @to
        """;

    // Each key's calls are read through LATERAL, so every key is one index range (ix_call_sessions_queued_skill_group,
    // ix_serve_participants_agent_id): a plain join lets the planner merge all of a skill group's or an agent's rows
    // against all the keys, which grows with the square of the history.

    /// <summary>
    /// A row keeps the thresholds it was computed with unless @apply_current_thresholds: a changed threshold applies to
    /// new intervals, and to old ones only on an explicit rebuild.
    /// </summary>
    public static string RecomputeSkillGroups(string keys) => $"""
        WITH keys(sdk_app_id, skill_group_id, interval_start) AS ({keys}),
        configured AS (
            SELECT * FROM unnest(@threshold_ids::bigint[], @threshold_t1::integer[], @threshold_t2::integer[])
                AS c(skill_group_id, t1_seconds, t2_seconds)
        ),
        thresholds AS (
            SELECT k.sdk_app_id, k.skill_group_id, k.interval_start,
                   COALESCE(CASE WHEN NOT @apply_current_thresholds THEN r.t1_seconds END, c.t1_seconds, @default_t1) AS t1_seconds,
                   COALESCE(CASE WHEN NOT @apply_current_thresholds THEN r.t2_seconds END, c.t2_seconds, @default_t2) AS t2_seconds
            FROM keys k
            LEFT JOIN stat_skill_group_intervals r
                ON r.sdk_app_id = k.sdk_app_id AND r.skill_group_id = k.skill_group_id AND r.interval_start = k.interval_start
            LEFT JOIN configured c ON c.skill_group_id = k.skill_group_id
        ),
        computed AS (
            SELECT t.sdk_app_id, t.skill_group_id, t.interval_start, t.t1_seconds, t.t2_seconds,
                   count(*)::integer AS offered,
                   count(*) FILTER (WHERE q.answered)::integer AS answered,
                   count(*) FILTER (WHERE NOT q.answered)::integer AS abandoned,
                   count(*) FILTER (WHERE q.answered AND q.wait_seconds <= t.t1_seconds)::integer AS answered_within_t1,
                   count(*) FILTER (WHERE NOT q.answered AND q.abandoned_after_seconds <= t.t2_seconds)::integer AS abandoned_within_t2,
                   COALESCE(sum(q.wait_seconds) FILTER (WHERE q.answered), 0)::bigint AS wait_seconds_total,
                   COALESCE(max(q.wait_seconds) FILTER (WHERE q.answered), 0)::integer AS wait_seconds_max,
                   COALESCE(sum(s.duration_seconds) FILTER (WHERE q.answered), 0)::bigint AS talk_seconds_total
            FROM thresholds t
            CROSS JOIN LATERAL (
                SELECT s.queued_at, s.accepted_at, s.ended_at, s.duration_seconds FROM call_sessions s
                WHERE s.sdk_app_id = t.sdk_app_id AND s.queued_skill_group_id = t.skill_group_id
                  AND s.queued_at >= t.interval_start AND s.queued_at < t.interval_start + interval '15 minutes'
                  AND s.direction = 0
            ) s
            CROSS JOIN LATERAL (
                SELECT s.accepted_at IS NOT NULL AS answered,
                       GREATEST(0, EXTRACT(EPOCH FROM s.accepted_at - s.queued_at))::integer AS wait_seconds,
                       EXTRACT(EPOCH FROM s.ended_at - s.queued_at) AS abandoned_after_seconds
            ) q
            GROUP BY t.sdk_app_id, t.skill_group_id, t.interval_start, t.t1_seconds, t.t2_seconds
        ),
        removed AS (
            DELETE FROM stat_skill_group_intervals r USING keys k
            WHERE r.sdk_app_id = k.sdk_app_id AND r.skill_group_id = k.skill_group_id AND r.interval_start = k.interval_start
              AND NOT EXISTS (SELECT FROM computed c WHERE c.sdk_app_id = k.sdk_app_id AND c.skill_group_id = k.skill_group_id
                                                     AND c.interval_start = k.interval_start)
            RETURNING 1
        ),
        written AS (
            INSERT INTO stat_skill_group_intervals AS r (sdk_app_id, skill_group_id, interval_start, t1_seconds, t2_seconds,
                offered, answered, abandoned, answered_within_t1, abandoned_within_t2, wait_seconds_total, wait_seconds_max,
                talk_seconds_total, updated_at)
            SELECT c.*, now() FROM computed c
            ON CONFLICT (sdk_app_id, skill_group_id, interval_start) DO UPDATE SET
                t1_seconds = excluded.t1_seconds, t2_seconds = excluded.t2_seconds, offered = excluded.offered,
                answered = excluded.answered, abandoned = excluded.abandoned, answered_within_t1 = excluded.answered_within_t1,
                abandoned_within_t2 = excluded.abandoned_within_t2, wait_seconds_total = excluded.wait_seconds_total,
                wait_seconds_max = excluded.wait_seconds_max, talk_seconds_total = excluded.talk_seconds_total,
                updated_at = excluded.updated_at
            WHERE (r.t1_seconds, r.t2_seconds, r.offered, r.answered, r.abandoned, r.answered_within_t1, r.abandoned_within_t2,
                   r.wait_seconds_total, r.wait_seconds_max, r.talk_seconds_total)
                IS DISTINCT FROM
                  (excluded.t1_seconds, excluded.t2_seconds, excluded.offered, excluded.answered, excluded.abandoned,
                   excluded.answered_within_t1, excluded.abandoned_within_t2, excluded.wait_seconds_total,
                   excluded.wait_seconds_max, excluded.talk_seconds_total)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM written) + (SELECT count(*) FROM removed)
        """;

    public static string RecomputeAgents(string keys) => $"""
        WITH keys(sdk_app_id, agent_id, interval_start) AS ({keys}),
        computed AS (
            SELECT k.sdk_app_id, k.agent_id, k.interval_start,
                   count(*)::integer AS offered,
                   count(p.accepted_at)::integer AS answered,
                   (count(*) - count(p.accepted_at))::integer AS not_answered,
                   COALESCE(sum(GREATEST(0, EXTRACT(EPOCH FROM COALESCE(p.accepted_at, p.ended_at) - p.ring_at))), 0)::bigint AS ring_seconds,
                   COALESCE(sum(GREATEST(0, EXTRACT(EPOCH FROM p.ended_at - p.accepted_at))), 0)::bigint AS talk_seconds,
                   count(*) FILTER (WHERE s.direction = 0)::integer AS inbound_offered,
                   count(p.accepted_at) FILTER (WHERE s.direction = 0)::integer AS inbound_answered,
                   count(*) FILTER (WHERE s.direction = 1)::integer AS outbound_offered,
                   count(p.accepted_at) FILTER (WHERE s.direction = 1)::integer AS outbound_answered,
                   count(s.accepted_at) FILTER (WHERE s.direction = 1)::integer AS outbound_connected
            FROM keys k
            CROSS JOIN LATERAL (
                SELECT p.call_session_id, p.ring_at, p.accepted_at, p.ended_at FROM serve_participants p
                WHERE p.agent_id = k.agent_id AND p.sdk_app_id = k.sdk_app_id
                  AND p.ring_at >= k.interval_start AND p.ring_at < k.interval_start + interval '15 minutes'
                UNION ALL
                SELECT p.call_session_id, p.ring_at, p.accepted_at, p.ended_at FROM serve_participants p
                WHERE p.agent_id = k.agent_id AND p.sdk_app_id = k.sdk_app_id AND p.ring_at IS NULL
                  AND p.started_at >= k.interval_start AND p.started_at < k.interval_start + interval '15 minutes'
            ) p
            JOIN call_sessions s ON s.id = p.call_session_id
            GROUP BY k.sdk_app_id, k.agent_id, k.interval_start
        ),
        removed AS (
            DELETE FROM stat_agent_intervals r USING keys k
            WHERE r.sdk_app_id = k.sdk_app_id AND r.agent_id = k.agent_id AND r.interval_start = k.interval_start
              AND NOT EXISTS (SELECT FROM computed c WHERE c.sdk_app_id = k.sdk_app_id AND c.agent_id = k.agent_id
                                                     AND c.interval_start = k.interval_start)
            RETURNING 1
        ),
        written AS (
            INSERT INTO stat_agent_intervals AS r (sdk_app_id, agent_id, interval_start, offered, answered, not_answered,
                ring_seconds, talk_seconds, inbound_offered, inbound_answered, outbound_offered, outbound_answered,
                outbound_connected, updated_at)
            SELECT c.*, now() FROM computed c
            ON CONFLICT (sdk_app_id, agent_id, interval_start) DO UPDATE SET
                offered = excluded.offered, answered = excluded.answered, not_answered = excluded.not_answered,
                ring_seconds = excluded.ring_seconds, talk_seconds = excluded.talk_seconds,
                inbound_offered = excluded.inbound_offered, inbound_answered = excluded.inbound_answered,
                outbound_offered = excluded.outbound_offered, outbound_answered = excluded.outbound_answered,
                outbound_connected = excluded.outbound_connected, updated_at = excluded.updated_at
            WHERE (r.offered, r.answered, r.not_answered, r.ring_seconds, r.talk_seconds, r.inbound_offered,
                   r.inbound_answered, r.outbound_offered, r.outbound_answered, r.outbound_connected)
                IS DISTINCT FROM
                  (excluded.offered, excluded.answered, excluded.not_answered, excluded.ring_seconds, excluded.talk_seconds,
                   excluded.inbound_offered, excluded.inbound_answered, excluded.outbound_offered, excluded.outbound_answered,
                   excluded.outbound_connected)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM written) + (SELECT count(*) FROM removed)
        """;
}
