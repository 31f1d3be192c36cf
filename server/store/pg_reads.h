#pragma once

#include <absl/status/statusor.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/app/store.h"
#include "server/store/pg_array.h"
#include "server/store/pg_rows.h"
#include "server/store/pg_webhook_store.h"
#include "server/store/statements.h"

namespace termijn::store {

// The reads of app::StoreReader, written once for both hosts: `Host::run(what, body)` runs
// `body(tx)` on the host's connection (PgStore: a pooled one; PgTransaction: its own).
template <typename Host, typename Interface>
class PgReads : public Interface {
 public:
  using Instant = domain::Instant;
  absl::StatusOr<domain::Incident> get_incident(int64_t id) override {
    return run<domain::Incident>("get incident", [&](auto& tx) -> absl::StatusOr<domain::Incident> {
      const auto found = tx.exec_prepared(stmt::kGetIncident, id);
      if (found.empty()) return rows::not_found("incidents/" + std::to_string(id));
      return rows::incident_from(found[0]);
    });
  }

  absl::StatusOr<app::IncidentRecord> incident_record(int64_t id) override {
    return run<app::IncidentRecord>(
        "get incident", [&](auto& tx) -> absl::StatusOr<app::IncidentRecord> {
          const auto found = tx.exec_prepared(stmt::kIncidentRecord, id);
          if (found.empty()) return rows::not_found("incidents/" + std::to_string(id));
          constexpr int kAt = kIncidentRecordObligationColumn;
          app::IncidentRecord record{rows::incident_from(found[0].slice(0, kAt)), {}};
          for (const pqxx::row& r : found) {
            if (r[kAt].is_null()) continue;  // no obligations
            record.obligations.push_back(rows::obligation_from(r.slice(kAt, r.size())));
          }
          return record;
        });
  }

  absl::StatusOr<std::vector<domain::Incident>> list_incidents(
      const app::RecordFilter& f) override {
    return run<std::vector<domain::Incident>>("list incidents", [&](auto& tx) {
      return rows::map_rows<domain::Incident>(
          tx.exec_prepared(stmt::kListIncidents, f.party, f.before_id, f.limit, f.viewer,
                           f.external_ref),
          rows::incident_from);
    });
  }

  absl::StatusOr<domain::Request> get_request(int64_t id, bool with_copy) override {
    return run<domain::Request>("get request", [&](auto& tx) -> absl::StatusOr<domain::Request> {
      const auto found =
          tx.exec_prepared(with_copy ? stmt::kGetRequestWithCopy : stmt::kGetRequest, id);
      if (found.empty()) return rows::not_found("requests/" + std::to_string(id));
      return rows::request_from(found[0], with_copy);
    });
  }

  absl::StatusOr<std::vector<domain::Request>> list_requests(const app::RecordFilter& f) override {
    return run<std::vector<domain::Request>>("list requests", [&](auto& tx) {
      return rows::map_rows<domain::Request>(
          tx.exec_prepared(stmt::kListRequests, f.party, f.before_id, f.limit, f.viewer,
                           f.external_ref),
          [](const pqxx::row& r) { return rows::request_from(r, false); });
    });
  }

  absl::StatusOr<domain::Matter> get_matter(int64_t id) override {
    return run<domain::Matter>("get matter", [&](auto& tx) -> absl::StatusOr<domain::Matter> {
      const auto found = tx.exec_prepared(stmt::kGetMatter, id);
      if (found.empty()) return rows::not_found("matters/" + std::to_string(id));
      return rows::matter_from(found[0]);
    });
  }

  absl::StatusOr<std::vector<domain::Matter>> list_matters(const app::RecordFilter& f) override {
    return run<std::vector<domain::Matter>>("list matters", [&](auto& tx) {
      return rows::map_rows<domain::Matter>(
          tx.exec_prepared(stmt::kListMatters, f.party, f.before_id, f.limit, f.viewer),
          rows::matter_from);
    });
  }

  absl::StatusOr<int64_t> find_external_ref(std::string_view collection, const std::string& party,
                                            const std::string& external_ref) override {
    const char* statement =
        collection == "incidents" ? stmt::kIncidentByExternalRef : stmt::kRequestByExternalRef;
    return run<int64_t>("find external_ref", [&](auto& tx) -> absl::StatusOr<int64_t> {
      const auto found = tx.exec_prepared(statement, party, external_ref);
      return found.empty() ? int64_t{0} : found[0][0].template as<int64_t>();
    });
  }

