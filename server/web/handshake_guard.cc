#include "server/web/handshake_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>

namespace termijn::web {
namespace {

// The guard of an SSL_CTX, and of each SSL whose handshake it follows: the SSL's is freed with
// it, which ends a handshake that failed (no SSL_CB_HANDSHAKE_DONE comes then).
void forget_on_free(void* parent, void* guard, CRYPTO_EX_DATA*, int, long, void*) {
  if (guard != nullptr) static_cast<HandshakeGuard*>(guard)->ended(static_cast<SSL*>(parent));
}

int context_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int connection_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, &forget_on_free);
  return index;
}

void follow(const SSL* ssl, int where, int) {
  auto* guard =
      static_cast<HandshakeGuard*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), context_index()));
  if (guard == nullptr) return;
  if ((where & SSL_CB_HANDSHAKE_START) != 0) guard->started(const_cast<SSL*>(ssl));
  if ((where & SSL_CB_HANDSHAKE_DONE) != 0) guard->ended(ssl);
}

}  // namespace

std::string peer_address(int socket) {
  sockaddr_storage peer{};
  socklen_t size = sizeof peer;
  if (::getpeername(socket, reinterpret_cast<sockaddr*>(&peer), &size) != 0) return "";
  char text[INET6_ADDRSTRLEN] = "";
  if (peer.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&peer)->sin_addr, text, sizeof text);
  } else if (peer.ss_family == AF_INET6) {
    const in6_addr& v6 = reinterpret_cast<sockaddr_in6*>(&peer)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {  // an IPv4 client of a dual-stack socket
      ::inet_ntop(AF_INET, &v6.s6_addr[12], text, sizeof text);
    } else {
      ::inet_ntop(AF_INET6, &v6, text, sizeof text);
    }
  }
  return text;
}

HandshakeGuard::HandshakeGuard(Bounds bounds, std::vector<std::string> exempt, Clock clock)
    : bounds_(bounds),
      overdue_(fmt::format("not done within {} s",
                           std::chrono::duration_cast<std::chrono::seconds>(bounds.limit).count())),
      exempt_(std::move(exempt)),
      clock_(std::move(clock)) {}

void HandshakeGuard::install(SSL_CTX* ctx) {
  connection_index();  // registered before any SSL of `ctx` exists
  SSL_CTX_set_ex_data(ctx, context_index(), this);
  SSL_CTX_set_info_callback(ctx, &follow);
}

void HandshakeGuard::started(SSL* ssl) {
  const int socket = SSL_get_fd(ssl);
  if (socket < 0) return;
  std::string address = peer_address(socket);
  std::string group = address_group(address);
  Handshake handshake{clock_(), std::move(address), std::move(group), socket};
  std::lock_guard lock(mutex_);
  if (handshakes_.count(ssl) != 0) return;  // a renegotiation: the first start counts
  const bool exempt = std::find(exempt_.begin(), exempt_.end(), handshake.address) != exempt_.end();
  if (!exempt && counts_[handshake.group] >= bounds_.per_address) {
    log_cut_off(fmt::format("web: cut off a TLS handshake from {}: {} under way from {} already",
                            handshake.address, bounds_.per_address,
                            handshake.group == handshake.address ? "there" : handshake.group));
    ::shutdown(socket, SHUT_RDWR);
    return;
  }
  if (active_ >= bounds_.in_all) {
    const auto oldest =
        std::min_element(handshakes_.begin(), handshakes_.end(), [](const auto& a, const auto& b) {
          return !a.second.cut_off && (b.second.cut_off || a.second.start < b.second.start);
        });
    cut_off(oldest->second, fmt::format("the oldest of {} under way", bounds_.in_all));
  }
  ++counts_[handshake.group];
  ++active_;
  handshakes_.emplace(ssl, std::move(handshake));
  SSL_set_ex_data(ssl, connection_index(), this);
}

void HandshakeGuard::ended(const SSL* ssl) {
  std::lock_guard lock(mutex_);
  const auto it = handshakes_.find(ssl);
  if (it == handshakes_.end()) return;
  if (--counts_[it->second.group] == 0) counts_.erase(it->second.group);
  if (!it->second.cut_off) --active_;
  handshakes_.erase(it);
}

void HandshakeGuard::cut_off_overdue() {
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  for (auto& [ssl, handshake] : handshakes_) {
    if (!handshake.cut_off && now - handshake.start > bounds_.limit) cut_off(handshake, overdue_);
  }
  end_log_window(now);  // the count of a flood that has ended
}

void HandshakeGuard::cut_off(Handshake& handshake, const std::string& reason) {
  // An entry lives until its SSL is freed, which comes before its socket is closed: the socket
  // shut down here is still the handshake's own.
  log_cut_off(fmt::format("web: cut off a TLS handshake from {}: {}", handshake.address, reason));
  ::shutdown(handshake.socket, SHUT_RDWR);
  handshake.cut_off = true;
  --active_;
}

void HandshakeGuard::end_log_window(std::chrono::steady_clock::time_point now) {
  if (now - log_window_start_ < kLogWindow) return;
  if (unlogged_ > 0) {
    spdlog::warn("web: cut off {} more TLS handshakes in that minute, without a line each",
                 unlogged_);
  }
  log_window_start_ = now;
  logged_ = 0;
  unlogged_ = 0;
}

void HandshakeGuard::log_cut_off(const std::string& line) {
  end_log_window(clock_());
  if (logged_ < kLinesPerLogWindow) {
    ++logged_;
    spdlog::warn("{}", line);
  } else {
    ++unlogged_;
  }
}

size_t HandshakeGuard::under_way() const {
  std::lock_guard lock(mutex_);
  return handshakes_.size();
}

std::string HandshakeGuard::address_group(const std::string& address) {
  in6_addr v6{};
  if (::inet_pton(AF_INET6, address.c_str(), &v6) != 1) return address;
  std::fill(std::begin(v6.s6_addr) + 8, std::end(v6.s6_addr), 0);
  char text[INET6_ADDRSTRLEN] = "";
  ::inet_ntop(AF_INET6, &v6, text, sizeof text);
  return std::string(text) + "/64";
}

}  // namespace termijn::web
