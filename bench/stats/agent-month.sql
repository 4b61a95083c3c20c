\set agent random(1, 30)
SELECT day, offered, answered, answer_rate, ring_seconds, talk_seconds, outbound_offered, outbound_connected
FROM agent_day
WHERE sdk_app_id = 1400482256 AND agent_id = (SELECT id FROM agents WHERE sdk_app_id = 1400482256 AND agent_key = 'agent' || :agent || '@example.com')
  AND day >= date '2026-10-01' AND day < date '2026-11-01'
ORDER BY day;
