#include "server/api/authenticator.h"

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/auth_context.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <string>

namespace termijn::api {

namespace {

constexpr const char* kPrincipalHeader = "x-termijn-principal";

// A client certificate and the chain it came with, both PEM.
struct PresentedCertificate {
  std::string pem;
  std::string chain_pem;
};

// The client certificate of the call, if it presented one.
std::optional<PresentedCertificate> client_certificate(const grpc::CallbackServerContext& ctx) {
  const auto auth = ctx.auth_context();
  if (!auth) return std::nullopt;
  const auto pems = auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
  if (pems.empty()) return std::nullopt;
  PresentedCertificate presented{std::string(pems.front().data(), pems.front().size()), {}};
  for (const grpc::string_ref& chain :
       auth->FindPropertyValues(GRPC_X509_PEM_CERT_CHAIN_PROPERTY_NAME)) {
    presented.chain_pem.append(chain.data(), chain.size());
  }
  return presented;
}

absl::StatusOr<Principal> principal_of(const CertificateTrust& trust,
                                       const std::optional<PresentedCertificate>& certificate) {
  if (!certificate) return absl::UnauthenticatedError("a client certificate is required");
  return trust.principal_for_certificate(certificate->pem, certificate->chain_pem);
}

// The principal named in the call's header, if any.
std::optional<std::string> named_principal(const grpc::CallbackServerContext& ctx) {
  const auto& headers = ctx.client_metadata();
  const auto it = headers.find(kPrincipalHeader);
  if (it == headers.end()) return std::nullopt;
  return std::string(it->second.data(), it->second.size());
}

absl::StatusOr<Principal> principal_named(const CertificateTrust& trust,
                                          const std::optional<std::string>& name) {
  if (!name) {
    return absl::UnauthenticatedError(
        "plaintext mode: name a configured principal (termijn --as NAME, or TERMIJN_PRINCIPAL)");
  }
  if (auto principal = trust.principal_named(*name)) return *principal;
  return absl::UnauthenticatedError("'" + *name + "' is not a configured principal");
}

}  // namespace

absl::StatusOr<Principal> CertificateAuthenticator::authenticate(
    const grpc::CallbackServerContext& ctx) const {
  auto principal = principal_of(trust_, client_certificate(ctx));
  if (!principal.ok())
    spdlog::info("refused call from {}: {}", ctx.peer(), std::string(principal.status().message()));
  return principal;
}

Authenticator::Recheck CertificateAuthenticator::recheck(
    const grpc::CallbackServerContext& ctx) const {
  return [&trust = trust_, certificate = client_certificate(ctx)] {
    return principal_of(trust, certificate);
  };
}

absl::StatusOr<Principal> HeaderAuthenticator::authenticate(
    const grpc::CallbackServerContext& ctx) const {
  return principal_named(trust_, named_principal(ctx));
}

Authenticator::Recheck HeaderAuthenticator::recheck(const grpc::CallbackServerContext& ctx) const {
  return [&trust = trust_, name = named_principal(ctx)] { return principal_named(trust, name); };
}

}  // namespace termijn::api
