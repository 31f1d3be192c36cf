#pragma once

#include <absl/status/statusor.h>
#include <grpcpp/server_context.h>

#include <functional>

#include "server/api/certificate_trust.h"
#include "server/api/principal.h"

namespace termijn::api {

/// Finds the principal behind a call.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  /// UNAUTHENTICATED when the caller is not a known principal.
  virtual absl::StatusOr<Principal> authenticate(const grpc::CallbackServerContext& ctx) const = 0;

  /// For a call that lasts (a WatchEvents stream): authenticates what the caller of `ctx`
  /// presented again, each time it is called, against the trust of that moment (revoked,
  /// expired or no longer configured: UNAUTHENTICATED). Keeps what it needs, not `ctx`.
  using Recheck = std::function<absl::StatusOr<Principal>()>;
  virtual Recheck recheck(const grpc::CallbackServerContext& ctx) const = 0;
};

/// Maps the verified client certificate of a mutual-TLS call to a configured principal by subject
/// CN or e-mail SAN, optionally pinned by SHA-256 fingerprint, unless it has been revoked; checked
/// on every call against what `trust` holds at that moment.
class CertificateAuthenticator final : public Authenticator {
 public:
  explicit CertificateAuthenticator(const CertificateTrust& trust) : trust_(trust) {}
  absl::StatusOr<Principal> authenticate(const grpc::CallbackServerContext& ctx) const override;
  Recheck recheck(const grpc::CallbackServerContext& ctx) const override;

 private:
  const CertificateTrust& trust_;
};

/// Development only (plaintext on loopback): trusts the principal named in the
/// `x-termijn-principal` request header.
class HeaderAuthenticator final : public Authenticator {
 public:
  explicit HeaderAuthenticator(const CertificateTrust& trust) : trust_(trust) {}
  absl::StatusOr<Principal> authenticate(const grpc::CallbackServerContext& ctx) const override;
  Recheck recheck(const grpc::CallbackServerContext& ctx) const override;

 private:
  const CertificateTrust& trust_;
};

}  // namespace termijn::api
