#include "server/store/pg_store.h"

#include <absl/strings/str_split.h>

#include <map>

#include <pqxx/pqxx>

#include <sstream>

#include "server/store/pg_array.h"
#include "server/store/pg_status.h"
#include "server/store/statements.h"

namespace termijn::store {

namespace {

using domain::Instant;

int64_t seconds(Instant t) { return t.time_since_epoch().count(); }
Instant instant(const pqxx::field& f) { return Instant{std::chrono::seconds{f.as<int64_t>()}}; }
std::optional<Instant> optional_instant(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return instant(f);
}

template <typename Enum>
Enum enum_field(const pqxx::field& f) {
  const auto value = domain::parse_name<Enum>(f.as<std::string>());
  if (!value) throw std::runtime_error("unexpected value in column " + std::string(f.name()));
  return *value;
}

template <typename Enum>
std::string join_names(const std::vector<Enum>& values) {
  std::string joined;
  for (const Enum v : values) {
    if (!joined.empty()) joined += ',';
    joined += domain::name_of(v);
  }
  return joined;
}

template <typename Enum>
std::vector<Enum> split_names(const pqxx::field& f) {
  std::vector<Enum> out;
  std::istringstream names(f.as<std::string>());
  for (std::string name; std::getline(names, name, ',');) {
    if (auto v = domain::parse_name<Enum>(name)) out.push_back(*v);
  }
  return out;
}

domain::Incident incident_from(const pqxx::row& r) {
  domain::Incident i;
  i.id = r[0].as<int64_t>();
  i.party = r[1].as<std::string>();
  i.aware_time = instant(r[2]);
  i.occurred_time = optional_instant(r[3]);
  i.title = r[4].as<std::string>();
  i.description = r[5].as<std::string>();
  i.categories = split_names<domain::DataCategory>(r[6]);
  i.subject_groups = split_names<domain::SubjectGroup>(r[7]);
  if (!r[8].is_null()) i.subject_count = r[8].as<int64_t>();
  i.risk = enum_field<domain::Risk>(r[9]);
  i.ticket_ref = r[10].as<std::string>();
  i.reported_by = r[11].as<std::string>();
  i.create_time = instant(r[12]);
  return i;
}

domain::Request request_from(const pqxx::row& r, bool with_copy) {
  domain::Request q;
  q.id = r[0].as<int64_t>();
  q.party = r[1].as<std::string>();
  q.kind = enum_field<domain::RequestKind>(r[2]);
  q.receive_time = instant(r[3]);
  q.summary = r[4].as<std::string>();
  if (!r[7].is_null()) {
    domain::Attachment copy;
    copy.file_name = r[5].as<std::string>();
    copy.media_type = r[6].as<std::string>();
    copy.sha256 = r[7].as<std::string>();
    copy.size = r[8].as<int64_t>();
    if (with_copy) copy.bytes = pqxx::binarystring(r[11]).str();
    q.copy = std::move(copy);
  }
  q.logged_by = r[9].as<std::string>();
  q.create_time = instant(r[10]);
  return q;
}

domain::Obligation obligation_from(const pqxx::row& r) {
  domain::Obligation o;
  o.id = r[0].as<int64_t>();
  o.incident_id = r[1].as<int64_t>();
  o.request_id = r[2].as<int64_t>();
  o.rule = r[3].as<std::string>();
  o.legal_basis = r[4].as<std::string>();
  o.owner_party = r[5].as<std::string>();
  o.recipient_kind = enum_field<domain::RecipientKind>(r[6]);
  o.recipient_party = r[7].as<std::string>();
  o.start_time = instant(r[8]);
  o.due_time = instant(r[9]);
  o.legal_due_time = instant(r[10]);
  o.explanation = r[11].as<std::string>();
  o.state = enum_field<domain::ObligationState>(r[12]);
  o.closed_time = optional_instant(r[13]);
  o.evidence = r[14].as<std::string>();
  o.closed_by = r[15].as<std::string>();
  o.notice_state = r[16].as<std::string>();
  o.next_step_time = optional_instant(r[17]);
  o.next_step = r[18].as<std::string>();
  o.escalation_level = r[19].as<int>();
  return o;
}

domain::ScheduledStep step_from(const pqxx::row& r) {
  domain::ScheduledStep s;
  s.id = r[0].as<int64_t>();
  s.obligation_id = r[1].as<int64_t>();
  s.time.step = r[2].as<int>();
  s.time.repetition = r[3].as<int>();
  s.label = r[4].as<std::string>();
  s.audience = r[5].as<std::string>();
  s.time.fire_time = instant(r[6]);
  s.time.moved = r[7].as<bool>();
  s.state = r[8].as<std::string>();
  return s;
}

domain::Notification notification_from(const pqxx::row& r) {
  domain::Notification n;
  n.id = r[0].as<int64_t>();
  n.obligation_id = r[1].as<int64_t>();
  n.kind = enum_field<domain::NotificationKind>(r[2]);
  n.state = enum_field<domain::NotificationState>(r[3]);
  n.attempts = r[4].as<int>();
  n.next_attempt_time = instant(r[5]);
  n.last_error = r[6].as<std::string>();
  n.message_id = r[7].as<std::string>();
  n.recipients = r[8].as<std::string>();
  n.server_reply = r[9].as<std::string>();
  n.sent_time = optional_instant(r[10]);
  n.ack_time = optional_instant(r[11]);
  n.ack_by = r[12].as<std::string>();
  n.create_time = instant(r[13]);
  n.escalation_step_id = r[14].as<int64_t>();
  return n;
}

std::string optional_seconds(const std::optional<Instant>& t) {
  return t ? std::to_string(seconds(*t)) : "";
}

template <typename T, typename Map>
std::vector<T> map_rows(const pqxx::result& rows, Map map) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(map(row));
  return out;
}

absl::Status not_found(const std::string& name) {
  return absl::NotFoundError(name + " does not exist");
}

class PgTransaction final : public app::StoreTransaction {
 public:
  explicit PgTransaction(PgPool::Lease lease)
      : lease_(std::move(lease)), tx_(std::make_unique<pqxx::work>(*lease_)) {}

