#include "server/api/certificate_trust.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/time/clock.h>
#include <absl/time/time.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <shared_mutex>
#include <stdexcept>
#include <unordered_map>

#include "server/app/pem.h"
#include "server/app/sha256.h"
#include "server/config/files.h"

namespace termijn::api {

namespace {

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using Crl = std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)>;
using Names = STACK_OF(GENERAL_NAME);

Bio memory_bio(std::string_view bytes) {
  return Bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())), BIO_free);
}

// Every certificate in a PEM bundle.
std::vector<Certificate> read_certificates(std::string_view pem) {
  std::vector<Certificate> out;
  Bio bio = memory_bio(pem);
  while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, app::no_passphrase, nullptr)) {
    out.emplace_back(c, X509_free);
  }
  ERR_clear_error();  // the end of the bundle reads as an error
  return out;
}

std::string der_of(const X509_NAME* name) {
  unsigned char* der = nullptr;
  const int length = i2d_X509_NAME(name, &der);
  if (length <= 0) return "";
  std::string out(reinterpret_cast<const char*>(der), length);
  OPENSSL_free(der);
  return out;
}

std::string hex_of(const ASN1_INTEGER* serial) {
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(ASN1_INTEGER_to_BN(serial, nullptr), BN_free);
  if (!bn) return "";
  char* hex = BN_bn2hex(bn.get());
  std::string out(hex);
  OPENSSL_free(hex);
  return out;
}

std::string one_line(const X509_NAME* name) {
  char text[256] = {0};
  X509_NAME_oneline(name, text, sizeof text);
  return text;
}

// An ASN.1 time (a CRL's next update, a certificate's validity) as a time point; none when it is
// absent or malformed.
std::optional<std::chrono::sys_seconds> time_of(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return std::chrono::sys_seconds(std::chrono::seconds(timegm(&tm)));
}

std::string iso_utc(std::chrono::sys_seconds t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(t.time_since_epoch().count()),
                          absl::UTCTimeZone());
}

bool has_nul(const ASN1_STRING* s) {
  return std::memchr(ASN1_STRING_get0_data(s), '\0', ASN1_STRING_length(s)) != nullptr;
}

absl::Status in_file(const std::string& path, const absl::Status& s) {
  return absl::InvalidArgumentError(path + ": " + std::string(s.message()));
}

bool matches(const config::Principal& p, const CertificateIdentity& id) {
  const bool named =
      (!p.certificate_cn.empty() && p.certificate_cn == id.common_name) ||
      (!p.certificate_email.empty() &&
       std::find(id.emails.begin(), id.emails.end(), p.certificate_email) != id.emails.end());
  return named && (p.certificate_sha256.empty() || p.certificate_sha256 == id.sha256);
}

// Decided certificates are kept up to this many per generation; only certificates that passed
// the TLS handshake get here, so the bound matters only against a CA that issues many.
constexpr size_t kMaxDecided = 4096;

}  // namespace

std::string pem_of(x509_st* certificate) {
  Bio bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(bio.get(), certificate);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, length);
}

Principal principal_from(const config::Principal& p) {
  Principal out{p.name, p.party};
  for (const std::string& role : p.roles) {
    out.reporter |= role == "reporter";
    out.dpo |= role == "dpo";
    out.auditor |= role == "auditor";
  }
  return out;
}

