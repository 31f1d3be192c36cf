-- Reminders and escalations: one row per (obligation, step, repetition), so each fires exactly
-- once across processes and restarts (claimed with FOR UPDATE SKIP LOCKED).

CREATE TABLE escalation_step (
  id             bigserial PRIMARY KEY,
  obligation_id  bigint      NOT NULL REFERENCES obligation (id),
  step           integer     NOT NULL CHECK (step >= 0),
  repetition     integer     NOT NULL CHECK (repetition >= 0),
  label          text        NOT NULL,  -- as configured: "80%", "-2h", "+12h every 12h"
  audience       text        NOT NULL,  -- "owner_dpo,owner_escalation"
  fire_time      timestamptz NOT NULL,
  moved          boolean     NOT NULL DEFAULT false,  -- a working day early: due on a closed day
  state          text        NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'fired', 'skipped', 'cancelled')),
  fired_time     timestamptz,
  UNIQUE (obligation_id, step, repetition)
);
CREATE INDEX escalation_step_pending ON escalation_step (fire_time, id) WHERE state = 'pending';

ALTER TABLE notification ADD COLUMN escalation_step_id bigint REFERENCES escalation_step (id);
ALTER TABLE notification DROP CONSTRAINT notification_kind_check;
ALTER TABLE notification ADD CONSTRAINT notification_kind_check
  CHECK (kind IN ('notice', 'failure-alert', 'reminder'));
ALTER TABLE notification DROP CONSTRAINT notification_state_check;
ALTER TABLE notification ADD CONSTRAINT notification_state_check
  CHECK (state IN ('held', 'pending', 'sent', 'failed', 'cancelled'));

GRANT SELECT, INSERT, UPDATE ON escalation_step TO termijn_service;
GRANT USAGE ON SEQUENCE escalation_step_id_seq TO termijn_service;
