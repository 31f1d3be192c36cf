-- Incidents, requests and the obligations they start. All instants are timestamptz (UTC).

CREATE TABLE incident (
  id              bigserial PRIMARY KEY,
  party           text        NOT NULL,
  aware_time      timestamptz NOT NULL,
  occurred_time   timestamptz,
  title           text        NOT NULL CHECK (btrim(title) <> ''),
  description     text        NOT NULL DEFAULT '',
  categories      text[]      NOT NULL DEFAULT '{}',
  subject_groups  text[]      NOT NULL DEFAULT '{}',
  subject_count   bigint      CHECK (subject_count > 0),
  risk            text        NOT NULL DEFAULT 'unknown'
                  CHECK (risk IN ('unknown', 'none', 'risk', 'high')),
  ticket_ref      text        NOT NULL DEFAULT '',
  reported_by     text        NOT NULL,
  create_time     timestamptz NOT NULL,
  CHECK (occurred_time IS NULL OR occurred_time <= aware_time)
);

CREATE TABLE request (
  id               bigserial PRIMARY KEY,
  party            text        NOT NULL,
  kind             text        NOT NULL CHECK (kind IN ('access', 'rectification', 'erasure',
                     'restriction', 'portability', 'objection', 'automated-decision',
                     'authority-message')),
  receive_time     timestamptz NOT NULL,
  summary          text        NOT NULL CHECK (btrim(summary) <> ''),
  copy_file_name   text,
  copy_media_type  text,
  copy_sha256      text        CHECK (copy_sha256 ~ '^[0-9a-f]{64}$'),
  copy_size        bigint,
  copy_content     bytea,
  logged_by        text        NOT NULL,
  create_time      timestamptz NOT NULL,
  CHECK ((copy_content IS NULL) = (copy_sha256 IS NULL))
);

CREATE TABLE obligation (
  id               bigserial PRIMARY KEY,
  incident_id      bigint REFERENCES incident (id),
  request_id       bigint REFERENCES request (id),
  rule             text        NOT NULL,
  legal_basis      text        NOT NULL,
  owner_party      text        NOT NULL,
  recipient_kind   text        NOT NULL CHECK (recipient_kind IN ('party-dpo', 'authority',
                     'data-subject')),
  recipient_party  text        NOT NULL DEFAULT '',
  start_time       timestamptz NOT NULL,
  due_time         timestamptz NOT NULL,
  legal_due_time   timestamptz NOT NULL,
  explanation      text        NOT NULL,
  state            text        NOT NULL DEFAULT 'open'
                   CHECK (state IN ('open', 'met', 'met-late', 'waived')),
  closed_time      timestamptz,
  evidence         text        NOT NULL DEFAULT '',
  closed_by        text        NOT NULL DEFAULT '',
  CHECK ((incident_id IS NULL) <> (request_id IS NULL)),
  CHECK (due_time <= legal_due_time),
  CHECK ((state = 'open') = (closed_time IS NULL)),
  UNIQUE NULLS NOT DISTINCT (incident_id, request_id, rule, recipient_kind, recipient_party)
);

CREATE INDEX obligation_open_due ON obligation (due_time, id) WHERE state = 'open';
CREATE INDEX obligation_due ON obligation (due_time, id);
CREATE INDEX obligation_incident ON obligation (incident_id) WHERE incident_id IS NOT NULL;
CREATE INDEX obligation_request ON obligation (request_id) WHERE request_id IS NOT NULL;
CREATE INDEX obligation_recipient_party ON obligation (recipient_party, incident_id, request_id);
CREATE INDEX incident_party ON incident (party, id);
CREATE INDEX request_party ON request (party, id);
