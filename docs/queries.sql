-- CallPush: example queries for analysts (PostgreSQL).
-- Connect as a login role that has been granted callpush_reader:
--   CREATE ROLE analyst LOGIN PASSWORD '...' IN ROLE callpush_reader;
-- Timestamps are timestamptz in UTC; use AT TIME ZONE 'Asia/Shanghai' (or your zone) to group by local day.
-- Add a period, e.g. WHERE s.started_at >= now() - interval '30 days', to any of them.

-- 1. Calls per day and direction.
SELECT date_trunc('day', s.started_at) AS day,
       CASE s.direction WHEN 0 THEN 'inbound' WHEN 1 THEN 'outbound' ELSE 'unknown' END AS direction,
       count(*) AS calls,
       count(s.accepted_at) AS answered
FROM call_sessions s
GROUP BY 1, 2
ORDER BY 1, 2;

-- 2. Answer rate and average wait per skill group (inbound calls that reached a queue).
--    Wait is queue entry to answer, or to the end of the call when nobody answered.
SELECT s.sdk_app_id,
       s.queued_skill_group_id,
       coalesce(g.name, s.queued_skill_group_name) AS skill_group,
       count(*) AS offered,
       count(s.accepted_at) AS answered,
       round(100.0 * count(s.accepted_at) / count(*), 1) AS answer_rate_pct,
       round(avg(extract(epoch FROM coalesce(s.accepted_at, s.ended_at) - s.queued_at)), 1) AS avg_wait_seconds
FROM call_sessions s
LEFT JOIN skill_groups g ON g.sdk_app_id = s.sdk_app_id AND g.skill_group_id = s.queued_skill_group_id
WHERE s.direction = 0
  AND s.queued_at IS NOT NULL
GROUP BY s.sdk_app_id, s.queued_skill_group_id, coalesce(g.name, s.queued_skill_group_name)
ORDER BY offered DESC;

-- 3. Handle time per agent: every answered service track (a transfer gives each agent their own track).
SELECT a.sdk_app_id,
       a.agent_key,
       a.name,
       a.staff_number,
       count(*) AS calls_handled,
       round(avg(extract(epoch FROM p.ended_at - p.accepted_at)), 1) AS avg_handle_seconds,
       round(sum(extract(epoch FROM p.ended_at - p.accepted_at)), 1) AS total_handle_seconds
FROM serve_participants p
JOIN agents a ON a.id = p.agent_id
WHERE p.accepted_at IS NOT NULL
  AND p.ended_at IS NOT NULL
GROUP BY a.id, a.sdk_app_id, a.agent_key, a.name, a.staff_number
ORDER BY calls_handled DESC;

-- 4. Sessions with their recordings (one row per recording; sessions without one show NULLs).
SELECT s.sdk_app_id,
       s.session_id,
       s.started_at,
       s.caller,
       s.callee,
       s.end_status,
       r.endpoint_user,
       r.record_id,
       coalesce(r.custom_record_url, r.record_url) AS recording_url,
       r.recorded_at
FROM call_sessions s
LEFT JOIN recordings r ON r.sdk_app_id = s.sdk_app_id AND r.session_id = s.session_id
ORDER BY s.started_at DESC, r.recorded_at;

-- 5. Voicemails left by callers, with the call they belong to (when its CDR has arrived).
SELECT v.sdk_app_id, v.session_id, v.endpoint_user AS caller, v.recorded_at, v.record_url, s.callee, s.end_status
FROM voicemails v
LEFT JOIN call_sessions s ON s.sdk_app_id = v.sdk_app_id AND s.session_id = v.session_id
ORDER BY v.recorded_at DESC;

-- 6. Pushes that were kept but could not be used, with the reason (for the integrator).
SELECT id, received_at, action, push_uuid, error_code, error, coalesce(body::text, encode(raw_body, 'escape')) AS received
FROM push_log
WHERE status = 'rejected'
ORDER BY received_at DESC;
