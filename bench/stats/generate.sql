-- 1,000,000 sessions over October 2026 (UTC) for one instance: 30 agents, 20 skill groups, 9 in 10 inbound, 8 in 10
-- answered, one service track each, an archived recording for every answered call. Deterministic (no random()).
-- :sessions is set by run.sh.
\set sdk 1400482256
BEGIN;
ALTER TABLE call_sessions DISABLE TRIGGER USER;
ALTER TABLE serve_participants DISABLE TRIGGER USER;

INSERT INTO agents (sdk_app_id, agent_key, user_id, mail, name, first_seen_at, updated_at)
SELECT :sdk, 'agent' || a || '@example.com', 'agent' || a || '@example.com', 'agent' || a || '@example.com', 'Agent ' || a,
       now(), now()
FROM generate_series(1, 30) a ORDER BY a;

INSERT INTO skill_groups (sdk_app_id, skill_group_id, name, first_seen_at, updated_at)
SELECT :sdk, 1000 + g, 'Group ' || g, now(), now() FROM generate_series(0, 19) g;

CREATE TEMP TABLE gen AS
SELECT i,
       timestamptz '2026-10-01 00:00:00+00' + (i - 1) * (interval '30 days' / :sessions) AS started_at,
       i % 10 <> 0 AS inbound,
       (i * 7919 % 10007) % 100 < 80 AS answered,
       (i * 104729 % 10009) % 60 AS wait,
       (i * 17) % 600 + 10 AS talk,
       1000 + (i * 2654435761 % 4294967291) % 20 AS skill_group_id,
       (SELECT min(id) FROM agents) + (i * 40503 % 65521) % 30 AS agent_id
FROM generate_series(1::bigint, :sessions) i;

INSERT INTO push_log (id, dedup_key, push_uuid, action, version, received_at, sdk_app_id, session_id, status, error_code,
                      body_bytes)
OVERRIDING SYSTEM VALUE
SELECT i, 'gen-' || i, 'gen-' || i, 'cdr', '1', started_at, :sdk, 'session-' || i, 'accepted', 0, 2400 FROM gen;

INSERT INTO call_sessions (id, sdk_app_id, session_id, caller, callee, direction, duration_seconds, ivr_duration_seconds,
    seat_agent_id, started_at, queued_at, ring_at, accepted_at, ended_at, hung_up_side, end_status, queued_skill_group_id,
    queued_skill_group_name, cdr_push_id, updated_at)
OVERRIDING SYSTEM VALUE
SELECT i, :sdk, 'session-' || i, '0086138' || lpad((i % 100000000)::text, 8, '0'), '0086400000000',
       CASE WHEN inbound THEN 0 ELSE 1 END,
       CASE WHEN answered THEN talk ELSE 0 END,
       CASE WHEN inbound THEN 20 ELSE 0 END,
       agent_id, started_at,
       CASE WHEN inbound THEN started_at + interval '20 seconds' END,
       started_at + interval '20 seconds' + make_interval(secs => greatest(wait - 5, 0)),
       CASE WHEN answered THEN started_at + interval '20 seconds' + make_interval(secs => wait) END,
       started_at + interval '20 seconds' + make_interval(secs => wait + CASE WHEN answered THEN talk ELSE 0 END),
       'user', CASE WHEN answered THEN 'ok' ELSE 'notAnswer' END,
       skill_group_id, 'Group ' || (skill_group_id - 1000), i, now()
FROM gen;

INSERT INTO serve_participants (call_session_id, sdk_app_id, sequence, agent_id, mail, type, started_at, ring_at, accepted_at,
    ended_at, skill_group_id, end_status)
SELECT i, :sdk, 0, agent_id, 'agent' || (agent_id - (SELECT min(id) FROM agents) + 1) || '@example.com',
       CASE WHEN inbound THEN 'staffSeat' ELSE 'outboundSeat' END,
       started_at + interval '20 seconds' + make_interval(secs => greatest(wait - 5, 0)),
       started_at + interval '20 seconds' + make_interval(secs => greatest(wait - 5, 0)),
       CASE WHEN answered THEN started_at + interval '20 seconds' + make_interval(secs => wait) END,
       started_at + interval '20 seconds' + make_interval(secs => wait + CASE WHEN answered THEN talk ELSE 0 END),
       skill_group_id, CASE WHEN answered THEN 'ok' ELSE 'notAnswer' END
FROM gen;

INSERT INTO recording_files (sdk_app_id, session_id, kind, recording_key, record_id, endpoint_user, source_url, status,
    attempts, next_attempt_at, enqueued_at, recorded_at, size_bytes, archived_at)
SELECT :sdk, 'session-' || i, 'record', 'rec-' || i || '|user', 'rec-' || i, 'user', 'https://example.myqcloud.com/' || i,
       'archived', 1, now(), started_at, started_at, 480000, started_at
FROM gen WHERE answered;

SELECT setval(pg_get_serial_sequence('push_log', 'id'), :sessions);
SELECT setval(pg_get_serial_sequence('call_sessions', 'id'), :sessions);

ALTER TABLE call_sessions ENABLE TRIGGER USER;
ALTER TABLE serve_participants ENABLE TRIGGER USER;
COMMIT;
VACUUM ANALYZE;
