#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "server/app/records.h"
#include "server/app/webhooks.h"
#include "server/domain/audit.h"
#include "server/domain/escalation.h"
#include "server/domain/model.h"

namespace termijn::app {

/// Where listing resumes: after this (due_time, id) or id.
struct ObligationFilter {
  bool include_closed = false;
  std::string party;  ///< owner party; empty: all
  std::optional<domain::Instant> due_before;
  std::optional<std::pair<domain::Instant, int64_t>> after;  ///< keyset cursor
  int limit = 50;
  std::string viewer;  ///< only those it owns or that notify it; empty: all
  std::string rule;    ///< only those of this rule; empty: all
};

/// Incidents or requests that concern `party` (reported by it or notified to it), newest first.
struct RecordFilter {
  std::string party;      ///< empty: all
  int64_t before_id = 0;  ///< keyset cursor; 0: from the newest
  int limit = 50;
  std::string viewer;        ///< only those that concern this party too; empty: all
  std::string external_ref;  ///< only the one with this ticket id; empty: any
};

/// Notifications that concern `party` (owner or recipient of their obligation), newest first.
struct NotificationFilter {
  std::string party;  ///< empty: all
  std::optional<domain::NotificationState> state;
  int64_t obligation_id = 0;  ///< 0: any
  int64_t before_id = 0;
  int limit = 50;
  std::string viewer;  ///< only those it owns or notices addressed to it; empty: all
};

/// A page of a party's register: its own incidents (requests) whose awareness (receipt) lies in
/// [from, to), in that order and then by id, after the keyset cursor.
struct RegisterFilter {
  std::string party;
  domain::Instant from{};
  domain::Instant to{};
  std::optional<std::pair<domain::Instant, int64_t>> after;  ///< (awareness or receipt, id)
  int limit = 100;
};

/// An idempotent create as stored (AIP-155): who sent which request_id with which request
/// (method and SHA-256 hex of the request), and the record it made ("incidents/4").
struct CreateKey {
  std::string principal;
  std::string request_id;
  std::string method;
  std::string body_sha256;
  std::string subject;
};

/// What composing notices (NotificationKind::kNotice) reads, for many at once: their
/// obligations, the records those belong to (a request with its copy, which the notice
/// carries) and the changes a follow-up reports, each by id.
struct NoticeSources {
  std::set<int64_t> notices;  ///< the notifications these were read for
  std::map<int64_t, domain::Obligation> obligations;
  std::map<int64_t, domain::Incident> incidents;
  std::map<int64_t, domain::Request> requests;
  std::map<int64_t, domain::Matter> matters;
  std::map<int64_t, std::vector<domain::FieldChange>> changes;  ///< by notification; none: absent
};

/// Reads of the system of record. On a StoreTransaction they run on that transaction's own
/// connection and see its writes and locks: a unit of work never needs a second connection.
class StoreReader {
 public:
  virtual ~StoreReader() = default;
  virtual absl::StatusOr<domain::Incident> get_incident(int64_t id) = 0;
  /// The incident with its obligations, soonest first, in one read.
  virtual absl::StatusOr<IncidentRecord> incident_record(int64_t id) = 0;
  virtual absl::StatusOr<std::vector<domain::Incident>> list_incidents(const RecordFilter& f) = 0;
  /// With the copy's bytes only when `with_copy`.
  virtual absl::StatusOr<domain::Request> get_request(int64_t id, bool with_copy) = 0;
  virtual absl::StatusOr<std::vector<domain::Request>> list_requests(const RecordFilter& f) = 0;
  virtual absl::StatusOr<domain::Matter> get_matter(int64_t id) = 0;
  virtual absl::StatusOr<std::vector<domain::Matter>> list_matters(const RecordFilter& f) = 0;
  /// The id of the record of `collection` ("incidents" or "requests") that `party` holds under
  /// `external_ref`; 0 when there is none.
  virtual absl::StatusOr<int64_t> find_external_ref(std::string_view collection,
                                                    const std::string& party,
                                                    const std::string& external_ref) = 0;
  virtual absl::StatusOr<domain::Obligation> get_obligation(int64_t id) = 0;
  virtual absl::StatusOr<std::vector<domain::Obligation>> list_obligations(
      const ObligationFilter& f) = 0;
  /// The obligations of "incidents/N", "requests/N" or "matters/N", soonest first.
  virtual absl::StatusOr<std::vector<domain::Obligation>> obligations_of(int64_t incident_id,
                                                                         int64_t request_id,
                                                                         int64_t matter_id = 0) = 0;
  virtual absl::StatusOr<domain::Notification> get_notification(int64_t id) = 0;
  virtual absl::StatusOr<std::vector<domain::Notification>> list_notifications(
      const NotificationFilter& f) = 0;
  virtual absl::StatusOr<domain::ScheduledStep> get_step(int64_t id) = 0;
  /// How many steps of the obligation due at or before `fire_time` have fired: the escalation
  /// level a reminder of that time reports.
  virtual absl::StatusOr<int> fired_steps_until(int64_t obligation_id,
                                                domain::Instant fire_time) = 0;
  /// What a follow-up notice reports as changed, in order; empty for any other notification.
  virtual absl::StatusOr<std::vector<domain::FieldChange>> notification_changes(
      int64_t notification_id) = 0;
  /// What composing the notices among `notifications` reads (others are ignored), in one read
  /// per kind of row instead of three reads per notice.
  virtual absl::StatusOr<NoticeSources> notice_sources(
      const std::vector<domain::Notification>& notifications) = 0;
  /// A kept audit checkpoint by id (what a checkpoint mail carries); NOT_FOUND if none.
  virtual absl::StatusOr<domain::AuditCheckpoint> get_audit_checkpoint(int64_t id) = 0;
  /// A page of a register (see RegisterFilter).
  virtual absl::StatusOr<std::vector<domain::Incident>> register_incidents(
      const RegisterFilter& f) = 0;
  virtual absl::StatusOr<std::vector<domain::Request>> register_requests(
      const RegisterFilter& f) = 0;
  /// The obligations of the incidents (`collection` "incidents") or requests with these ids, in
  /// one read: soonest due first.
  virtual absl::StatusOr<std::vector<domain::Obligation>> obligations_of_all(
      std::string_view collection, const std::vector<int64_t>& ids) = 0;
  /// A webhook delivery by id (what a webhook alert is about); NOT_FOUND if none.
  virtual absl::StatusOr<WebhookDelivery> get_webhook_delivery(int64_t id) = 0;
};

/// One database transaction of a use case. Destroying it without commit() rolls back.
class StoreTransaction : public StoreReader {
 public:
  /// Returns the new id.
  virtual absl::StatusOr<int64_t> insert_incident(const domain::Incident& incident) = 0;
  virtual absl::StatusOr<int64_t> insert_request(const domain::Request& request) = 0;
  virtual absl::StatusOr<int64_t> insert_matter(const domain::Matter& matter) = 0;
  /// Inserts `obligations` with one statement and sets their ids.
  virtual absl::Status insert_obligations(std::vector<domain::Obligation>& obligations) = 0;
  /// Reads and locks an obligation for update; NOT_FOUND if there is none.
  virtual absl::StatusOr<domain::Obligation> lock_obligation(int64_t id) = 0;
  /// Writes state, closed_time, evidence and closed_by.
  virtual absl::Status close_obligation(const domain::Obligation& obligation) = 0;
  /// Adds a notification to the outbox; returns its id. A pending one wakes the dispatchers.
  virtual absl::StatusOr<int64_t> insert_notification(const domain::Notification& n) = 0;
  /// Locks up to `limit` pending notifications due at or before `now`, soonest first, skipping
  /// those other dispatchers hold.
  virtual absl::StatusOr<std::vector<domain::Notification>> claim_notifications(domain::Instant now,
                                                                                int limit) = 0;
  /// Writes the attempt of each claimed notification: attempts, message_id, recipients and
  /// next_attempt_time (its lease). Wakes no dispatcher: a lease is not work that is due.
  virtual absl::Status lease_notifications(
      const std::vector<domain::Notification>& notifications) = 0;
  /// Reads and locks a notification; NOT_FOUND if there is none.
  virtual absl::StatusOr<domain::Notification> lock_notification(int64_t id) = 0;
  /// Locks `notification_ids`, then `obligation_ids`, each in the order of their ids: the order
  /// of every transaction that locks several of them, taken first, so that no two wait for each
  /// other in a cycle. What is locked is read (and locked again, without waiting) after.
  virtual absl::Status lock_in_id_order(const std::vector<int64_t>& notification_ids,
                                        const std::vector<int64_t>& obligation_ids) = 0;
  /// Reads and locks the notices (not the reminders) of `obligation_ids`, in the order of their
  /// ids (as the outbox locks a batch it records, so that neither waits for the other). A notice
  /// a dispatcher is claiming is waited for, and one locked here is not claimed until commit.
  virtual absl::StatusOr<std::vector<domain::Notification>> lock_notices(
      const std::vector<int64_t>& obligation_ids) = 0;
  /// Writes every mutable field of `n`.
  virtual absl::Status update_notification(const domain::Notification& n) = 0;
  /// Adds a reminder step; 0 when that (obligation, step, repetition) exists already, unless it
  /// was planned for an earlier time and is not pending (a repetition of an escalation whose due
  /// time moved later since): that one takes the new time and is pending again.
  virtual absl::StatusOr<int64_t> insert_step(const domain::ScheduledStep& step) = 0;
  /// Locks the pending step due soonest at or before `now` and its obligation, skipping those
  /// other transactions hold; nullopt when there is none.
  virtual absl::StatusOr<std::optional<domain::ScheduledStep>> claim_step(domain::Instant now) = 0;
  /// Whether a step of the obligation due after `fire_time` has fired already.
  virtual absl::StatusOr<bool> later_step_fired(int64_t obligation_id,
                                                domain::Instant fire_time) = 0;
  /// Locks every pending step of an obligation due at or before `now`; call it holding the
  /// obligation (claim_step locks both).
  virtual absl::StatusOr<std::vector<domain::ScheduledStep>> due_steps(int64_t obligation_id,
                                                                       domain::Instant now) = 0;
  /// Sets a step's state (fired, skipped, cancelled) and, when fired, its time.
  virtual absl::Status update_step(const domain::ScheduledStep& step,
                                   std::optional<domain::Instant> fired_time) = 0;
  /// Cancels an obligation's pending steps and its unsent reminders. Rows another transaction
  /// holds are left alone: that scheduler or dispatcher sees the obligation closed and cancels
  /// them itself.
  virtual absl::Status cancel_escalation(int64_t obligation_id) = 0;
  /// Reads and locks an incident or a request for update; NOT_FOUND if there is none.
  virtual absl::StatusOr<domain::Incident> lock_incident(int64_t id) = 0;
  virtual absl::StatusOr<domain::Request> lock_request(int64_t id) = 0;
  /// Writes the fields a change or closing may set: the facts of the incident (not its party,
  /// awareness, title or reporter) and its closing.
  virtual absl::Status update_incident(const domain::Incident& incident) = 0;
  /// Writes the extension, identification and closing of a request.
  virtual absl::Status update_request(const domain::Request& request) = 0;
  /// Writes an obligation's due_time, legal_due_time and explanation.
  virtual absl::Status move_obligation(const domain::Obligation& obligation) = 0;
  /// Plans a step anew at `now` (see app::replan_steps): a step of the same (obligation, step,
  /// repetition) takes the new time and is pending again if it has not fired, or if the new
  /// time lies after both its old time and `now`; otherwise it is left alone (0 is returned).
  virtual absl::StatusOr<int64_t> replan_step(const domain::ScheduledStep& step,
                                              domain::Instant now) = 0;
  /// Adds the reminder steps of one obligation (all `steps` have its obligation_id) in one
  /// round trip, as insert_step each; returns the ids of those it added.
  virtual absl::StatusOr<std::vector<int64_t>> insert_steps(
      const std::vector<domain::ScheduledStep>& steps) = 0;
  /// Adds reminder steps as insert_steps does, without their ids: written with those of the
  /// transaction's other obligations and its audit entries in one round trip at commit (or
  /// before the transaction's next statement that could see them).
  virtual absl::Status queue_steps(const std::vector<domain::ScheduledStep>& steps) = 0;
  /// Claims (key.principal, key.request_id) for this transaction; nullopt when it was new. If
  /// another transaction holds it, waits until that one ends. Otherwise returns the stored key:
  /// an earlier create with that id committed.
  virtual absl::StatusOr<std::optional<CreateKey>> claim_create(const CreateKey& key,
                                                                domain::Instant now) = 0;
  /// Sets the record a claimed create made.
  virtual absl::Status finish_create(const std::string& principal, const std::string& request_id,
                                     const std::string& subject) = 0;
  /// Queues an audit event; it is chained after commit (see AuditStore::sequence).
  virtual absl::Status append_audit(const domain::AuditRecord& record) = 0;
  virtual absl::Status commit() = 0;
};

/// The system of record. Its reads each take a pooled connection for one statement: call them
/// outside a transaction only; inside one, read through the transaction.
class Store : public StoreReader {
 public:
  virtual absl::StatusOr<std::unique_ptr<StoreTransaction>> begin() = 0;
  /// When the next pending notification is due; nullopt when none is pending.
  virtual absl::StatusOr<std::optional<domain::Instant>> next_notification_time() = 0;
  /// When the next pending step is due; nullopt when none is pending.
  virtual absl::StatusOr<std::optional<domain::Instant>> next_step_time() = 0;
  /// The parties the record `collection`/`id` concerns ("incidents", "requests", "obligations",
  /// "notifications"), read before the record itself to authorise it; NOT_FOUND if there is none.
  virtual absl::StatusOr<RecordParties> parties_of(std::string_view collection, int64_t id) = 0;
};

}  // namespace termijn::app
