-- Each signed audit checkpoint is mailed to every party's DPO, through the outbox like any other
-- mail (retries, backoff, audit). Such a row belongs to a checkpoint and a recipient party, not to
-- an obligation: obligation_id becomes optional, and exactly the checkpoint kind goes without it.

ALTER TABLE notification ALTER COLUMN obligation_id DROP NOT NULL;
ALTER TABLE notification ADD COLUMN audit_checkpoint_id bigint REFERENCES audit_checkpoint (id);
ALTER TABLE notification ADD COLUMN recipient_party text NOT NULL DEFAULT '';
ALTER TABLE notification DROP CONSTRAINT notification_kind_check;
ALTER TABLE notification ADD CONSTRAINT notification_kind_check
  CHECK (kind IN ('notice', 'failure-alert', 'reminder', 'checkpoint'));
ALTER TABLE notification ADD CONSTRAINT notification_belongs_to CHECK (
  CASE WHEN kind = 'checkpoint'
       THEN obligation_id IS NULL AND audit_checkpoint_id IS NOT NULL AND recipient_party <> ''
       ELSE obligation_id IS NOT NULL AND audit_checkpoint_id IS NULL END);
CREATE INDEX notification_audit_checkpoint ON notification (audit_checkpoint_id)
  WHERE audit_checkpoint_id IS NOT NULL;
