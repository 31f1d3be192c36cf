#include "server/api/authenticator.h"

#include <grpcpp/security/auth_context.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <string>

namespace termijn::api {

namespace {

constexpr const char* kPrincipalHeader = "x-termijn-principal";

// The client certificate of the call (PEM), if it presented one.
std::optional<std::string> client_certificate(const grpc::CallbackServerContext& ctx) {
  const auto auth = ctx.auth_context();
  const auto pems =
      auth ? auth->FindPropertyValues("x509_pem_cert") : std::vector<grpc::string_ref>{};
  if (pems.empty()) return std::nullopt;
  return std::string(pems.front().data(), pems.front().size());
}

absl::StatusOr<Principal> principal_of(const CertificateTrust& trust,
                                       const std::optional<std::string>& pem) {
  if (!pem) return absl::UnauthenticatedError("a client certificate is required");
  return trust.principal_for_certificate(*pem);
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
  return [&trust = trust_, pem = client_certificate(ctx)] { return principal_of(trust, pem); };
}

absl::StatusOr<Principal> HeaderAuthenticator::authenticate(
    const grpc::CallbackServerContext& ctx) const {
  return principal_named(trust_, named_principal(ctx));
}

Authenticator::Recheck HeaderAuthenticator::recheck(const grpc::CallbackServerContext& ctx) const {
  return [&trust = trust_, name = named_principal(ctx)] { return principal_named(trust, name); };
}

}  // namespace termijn::api