  absl::StatusOr<domain::Obligation> get_obligation(int64_t id) override {
    return run<domain::Obligation>("get obligation",
                                   [&](auto& tx) -> absl::StatusOr<domain::Obligation> {
                                     const auto found = tx.exec_prepared(stmt::kGetObligation, id);
                                     if (found.empty())
                                       return rows::not_found("obligations/" + std::to_string(id));
                                     return rows::obligation_from(found[0]);
                                   });
  }

  absl::StatusOr<std::vector<domain::Obligation>> list_obligations(
      const app::ObligationFilter& f) override {
    return run<std::vector<domain::Obligation>>("list obligations", [&](auto& tx) {
      const std::string due_before =
          f.due_before ? std::to_string(rows::seconds(*f.due_before)) : "";
      const std::string after_due = f.after ? std::to_string(rows::seconds(f.after->first)) : "";
      const int64_t after_id = f.after ? f.after->second : 0;
      return rows::map_rows<domain::Obligation>(
          tx.exec_prepared(stmt::kListObligations, f.include_closed, f.party, due_before, after_due,
                           after_id, f.limit, f.viewer, f.rule),
          rows::obligation_from);
    });
  }

  absl::StatusOr<std::vector<domain::Obligation>> obligations_of(int64_t incident_id,
                                                                 int64_t request_id,
                                                                 int64_t matter_id = 0) override {
    return run<std::vector<domain::Obligation>>("obligations of", [&](auto& tx) {
      return rows::map_rows<domain::Obligation>(
          tx.exec_prepared(stmt::kObligationsOf, incident_id, request_id, matter_id),
          rows::obligation_from);
    });
  }

  absl::StatusOr<domain::Notification> get_notification(int64_t id) override {
    return run<domain::Notification>(
        "get notification", [&](auto& tx) -> absl::StatusOr<domain::Notification> {
          const auto found = tx.exec_prepared(stmt::kGetNotification, id);
          if (found.empty()) return rows::not_found("notifications/" + std::to_string(id));
          return rows::notification_from(found[0]);
        });
  }

  absl::StatusOr<std::vector<domain::Notification>> list_notifications(
      const app::NotificationFilter& f) override {
    return run<std::vector<domain::Notification>>("list notifications", [&](auto& tx) {
      const std::string state = f.state ? std::string(domain::name_of(*f.state)) : "";
      return rows::map_rows<domain::Notification>(
          tx.exec_prepared(stmt::kListNotifications, f.party, state, f.before_id, f.limit,
                           f.obligation_id, f.viewer),
          rows::notification_from);
    });
  }

  absl::StatusOr<domain::ScheduledStep> get_step(int64_t id) override {
    return run<domain::ScheduledStep>("get step",
                                      [&](auto& tx) -> absl::StatusOr<domain::ScheduledStep> {
                                        const auto found = tx.exec_prepared(stmt::kGetStep, id);
                                        if (found.empty())
                                          return rows::not_found("step " + std::to_string(id));
                                        return rows::step_from(found[0]);
                                      });
  }

  absl::StatusOr<int> fired_steps_until(int64_t obligation_id, Instant fire_time) override {
    return run<int>("fired steps", [&](auto& tx) {
      return tx.exec_prepared1(stmt::kFiredStepsUntil, obligation_id, rows::seconds(fire_time))[0]
          .template as<int>();
    });
  }

  absl::StatusOr<std::vector<domain::FieldChange>> notification_changes(
      int64_t notification_id) override {
    return run<std::vector<domain::FieldChange>>("notification changes", [&](auto& tx) {
      return rows::map_rows<domain::FieldChange>(
          tx.exec_prepared(stmt::kNotificationChanges, notification_id),
          [](const pqxx::row& r) { return change_from(r, 0); });
    });
  }

