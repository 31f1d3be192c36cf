\set r random(1, 9000000000000000)
BEGIN;
-- claim_create
INSERT INTO create_request (principal, request_id, method, body_sha256, create_time) VALUES ('pgbench', 'pgbench-' || :r, 'ReportIncident', '81ed253844dbda5ceabb94a7c9a1d5925159cf9d00fde12a732e2577017c2afb', to_timestamp('1796112807')) ON CONFLICT (principal, request_id) DO NOTHING RETURNING 1;
-- insert_incident
INSERT INTO incident (party, aware_time, occurred_time, title, description, categories, subject_groups, subject_count, risk, ticket_ref, reported_by, create_time) VALUES ('herent', to_timestamp('1796112807'), to_timestamp(NULLIF('', '')::bigint), 'Benchmark incident', 'A laptop with client files was stolen from a car.', string_to_array('identification', ','), string_to_array('clients', ','), NULLIF('0'::bigint, 0), 'unknown', '', 'herent-dpo', to_timestamp('1796112807')) RETURNING id \gset rec_
-- finish_create
UPDATE create_request SET subject = 'incidents/' || :rec_id WHERE principal = 'pgbench' AND request_id = 'pgbench-' || :r;
-- insert_obligation
INSERT INTO obligation (incident_id, request_id, rule, legal_basis, owner_party, recipient_kind, recipient_party, start_time, due_time, legal_due_time, explanation) VALUES (NULLIF(:rec_id, 0), NULLIF('0', 0), 'protocol.breach_notice', 'Protocol art. 13', 'herent', 'party-dpo', 'kortenberg', to_timestamp('1796112807'), to_timestamp('1796242407'), to_timestamp('1796245200'), '36 h after awareness at 2026-12-01 09:13 CET: due 2026-12-02 21:13 CET. Legal limit (Reg. 1182/71 art. 3): 2026-12-02 22:00 CET.') RETURNING id \gset o1_
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o1_id, '0', '0', '50%', 'owner_dpo', to_timestamp('1796177607'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- wake_schedulers
SELECT pg_notify('termijn_steps', '');
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o1_id, '1', '0', '80%', 'owner_dpo', to_timestamp('1796216487'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o1_id, '2', '0', '-2h', 'owner_dpo', to_timestamp('1796235207'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o1_id, '3', '0', '0', 'owner_dpo,owner_escalation', to_timestamp('1796242407'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o1_id, '4', '0', '+12h every 12h', 'owner_dpo,owner_escalation', to_timestamp('1796285607'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- insert_notification
INSERT INTO notification (obligation_id, kind, state, next_attempt_time, create_time, escalation_step_id) VALUES (:o1_id, 'notice', 'pending', to_timestamp('1796112807'), to_timestamp('1796112807'), NULLIF('0'::bigint, 0)) RETURNING id;
-- wake_dispatchers
SELECT pg_notify('termijn_outbox', '');
-- insert_obligation
INSERT INTO obligation (incident_id, request_id, rule, legal_basis, owner_party, recipient_kind, recipient_party, start_time, due_time, legal_due_time, explanation) VALUES (NULLIF(:rec_id, 0), NULLIF('0', 0), 'gdpr.art33_authority', 'GDPR art. 33(1)', 'herent', 'authority', '', to_timestamp('1796112807'), to_timestamp('1796372007'), to_timestamp('1796374800'), '72 h after awareness at 2026-12-01 09:13 CET: due 2026-12-04 09:13 CET. Legal limit (Reg. 1182/71 art. 3): 2026-12-04 10:00 CET.') RETURNING id \gset o2_
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o2_id, '0', '0', '50%', 'owner_dpo', to_timestamp('1796242407'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o2_id, '1', '0', '80%', 'owner_dpo', to_timestamp('1796320167'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o2_id, '2', '0', '-2h', 'owner_dpo', to_timestamp('1796364807'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o2_id, '3', '0', '0', 'owner_dpo,owner_escalation', to_timestamp('1796372007'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o2_id, '4', '0', '+12h every 12h', 'owner_dpo,owner_escalation', to_timestamp('1796415207'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- append_audit
WITH queued AS (INSERT INTO audit_queue (time, principal, party, action, subject, related, details) SELECT to_timestamp(t), p, y, a, s, r, d FROM unnest('{1796112807,1796112807,1796112807,1796112807}'::bigint[], '{herent-dpo,herent-dpo,herent-dpo,herent-dpo}'::text[], '{herent,herent,herent,herent}'::text[], '{incident.reported,obligation.created,notification.queued,obligation.created}'::text[], '{incidents/1,obligations/1,notifications/1,obligations/2}'::text[], '{"",incidents/1,incidents/1,incidents/1}'::text[], '{"{\"party\":\"herent\",\"aware_time\":\"2026-12-01T08:13:27Z\",\"title\":\"x\",\"description\":\"\",\"categories\":[\"identification\"],\"subject_groups\":[\"clients\"],\"subject_count\":0,\"risk\":\"unknown\",\"ticket_ref\":\"\"}","{\"rule\":\"protocol.breach_notice\",\"legal_basis\":\"Protocol art. 13\",\"owner_party\":\"herent\",\"recipient_kind\":\"party-dpo\",\"recipient_party\":\"kortenberg\",\"start_time\":\"2026-12-01T08:13:27Z\",\"due_time\":\"2026-12-02T20:13:27Z\",\"legal_due_time\":\"2026-12-02T21:00:00Z\"}","{\"obligation\":\"obligations/1\",\"kind\":\"notice\",\"state\":\"pending\",\"attempts\":0}","{\"rule\":\"gdpr.art33_authority\",\"legal_basis\":\"GDPR art. 33(1)\",\"owner_party\":\"herent\",\"recipient_kind\":\"authority\",\"recipient_party\":\"\",\"start_time\":\"2026-12-01T08:13:27Z\",\"due_time\":\"2026-12-04T08:13:27Z\",\"legal_due_time\":\"2026-12-04T09:00:00Z\"}"}'::text[]) AS u(t, p, y, a, s, r, d) RETURNING id) SELECT pg_notify('termijn_audit', '') FROM queued LIMIT 1;
COMMIT;
