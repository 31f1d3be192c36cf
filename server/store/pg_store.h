#pragma once

#include <memory>
#include <string>

#include "server/app/store.h"
#include "server/store/pg_pool.h"

namespace termijn::store {

/// The system of record in PostgreSQL (libpqxx), through a pool of prepared connections.
class PgStore final : public app::Store {
 public:
  PgStore(std::string url, int pool_size);

  absl::StatusOr<std::unique_ptr<app::StoreTransaction>> begin() override;
  absl::StatusOr<domain::Incident> get_incident(int64_t id) override;
  absl::StatusOr<std::vector<domain::Incident>> list_incidents(const app::RecordFilter& f) override;
  absl::StatusOr<domain::Request> get_request(int64_t id, bool with_copy) override;
  absl::StatusOr<std::vector<domain::Request>> list_requests(const app::RecordFilter& f) override;
  absl::StatusOr<domain::Obligation> get_obligation(int64_t id) override;
  absl::StatusOr<std::vector<domain::Obligation>> list_obligations(
      const app::ObligationFilter& f) override;
  absl::StatusOr<app::RecordParties> parties_of(std::string_view collection,
                                                int64_t id) override;
  absl::StatusOr<std::vector<domain::Obligation>> obligations_of(int64_t incident_id,
                                                                  int64_t request_id) override;
  absl::StatusOr<domain::Notification> get_notification(int64_t id) override;
  absl::StatusOr<std::vector<domain::Notification>> list_notifications(
      const app::NotificationFilter& f) override;
  absl::StatusOr<std::optional<domain::Instant>> next_notification_time() override;
  absl::StatusOr<domain::ScheduledStep> get_step(int64_t id) override;
  absl::StatusOr<int> fired_steps_until(int64_t obligation_id, domain::Instant fire_time) override;
  absl::StatusOr<std::optional<domain::Instant>> next_step_time() override;

  PgPool& pool() { return pool_; }

 private:
  PgPool pool_;
};

}  // namespace termijn::store
