-- An incident or request carried from the first report to closure: the facts GDPR art. 33(3)
-- asks for, the extension of an answer period (GDPR art. 12(3)), closing, and follow-up notices
-- that say what changed (protocol art. 13, third paragraph; GDPR art. 33(4)).

ALTER TABLE incident
  ADD COLUMN consequences     text        NOT NULL DEFAULT '',
  ADD COLUMN measures         text        NOT NULL DEFAULT '',
  ADD COLUMN close_time       timestamptz,
  ADD COLUMN closing_summary  text        NOT NULL DEFAULT '',
  ADD COLUMN closed_by        text        NOT NULL DEFAULT '',
  ADD CONSTRAINT incident_closed_check
    CHECK ((close_time IS NULL) = (closed_by = '') AND (close_time IS NULL OR
           btrim(closing_summary) <> ''));

ALTER TABLE request
  ADD COLUMN extension_months  integer     NOT NULL DEFAULT 0 CHECK (extension_months IN (0, 1, 2)),
  ADD COLUMN extension_reason  text        NOT NULL DEFAULT '',
  ADD COLUMN extend_time       timestamptz,
  ADD COLUMN close_time        timestamptz,
  ADD COLUMN closing_summary   text        NOT NULL DEFAULT '',
  ADD COLUMN closed_by         text        NOT NULL DEFAULT '',
  ADD CONSTRAINT request_extension_check
    CHECK ((extension_months = 0) = (extend_time IS NULL)),
  ADD CONSTRAINT request_closed_check
    CHECK ((close_time IS NULL) = (closed_by = '') AND (close_time IS NULL OR
           btrim(closing_summary) <> ''));

-- What a follow-up notice reports as changed, field by field, in the order of the change.
CREATE TABLE notification_change (
  notification_id  bigint  NOT NULL REFERENCES notification (id),
  position         integer NOT NULL CHECK (position >= 0),
  field            text    NOT NULL,
  before           text    NOT NULL,
  after            text    NOT NULL,
  PRIMARY KEY (notification_id, position)
);

GRANT SELECT, INSERT ON notification_change TO termijn_service;
