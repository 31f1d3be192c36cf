#include "server/api/authenticator.h"

#include <grpcpp/security/auth_context.h>
#include <spdlog/spdlog.h>

namespace termijn::api {

namespace {

constexpr const char* kPrincipalHeader = "x-termijn-principal";

}  // namespace

absl::StatusOr<Principal> CertificateAuthenticator::authenticate(
    const grpc::CallbackServerContext& ctx) const {
  const auto auth = ctx.auth_context();
  const auto pems =
      auth ? auth->FindPropertyValues("x509_pem_cert") : std::vector<grpc::string_ref>{};
  if (pems.empty()) {
    return absl::UnauthenticatedError("a client certificate is required");
  }
  auto principal =
      trust_.principal_for_certificate(std::string_view(pems.front().data(), pems.front().size()));
  if (!principal.ok())
    spdlog::info("refused call from {}: {}", ctx.peer(), std::string(principal.status().message()));
  return principal;
}

absl::StatusOr<Principal> HeaderAuthenticator::authenticate(
    const grpc::CallbackServerContext& ctx) const {
  const auto& headers = ctx.client_metadata();
  const auto it = headers.find(kPrincipalHeader);
  if (it == headers.end()) {
    return absl::UnauthenticatedError(
        "plaintext mode: name a configured principal (termijn --as NAME, or TERMIJN_PRINCIPAL)");
  }
  const std::string name(it->second.data(), it->second.size());
  if (auto principal = trust_.principal_named(name)) return *principal;
  return absl::UnauthenticatedError("'" + name + "' is not a configured principal");
}

}  // namespace termijn::api