absl::StatusOr<CertificateIdentity> identify_certificate(std::string_view pem) {
  Bio bio = memory_bio(pem);
  Certificate cert(PEM_read_bio_X509(bio.get(), nullptr, app::no_passphrase, nullptr), X509_free);
  if (!cert) return absl::InvalidArgumentError("client certificate cannot be parsed");
  CertificateIdentity id;
  const X509_NAME* subject = X509_get_subject_name(cert.get());
  int common_names = 0;
  for (int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1); at >= 0;
       at = X509_NAME_get_index_by_NID(subject, NID_commonName, at)) {
    if (++common_names > 1) {
      return absl::InvalidArgumentError(
          "client certificate has several subject CNs; a principal is named by one");
    }
    const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at));
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, value);
    if (length < 0) return absl::InvalidArgumentError("client certificate CN cannot be read");
    id.common_name.assign(reinterpret_cast<const char*>(utf8), length);
    OPENSSL_free(utf8);
    if (id.common_name.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError("client certificate CN contains a NUL byte");
    }
  }
  std::unique_ptr<Names, void (*)(Names*)> sans(
      static_cast<Names*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)),
      [](Names* n) { GENERAL_NAMES_free(n); });
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans.get(), i);
    const bool text = name->type == GEN_EMAIL || name->type == GEN_DNS || name->type == GEN_URI;
    if (text && has_nul(name->d.ia5)) {
      return absl::InvalidArgumentError(
          "client certificate subject alternative name contains a NUL byte");
    }
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
  id.issuer = der_of(X509_get_issuer_name(cert.get()));
  id.serial = hex_of(X509_get0_serialNumber(cert.get()));
  const auto not_before = time_of(X509_get0_notBefore(cert.get()));
  const auto not_after = time_of(X509_get0_notAfter(cert.get()));
  if (!not_before || !not_after) {
    return absl::InvalidArgumentError("client certificate validity period cannot be read");
  }
  id.not_before = *not_before;
  id.not_after = *not_after;
  return id;
}

std::vector<std::string> RevocationList::outdated(std::chrono::system_clock::time_point now) const {
  std::vector<std::string> out;
  for (const Published& p : published_) {
    if (p.next_update && *p.next_update < std::chrono::floor<std::chrono::seconds>(now)) {
      out.push_back(absl::StrCat("'", p.issuer, "' (next update ", iso_utc(*p.next_update), ")"));
    }
  }
  return out;
}

absl::StatusOr<RevocationList> RevocationList::parse(std::string_view crl_pem,
                                                     std::string_view ca_pem) {
  RevocationList list;
  if (crl_pem.empty()) return list;
  const std::vector<Certificate> cas = read_certificates(ca_pem);
  Bio bio = memory_bio(crl_pem);
  int crls = 0;
  while (X509_CRL* read = PEM_read_bio_X509_CRL(bio.get(), nullptr, app::no_passphrase, nullptr)) {
    Crl crl(read, X509_CRL_free);
    ++crls;
    const X509_NAME* issuer = X509_CRL_get_issuer(crl.get());
    const bool signed_by_ca = std::any_of(cas.begin(), cas.end(), [&](const Certificate& ca) {
      return X509_NAME_cmp(X509_get_subject_name(ca.get()), issuer) == 0 &&
             X509_CRL_verify(crl.get(), X509_get0_pubkey(ca.get())) == 1;
    });
    if (!signed_by_ca) {
      return absl::InvalidArgumentError("the CRL of '" + one_line(issuer) +
                                        "' is not signed by a CA of the trusted bundle");
    }
    list.published_.push_back({one_line(issuer), time_of(X509_CRL_get0_nextUpdate(crl.get()))});
    const std::string issuer_der = der_of(issuer);
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
    for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
      list.revoked_.emplace(
          issuer_der, hex_of(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, i))));
    }
  }
  ERR_clear_error();
  if (crls == 0) return absl::InvalidArgumentError("holds no PEM certificate revocation list");
  return list;
}

absl::StatusOr<CertificateAuthorities> CertificateAuthorities::parse(std::string_view ca_pem) {
  const std::vector<Certificate> certificates = read_certificates(ca_pem);
  if (certificates.empty()) return absl::InvalidArgumentError("holds no PEM certificate");
  CertificateAuthorities cas;
  cas.store_ = std::shared_ptr<X509_STORE>(X509_STORE_new(), X509_STORE_free);
  for (const Certificate& ca : certificates) {
    if (X509_STORE_add_cert(cas.store_.get(), ca.get()) != 1) {
      ERR_clear_error();
      return absl::InvalidArgumentError("a certificate cannot be trusted: '" +
                                        one_line(X509_get_subject_name(ca.get())) + "'");
    }
  }
  cas.size_ = certificates.size();
  return cas;
}

