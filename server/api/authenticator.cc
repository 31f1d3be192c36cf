#include "server/api/authenticator.h"

#include <grpcpp/security/auth_context.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "server/app/sha256.h"

namespace termijn::api {

namespace {

constexpr const char* kPrincipalHeader = "x-termijn-principal";

bool matches(const config::Principal& p, const CertificateIdentity& id) {
  const bool named =
      (!p.certificate_cn.empty() && p.certificate_cn == id.common_name) ||
      (!p.certificate_email.empty() &&
       std::find(id.emails.begin(), id.emails.end(), p.certificate_email) != id.emails.end());
  return named && (p.certificate_sha256.empty() || p.certificate_sha256 == id.sha256);
}

}  // namespace

Principal principal_from(const config::Principal& p) {
  Principal out{p.name, p.party};
  for (const std::string& role : p.roles) {
    out.reporter |= role == "reporter";
    out.dpo |= role == "dpo";
    out.auditor |= role == "auditor";
  }
  return out;
}

absl::StatusOr<CertificateIdentity> identify_certificate(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), pem.size()), BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  if (!cert) return absl::InvalidArgumentError("client certificate cannot be parsed");
  CertificateIdentity id;
  char cn[256] = {0};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn,
                                sizeof cn) > 0) {
    id.common_name = cn;
  }
  using Names = STACK_OF(GENERAL_NAME);
  std::unique_ptr<Names, void (*)(Names*)> sans(
      static_cast<Names*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)),
      [](Names* n) { GENERAL_NAMES_free(n); });
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans.get(), i);
    if (name->type == GEN_EMAIL) {
      const ASN1_IA5STRING* s = name->d.rfc822Name;
      id.emails.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                             ASN1_STRING_length(s));
    }
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  X509_digest(cert.get(), EVP_sha256(), digest, &length);
  id.sha256 = app::to_hex(std::string_view(reinterpret_cast<const char*>(digest), length));
  return id;
}

absl::StatusOr<Principal> CertificateAuthenticator::authenticate(
    const grpc::CallbackServerContext& ctx) const {
  const auto auth = ctx.auth_context();
  const auto pems = auth ? auth->FindPropertyValues("x509_pem_cert")
                         : std::vector<grpc::string_ref>{};
  if (pems.empty()) {
    return absl::UnauthenticatedError("a client certificate is required");
  }
  const auto id = identify_certificate(std::string(pems.front().data(), pems.front().size()));
  if (!id.ok()) return absl::UnauthenticatedError(id.status().message());
  for (const config::Principal& p : principals_) {
    if (matches(p, *id)) return principal_from(p);
  }
  spdlog::warn("refused certificate of unknown principal: CN '{}', sha256 {}, peer {}",
               id->common_name, id->sha256, ctx.peer());
  return absl::UnauthenticatedError("certificate CN '" + id->common_name +
                                    "' is not a configured principal");
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
  for (const config::Principal& p : principals_) {
    if (p.name == name) return principal_from(p);
  }
  return absl::UnauthenticatedError("'" + name + "' is not a configured principal");
}

}  // namespace termijn::api
