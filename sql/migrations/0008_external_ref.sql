-- The id of the record in the party's ticketing system. An incident's is the ticket_ref column it
-- has had from the start (the API calls it external_ref and keeps ticket_ref as an alias); a
-- request gets one here. One record per party and reference, so that a ticket never yields two.
ALTER TABLE request ADD COLUMN external_ref text NOT NULL DEFAULT '';

CREATE UNIQUE INDEX incident_party_external_ref ON incident (party, ticket_ref)
  WHERE ticket_ref <> '';
CREATE UNIQUE INDEX request_party_external_ref ON request (party, external_ref)
  WHERE external_ref <> '';
