-- Protocol matters: what one party records that concerns the other parties and that starts
-- obligations of its own: a finding about the quality of the shared data (art. 12), a change in
-- law or of processors (art. 15), a staff member's departure (art. 9), a termination (art. 10,
-- 18). An obligation belongs to exactly one incident, request or matter.

CREATE TABLE matter (
  id            bigserial PRIMARY KEY,
  party         text        NOT NULL,
  kind          text        NOT NULL CHECK (kind IN ('data-quality', 'law-change',
                  'processor-change', 'staff-departure', 'termination-art10',
                  'termination-art18')),
  event_time    timestamptz NOT NULL,
  summary       text        NOT NULL CHECK (btrim(summary) <> ''),
  -- art. 9: an opaque reference to the staff member who left; never a name.
  staff_ref     text        NOT NULL DEFAULT '',
  reported_by   text        NOT NULL,
  create_time   timestamptz NOT NULL,
  CHECK ((kind = 'staff-departure') = (staff_ref <> ''))
);

CREATE INDEX matter_party ON matter (party, id);

ALTER TABLE obligation
  ADD COLUMN matter_id bigint REFERENCES matter (id),
  DROP CONSTRAINT obligation_check,
  DROP CONSTRAINT obligation_incident_id_request_id_rule_recipient_kind_recip_key,
  ADD CONSTRAINT obligation_subject_check
    CHECK (num_nonnulls(incident_id, request_id, matter_id) = 1),
  ADD CONSTRAINT obligation_subject_rule_recipient_key
    UNIQUE NULLS NOT DISTINCT (incident_id, request_id, matter_id, rule, recipient_kind,
                               recipient_party);

CREATE INDEX obligation_matter ON obligation (matter_id) WHERE matter_id IS NOT NULL;

-- A matter does not change once recorded: the service inserts and reads it.
GRANT SELECT, INSERT ON matter TO termijn_service;
GRANT USAGE ON SEQUENCE matter_id_seq TO termijn_service;
