-- Idempotent creates (AIP-155): the request_id a principal sent with a create, the digest of the
-- request it came with, and the record it made. Written in the same transaction as the record, so
-- a key exists exactly when its record does; a second transaction with the same key waits on the
-- primary key until the first ends, then finds it.
CREATE TABLE create_request (
  principal   text        NOT NULL,
  request_id  text        NOT NULL,
  method      text        NOT NULL,
  body_sha256 text        NOT NULL,
  subject     text        NOT NULL DEFAULT '',
  create_time timestamptz NOT NULL,
  PRIMARY KEY (principal, request_id)
);

GRANT SELECT, INSERT, UPDATE ON create_request TO termijn_service;
