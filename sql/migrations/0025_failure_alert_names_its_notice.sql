-- A failure alert names the mail that failed: the notice (or checkpoint mail) whose failure queued
-- it. Before, the alert's mail named the newest failed notice of the obligation when it was
-- composed, which is another one when a follow-up failed as well. Alerts queued before this
-- migration keep no such row and are composed as before.

ALTER TABLE notification ADD COLUMN failed_notification_id bigint REFERENCES notification (id);
ALTER TABLE notification ADD CONSTRAINT notification_failed_is_an_alert
  CHECK (failed_notification_id IS NULL OR kind = 'failure-alert');
