#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace termijn::notify {

/// "t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>": the Termijn-Signature header,
/// signed as Stripe signs its webhooks.
std::string webhook_signature(std::string_view secret, int64_t unix_time, std::string_view body);

/// One POST of an event to an endpoint.
struct WebhookPost {
  std::string url;
  std::string secret;
  std::string ca_file;      ///< empty: the system's CA bundle
  std::string delivery_id;  ///< Termijn-Delivery: the same on every attempt
  std::string event_type;   ///< Termijn-Event
  std::string body;         ///< the event, proto3 JSON
  int64_t unix_time = 0;    ///< signed with the body
  std::chrono::seconds timeout{10};
};

struct WebhookResult {
  bool delivered = false;  ///< the endpoint answered 2xx
  long status = 0;         ///< the HTTP status; 0 when none came (network, timeout, TLS)
  std::string error;       ///< what went wrong, when not delivered
  bool stopped = false;    ///< not sent, or cut off, because the sender is stopping: no attempt
};

/// Posts webhooks; safe to call from several threads.
class WebhookSender {
 public:
  virtual ~WebhookSender() = default;
  virtual WebhookResult post(const WebhookPost& post) = 0;
};

/// Through libcurl: HTTPS with peer and host verification, a total timeout, no redirects.
class CurlWebhookSender final : public WebhookSender {
 public:
  WebhookResult post(const WebhookPost& post) override;
  /// Aborts posts in progress and refuses later ones at once (both `stopped`: no attempt, made
  /// after the restart): for shutdown.
  void stop() { stopped_ = true; }

 private:
  std::atomic<bool> stopped_{false};
};

}  // namespace termijn::notify