  // Like guarded(), and remembers a failed statement: PostgreSQL has then rolled the
  // transaction back, so commit() must not report success.
  template <typename Body>
  auto step(std::string_view what, Body&& body) -> decltype(body()) {
    try {
      return body();
    } catch (const std::exception& e) {
      failed_ = true;
      return to_status(e, what);
    }
  }

  absl::StatusOr<int64_t> insert_incident(const domain::Incident& i) override {
    return step("insert incident", [&]() -> absl::StatusOr<int64_t> {
      const std::string occurred =
          i.occurred_time ? std::to_string(seconds(*i.occurred_time)) : "";
      return tx_->exec_prepared1(stmt::kInsertIncident, i.party, seconds(i.aware_time), occurred,
                                 i.title, i.description, join_names(i.categories),
                                 join_names(i.subject_groups), i.subject_count.value_or(0),
                                 std::string(domain::name_of(i.risk)), i.ticket_ref,
                                 i.reported_by, seconds(i.create_time))[0]
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
          q.copy ? tx_->exec_prepared1(stmt::kInsertRequest, q.party, kind,
                                       seconds(q.receive_time), q.summary, c.file_name,
                                       c.media_type, c.sha256, c.size, content, q.logged_by,
                                       seconds(q.create_time))
                 : tx_->exec_prepared1(stmt::kInsertRequest, q.party, kind,
                                       seconds(q.receive_time), q.summary, c.file_name,
                                       c.media_type, c.sha256, c.size, nullptr, q.logged_by,
                                       seconds(q.create_time));
      return row[0].as<int64_t>();
    });
  }

  absl::StatusOr<int64_t> insert_obligation(const domain::Obligation& o) override {
    return step("insert obligation", [&]() -> absl::StatusOr<int64_t> {
      return tx_->exec_prepared1(stmt::kInsertObligation, o.incident_id, o.request_id, o.rule,
                                 o.legal_basis, o.owner_party,
                                 std::string(domain::name_of(o.recipient_kind)),
                                 o.recipient_party, seconds(o.start_time), seconds(o.due_time),
                                 seconds(o.legal_due_time), o.explanation)[0]
          .as<int64_t>();
    });
  }

