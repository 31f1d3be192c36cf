#pragma once

#include <absl/status/status.h>
#include <openssl/ssl.h>

#include <memory>
#include <mutex>

#include "server/api/certificate_trust.h"

namespace termijn::web {

/// What the console presents in its TLS handshakes (certificate, chain, key) and the CAs whose
/// client certificates it accepts. load() reads them at start and again on SIGHUP; each
/// handshake takes the set loaded last, so a renewed certificate or CA bundle is served without
/// a restart and connections already open keep theirs.
class ServerIdentity {
 public:
  ServerIdentity();
  ~ServerIdentity();
  ServerIdentity(const ServerIdentity&) = delete;
  ServerIdentity& operator=(const ServerIdentity&) = delete;

  /// Reads the PEM certificate chain, its key and the CA bundle of `files` and makes them the
  /// ones presented; INVALID_ARGUMENT "FILE: reason" if they cannot be read, a key is
  /// encrypted, or the key does not belong to the certificate, and then the previous set stays.
  /// Thread-safe.
  absl::Status load(const api::TrustFiles& files);

  /// Has every handshake of `ctx` present the set loaded last (OpenSSL's certificate callback).
  /// This must outlive the connections of `ctx`.
  void install(SSL_CTX* ctx);

 private:
  struct Material;
  static int present(SSL* ssl, void* self);

  mutable std::mutex mutex_;  // guards current_ only
  std::shared_ptr<const Material> current_;
};

}  // namespace termijn::web
