#pragma once

#include <absl/status/statusor.h>

#include <chrono>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include "server/app/clock.h"
#include "server/app/webhooks.h"
#include "server/config/config.h"
#include "server/domain/events.h"
#include "server/notify/webhook_sender.h"

namespace termijn::jobs {

/// Delivers the events of the stream to one configured webhook endpoint: fills the endpoint's
/// queue from the audit trail after its position (the events its party's DPO sees, through its
/// filter), then posts what is due, oldest first, one at a time, each attempt on record before
/// it is made. One dispatcher per endpoint, so that a slow or failing endpoint holds up no other.
class WebhookDispatcher {
 public:
  /// A page of events after a seq, as the endpoint's party sees them.
  struct Events {
    std::vector<domain::StreamEvent> events;
    int64_t last_seq = 0;  ///< the last audit event read
    bool full = false;     ///< more may follow at once
  };
  using ReadEvents = std::function<absl::StatusOr<Events>(const config::Webhook&, int64_t after)>;
  using ToJson = std::function<std::string(const domain::StreamEvent&)>;
  using Wait = std::function<void(std::chrono::milliseconds)>;

  WebhookDispatcher(const app::Clock& clock, config::Webhook endpoint, app::WebhookStore& store,
                    notify::WebhookSender& sender, ReadEvents read, ToJson to_json,
                    std::function<double()> random, Wait wait)
      : clock_(clock),
        endpoint_(std::move(endpoint)),
        store_(store),
        sender_(sender),
        read_(std::move(read)),
        to_json_(std::move(to_json)),
        random_(std::move(random)),
        wait_(std::move(wait)) {}

  /// Queues the events after the position; returns how many were queued.
  absl::StatusOr<int> fill();
  /// Makes one attempt at the oldest due delivery; false when none was due (or the sender is
  /// stopping: the delivery is given back uncounted). After the last failed attempt the
  /// endpoint's party's DPO is alerted through the outbox.
  absl::StatusOr<bool> deliver_one();
  /// Fills and delivers until `stop`, waiting for new events or the next retry in between.
  void run(std::stop_token stop);

 private:
  const app::Clock& clock_;
  const config::Webhook endpoint_;
  app::WebhookStore& store_;
  notify::WebhookSender& sender_;
  ReadEvents read_;
  ToJson to_json_;
  std::function<double()> random_;
  Wait wait_;
};

}  // namespace termijn::jobs