  absl::StatusOr<app::NoticeSources> notice_sources(
      const std::vector<domain::Notification>& notifications) override {
    PgArray notices;
    PgArray obligations;
    for (const domain::Notification& n : notifications) {
      if (n.kind != domain::NotificationKind::kNotice || n.obligation_id == 0) continue;
      notices.add(static_cast<long long>(n.id));
      obligations.add(static_cast<long long>(n.obligation_id));
    }
    if (notices.empty()) return app::NoticeSources{};
    return run<app::NoticeSources>("notice sources", [&](auto& tx) {
      app::NoticeSources sources;
      for (const domain::Notification& n : notifications) {
        if (n.kind == domain::NotificationKind::kNotice && n.obligation_id != 0) {
          sources.notices.insert(n.id);
        }
      }
      // Reads the rows of `ids` (if any) into `into`, by id.
      const auto read = [&](const PgArray& ids, const char* statement, auto& into, auto from) {
        if (ids.empty()) return;
        for (const pqxx::row& r : tx.exec_prepared(statement, ids.str())) {
          auto row = from(r);
          into.emplace(row.id, std::move(row));
        }
      };
      read(obligations, stmt::kObligationsByIds, sources.obligations, rows::obligation_from);
      PgArray incidents;
      PgArray requests;
      PgArray matters;
      for (const auto& [id, o] : sources.obligations) {
        if (o.incident_id != 0) {
          incidents.add(static_cast<long long>(o.incident_id));
        } else if (o.matter_id != 0) {
          matters.add(static_cast<long long>(o.matter_id));
        } else {
          requests.add(static_cast<long long>(o.request_id));
        }
      }
      read(incidents, stmt::kIncidentsByIds, sources.incidents, rows::incident_from);
      read(requests, stmt::kRequestsWithCopyByIds, sources.requests,
           [](const pqxx::row& r) { return rows::request_from(r, /*with_copy=*/true); });
      read(matters, stmt::kMattersByIds, sources.matters, rows::matter_from);
      for (const pqxx::row& r : tx.exec_prepared(stmt::kChangesOfNotifications, notices.str())) {
        sources.changes[r[0].template as<int64_t>()].push_back(change_from(r, 1));
      }
      return sources;
    });
  }

  absl::StatusOr<domain::AuditCheckpoint> get_audit_checkpoint(int64_t id) override {
    return run<domain::AuditCheckpoint>(
        "get audit checkpoint", [&](auto& tx) -> absl::StatusOr<domain::AuditCheckpoint> {
          const auto found = tx.exec_prepared(stmt::kGetCheckpoint, id);
          if (found.empty()) return rows::not_found("auditCheckpoints/" + std::to_string(id));
          return rows::checkpoint_from(found[0]);
        });
  }

  absl::StatusOr<app::WebhookDelivery> get_webhook_delivery(int64_t id) override {
    return run<app::WebhookDelivery>(
        "get webhook delivery", [&](auto& tx) -> absl::StatusOr<app::WebhookDelivery> {
          const auto found = tx.exec_prepared(kGetWebhookDelivery, id);
          if (found.empty()) return rows::not_found("webhook delivery " + std::to_string(id));
          return webhook_delivery_from(found[0]);
        });
  }

  absl::StatusOr<std::vector<domain::Incident>> register_incidents(
      const app::RegisterFilter& f) override {
    return run<std::vector<domain::Incident>>("register incidents", [&](auto& tx) {
      return rows::map_rows<domain::Incident>(register_page(tx, stmt::kRegisterIncidents, f),
                                              rows::incident_from);
    });
  }

  absl::StatusOr<std::vector<domain::Request>> register_requests(
      const app::RegisterFilter& f) override {
    return run<std::vector<domain::Request>>("register requests", [&](auto& tx) {
      return rows::map_rows<domain::Request>(
          register_page(tx, stmt::kRegisterRequests, f),
          [](const pqxx::row& r) { return rows::request_from(r, false); });
    });
  }

  absl::StatusOr<std::vector<domain::Obligation>> obligations_of_all(
      std::string_view collection, const std::vector<int64_t>& ids) override {
    PgArray array;
    for (const int64_t id : ids) array.add(static_cast<long long>(id));
    const char* statement =
        collection == "incidents" ? stmt::kObligationsOfIncidents : stmt::kObligationsOfRequests;
    return run<std::vector<domain::Obligation>>("obligations of records", [&](auto& tx) {
      return rows::map_rows<domain::Obligation>(tx.exec_prepared(statement, array.str()),
                                                rows::obligation_from);
    });
  }

 private:
  /// The change in columns at, at + 1, at + 2: field, before, after.
  static domain::FieldChange change_from(const pqxx::row& r, int at) {
    return domain::FieldChange{r[at].template as<std::string>(),
                               r[at + 1].template as<std::string>(),
                               r[at + 2].template as<std::string>()};
  }

  template <typename Tx>
  static pqxx::result register_page(Tx& tx, const char* statement, const app::RegisterFilter& f) {
    const std::string after = f.after ? std::to_string(rows::seconds(f.after->first)) : "";
    return tx.exec_prepared(statement, f.party, rows::seconds(f.from), rows::seconds(f.to), after,
                            f.after ? f.after->second : int64_t{0}, f.limit);
  }

  template <typename Result, typename Body>
  absl::StatusOr<Result> run(std::string_view what, Body&& body) {
    return static_cast<Host&>(*this).template run_read<Result>(what, std::forward<Body>(body));
  }
};

}  // namespace termijn::store
