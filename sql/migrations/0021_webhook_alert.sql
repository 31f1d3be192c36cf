-- The alert that a webhook delivery failed for good goes through the outbox like any other mail
-- (retries, backoff, audit), queued in the transaction that marks the delivery failed. Such a row
-- belongs to its webhook delivery and to the party whose DPO is told, not to an obligation.

ALTER TABLE notification ADD COLUMN webhook_delivery_id bigint REFERENCES webhook_delivery (id);
ALTER TABLE notification DROP CONSTRAINT notification_kind_check;
ALTER TABLE notification ADD CONSTRAINT notification_kind_check
  CHECK (kind IN ('notice', 'failure-alert', 'reminder', 'checkpoint', 'webhook-alert'));
ALTER TABLE notification DROP CONSTRAINT notification_belongs_to;
ALTER TABLE notification ADD CONSTRAINT notification_belongs_to CHECK (
  CASE WHEN kind = 'webhook-alert' OR webhook_delivery_id IS NOT NULL
       THEN kind = 'webhook-alert' AND obligation_id IS NULL AND audit_checkpoint_id IS NULL
            AND webhook_delivery_id IS NOT NULL AND recipient_party <> ''
       WHEN kind = 'checkpoint' OR audit_checkpoint_id IS NOT NULL
       THEN kind IN ('checkpoint', 'failure-alert') AND obligation_id IS NULL
            AND audit_checkpoint_id IS NOT NULL AND recipient_party <> ''
       ELSE obligation_id IS NOT NULL END);
CREATE INDEX notification_webhook_delivery ON notification (webhook_delivery_id)
  WHERE webhook_delivery_id IS NOT NULL;