absl::StatusOr<std::string> CertificateAuthorities::issued(std::string_view pem,
                                                           std::string_view chain_pem) const {
  const std::vector<Certificate> certificate = read_certificates(pem);
  if (certificate.empty()) return absl::UnauthenticatedError("not a PEM certificate");
  if (!store_) return absl::UnauthenticatedError("no CA is trusted");
  const std::vector<Certificate> chain = read_certificates(chain_pem);
  using Stack =
      std::unique_ptr<STACK_OF(X509), decltype([](STACK_OF(X509) * s) { sk_X509_free(s); })>;
  const Stack intermediates(sk_X509_new_null());  // borrows the certificates of `chain`
  for (const Certificate& c : chain) sk_X509_push(intermediates.get(), c.get());
  const std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> verify(X509_STORE_CTX_new(),
                                                                               X509_STORE_CTX_free);
  if (!verify || X509_STORE_CTX_init(verify.get(), store_.get(), certificate.front().get(),
                                     intermediates.get()) != 1) {
    ERR_clear_error();
    return absl::UnauthenticatedError("the certificate cannot be verified");
  }
  // Any certificate of the file is an anchor, as in the handshake; times are checked per call.
  X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(verify.get()),
                              X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
  const bool verified = X509_verify_cert(verify.get()) == 1;
  const int error = X509_STORE_CTX_get_error(verify.get());
  ERR_clear_error();
  if (!verified) return absl::UnauthenticatedError(X509_verify_cert_error_string(error));
  // The verified chain: the certificate, the intermediates, the anchor of the bundle.
  std::string through;
  const STACK_OF(X509)* path = X509_STORE_CTX_get0_chain(verify.get());
  for (int i = 1; i + 1 < sk_X509_num(path); ++i) through += pem_of(sk_X509_value(path, i));
  return through;
}

struct CertificateTrust::Generation {
  // What a certificate stands for, and from when until when.
  struct Decision {
    absl::StatusOr<Principal> principal;
    std::string common_name;
    std::chrono::sys_seconds not_before, not_after;
    std::string intermediates;  ///< those it was verified through (PEM)

    // The principal at `now`: refused outside the validity period.
    absl::StatusOr<Principal> at(std::chrono::system_clock::time_point now) const {
      const auto second = std::chrono::floor<std::chrono::seconds>(now);
      if (!principal.ok() || (not_before <= second && second <= not_after)) return principal;
      const bool expired = second > not_after;
      spdlog::warn("refused certificate CN '{}': {}", common_name,
                   expired ? "expired" : "not valid yet");
      return absl::UnauthenticatedError(absl::StrCat("certificate CN '", common_name, "' ",
                                                     expired ? "expired at " : "is valid from ",
                                                     iso_utc(expired ? not_after : not_before)));
    }
  };

  std::vector<config::Principal> principals;
  CertificateAuthorities cas;
  RevocationList revoked;
  mutable std::shared_mutex decided_mutex;
  mutable std::unordered_map<std::string, Decision> decided;  // by digest of PEM and chain

  Decision decide(std::string_view pem, std::string_view chain_pem) const {
    const auto id = identify_certificate(pem);
    if (!id.ok()) return {absl::UnauthenticatedError(id.status().message())};
    const absl::StatusOr<std::string> issued = cas.issued(pem, chain_pem);
    if (!issued.ok()) {
      spdlog::warn("refused certificate CN '{}', sha256 {}: no trusted CA issued it: {}",
                   id->common_name, id->sha256, std::string(issued.status().message()));
      return {absl::UnauthenticatedError(absl::StrCat("certificate CN '", id->common_name,
                                                      "' is not issued by a trusted CA (",
                                                      issued.status().message(), ")")),
              id->common_name, id->not_before, id->not_after};
    }
    return {principal_of(*id), id->common_name, id->not_before, id->not_after, *issued};
  }

  // Whom `id` stands for, unless it is revoked.
  absl::StatusOr<Principal> principal_of(const CertificateIdentity& id) const {
    if (revoked.revokes(id)) {
      spdlog::warn("refused revoked certificate: CN '{}', serial {}, sha256 {}", id.common_name,
                   id.serial, id.sha256);
      return absl::UnauthenticatedError("certificate CN '" + id.common_name + "' (serial " +
                                        id.serial + ") has been revoked");
    }
    for (const config::Principal& p : principals) {
      if (matches(p, id)) return principal_from(p);
    }
    spdlog::warn("refused certificate of unknown principal: CN '{}', sha256 {}", id.common_name,
                 id.sha256);
    return absl::UnauthenticatedError("certificate CN '" + id.common_name +
                                      "' is not a configured principal");
  }
};

