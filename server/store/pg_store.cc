#include "server/store/pg_store.h"

#include <absl/strings/str_split.h>

#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <set>

#include "server/store/pg_array.h"
#include "server/store/pg_reads.h"
#include "server/store/pg_rows.h"
#include "server/store/pg_status.h"
#include "server/store/statements.h"

namespace termijn::store {

namespace {

using domain::Instant;
using rows::join_names;
using rows::not_found;
using rows::optional_seconds;
using rows::seconds;

class PgTransaction final : public PgReads<PgTransaction, app::StoreTransaction> {
 public:
  PgTransaction(PgPool::Lease lease, PgWakeups& wakeups)
      : lease_(std::move(lease)), tx_(std::make_unique<pqxx::work>(*lease_)), wakeups_(wakeups) {}

  // Like guarded(), and remembers a failed statement: PostgreSQL has then rolled the
  // transaction back, so commit() must not report success. Held writes are sent first, and
  // queued steps written first, so that the statement sees them; unless `kKeepQueue` (a
  // statement that cannot see the steps) or `kKeepHeld` (one that checks for itself).
  template <bool kKeepQueue = false, bool kKeepHeld = false, typename Body>
  auto step(std::string_view what, Body&& body) -> decltype(body()) {
    try {
      if (!kKeepHeld) write_held();
      if (!kKeepQueue) write_queued_steps();
      return body();
    } catch (const std::exception& e) {
      failed_ = true;
      return to_status(e, what);
    }
  }

  template <typename Result, typename Body>
  absl::StatusOr<Result> run_read(std::string_view what, Body&& body) {
    return step(what, [&]() -> absl::StatusOr<Result> { return body(*tx_); });
  }

  absl::StatusOr<int64_t> insert_incident(const domain::Incident& i) override {
    return step("insert incident", [&]() -> absl::StatusOr<int64_t> {
      const std::string occurred = i.occurred_time ? std::to_string(seconds(*i.occurred_time)) : "";
      return tx_
          ->exec_prepared1(stmt::kInsertIncident, i.party, seconds(i.aware_time), occurred, i.title,
                           i.description, join_names(i.categories), join_names(i.subject_groups),
                           i.subject_count.value_or(0), std::string(domain::name_of(i.risk)),
                           i.ticket_ref, i.reported_by, seconds(i.create_time))[0]
          .as<int64_t>();
    });
  }

  absl::StatusOr<int64_t> insert_request(const domain::Request& q) override {
    return step("insert request", [&]() -> absl::StatusOr<int64_t> {
      const std::string kind(domain::name_of(q.kind));
      const domain::Attachment none;
      const domain::Attachment& c = q.copy ? *q.copy : none;
      const pqxx::binarystring content(c.bytes.data(), c.bytes.size());
      const pqxx::row row =
          q.copy
              ? tx_->exec_prepared1(stmt::kInsertRequest, q.party, kind, seconds(q.receive_time),
                                    q.summary, c.file_name, c.media_type, c.sha256, c.size, content,
                                    q.logged_by, seconds(q.create_time), q.external_ref)
              : tx_->exec_prepared1(stmt::kInsertRequest, q.party, kind, seconds(q.receive_time),
                                    q.summary, c.file_name, c.media_type, c.sha256, c.size, nullptr,
                                    q.logged_by, seconds(q.create_time), q.external_ref);
      return row[0].as<int64_t>();
    });
  }

  absl::StatusOr<int64_t> insert_matter(const domain::Matter& m) override {
    return step("insert matter", [&]() -> absl::StatusOr<int64_t> {
      return tx_
          ->exec_prepared1(stmt::kInsertMatter, m.party, std::string(domain::name_of(m.kind)),
                           seconds(m.event_time), m.summary, m.staff_ref, m.reported_by,
                           seconds(m.create_time))[0]
          .as<int64_t>();
    });
  }

