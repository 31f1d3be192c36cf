-- The audit trail (protocol art. 7.2): a hash-chained, append-only log of every change.
--
-- Writers add entries to audit_queue inside their own transaction; one sequencer at a time
-- (transaction-level advisory lock) moves committed entries into audit_event, assigning gap-free
-- sequence numbers and chaining hashes, in batches. So no write transaction waits on the chain.

-- The running service's privileges, granted to a group role its login role belongs to. The role
-- that applies migrations owns the tables; the service's role cannot change the audit trail.
-- Deployments usually create it beforehand (scripts/lib.sh does); otherwise the migrating role
-- needs CREATEROLE.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'termijn_service') THEN
    CREATE ROLE termijn_service NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;  -- created concurrently for another database of this cluster
END
$$;

CREATE TABLE audit_queue (
  id         bigserial PRIMARY KEY,
  time       timestamptz NOT NULL,
  principal  text NOT NULL,
  party      text NOT NULL,
  action     text NOT NULL,
  subject    text NOT NULL,
  related    text NOT NULL DEFAULT '',
  details    text NOT NULL
);

CREATE TABLE audit_event (
  seq        bigint PRIMARY KEY CHECK (seq > 0),
  time       timestamptz NOT NULL,
  principal  text NOT NULL,
  party      text NOT NULL,
  action     text NOT NULL,
  subject    text NOT NULL,
  related    text NOT NULL,
  details    text NOT NULL,   -- JSON text, kept byte for byte: it is hashed
  prev_hash  bytea NOT NULL CHECK (length(prev_hash) = 32),
  hash       bytea NOT NULL CHECK (length(hash) = 32)
);
CREATE INDEX audit_event_subject ON audit_event (subject, seq);
CREATE INDEX audit_event_related ON audit_event (related, seq) WHERE related <> '';

CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
  FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change();

REVOKE ALL ON audit_event, audit_queue FROM PUBLIC;
GRANT SELECT, INSERT ON audit_event TO termijn_service;
GRANT SELECT, INSERT, DELETE ON audit_queue TO termijn_service;
GRANT SELECT, INSERT, UPDATE ON incident, request, obligation TO termijn_service;
GRANT SELECT ON schema_migration TO termijn_service;
GRANT USAGE ON SEQUENCE audit_queue_id_seq, incident_id_seq, request_id_seq, obligation_id_seq
  TO termijn_service;
