\set r random(1, 9000000000000000)
BEGIN;
-- claim_create
INSERT INTO create_request (principal, request_id, method, body_sha256, create_time) VALUES ('pgbench', 'pgbench-' || :r, 'LogRequest', '81ed253844dbda5ceabb94a7c9a1d5925159cf9d00fde12a732e2577017c2afb', to_timestamp('1796112807')) ON CONFLICT (principal, request_id) DO NOTHING RETURNING 1;
-- insert_request
INSERT INTO request (party, kind, receive_time, summary, copy_file_name, copy_media_type, copy_sha256, copy_size, copy_content, logged_by, create_time, external_ref) VALUES ('herent', 'access', to_timestamp('1796112828'), 'a copy', NULLIF('', ''), NULLIF('', ''), NULLIF('', ''), NULLIF('0'::bigint, 0), NULL, 'herent-dpo', to_timestamp('1796112828'), '') RETURNING id \gset rec_
-- finish_create
UPDATE create_request SET subject = 'requests/' || :rec_id WHERE principal = 'pgbench' AND request_id = 'pgbench-' || :r;
-- insert_obligation
INSERT INTO obligation (incident_id, request_id, rule, legal_basis, owner_party, recipient_kind, recipient_party, start_time, due_time, legal_due_time, explanation) VALUES (NULLIF('0', 0), NULLIF(:rec_id, 0), 'protocol.request_notice', 'Protocol art. 14', 'herent', 'party-dpo', 'kortenberg', to_timestamp('1796112828'), to_timestamp('1796285628'), to_timestamp('1796288400'), '48 h after receipt at 2026-12-01 09:13 CET: due 2026-12-03 09:13 CET. Legal limit (Reg. 1182/71 art. 3): 2026-12-03 10:00 CET.') RETURNING id \gset o1_
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o1_id, '0', '0', '50%', 'owner_dpo', to_timestamp('1796199228'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- wake_schedulers
SELECT pg_notify('termijn_steps', '');
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o1_id, '1', '0', '80%', 'owner_dpo', to_timestamp('1796251068'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o1_id, '2', '0', '-2h', 'owner_dpo', to_timestamp('1796278428'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o1_id, '3', '0', '0', 'owner_dpo,owner_escalation', to_timestamp('1796285628'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o1_id, '4', '0', '+12h every 12h', 'owner_dpo,owner_escalation', to_timestamp('1796328828'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- insert_notification
INSERT INTO notification (obligation_id, kind, state, next_attempt_time, create_time, escalation_step_id) VALUES (:o1_id, 'notice', 'pending', to_timestamp('1796112828'), to_timestamp('1796112828'), NULLIF('0'::bigint, 0)) RETURNING id;
-- wake_dispatchers
SELECT pg_notify('termijn_outbox', '');
-- insert_obligation
INSERT INTO obligation (incident_id, request_id, rule, legal_basis, owner_party, recipient_kind, recipient_party, start_time, due_time, legal_due_time, explanation) VALUES (NULLIF('0', 0), NULLIF(:rec_id, 0), 'gdpr.art12_response', 'GDPR art. 12(3)', 'herent', 'data-subject', '', to_timestamp('1796112828'), to_timestamp('1798791228'), to_timestamp('1799103600'), '1 month after receipt at 2026-12-01 09:13 CET: due 2027-01-01 09:13 CET. Legal limit (Reg. 1182/71 art. 3): end of Mon 2027-01-04 (Fri 2027-01-01 is New Year''s Day, Sat 2027-01-02 is a weekend day, Sun 2027-01-03 is a weekend day, art. 3(4)), 2027-01-05 00:00 CET.') RETURNING id \gset o2_
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o2_id, '0', '0', '-14d', 'owner_dpo', to_timestamp('1797581628'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o2_id, '1', '0', '-7d', 'owner_dpo', to_timestamp('1798186428'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o2_id, '2', '0', '-2d', 'owner_dpo', to_timestamp('1798618428'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o2_id, '3', '0', '0', 'owner_dpo,owner_escalation', to_timestamp('1798791228'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- insert_step
INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, moved) VALUES (:o2_id, '4', '0', '+1d every 1d', 'owner_dpo,owner_escalation', to_timestamp('1798877628'), 'f') ON CONFLICT (obligation_id, step, repetition) DO NOTHING RETURNING id;
-- append_audit
WITH queued AS (INSERT INTO audit_queue (time, principal, party, action, subject, related, details) SELECT to_timestamp(t), p, y, a, s, r, d FROM unnest('{1796112828,1796112828,1796112828,1796112828}'::bigint[], '{herent-dpo,herent-dpo,herent-dpo,herent-dpo}'::text[], '{herent,herent,herent,herent}'::text[], '{request.logged,obligation.created,notification.queued,obligation.created}'::text[], '{requests/1,obligations/3,notifications/2,obligations/4}'::text[], '{"",requests/1,requests/1,requests/1}'::text[], '{"{\"party\":\"herent\",\"kind\":\"access\",\"receive_time\":\"2026-12-01T08:13:48Z\",\"summary\":\"a copy\"}","{\"rule\":\"protocol.request_notice\",\"legal_basis\":\"Protocol art. 14\",\"owner_party\":\"herent\",\"recipient_kind\":\"party-dpo\",\"recipient_party\":\"kortenberg\",\"start_time\":\"2026-12-01T08:13:48Z\",\"due_time\":\"2026-12-03T08:13:48Z\",\"legal_due_time\":\"2026-12-03T09:00:00Z\"}","{\"obligation\":\"obligations/3\",\"kind\":\"notice\",\"state\":\"pending\",\"attempts\":0}","{\"rule\":\"gdpr.art12_response\",\"legal_basis\":\"GDPR art. 12(3)\",\"owner_party\":\"herent\",\"recipient_kind\":\"data-subject\",\"recipient_party\":\"\",\"start_time\":\"2026-12-01T08:13:48Z\",\"due_time\":\"2027-01-01T08:13:48Z\",\"legal_due_time\":\"2027-01-04T23:00:00Z\"}"}'::text[]) AS u(t, p, y, a, s, r, d) RETURNING id) SELECT pg_notify('termijn_audit', '') FROM queued LIMIT 1;
COMMIT;
