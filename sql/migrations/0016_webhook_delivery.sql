-- Webhooks: one row per (endpoint, event), filled from the audit trail by a job that keeps its
-- position per endpoint, delivered in seq order per endpoint. The unique key makes a refill
-- after a crash or by a second termijnd add nothing twice; a row is 'delivered' exactly once.
CREATE TABLE webhook_position (
  endpoint text   PRIMARY KEY,
  last_seq bigint NOT NULL
);

CREATE TABLE webhook_delivery (
  id                bigserial   PRIMARY KEY,
  endpoint          text        NOT NULL,
  seq               bigint      NOT NULL,
  event_type        text        NOT NULL,
  body              text        NOT NULL,
  state             text        NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts          integer     NOT NULL DEFAULT 0,
  next_attempt_time timestamptz NOT NULL,
  lease_until       timestamptz,
  last_status       integer     NOT NULL DEFAULT 0,
  last_error        text        NOT NULL DEFAULT '',
  delivered_time    timestamptz,
  create_time       timestamptz NOT NULL,
  UNIQUE (endpoint, seq)
);
CREATE INDEX webhook_delivery_pending ON webhook_delivery (endpoint, seq) WHERE state = 'pending';

GRANT SELECT, INSERT, UPDATE ON webhook_position, webhook_delivery TO termijn_service;
GRANT USAGE ON SEQUENCE webhook_delivery_id_seq TO termijn_service;