  absl::StatusOr<domain::Obligation> lock_obligation(int64_t id) override {
    return step("lock obligation", [&]() -> absl::StatusOr<domain::Obligation> {
      const pqxx::result rows = tx_->exec_prepared(stmt::kLockObligation, id);
      if (rows.empty()) return not_found("obligations/" + std::to_string(id));
      return obligation_from(rows[0]);
    });
  }

  absl::Status close_obligation(const domain::Obligation& o) override {
    return step("close obligation", [&]() -> absl::Status {
      tx_->exec_prepared(stmt::kCloseObligation, o.id, std::string(domain::name_of(o.state)),
                         seconds(o.closed_time.value()), o.evidence, o.closed_by);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<int64_t> insert_notification(const domain::Notification& n) override {
    return step("insert notification", [&]() -> absl::StatusOr<int64_t> {
      const int64_t id =
          tx_->exec_prepared1(stmt::kInsertNotification, n.obligation_id,
                              std::string(domain::name_of(n.kind)),
                              std::string(domain::name_of(n.state)),
                              seconds(n.next_attempt_time), seconds(n.create_time),
                              n.escalation_step_id)[0]
              .as<int64_t>();
      if (n.state == domain::NotificationState::kPending) tx_->exec_prepared(stmt::kWakeDispatchers);
      return id;
    });
  }

  absl::StatusOr<std::optional<domain::Notification>> claim_notification(Instant now) override {
    return step("claim notification", [&]() -> absl::StatusOr<std::optional<domain::Notification>> {
      const pqxx::result rows = tx_->exec_prepared(stmt::kClaimNotification, seconds(now));
      if (rows.empty()) return std::optional<domain::Notification>();
      return std::optional<domain::Notification>(notification_from(rows[0]));
    });
  }

  absl::StatusOr<domain::Notification> lock_notification(int64_t id) override {
    return step("lock notification", [&]() -> absl::StatusOr<domain::Notification> {
      const pqxx::result rows = tx_->exec_prepared(stmt::kLockNotification, id);
      if (rows.empty()) return not_found("notifications/" + std::to_string(id));
      return notification_from(rows[0]);
    });
  }

  absl::Status update_notification(const domain::Notification& n) override {
    return step("update notification", [&]() -> absl::Status {
      tx_->exec_prepared(stmt::kUpdateNotification, n.id, std::string(domain::name_of(n.state)),
                         n.attempts, seconds(n.next_attempt_time), n.last_error, n.message_id,
                         n.recipients, n.server_reply, optional_seconds(n.sent_time),
                         optional_seconds(n.ack_time), n.ack_by);
      if (n.state == domain::NotificationState::kPending) tx_->exec_prepared(stmt::kWakeDispatchers);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<int64_t> insert_step(const domain::ScheduledStep& st) override {
    return step("insert step", [&]() -> absl::StatusOr<int64_t> {
      const pqxx::result rows = tx_->exec_prepared(
          stmt::kInsertStep, st.obligation_id, st.time.step, st.time.repetition, st.label,
          st.audience, seconds(st.time.fire_time), st.time.moved);
      if (rows.empty()) return int64_t{0};
      if (!woke_schedulers_) {
        tx_->exec_prepared(stmt::kWakeSchedulers);
        woke_schedulers_ = true;
      }
      return rows[0][0].as<int64_t>();
    });
  }

  absl::StatusOr<std::optional<domain::ScheduledStep>> claim_step(Instant now) override {
    return step("claim step", [&]() -> absl::StatusOr<std::optional<domain::ScheduledStep>> {
      const pqxx::result rows = tx_->exec_prepared(stmt::kClaimStep, seconds(now));
      if (rows.empty()) return std::optional<domain::ScheduledStep>();
      return std::optional<domain::ScheduledStep>(step_from(rows[0]));
    });
  }

  absl::StatusOr<std::vector<domain::ScheduledStep>> due_steps(int64_t obligation_id,
                                                               Instant now) override {
    return step("due steps", [&]() -> absl::StatusOr<std::vector<domain::ScheduledStep>> {
      return map_rows<domain::ScheduledStep>(
          tx_->exec_prepared(stmt::kDueSteps, obligation_id, seconds(now)), step_from);
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
    return step("cancel escalation", [&]() -> absl::Status {
      tx_->exec_prepared(stmt::kCancelSteps, obligation_id);
      tx_->exec_prepared(stmt::kCancelReminders, obligation_id);
      return absl::OkStatus();
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
    return step("commit", [&]() -> absl::Status {
      if (!audit_.empty()) {
        PgArray time, principal, party, action, subject, related, details;
        for (const domain::AuditRecord& r : audit_) {
          time.add(seconds(r.time));
          principal.add(r.principal);
          party.add(r.party);
          action.add(r.action);
          subject.add(r.subject);
          related.add(r.related);
          details.add(r.details);
        }
        tx_->exec_prepared(stmt::kAppendAudit, time.str(), principal.str(), party.str(),
                           action.str(), subject.str(), related.str(), details.str());
      }
      tx_->commit();
      return absl::OkStatus();
    });
  }

 private:
  PgPool::Lease lease_;
  std::unique_ptr<pqxx::work> tx_;  // declared after the lease: destroyed (rolled back) first
  bool failed_ = false;
  bool woke_schedulers_ = false;
  std::vector<domain::AuditRecord> audit_;
};

}  // namespace

PgStore::PgStore(std::string url, int pool_size)
    : pool_(std::move(url), pool_size, prepare_statements) {}

absl::StatusOr<std::unique_ptr<app::StoreTransaction>> PgStore::begin() {
  return guarded("begin", [&]() -> absl::StatusOr<std::unique_ptr<app::StoreTransaction>> {
    return std::make_unique<PgTransaction>(pool_.acquire());
  });
}


absl::StatusOr<domain::Incident> PgStore::get_incident(int64_t id) {
  return read_only<domain::Incident>(pool_, "get incident",
                                [&](auto& tx) -> absl::StatusOr<domain::Incident> {
                                  const auto rows = tx.exec_prepared(stmt::kGetIncident, id);
                                  if (rows.empty()) {
                                    return not_found("incidents/" + std::to_string(id));
                                  }
                                  return incident_from(rows[0]);
                                });
}

absl::StatusOr<std::vector<domain::Incident>> PgStore::list_incidents(const app::RecordFilter& f) {
  return read_only<std::vector<domain::Incident>>(pool_, "list incidents", [&](auto& tx) {
    return map_rows<domain::Incident>(
        tx.exec_prepared(stmt::kListIncidents, f.party, f.before_id, f.limit, f.viewer), incident_from);
  });
}

absl::StatusOr<domain::Request> PgStore::get_request(int64_t id, bool with_copy) {
  return read_only<domain::Request>(
      pool_, "get request", [&](auto& tx) -> absl::StatusOr<domain::Request> {
        const auto rows =
            tx.exec_prepared(with_copy ? stmt::kGetRequestWithCopy : stmt::kGetRequest, id);
        if (rows.empty()) return not_found("requests/" + std::to_string(id));
        return request_from(rows[0], with_copy);
      });
}

absl::StatusOr<std::vector<domain::Request>> PgStore::list_requests(const app::RecordFilter& f) {
  return read_only<std::vector<domain::Request>>(pool_, "list requests", [&](auto& tx) {
    return map_rows<domain::Request>(
        tx.exec_prepared(stmt::kListRequests, f.party, f.before_id, f.limit, f.viewer),
        [](const pqxx::row& r) { return request_from(r, false); });
  });
}

absl::StatusOr<domain::Obligation> PgStore::get_obligation(int64_t id) {
  return read_only<domain::Obligation>(pool_, "get obligation",
                                  [&](auto& tx) -> absl::StatusOr<domain::Obligation> {
                                    const auto rows = tx.exec_prepared(stmt::kGetObligation, id);
                                    if (rows.empty()) {
                                      return not_found("obligations/" + std::to_string(id));
                                    }
                                    return obligation_from(rows[0]);
                                  });
}

absl::StatusOr<std::vector<domain::Obligation>> PgStore::list_obligations(
    const app::ObligationFilter& f) {
  return read_only<std::vector<domain::Obligation>>(pool_, "list obligations", [&](auto& tx) {
    const std::string due_before = f.due_before ? std::to_string(seconds(*f.due_before)) : "";
    const std::string after_due = f.after ? std::to_string(seconds(f.after->first)) : "";
    const int64_t after_id = f.after ? f.after->second : 0;
    return map_rows<domain::Obligation>(
        tx.exec_prepared(stmt::kListObligations, f.include_closed, f.party, due_before, after_due,
                         after_id, f.limit, f.viewer),
        obligation_from);
  });
}

absl::StatusOr<app::RecordParties> PgStore::parties_of(std::string_view collection, int64_t id) {
  static const std::map<std::string_view, const char*> kStatements{
      {"incidents", stmt::kPartiesOfIncident},
      {"requests", stmt::kPartiesOfRequest},
      {"obligations", stmt::kPartiesOfObligation},
      {"notifications", stmt::kPartiesOfNotification}};
  const auto statement = kStatements.find(collection);
  if (statement == kStatements.end()) {
    return absl::InternalError("no parties query for " + std::string(collection));
  }
  const std::string name = std::string(collection) + "/" + std::to_string(id);
  return read_only<app::RecordParties>(
      pool_, "parties of", [&](auto& tx) -> absl::StatusOr<app::RecordParties> {
        const auto rows = tx.exec_prepared(statement->second, id);
        if (rows.empty()) return not_found(name);
        app::RecordParties parties{rows[0][0].template as<std::string>(), {}};
        parties.notified = absl::StrSplit(rows[0][1].template as<std::string>(), ',',
                                          absl::SkipEmpty());
        return parties;
      });
}

absl::StatusOr<std::vector<domain::Obligation>> PgStore::obligations_of(int64_t incident_id,
                                                                         int64_t request_id) {
  return read_only<std::vector<domain::Obligation>>(pool_, "obligations of", [&](auto& tx) {
    return map_rows<domain::Obligation>(
        tx.exec_prepared(stmt::kObligationsOf, incident_id, request_id), obligation_from);
  });
}

absl::StatusOr<domain::Notification> PgStore::get_notification(int64_t id) {
  return read_only<domain::Notification>(
      pool_, "get notification", [&](auto& tx) -> absl::StatusOr<domain::Notification> {
        const auto rows = tx.exec_prepared(stmt::kGetNotification, id);
        if (rows.empty()) return not_found("notifications/" + std::to_string(id));
        return notification_from(rows[0]);
      });
}

absl::StatusOr<std::vector<domain::Notification>> PgStore::list_notifications(
    const app::NotificationFilter& f) {
  return read_only<std::vector<domain::Notification>>(pool_, "list notifications", [&](auto& tx) {
    const std::string state = f.state ? std::string(domain::name_of(*f.state)) : "";
    return map_rows<domain::Notification>(
        tx.exec_prepared(stmt::kListNotifications, f.party, state, f.before_id, f.limit,
                         f.obligation_id, f.viewer),
        notification_from);
  });
}

absl::StatusOr<std::optional<domain::Instant>> PgStore::next_notification_time() {
  return read_only<std::optional<domain::Instant>>(pool_, "next notification time", [&](auto& tx) {
    return optional_instant(tx.exec_prepared1(stmt::kNextNotificationTime)[0]);
  });
}

absl::StatusOr<domain::ScheduledStep> PgStore::get_step(int64_t id) {
  return read_only<domain::ScheduledStep>(pool_, "get step",
                                     [&](auto& tx) -> absl::StatusOr<domain::ScheduledStep> {
                                       const auto rows = tx.exec_prepared(stmt::kGetStep, id);
                                       if (rows.empty()) {
                                         return not_found("step " + std::to_string(id));
                                       }
                                       return step_from(rows[0]);
                                     });
}

absl::StatusOr<int> PgStore::fired_steps_until(int64_t obligation_id, domain::Instant fire_time) {
  return read_only<int>(pool_, "fired steps", [&](auto& tx) {
    return tx.exec_prepared1(stmt::kFiredStepsUntil, obligation_id, seconds(fire_time))[0]
        .template as<int>();
  });
}

absl::StatusOr<std::optional<domain::Instant>> PgStore::next_step_time() {
  return read_only<std::optional<domain::Instant>>(pool_, "next step time", [&](auto& tx) {
    return optional_instant(tx.exec_prepared1(stmt::kNextStepTime)[0]);
  });
}

}  // namespace termijn::store
