-- Signed checkpoints of the audit trail (seq, hash, time, Ed25519 signature). The proof lives
-- with the parties' DPOs, who receive each one by mail; this table only keeps the latest at hand
-- for `termijn audit checkpoint` and tells the daily job when one was last made.
CREATE TABLE audit_checkpoint (
  id          bigserial PRIMARY KEY,
  seq         bigint NOT NULL CHECK (seq >= 0),
  hash        text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  time        timestamptz NOT NULL,
  public_key  text NOT NULL CHECK (public_key ~ '^[0-9a-f]{64}$'),
  signature   text NOT NULL CHECK (signature ~ '^[0-9a-f]{128}$')
);

REVOKE ALL ON audit_checkpoint FROM PUBLIC;
GRANT SELECT, INSERT ON audit_checkpoint TO termijn_service;
GRANT USAGE ON SEQUENCE audit_checkpoint_id_seq TO termijn_service;
