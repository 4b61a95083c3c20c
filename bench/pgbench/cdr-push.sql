-- One CDR push of a session with two participants, exactly as CallPush's PushStore writes it: the same statements,
-- in the same order, sent as one pipeline (one round trip, one Sync: one implicit transaction), values as
-- parameters (-M prepared). The values come from bench/cdr-2p.json through pgbench -D variables (bench/run.sh);
-- :r is the push's unique id, used as both its X-TCCC-PUSH-UUID (dedup_key) and its SessionId.
\set r random(1, 9000000000000000000)
\startpipeline
SELECT set_config('plan_cache_mode', 'force_generic_plan', true);
INSERT INTO push_log (dedup_key, push_uuid, action, version, received_at, sdk_app_id, session_id,
                      status, error_code, error, body_bytes, body, raw_body, headers)
VALUES (:r, :r, 'cdr', '1', now(), :sdk, :r, 'accepted', 0, NULL, :body_bytes, :body, NULL, :headers)
ON CONFLICT (dedup_key) DO NOTHING
RETURNING id;
INSERT INTO agents (sdk_app_id, agent_key, user_id, mail, name, nick, phone, staff_number, first_seen_at, updated_at)
SELECT :sdk, a.agent_key, a.user_id, a.mail, a.name, a.nick, a.phone, a.staff_number, now(), now()
FROM unnest(:a_key::text[], :a_user::text[], :a_mail::text[], :a_name::text[], :a_nick::text[], :a_phone::text[], :a_staff::text[])
    AS a(agent_key, user_id, mail, name, nick, phone, staff_number)
WHERE EXISTS (SELECT FROM push_log p WHERE p.id = currval(pg_get_serial_sequence('push_log', 'id')) AND p.dedup_key = :r)
ORDER BY a.agent_key
ON CONFLICT (sdk_app_id, agent_key) DO NOTHING;
UPDATE agents t
SET user_id = COALESCE(a.user_id, t.user_id), mail = COALESCE(a.mail, t.mail), name = COALESCE(a.name, t.name),
    nick = COALESCE(a.nick, t.nick), phone = COALESCE(a.phone, t.phone),
    staff_number = COALESCE(a.staff_number, t.staff_number), updated_at = now()
FROM unnest(:a_key::text[], :a_user::text[], :a_mail::text[], :a_name::text[], :a_nick::text[], :a_phone::text[], :a_staff::text[])
    AS a(agent_key, user_id, mail, name, nick, phone, staff_number)
WHERE t.sdk_app_id = :sdk AND t.agent_key = a.agent_key
  AND (t.user_id, t.mail, t.name, t.nick, t.phone, t.staff_number) IS DISTINCT FROM
      (COALESCE(a.user_id, t.user_id), COALESCE(a.mail, t.mail), COALESCE(a.name, t.name),
       COALESCE(a.nick, t.nick), COALESCE(a.phone, t.phone), COALESCE(a.staff_number, t.staff_number))
  AND EXISTS (SELECT FROM push_log p WHERE p.id = currval(pg_get_serial_sequence('push_log', 'id')) AND p.dedup_key = :r);
INSERT INTO skill_groups (sdk_app_id, skill_group_id, name, first_seen_at, updated_at)
SELECT :sdk, g.id, g.name, now(), now()
FROM unnest(:g_id::bigint[], :g_name::text[]) AS g(id, name)
WHERE EXISTS (SELECT FROM push_log p WHERE p.id = currval(pg_get_serial_sequence('push_log', 'id')) AND p.dedup_key = :r)
ORDER BY g.id
ON CONFLICT (sdk_app_id, skill_group_id) DO NOTHING;
UPDATE skill_groups t SET name = g.name, updated_at = now()
FROM unnest(:g_id::bigint[], :g_name::text[]) AS g(id, name)
WHERE t.sdk_app_id = :sdk AND t.skill_group_id = g.id AND g.name IS NOT NULL AND t.name IS DISTINCT FROM g.name
  AND EXISTS (SELECT FROM push_log p WHERE p.id = currval(pg_get_serial_sequence('push_log', 'id')) AND p.dedup_key = :r);
INSERT INTO call_sessions (sdk_app_id, session_id, caller, callee, direction, duration_seconds, ivr_duration_seconds,
    caller_location, seat_agent_id, seat_skill_group_names, started_at, queued_at, ring_at, accepted_at, ended_at,
    hung_up_side, end_status, queued_skill_group_id, queued_skill_group_name, record_id, user_remark, uui,
    tel_number, tel_country, tel_province, tel_city, tel_operator, call_type, protected_caller, asr_url,
    voicemail_record_url, cdr_push_id, updated_at)
