#pragma once

#include <absl/status/statusor.h>
#include <grpcpp/server_context.h>

#include <string>
#include <vector>

#include "server/api/principal.h"
#include "server/config/config.h"

namespace termijn::api {

/// Finds the principal behind a call.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  /// UNAUTHENTICATED when the caller is not a known principal.
  virtual absl::StatusOr<Principal> authenticate(const grpc::CallbackServerContext& ctx) const = 0;
};

/// Maps the verified client certificate of a mutual-TLS call to a configured principal by subject
/// CN or e-mail SAN, optionally pinned by SHA-256 fingerprint.
class CertificateAuthenticator final : public Authenticator {
 public:
  explicit CertificateAuthenticator(std::vector<config::Principal> principals)
      : principals_(std::move(principals)) {}
  absl::StatusOr<Principal> authenticate(const grpc::CallbackServerContext& ctx) const override;

 private:
  std::vector<config::Principal> principals_;
};

/// Development only (plaintext on loopback): trusts the principal named in the
/// `x-termijn-principal` request header.
class HeaderAuthenticator final : public Authenticator {
 public:
  explicit HeaderAuthenticator(std::vector<config::Principal> principals)
      : principals_(std::move(principals)) {}
  absl::StatusOr<Principal> authenticate(const grpc::CallbackServerContext& ctx) const override;

 private:
  std::vector<config::Principal> principals_;
};

/// The Principal a configured principal stands for.
Principal principal_from(const config::Principal& p);

/// What identifies a certificate: subject CN, e-mail SANs, SHA-256 of the DER (lower-case hex).
struct CertificateIdentity {
  std::string common_name;
  std::vector<std::string> emails;
  std::string sha256;
};

/// Reads a PEM certificate with OpenSSL; INVALID_ARGUMENT if it cannot be parsed.
absl::StatusOr<CertificateIdentity> identify_certificate(const std::string& pem);

}  // namespace termijn::api
