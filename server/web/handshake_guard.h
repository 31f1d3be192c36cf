#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace termijn::web {

/// Bounds the TLS handshakes of the console's connections. cpp-httplib 0.11 bounds only the wait
/// for each next byte (5 s): a client that sent its hello a byte at a time, or nothing at all,
/// held its connection's thread for as long as it kept on, before any certificate was asked
/// for. Now a handshake must end within `limit` of its start, and one address may have at most
/// `per_address` under way at once (addresses in `exempt`, the trusted proxies, any number). A
/// handshake beyond either bound is cut off: its socket is shut down, which ends OpenSSL's wait.
class HandshakeGuard {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  HandshakeGuard(
      std::chrono::milliseconds limit, size_t per_address, std::vector<std::string> exempt = {},
      Clock clock = [] { return std::chrono::steady_clock::now(); });
  HandshakeGuard(const HandshakeGuard&) = delete;
  HandshakeGuard& operator=(const HandshakeGuard&) = delete;

  /// Follows every handshake of connections made with `ctx` (OpenSSL's info callback); the
  /// guard must outlive them.
  void install(SSL_CTX* ctx);

  /// Cuts off every handshake under way for longer than the limit. Called as connections are
  /// accepted: while none comes, nobody waits for a thread. Thread-safe.
  void cut_off_overdue();

  /// A handshake of `ssl`, on its socket, starts: cut off at once if its address has too many
  /// under way. Thread-safe. (install() calls these; tests may too.)
  void started(SSL* ssl);
  /// The handshake of `ssl` ended (done, or its SSL freed). Idempotent. Thread-safe.
  void ended(const SSL* ssl);

  /// Handshakes under way, cut off ones included until they end.
  size_t under_way() const;

 private:
  struct Handshake {
    std::chrono::steady_clock::time_point start;
    std::string address;
    int socket = -1;
    bool cut_off = false;
  };

  const std::chrono::milliseconds limit_;
  const size_t per_address_;
  const std::vector<std::string> exempt_;
  const Clock clock_;
  mutable std::mutex mutex_;
  std::map<const SSL*, Handshake> handshakes_;
  std::map<std::string, size_t> counts_;  // handshakes under way per address
};

}  // namespace termijn::web
