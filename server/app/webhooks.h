#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/domain/time.h"

namespace termijn::app {

/// One event for one endpoint (table webhook_delivery).
struct WebhookDelivery {
  int64_t id = 0;
  std::string endpoint;
  int64_t seq = 0;
  std::string event_type;
  std::string body;               ///< the event, proto3 JSON, as posted on every attempt
  std::string state = "pending";  ///< pending, delivered, failed
  int attempts = 0;
  domain::Instant next_attempt_time{};
  int last_status = 0;
  std::string last_error;
  std::optional<domain::Instant> delivered_time;
  domain::Instant create_time{};

  /// Termijn-Delivery: "<endpoint>/<seq>", the same on every attempt and redelivery.
  std::string delivery_id() const { return endpoint + "/" + std::to_string(seq); }
  /// "webhooks/<endpoint>/<seq>": how the audit trail names it.
  std::string name() const { return "webhooks/" + delivery_id(); }
};

/// The durable webhook queue. Several termijnd processes may share it.
class WebhookStore {
 public:
  virtual ~WebhookStore() = default;
  /// The last seq the queue of `endpoint` was filled up to; 0 before the first fill.
  virtual absl::StatusOr<int64_t> position(const std::string& endpoint) = 0;
  /// Adds `rows` (those already queued are left as they are) and moves the position of
  /// `endpoint` from `from` to `to`, in one transaction; false (nothing changed) when another
  /// process moved the position first.
  virtual absl::StatusOr<bool> enqueue(const std::string& endpoint, int64_t from, int64_t to,
                                       const std::vector<WebhookDelivery>& rows) = 0;
  /// The oldest pending delivery of `endpoint`, if it is due at `now` and no process holds it:
  /// counts the attempt and holds it until `lease_until`. Deliveries go out in seq order: a
  /// later one waits while an earlier one is pending.
  virtual absl::StatusOr<std::optional<WebhookDelivery>> claim(const std::string& endpoint,
                                                               domain::Instant now,
                                                               domain::Instant lease_until) = 0;
  /// Records the outcome of the attempt claimed last and releases the lease. A delivery that
  /// failed for good queues, in the same transaction, the mail that tells the DPO of
  /// `alert_party` (an outbox row of kind webhook-alert, on the audit trail).
  virtual absl::Status record(const WebhookDelivery& delivery, const std::string& alert_party) = 0;
  /// Gives the attempt claimed last back untried (termijnd is stopping): not counted, the lease
  /// released, due as before.
  virtual absl::Status release(const WebhookDelivery& delivery) = 0;
  /// The deliveries to `endpoints` (to every endpoint when empty) in `state` (all when empty),
  /// newest first.
  virtual absl::StatusOr<std::vector<WebhookDelivery>> deliveries(
      const std::vector<std::string>& endpoints, const std::string& state, int limit) = 0;
  /// Queues the delivery of event `seq` to `endpoint` again (pending, due now, attempts from 0);
  /// NOT_FOUND when there is none.
  virtual absl::StatusOr<WebhookDelivery> redeliver(const std::string& endpoint, int64_t seq,
                                                    domain::Instant now) = 0;
};

}  // namespace termijn::app