CertificateTrust::CertificateTrust(std::vector<config::Principal> principals,
                                   CertificateAuthorities cas, RevocationList revoked, Now now)
    : now_(std::move(now)) {
  replace(std::move(principals), std::move(cas), std::move(revoked));
}

std::shared_ptr<const CertificateTrust::Generation> CertificateTrust::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

void CertificateTrust::replace(std::vector<config::Principal> principals,
                               CertificateAuthorities cas, RevocationList revoked) {
  auto next = std::make_shared<Generation>();
  next->principals = std::move(principals);
  next->cas = std::move(cas);
  next->revoked = std::move(revoked);
  std::lock_guard lock(mutex_);
  current_ = std::move(next);
}

absl::StatusOr<Principal> CertificateTrust::principal_for_certificate(
    std::string_view pem, std::string_view chain_pem) const {
  const std::shared_ptr<const Generation> generation = current();
  const std::string certificate = app::sha256({pem});
  const std::string learned = chain_pem.empty() ? intermediates_of(certificate) : "";
  if (chain_pem.empty()) chain_pem = learned;
  // Digests: what a client sends beside its certificate is its own choice, and may be large.
  const std::string key = certificate + app::sha256({chain_pem});
  {
    std::shared_lock lock(generation->decided_mutex);
    if (const auto it = generation->decided.find(key); it != generation->decided.end()) {
      return it->second.at(now_());
    }
  }
  Generation::Decision decision = generation->decide(pem, chain_pem);
  absl::StatusOr<Principal> principal = decision.at(now_());
  if (!decision.intermediates.empty()) {
    std::lock_guard lock(mutex_);
    if (intermediates_.size() >= kMaxDecided) intermediates_.clear();
    intermediates_[certificate] = decision.intermediates;
  }
  std::unique_lock lock(generation->decided_mutex);
  if (generation->decided.size() >= kMaxDecided) generation->decided.clear();
  generation->decided.emplace(key, std::move(decision));
  return principal;
}

std::string CertificateTrust::intermediates_of(const std::string& certificate_digest) const {
  std::lock_guard lock(mutex_);
  const auto it = intermediates_.find(certificate_digest);
  return it == intermediates_.end() ? "" : it->second;
}

std::optional<Principal> CertificateTrust::principal_named(std::string_view name) const {
  for (const config::Principal& p : current()->principals) {
    if (p.name == name) return principal_from(p);
  }
  return std::nullopt;
}

std::vector<std::string> principals_any_root_may_name(
    std::string_view ca_pem, const std::vector<config::Principal>& principals) {
  std::set<std::string> roots;  // by subject and key: the same root twice counts once
  for (const Certificate& ca : read_certificates(ca_pem)) {
    if (X509_check_issued(ca.get(), ca.get()) != X509_V_OK) continue;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    X509_pubkey_digest(ca.get(), EVP_sha256(), digest, &length);
    roots.insert(der_of(X509_get_subject_name(ca.get())) +
                 std::string(reinterpret_cast<const char*>(digest), length));
  }
  std::vector<std::string> names;
  if (roots.size() < 2) return names;
  for (const config::Principal& p : principals) {
    if (p.certificate_sha256.empty()) names.push_back(p.name);
  }
  return names;
}

void warn_of_principals_any_root_may_name(const TrustFiles& files,
                                          const std::vector<config::Principal>& principals) {
  if (files.ca_file.empty()) return;
  const auto ca = config::read_file(files.ca_file);
  if (!ca.ok()) return;  // reported where the file is used
  const std::vector<std::string> names = principals_any_root_may_name(*ca, principals);
  if (names.empty()) return;
  spdlog::warn(
      "{} trusts several root CAs, and each may issue a certificate with any name: principals "
      "{} are matched by name alone, so any of those CAs can act as them; pin each with "
      "certificate_sha256, or give each CA a termijnd of its own",
      files.ca_file, absl::StrJoin(names, ", "));
}

