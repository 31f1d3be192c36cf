#include "server/web/head_limit.h"

#include <spdlog/spdlog.h>

#include "server/web/handshake_guard.h"

namespace termijn::web {
namespace {

// What a connection has received since its last response, in its SSL's ex_data.
struct Received {
  size_t head_bytes = 0;
  bool in_body = false;
  bool cut_off = false;
};

void free_received(void*, void* received, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<Received*>(received);
}

int received_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, &free_received);
  return index;
}

Received& received_on(const SSL* ssl) {
  auto* received = static_cast<Received*>(SSL_get_ex_data(ssl, received_index()));
  if (received == nullptr) {
    received = new Received;
    SSL_set_ex_data(const_cast<SSL*>(ssl), received_index(), received);
  }
  return *received;
}

// OpenSSL's message callback: each record received comes first as its 5-byte header, whose
// last two bytes are the length of what follows.
void on_message(int write_p, int, int content_type, const void* buf, size_t len, SSL* ssl,
                void* limit) {
  if (write_p != 0 || content_type != SSL3_RT_HEADER || len < 5) return;
  if (!SSL_is_init_finished(ssl)) return;  // the handshake is HandshakeGuard's
  const auto* header = static_cast<const unsigned char*>(buf);
  static_cast<const HeadLimit*>(limit)->received(ssl, size_t{header[3]} << 8 | header[4]);
}

}  // namespace

void HeadLimit::install(SSL_CTX* ctx) {
  received_index();  // registered before any SSL of `ctx` exists
  SSL_CTX_set_msg_callback(ctx, &on_message);
  SSL_CTX_set_msg_callback_arg(ctx, this);
}

void HeadLimit::head_read(const SSL* ssl) {
  if (ssl != nullptr) received_on(ssl).in_body = true;
}

void HeadLimit::response_sent(const SSL* ssl) {
  if (ssl == nullptr) return;
  Received& received = received_on(ssl);
  received.in_body = false;
  received.head_bytes = 0;
}

void HeadLimit::received(SSL* ssl, size_t bytes) const {
  Received& received = received_on(ssl);
  if (received.in_body || received.cut_off) return;
  received.head_bytes += bytes;
  if (received.head_bytes <= limit_) return;
  received.cut_off = true;
  spdlog::warn("web: cut off a connection from {}: the head of its request passed {} KiB",
               peer_address(SSL_get_fd(ssl)), limit_ / 1024);
  // Runs on the connection's own thread, inside its SSL_read: marked as shut down both ways,
  // this read and every next one return 0 and no response can be written, so cpp-httplib ends
  // the connection at once; closing it with the client's data unread resets it. (A shutdown of
  // the socket instead let cpp-httplib read on what the kernel had queued, and Linux sends no
  // window update after one: a client sending on stalled until its own timeout.)
  SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
}

}  // namespace termijn::web
