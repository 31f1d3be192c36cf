-- The outbox: notifications written in the same transaction as the obligation that needs them,
-- delivered after commit by a dispatcher (FOR UPDATE SKIP LOCKED, several processes may run).

CREATE TABLE notification (
  id                 bigserial PRIMARY KEY,
  obligation_id      bigint      NOT NULL REFERENCES obligation (id),
  kind               text        NOT NULL CHECK (kind IN ('notice', 'failure-alert')),
  -- held: waiting for a DPO to release it; pending: to be sent at next_attempt_time
  state              text        NOT NULL
                     CHECK (state IN ('held', 'pending', 'sent', 'failed')),
  attempts           integer     NOT NULL DEFAULT 0,
  next_attempt_time  timestamptz NOT NULL,
  last_error         text        NOT NULL DEFAULT '',
  message_id         text        NOT NULL DEFAULT '',  -- stable: a resend is the same message
  recipients         text        NOT NULL DEFAULT '',
  server_reply       text        NOT NULL DEFAULT '',
  sent_time          timestamptz,
  ack_time           timestamptz,
  ack_by             text        NOT NULL DEFAULT '',
  create_time        timestamptz NOT NULL,
  CHECK ((state = 'sent') = (sent_time IS NOT NULL)),
  CHECK (ack_time IS NULL OR state = 'sent')
);
CREATE INDEX notification_pending ON notification (next_attempt_time, id) WHERE state = 'pending';
CREATE INDEX notification_obligation ON notification (obligation_id, id);

GRANT SELECT, INSERT, UPDATE ON notification TO termijn_service;
GRANT USAGE ON SEQUENCE notification_id_seq TO termijn_service;
