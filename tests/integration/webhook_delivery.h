#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

#include "server/app/webhooks.h"
#include "server/domain/time.h"
#include "server/store/pg_webhook_store.h"

namespace termijn::testing {

/// Queues event `seq` for endpoint "tickets" and claims it at `now`: the attempt a dispatcher
/// makes, returned as answered HTTP 500 for the last time (state "failed"), ready to record.
inline app::WebhookDelivery failed_attempt(store::PgWebhookStore& webhooks, domain::Instant now,
                                           int64_t seq) {
  app::WebhookDelivery d;
  d.endpoint = "tickets";
  d.seq = seq;
  d.event_type = "incident.reported";
  d.body = "{}";
  d.create_time = now;
  const auto from = webhooks.position("tickets");
  EXPECT_TRUE(from.ok()) << from.status();
  const auto moved = webhooks.enqueue("tickets", *from, seq, {d});
  EXPECT_TRUE(moved.ok() && *moved);
  const auto found = webhooks.claim("tickets", now, now + std::chrono::minutes(5));
  EXPECT_TRUE(found.ok() && found->has_value());
  app::WebhookDelivery out = **found;
  out.state = "failed";
  out.last_status = 500;
  out.last_error = "HTTP 500";
  out.next_attempt_time = now;
  return out;
}

}  // namespace termijn::testing
