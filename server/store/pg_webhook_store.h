#pragma once

#include <pqxx/connection>

#include "server/app/webhooks.h"
#include "server/store/pg_pool.h"

namespace termijn::store {

/// webhook_delivery and webhook_position in PostgreSQL (migration 0016).
class PgWebhookStore final : public app::WebhookStore {
 public:
  explicit PgWebhookStore(PgPool& pool, PgPool::Use use = PgPool::Use::kBackground)
      : pool_(pool), use_(use) {}

  absl::StatusOr<int64_t> position(const std::string& endpoint) override;
  absl::StatusOr<bool> enqueue(const std::string& endpoint, int64_t from, int64_t to,
                               const std::vector<app::WebhookDelivery>& rows) override;
  absl::StatusOr<std::optional<app::WebhookDelivery>> claim(const std::string& endpoint,
                                                            domain::Instant now,
                                                            domain::Instant lease_until) override;
  absl::Status record(const app::WebhookDelivery& delivery,
                      const std::string& alert_party) override;
  absl::Status release(const app::WebhookDelivery& d) override;
  absl::StatusOr<std::vector<app::WebhookDelivery>> deliveries(
      const std::vector<std::string>& endpoints, const std::string& state, int limit) override;
  absl::StatusOr<app::WebhookDelivery> redeliver(const std::string& endpoint, int64_t seq,
                                                 domain::Instant now) override;

 private:
  PgPool& pool_;
  const PgPool::Use use_;
};

/// Prepares the statements above on `connection` (called by prepare_statements).
void prepare_webhook_statements(pqxx::connection& connection);

/// The statement that reads one delivery by id ($1), for webhook_delivery_from.
inline constexpr const char* kGetWebhookDelivery = "webhook_get_delivery";
app::WebhookDelivery webhook_delivery_from(const pqxx::row& row);

}  // namespace termijn::store
