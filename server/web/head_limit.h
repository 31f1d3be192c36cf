#pragma once

#include <openssl/ssl.h>

#include <cstddef>

namespace termijn::web {

/// Bounds what a client sends for the head of a request. cpp-httplib 0.11 reads a head of any
/// size into memory: each line until its end (a line over 8 KiB is refused only once it is
/// whole) and any number of lines. A client with a certificate of the CA, a revoked one too
/// (revocation is decided per request, once its head is in), could so grow termijnd's memory
/// without end over one connection. The TLS records a connection receives after its handshake
/// are counted (OpenSSL's message callback) from the handshake, or the end of a response, to the
/// end of the next request's head; past `limit` the connection's SSL is marked shut down,
/// which ends cpp-httplib's read, and logged. A body is not counted: it is bounded by its
/// Content-Length, which the payload limit bounds.
class HeadLimit {
 public:
  explicit HeadLimit(size_t limit) : limit_(limit) {}
  HeadLimit(const HeadLimit&) = delete;
  HeadLimit& operator=(const HeadLimit&) = delete;

  /// Counts what the connections of `ctx` receive; the limit must outlive them.
  void install(SSL_CTX* ctx);

  /// The head of the request on `ssl` is in: what follows is its body, not counted.
  static void head_read(const SSL* ssl);
  /// The response on `ssl` is sent: what follows is the head of the next request.
  static void response_sent(const SSL* ssl);

  /// `bytes` more received on `ssl`, past its handshake: marks `ssl` shut down once its head has
  /// more than the limit. (install() calls it; tests may too.)
  void received(SSL* ssl, size_t bytes) const;

 private:
  size_t limit_;
};

}  // namespace termijn::web