SELECT :sdk, :r, :caller, :callee, :direction::smallint, :duration::integer, :ivr_duration::integer, :caller_location,
       (SELECT a.id FROM agents a WHERE a.sdk_app_id = :sdk AND a.agent_key = :seat_key),
       :seat_groups::text[], :started_at::timestamptz, :queued_at::timestamptz, :ring_at::timestamptz,
       :accepted_at::timestamptz, :ended_at::timestamptz, :hung_up_side, :end_status, :queued_group_id::bigint,
       :queued_group_name, :record_id, :user_remark, :uui, :tel_number, :tel_country, :tel_province, :tel_city,
       :tel_operator, NULL, NULL, NULL, NULL,
       p.id, now()
FROM push_log p WHERE p.id = currval(pg_get_serial_sequence('push_log', 'id')) AND p.dedup_key = :r
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
WHERE COALESCE(excluded.ended_at, '-infinity') >= COALESCE(call_sessions.ended_at, '-infinity');
DELETE FROM serve_participants sp
USING call_sessions s JOIN push_log p ON p.id = s.cdr_push_id
    AND p.id = currval(pg_get_serial_sequence('push_log', 'id')) AND p.dedup_key = :r
WHERE sp.call_session_id = s.id AND s.sdk_app_id = :sdk AND s.session_id = :r;
INSERT INTO serve_participants (call_session_id, sdk_app_id, sequence, agent_id, mail, phone, type, started_at,
    ring_at, accepted_at, ended_at, record_id, transfer_from, transfer_from_type, transfer_to, transfer_to_type,
    skill_group_id, skill_group_name, skill_group_priority, end_status)
SELECT s.id, :sdk, v.sequence, a.id, v.mail, v.phone, v.type, v.started_at, v.ring_at, v.accepted_at, v.ended_at,
       v.record_id, v.transfer_from, v.transfer_from_type, v.transfer_to, v.transfer_to_type,
       v.skill_group_id, v.skill_group_name, v.skill_group_priority, v.end_status
FROM call_sessions s JOIN push_log p ON p.id = s.cdr_push_id
    AND p.id = currval(pg_get_serial_sequence('push_log', 'id')) AND p.dedup_key = :r
CROSS JOIN unnest(:p_seq::integer[], :p_key::text[], :p_mail::text[], :p_phone::text[], :p_type::text[], :p_start::timestamptz[],
                  :p_ring::timestamptz[], :p_accept::timestamptz[], :p_end::timestamptz[], :p_record::text[], :p_from::text[],
                  :p_from_type::text[], :p_to::text[], :p_to_type::text[], :p_group::bigint[], :p_group_name::text[],
                  :p_priority::integer[], :p_status::text[])
    AS v(sequence, agent_key, mail, phone, type, started_at, ring_at, accepted_at, ended_at, record_id,
         transfer_from, transfer_from_type, transfer_to, transfer_to_type, skill_group_id, skill_group_name,
         skill_group_priority, end_status)
LEFT JOIN agents a ON a.sdk_app_id = :sdk AND a.agent_key = v.agent_key
WHERE s.sdk_app_id = :sdk AND s.session_id = :r;
DELETE FROM ivr_key_presses k
USING call_sessions s JOIN push_log p ON p.id = s.cdr_push_id
    AND p.id = currval(pg_get_serial_sequence('push_log', 'id')) AND p.dedup_key = :r
WHERE k.call_session_id = s.id AND s.sdk_app_id = :sdk AND s.session_id = :r;
INSERT INTO ivr_key_presses (call_session_id, stage, position, key, label, pressed_at)
SELECT s.id, v.stage, v.position, v.key, v.label, v.pressed_at
FROM call_sessions s JOIN push_log p ON p.id = s.cdr_push_id
    AND p.id = currval(pg_get_serial_sequence('push_log', 'id')) AND p.dedup_key = :r
CROSS JOIN unnest(:k_stage::text[], :k_position::integer[], :k_key::text[], :k_label::text[], :k_at::timestamptz[])
    AS v(stage, position, key, label, pressed_at)
WHERE s.sdk_app_id = :sdk AND s.session_id = :r;
\endpipeline