absl::StatusOr<CertificateAuthorities> load_authorities(const TrustFiles& files) {
  if (files.ca_file.empty()) return CertificateAuthorities();
  const auto ca = config::read_file(files.ca_file);
  if (!ca.ok()) return ca.status();
  auto cas = CertificateAuthorities::parse(*ca);
  if (!cas.ok()) return in_file(files.ca_file, cas.status());
  return cas;
}

absl::StatusOr<RevocationList> load_revocations(const TrustFiles& files) {
  if (files.crl_file.empty()) return RevocationList();
  const auto crl = config::read_file(files.crl_file);
  if (!crl.ok()) return crl.status();
  const auto ca = config::read_file(files.ca_file);
  if (!ca.ok()) return ca.status();
  auto list = RevocationList::parse(*crl, *ca);
  if (!list.ok()) return in_file(files.crl_file, list.status());
  for (const std::string& crl_of : list->outdated(std::chrono::system_clock::now())) {
    spdlog::warn(
        "{}: the CRL of {} is past its next update; its revocations still apply, but "
        "a certificate revoked since is not refused: publish a fresh CRL and send SIGHUP",
        files.crl_file, crl_of);
  }
  return list;
}

absl::StatusOr<std::vector<Certificate>> load_certificates(const std::string& path) {
  const auto pem = config::read_file(path);
  if (!pem.ok()) return pem.status();
  std::vector<Certificate> certificates = read_certificates(*pem);
  if (certificates.empty()) return absl::InvalidArgumentError(path + ": holds no PEM certificate");
  return certificates;
}

absl::StatusOr<ServerKeyPair> load_server_key_pair(const TrustFiles& files) {
  auto chain = load_certificates(files.cert_file);
  if (!chain.ok()) return chain.status();
  const auto key_pem = config::read_file(files.key_file);
  if (!key_pem.ok()) return key_pem.status();
  ServerKeyPair pair{std::move(*chain), {nullptr, EVP_PKEY_free}};
  Bio bio = memory_bio(*key_pem);
  pair.key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, app::no_passphrase, nullptr));
  if (!pair.key) {
    ERR_clear_error();
    return absl::InvalidArgumentError(files.key_file + ": no PEM private key, or an encrypted one");
  }
  if (X509_check_private_key(pair.chain.front().get(), pair.key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(files.key_file + ": is not the key of the certificate in " +
                                      files.cert_file);
  }
  return pair;
}

absl::Status check_server_identity(const TrustFiles& files) {
  return load_server_key_pair(files).status();
}

absl::Status reload_trust(CertificateTrust& trust, const TrustFiles& files) {
  constexpr const char* kKept =
      "reload failed, the previous principals, CAs and revocations stay: ";
  std::vector<config::Principal> principals;
  try {
    principals = config::load_config(files.config_file).principals;
  } catch (const std::runtime_error& e) {
    return absl::InvalidArgumentError(absl::StrCat(kKept, e.what()));  // "FILE: what is wrong"
  }
  auto cas = load_authorities(files);
  if (!cas.ok()) return absl::InvalidArgumentError(absl::StrCat(kKept, cas.status().message()));
  auto revoked = load_revocations(files);
  if (!revoked.ok())
    return absl::InvalidArgumentError(absl::StrCat(kKept, revoked.status().message()));
  warn_of_principals_any_root_may_name(files, principals);
  const size_t counts[] = {principals.size(), cas->size(), revoked->size()};
  trust.replace(std::move(principals), std::move(*cas), std::move(*revoked));
  spdlog::info("SIGHUP: reloaded {} principals, {} CA certificates and {} revoked certificates",
               counts[0], counts[1], counts[2]);
  if (files.cert_file.empty()) return absl::OkStatus();  // plaintext development mode
  if (auto s = check_server_identity(files); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the server certificate and key on disk are not usable: ", s.message()));
  }
  return absl::OkStatus();
}

}  // namespace termijn::api
