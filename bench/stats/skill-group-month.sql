\set group random(1000, 1019)
SELECT day, offered, answered, abandoned, service_level, average_wait_seconds, max_wait_seconds, average_talk_seconds
FROM skill_group_day
WHERE sdk_app_id = 1400482256 AND skill_group_id = :group AND day >= date '2026-10-01' AND day < date '2026-11-01'
ORDER BY day;