  absl::Status insert_obligations(std::vector<domain::Obligation>& obligations) override {
    if (obligations.empty()) return absl::OkStatus();
    return step<true>("insert obligations", [&]() -> absl::Status {
      PgArray incident, request, rule, basis, owner, kind, recipient, start, due, legal, why,
          matter, why_nl;
      for (const domain::Obligation& o : obligations) {
        incident.add(o.incident_id);
        request.add(o.request_id);
        rule.add(o.rule);
        basis.add(o.legal_basis);
        owner.add(o.owner_party);
        kind.add(std::string(domain::name_of(o.recipient_kind)));
        recipient.add(o.recipient_party);
        start.add(seconds(o.start_time));
        due.add(seconds(o.due_time));
        legal.add(seconds(o.legal_due_time));
        why.add(o.explanation);
        matter.add(o.matter_id);
        why_nl.add(o.explanation_nl);
      }
      const pqxx::result rows =
          tx_->exec_prepared(stmt::kInsertObligations, incident.str(), request.str(), rule.str(),
                             basis.str(), owner.str(), kind.str(), recipient.str(), start.str(),
                             due.str(), legal.str(), why.str(), matter.str(), why_nl.str());
      for (domain::Obligation& o : obligations) {
        const auto same = [&](const pqxx::row& r) {
          return r[1].as<int64_t>() == o.incident_id && r[2].as<int64_t>() == o.request_id &&
                 r[3].as<int64_t>() == o.matter_id && r[4].as<std::string>() == o.rule &&
                 r[5].as<std::string>() == domain::name_of(o.recipient_kind) &&
                 r[6].as<std::string>() == o.recipient_party;
        };
        const auto row = std::find_if(rows.begin(), rows.end(), same);
        if (row == rows.end()) return absl::InternalError("insert obligations: an id is missing");
        o.id = (*row)[0].as<int64_t>();
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<domain::Obligation> lock_obligation(int64_t id) override {
    return step<false, true>("lock obligation", [&]() -> absl::StatusOr<domain::Obligation> {
      // The row shows its state, its steps and its latest notice's state.
      if (held_.touches_obligation(id)) write_held();
      const pqxx::result found = tx_->exec_prepared(stmt::kLockObligation, id);
      if (found.empty()) return not_found("obligations/" + std::to_string(id));
      return rows::obligation_from(found[0]);
    });
  }

  absl::Status close_obligation(const domain::Obligation& o) override {
    return hold("close obligation", [&] {
      // The same row twice in one statement: only one of the changes would be made.
      if (held_.closes.contains(o.id)) write_held();
      held_.closes.emplace(o.id, o);
    });
  }

  absl::StatusOr<int64_t> insert_notification(const domain::Notification& n) override {
    return step<true>("insert notification", [&]() -> absl::StatusOr<int64_t> {
      const int64_t id = store::insert_notification(*tx_, n);
      for (size_t i = 0; i < n.changes.size(); ++i) {
        const domain::FieldChange& c = n.changes[i];
        tx_->exec_prepared(stmt::kInsertNotificationChange, id, static_cast<int>(i), c.field,
                           c.before, c.after);
      }
      if (n.state == domain::NotificationState::kPending) wake_.insert(kOutboxChannel);
      return id;
    });
  }

  absl::StatusOr<std::vector<domain::Notification>> claim_notifications(Instant now,
                                                                        int limit) override {
    return step("claim notifications", [&]() -> absl::StatusOr<std::vector<domain::Notification>> {
      return rows::map_rows<domain::Notification>(
          tx_->exec_prepared(stmt::kClaimNotifications, seconds(now), limit),
          rows::notification_from);
    });
  }

  absl::Status lease_notifications(const std::vector<domain::Notification>& leased) override {
    if (leased.empty()) return absl::OkStatus();
    return step("lease notifications", [&]() -> absl::Status {
      PgArray id, attempts, message_id, recipients, next;
      for (const domain::Notification& n : leased) {
        id.add(n.id);
        attempts.add(n.attempts);
        message_id.add(n.message_id);
        recipients.add(n.recipients);
        next.add(seconds(n.next_attempt_time));
      }
      tx_->exec_prepared(stmt::kLeaseNotifications, id.str(), attempts.str(), message_id.str(),
                         recipients.str(), next.str());
      return absl::OkStatus();
    });
  }

  absl::StatusOr<domain::Notification> lock_notification(int64_t id) override {
    return step<false, true>("lock notification", [&]() -> absl::StatusOr<domain::Notification> {
      if (held_.notifications.contains(id)) write_held();
      pqxx::result found = tx_->exec_prepared(stmt::kLockNotification, id);
      if (found.empty()) return not_found("notifications/" + std::to_string(id));
      domain::Notification n = rows::notification_from(found[0]);
      // Which obligation a reminder serves is known only now; read again (locked already)
      // once its cancelling is written.
      if (held_.cancels_reminder(n)) {
        write_held();
        found = tx_->exec_prepared(stmt::kLockNotification, id);
        n = rows::notification_from(found.at(0));
      }
      return n;
    });
  }

  absl::Status lock_in_id_order(const std::vector<int64_t>& notification_ids,
                                const std::vector<int64_t>& obligation_ids) override {
    return step("lock in id order", [&]() -> absl::Status {
      for (const auto& [statement, ids] :
           {std::pair{stmt::kLockNotificationsInOrder, &notification_ids},
            std::pair{stmt::kLockObligationsInOrder, &obligation_ids}}) {
        if (ids->empty()) continue;
        PgArray array;
        for (const int64_t id : *ids) array.add(static_cast<long long>(id));
        tx_->exec_prepared(statement, array.str());
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<domain::Notification>> lock_notices(
      const std::vector<int64_t>& obligation_ids) override {
    return step("lock notices", [&]() -> absl::StatusOr<std::vector<domain::Notification>> {
      PgArray ids;
      for (const int64_t id : obligation_ids) ids.add(static_cast<long long>(id));
      return rows::map_rows<domain::Notification>(tx_->exec_prepared(stmt::kLockNotices, ids.str()),
                                                  rows::notification_from);
    });
  }

  absl::Status update_notification(const domain::Notification& n) override {
    return hold("update notification", [&] {
      // Written in this order, a reminder's cancelling (held) would come after its update.
      if (held_.notifications.contains(n.id) || held_.cancels_reminder(n)) write_held();
      held_.notifications.emplace(n.id, n);
      if (n.state == domain::NotificationState::kPending) wake_.insert(kOutboxChannel);
    });
  }

  absl::StatusOr<int64_t> insert_step(const domain::ScheduledStep& st) override {
    const auto added = insert_steps({st});
    if (!added.ok()) return added.status();
    return added->empty() ? int64_t{0} : added->front();
  }

  absl::StatusOr<std::vector<int64_t>> insert_steps(
      const std::vector<domain::ScheduledStep>& steps) override {
    return step("insert steps", [&]() -> absl::StatusOr<std::vector<int64_t>> {
      if (steps.empty()) return std::vector<int64_t>();
      PgArray number, repetition, label, audience, fire_time, moved;
      for (const domain::ScheduledStep& st : steps) {
        number.add(st.time.step);
        repetition.add(st.time.repetition);
        label.add(st.label);
        audience.add(st.audience);
        fire_time.add(seconds(st.time.fire_time));
        moved.add(st.time.moved ? "t" : "f");
      }
      std::vector<int64_t> added;
      for (const pqxx::row& row : tx_->exec_prepared(
               stmt::kInsertSteps, steps.front().obligation_id, number.str(), repetition.str(),
               label.str(), audience.str(), fire_time.str(), moved.str())) {
        added.push_back(row[0].as<int64_t>());
      }
      if (!added.empty()) wake_.insert(kStepChannel);
      return added;
    });
  }

  absl::Status queue_steps(const std::vector<domain::ScheduledStep>& steps) override {
    if (steps.empty()) return absl::OkStatus();
    // Steps after a held cancelling must not be cancelled by it: never both kinds waiting.
    if (!held_.empty()) {
      if (auto s = step<true>("write held changes", [] { return absl::OkStatus(); }); !s.ok()) {
        return s;
      }
    }
    steps_.insert(steps_.end(), steps.begin(), steps.end());
    wake_.insert(kStepChannel);
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<domain::ScheduledStep>> claim_step(Instant now) override {
    return step("claim step", [&]() -> absl::StatusOr<std::optional<domain::ScheduledStep>> {
      const pqxx::result found = tx_->exec_prepared(stmt::kClaimStep, seconds(now));
      if (found.empty()) return std::optional<domain::ScheduledStep>();
      return std::optional<domain::ScheduledStep>(rows::step_from(found[0]));
    });
  }

  absl::StatusOr<std::vector<domain::ScheduledStep>> due_steps(int64_t obligation_id,
                                                               Instant now) override {
    return step("due steps", [&]() -> absl::StatusOr<std::vector<domain::ScheduledStep>> {
      return rows::map_rows<domain::ScheduledStep>(
          tx_->exec_prepared(stmt::kDueSteps, obligation_id, seconds(now)), rows::step_from);
    });
  }

  absl::StatusOr<bool> later_step_fired(int64_t obligation_id, Instant fire_time) override {
    return step("later step fired", [&]() -> absl::StatusOr<bool> {
      return tx_->exec_prepared1(stmt::kLaterStepFired, obligation_id, seconds(fire_time))[0]
          .as<bool>();
    });
  }

  absl::Status update_step(const domain::ScheduledStep& st,
                           std::optional<Instant> fired_time) override {
    return step("update step", [&]() -> absl::Status {
      tx_->exec_prepared(stmt::kUpdateStep, st.id, st.state, optional_seconds(fired_time));
      return absl::OkStatus();
    });
  }

  absl::Status cancel_escalation(int64_t obligation_id) override {
    return hold("cancel escalation", [&] {
      // A held update of one of its reminders was made before: written first.
      for (const auto& [id, n] : held_.notifications) {
        if (n.kind == domain::NotificationKind::kReminder && n.obligation_id == obligation_id) {
          write_held();
          break;
        }
      }
      held_.cancels.insert(obligation_id);
    });
  }

  absl::StatusOr<domain::Incident> lock_incident(int64_t id) override {
    return step("lock incident", [&]() -> absl::StatusOr<domain::Incident> {
      const pqxx::result found = tx_->exec_prepared(stmt::kLockIncident, id);
      if (found.empty()) return not_found("incidents/" + std::to_string(id));
      return rows::incident_from(found[0]);
    });
  }

  absl::StatusOr<domain::Request> lock_request(int64_t id) override {
    return step("lock request", [&]() -> absl::StatusOr<domain::Request> {
      const pqxx::result found = tx_->exec_prepared(stmt::kLockRequest, id);
      if (found.empty()) return not_found("requests/" + std::to_string(id));
      return rows::request_from(found[0], /*with_copy=*/false);
    });
  }

  absl::Status update_incident(const domain::Incident& i) override {
    return step("update incident", [&]() -> absl::Status {
      tx_->exec_prepared(stmt::kUpdateIncident, i.id, optional_seconds(i.occurred_time),
                         i.description, join_names(i.categories), join_names(i.subject_groups),
                         i.subject_count.value_or(0), std::string(domain::name_of(i.risk)),
                         i.ticket_ref, i.consequences, i.measures, optional_seconds(i.close_time),
                         i.closing_summary, i.closed_by);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::optional<app::CreateKey>> claim_create(const app::CreateKey& key,
                                                             Instant now) override {
    return step("claim request_id", [&]() -> absl::StatusOr<std::optional<app::CreateKey>> {
      if (!tx_->exec_prepared(stmt::kClaimCreate, key.principal, key.request_id, key.method,
                              key.body_sha256, seconds(now))
               .empty()) {
        return std::optional<app::CreateKey>();
      }
      const pqxx::row earlier =
          tx_->exec_prepared1(stmt::kGetCreate, key.principal, key.request_id);
      return std::optional<app::CreateKey>(
          app::CreateKey{key.principal, key.request_id, earlier[0].as<std::string>(),
                         earlier[1].as<std::string>(), earlier[2].as<std::string>()});
    });
  }

  absl::Status finish_create(const std::string& principal, const std::string& request_id,
                             const std::string& subject) override {
    return step("finish request_id", [&]() -> absl::Status {
      tx_->exec_prepared(stmt::kFinishCreate, principal, request_id, subject);
      return absl::OkStatus();
    });
  }

  absl::Status update_request(const domain::Request& q) override {
    return step("update request", [&]() -> absl::Status {
      tx_->exec_prepared(stmt::kUpdateRequest, q.id, q.extension_months, q.extension_reason,
                         optional_seconds(q.extend_time), optional_seconds(q.close_time),
                         q.closing_summary, q.closed_by,
                         optional_seconds(q.identification_asked_time),
                         optional_seconds(q.identification_time));
      return absl::OkStatus();
    });
  }

  absl::Status move_obligation(const domain::Obligation& o) override {
    return step("move obligation", [&]() -> absl::Status {
      tx_->exec_prepared(stmt::kMoveObligation, o.id, seconds(o.due_time),
                         seconds(o.legal_due_time), o.explanation, o.explanation_nl);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<int64_t> replan_step(const domain::ScheduledStep& st,
                                      domain::Instant now) override {
    return step("replan step", [&]() -> absl::StatusOr<int64_t> {
      const pqxx::result found = tx_->exec_prepared(
          stmt::kReplanStep, st.obligation_id, st.time.step, st.time.repetition, st.label,
          st.audience, seconds(st.time.fire_time), st.time.moved, seconds(now));
      if (found.empty()) return int64_t{0};
      wake_.insert(kStepChannel);
      return found[0][0].as<int64_t>();
    });
  }

  // Collected and written in one statement at commit.
  absl::Status append_audit(const domain::AuditRecord& r) override {
    audit_.push_back(r);
    return absl::OkStatus();
  }

  absl::Status commit() override {
    if (failed_) {
      return absl::AbortedError("commit: an earlier statement failed; nothing was committed");
    }
    return step<true>("commit", [&]() -> absl::Status {
      store::append_audit(*tx_, audit_, steps_);
      tx_->commit();
      if (!audit_.empty()) wake_.insert(kAuditChannel);
      for (const std::string& channel : wake_) wakeups_.wake(channel);
      return absl::OkStatus();
    });
  }

 private:
  // Writes that return nothing, held and sent together in one statement (kWriteHeld) before
  // the next statement or at commit: a notification's update, an obligation's close, the
  // cancelling of an obligation's reminders. Only the outbox's locks of a notification and
  // of an obligation go ahead of them, when they cannot see them, so that a batch of sent
  // notices is recorded with two round trips each, not five. A row is held once at most (one
  // statement changes a row once), and steps are never queued while writes are held, so the
  // order of the writes a transaction sees is the order they were made in.
  struct HeldWrites {
    std::map<int64_t, domain::Notification> notifications;
    std::map<int64_t, domain::Obligation> closes;
    std::set<int64_t> cancels;  // obligations whose pending steps and reminders are cancelled

    bool empty() const { return notifications.empty() && closes.empty() && cancels.empty(); }
    // Whether reading obligation `id` (its row, steps, notice state) could see a held write.
    bool touches_obligation(int64_t id) const {
      if (closes.contains(id) || cancels.contains(id)) return true;
      return std::any_of(notifications.begin(), notifications.end(),
                         [&](const auto& held) { return held.second.obligation_id == id; });
    }
    bool cancels_reminder(const domain::Notification& n) const {
      return n.kind == domain::NotificationKind::kReminder && cancels.contains(n.obligation_id);
    }
  };

  // Holds a write: steps queued before it are written first (they come before it).
  template <typename Body>
  absl::Status hold(std::string_view what, Body&& body) {
    if (failed_) return absl::AbortedError(std::string(what) + ": an earlier statement failed");
    return step<false, true>(what, [&]() -> absl::Status {
      body();
      return absl::OkStatus();
    });
  }

  void write_queued_steps() {
    if (steps_.empty()) return;
    store::append_audit(*tx_, {}, steps_);
    steps_.clear();
  }

  void write_held() {
    if (held_.empty()) return;
    PgArray n_id, n_state, n_attempts, n_next, n_error, n_message, n_recipients, n_reply, n_sent,
        n_ack, n_ack_by, o_id, o_state, o_closed, o_evidence, o_by, cancel;
    for (const auto& [id, n] : held_.notifications) {
      n_id.add(id);
      n_state.add(std::string(domain::name_of(n.state)));
      n_attempts.add(n.attempts);
      n_next.add(seconds(n.next_attempt_time));
      n_error.add(n.last_error);
      n_message.add(n.message_id);
      n_recipients.add(n.recipients);
      n_reply.add(n.server_reply);
      n_sent.add(optional_seconds(n.sent_time));
      n_ack.add(optional_seconds(n.ack_time));
      n_ack_by.add(n.ack_by);
    }
    for (const auto& [id, o] : held_.closes) {
      o_id.add(id);
      o_state.add(std::string(domain::name_of(o.state)));
      o_closed.add(seconds(o.closed_time.value()));
      o_evidence.add(o.evidence);
      o_by.add(o.closed_by);
    }
    for (const int64_t id : held_.cancels) cancel.add(id);
    held_ = {};
    tx_->exec_prepared(stmt::kWriteHeld, n_id.str(), n_state.str(), n_attempts.str(), n_next.str(),
                       n_error.str(), n_message.str(), n_recipients.str(), n_reply.str(),
                       n_sent.str(), n_ack.str(), n_ack_by.str(), o_id.str(), o_state.str(),
                       o_closed.str(), o_evidence.str(), o_by.str(), cancel.str());
  }

  PgPool::Lease lease_;
  std::unique_ptr<pqxx::work> tx_;  // declared after the lease: destroyed (rolled back) first
  bool failed_ = false;
  HeldWrites held_;
  std::vector<domain::AuditRecord> audit_;
  std::vector<domain::ScheduledStep> steps_;  // queue_steps(): written with the audit entries
  PgWakeups& wakeups_;
  std::set<std::string> wake_;  // channels whose workers this transaction gives work
};

}  // namespace

PgStore::PgStore(std::string url, int pool_size)
    : owned_pool_(std::make_unique<PgPool>(std::move(url), PgPoolOptions{.size = pool_size},
                                           prepare_statements)),
      pool_(*owned_pool_) {}

absl::StatusOr<std::unique_ptr<app::StoreTransaction>> PgStore::begin() {
  return guarded("begin", [&]() -> absl::StatusOr<std::unique_ptr<app::StoreTransaction>> {
    return std::make_unique<PgTransaction>(pool_.acquire(use_), pool_.wakeups());
  });
}

absl::StatusOr<app::RecordParties> PgStore::parties_of(std::string_view collection, int64_t id) {
  static const std::map<std::string_view, const char*> kStatements{
      {"incidents", stmt::kPartiesOfIncident},
      {"requests", stmt::kPartiesOfRequest},
      {"matters", stmt::kPartiesOfMatter},
      {"obligations", stmt::kPartiesOfObligation},
      {"notifications", stmt::kPartiesOfNotification}};
  const auto statement = kStatements.find(collection);
  if (statement == kStatements.end()) {
    return absl::InternalError("no parties query for " + std::string(collection));
  }
  const std::string name = std::string(collection) + "/" + std::to_string(id);
  return run_read<app::RecordParties>(
      "parties of", [&](auto& tx) -> absl::StatusOr<app::RecordParties> {
        const auto found = tx.exec_prepared(statement->second, id);
        if (found.empty()) return not_found(name);
        app::RecordParties parties{found[0][0].template as<std::string>(), {}};
        parties.notified =
            absl::StrSplit(found[0][1].template as<std::string>(), ',', absl::SkipEmpty());
        return parties;
      });
}

absl::StatusOr<std::optional<domain::Instant>> PgStore::next_notification_time() {
  return run_read<std::optional<domain::Instant>>("next notification time", [&](auto& tx) {
    return rows::optional_instant(tx.exec_prepared1(stmt::kNextNotificationTime)[0]);
  });
}

absl::StatusOr<std::optional<domain::Instant>> PgStore::next_step_time() {
  return run_read<std::optional<domain::Instant>>("next step time", [&](auto& tx) {
    return rows::optional_instant(tx.exec_prepared1(stmt::kNextStepTime)[0]);
  });
}

}  // namespace termijn::store
