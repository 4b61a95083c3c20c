\set agent random(1, 30)
\set day random(0, 29)
SELECT session_id, direction, caller, started_at, wait_seconds, talk_seconds, answered, skill_group_name, recording_status
FROM calls
WHERE agent_id = (SELECT id FROM agents WHERE sdk_app_id = 1400482256 AND agent_key = 'agent' || :agent || '@example.com')
  AND started_at >= timestamptz '2026-10-01 00:00:00+00' + :day * interval '1 day'
  AND started_at < timestamptz '2026-10-01 00:00:00+00' + (:day + 1) * interval '1 day'
ORDER BY started_at
LIMIT 1000;
