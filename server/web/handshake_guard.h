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

/// The IP address of the peer of `socket` (an IPv4 client of a dual-stack socket as IPv4), ""
/// for a socket that has none.
std::string peer_address(int socket);

/// Bounds the TLS handshakes of the console's connections. cpp-httplib 0.11 bounds only the wait
/// for each next byte (5 s): a client that sent its hello a byte at a time, or nothing at all,
/// held its connection's thread for as long as it kept on, before any certificate was asked
/// for. Now a handshake must end within `limit` of its start, one address may have at most
/// `per_address` under way at once (addresses in `exempt`, the trusted proxies, any number;
/// an IPv6 address counts with its /64, which one client has whole), and all addresses together
/// at most `in_all`: beyond that, the oldest is cut off to make room, so that clients at many
/// addresses cannot take every thread either. A handshake is cut off by shutting down its
/// socket, which ends OpenSSL's wait, and logged as a warning: ten lines a minute at most, then
/// one that counts the rest.
class HandshakeGuard {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  struct Bounds {
    std::chrono::milliseconds limit;
    size_t per_address;
    size_t in_all;
  };

  HandshakeGuard(
      Bounds bounds, std::vector<std::string> exempt = {},
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
  /// under way; the oldest is cut off if all addresses have. Thread-safe. (install() calls
  /// these; tests may too.)
  void started(SSL* ssl);
  /// The handshake of `ssl` ended (done, or its SSL freed). Idempotent. Thread-safe.
  void ended(const SSL* ssl);

  /// Handshakes under way, cut off ones included until they end.
  size_t under_way() const;

  /// What an address counts as for `per_address`: an IPv6 address its /64 ("2001:db8::/64"),
  /// any other itself.
  static std::string address_group(const std::string& address);

 private:
  struct Handshake {
    std::chrono::steady_clock::time_point start;
    std::string address;
    std::string group;  // address_group(address)
    int socket = -1;
    bool cut_off = false;
  };

  void cut_off(Handshake& handshake, const std::string& reason);  // with mutex_ held
  // Logs a cut-off, at most kLinesPerLogWindow lines per kLogWindow and then how many more
  // there were, so that a flood of connections does not flood the log. With mutex_ held.
  void log_cut_off(const std::string& line);
  void end_log_window(std::chrono::steady_clock::time_point now);  // if due; with mutex_ held

  static constexpr size_t kLinesPerLogWindow = 10;
  static constexpr std::chrono::seconds kLogWindow{60};

  const Bounds bounds_;
  const std::string overdue_;  // the reason logged for a handshake past bounds_.limit
  const std::vector<std::string> exempt_;
  const Clock clock_;
  mutable std::mutex mutex_;
  std::map<const SSL*, Handshake> handshakes_;
  std::map<std::string, size_t> counts_;  // handshakes under way per address group
  size_t active_ = 0;                     // handshakes under way and not cut off
  std::chrono::steady_clock::time_point log_window_start_{};
  size_t logged_ = 0;    // cut-offs logged in the window
  size_t unlogged_ = 0;  // cut-offs beyond them
};

}  // namespace termijn::web
