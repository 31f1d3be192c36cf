#include "server/jobs/webhook_dispatcher.h"

#include <spdlog/spdlog.h>

#include "server/domain/retry.h"

namespace termijn::jobs {

namespace {

// Longer than any attempt (timeouts are at most 300 s): another process takes a delivery over
// only when the one that held it died.
constexpr std::chrono::seconds kLease{330};
// New events wake the dispatcher (NOTIFY); this bounds the wait when a notification is lost and
// lets retries fall due.
constexpr std::chrono::milliseconds kIdle{1000};

}  // namespace

absl::StatusOr<int> WebhookDispatcher::fill() {
  int queued = 0;
  while (true) {
    const auto from = store_.position(endpoint_.name);
    if (!from.ok()) return from.status();
    const auto page = read_(endpoint_, *from);
    if (!page.ok()) return page.status();
    if (page->last_seq == *from) return queued;
    std::vector<app::WebhookDelivery> rows;
    const domain::Instant now = clock_.now();
    for (const domain::StreamEvent& e : page->events) {
      app::WebhookDelivery d;
      d.endpoint = endpoint_.name;
      d.seq = e.seq;
      d.event_type = e.type;
      d.body = to_json_(e);
      d.create_time = now;
      rows.push_back(std::move(d));
    }
    const auto moved = store_.enqueue(endpoint_.name, *from, page->last_seq, rows);
    if (!moved.ok()) return moved.status();
    if (*moved) queued += static_cast<int>(rows.size());
    if (!page->full) return queued;
  }
}

absl::StatusOr<bool> WebhookDispatcher::deliver_one() {
  const domain::Instant now = clock_.now();
  const auto claimed = store_.claim(endpoint_.name, now, now + kLease);
  if (!claimed.ok()) return claimed.status();
  if (!*claimed) return false;
  app::WebhookDelivery d = **claimed;
  const notify::WebhookResult result = sender_.post(
      {endpoint_.url, endpoint_.secret, endpoint_.ca_file, d.delivery_id(), d.event_type, d.body,
       static_cast<int64_t>(clock_.now().time_since_epoch().count()),
       std::chrono::seconds{endpoint_.timeout_seconds}});
  if (result.stopped) {
    spdlog::info("webhook {}: delivery {} not sent, termijnd is stopping; it goes out after the "
                 "restart",
                 endpoint_.name, d.delivery_id());
    if (auto s = store_.release(d); !s.ok()) return s;  // else the lease brings it back
    return false;
  }
  d.last_status = static_cast<int>(result.status);
  d.last_error = result.error;
  const domain::Instant after = clock_.now();
  if (result.delivered) {
    d.state = "delivered";
    d.delivered_time = after;
    d.next_attempt_time = after;
  } else if (d.attempts >= endpoint_.max_attempts) {
    d.state = "failed";
    d.next_attempt_time = after;
  } else {
    const domain::RetryPolicy policy{endpoint_.max_attempts,
                                     std::chrono::seconds{endpoint_.retry_initial_seconds},
                                     std::chrono::seconds{endpoint_.retry_max_seconds}};
    d.next_attempt_time = after + domain::retry_delay(policy, d.attempts, random_());
  }
  if (auto s = store_.record(d, endpoint_.party); !s.ok()) return s;
  if (d.state == "failed") {
    spdlog::error("webhook {}: delivery {} failed after {} attempts: {}", endpoint_.name,
                  d.delivery_id(), d.attempts, d.last_error);
  } else if (!result.delivered) {
    spdlog::warn("webhook {}: delivery {} attempt {} failed ({}); next at {}", endpoint_.name,
                 d.delivery_id(), d.attempts, d.last_error,
                 domain::format_utc(d.next_attempt_time));
  }
  return true;
}

void WebhookDispatcher::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    if (const auto queued = fill(); !queued.ok()) {
      spdlog::error("webhook {}: {}", endpoint_.name, queued.status().ToString());
    }
    while (!stop.stop_requested()) {
      const auto delivered = deliver_one();
      if (!delivered.ok()) {
        spdlog::error("webhook {}: {}", endpoint_.name, delivered.status().ToString());
        break;
      }
      if (!*delivered) break;
    }
    wait_(kIdle);
  }
}

}  // namespace termijn::jobs
