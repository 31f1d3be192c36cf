#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/api/principal.h"
#include "server/config/config.h"

struct x509_st;        // OpenSSL's X509
struct x509_store_st;  // OpenSSL's X509_STORE
struct evp_pkey_st;    // OpenSSL's EVP_PKEY

namespace termijn::api {

/// An X509 certificate, freed with X509_free.
using Certificate = std::unique_ptr<x509_st, void (*)(x509_st*)>;

/// A certificate in PEM.
std::string pem_of(x509_st* certificate);

/// The Principal a configured principal stands for.
Principal principal_from(const config::Principal& p);

/// What identifies a client certificate.
struct CertificateIdentity {
  std::string common_name;          ///< subject CN; empty if it has none
  std::vector<std::string> emails;  ///< e-mail SANs
  std::string sha256;               ///< SHA-256 of the DER, 64 lower-case hex digits
  std::string issuer;               ///< DER of the issuer name
  std::string serial;               ///< serial number, upper-case hex
  // In seconds: a system_clock::time_point (nanoseconds) ends in 2262, and a certificate may
  // say it never expires with 9999-12-31 (RFC 5280).
  std::chrono::sys_seconds not_before;  ///< valid from
  std::chrono::sys_seconds not_after;   ///< valid until
};

/// Reads a PEM certificate with OpenSSL. INVALID_ARGUMENT if it cannot be parsed, if its subject
/// has more than one CN, or if a NUL byte hides in its CN or a SAN: each makes the name a
/// principal is matched by ambiguous ("herent-dpo\0.evil" reads as "herent-dpo" in C).
absl::StatusOr<CertificateIdentity> identify_certificate(std::string_view pem);

/// The certificates the CA has revoked: the entries of one or more PEM CRLs, each signed by a
/// CA of the trusted bundle.
class RevocationList {
 public:
  RevocationList() = default;
  /// INVALID_ARGUMENT naming the reason if `crl_pem` holds no CRL, a CRL that cannot be parsed, or
  /// one not signed by a CA certificate in `ca_pem`. Empty `crl_pem`: nothing is revoked.
  static absl::StatusOr<RevocationList> parse(std::string_view crl_pem, std::string_view ca_pem);

  /// Whether the issuer of `id` revoked it.
  bool revokes(const CertificateIdentity& id) const {
    return revoked_.count({id.issuer, id.serial}) > 0;
  }
  size_t size() const { return revoked_.size(); }

  /// The CRLs whose next update is before `now`, each as "'/CN=issuer' (next update TIME)". Their
  /// revocations still apply (a revoked certificate never becomes valid again), but a certificate
  /// revoked after they were issued is not in them: the operator must publish a fresh CRL.
  std::vector<std::string> outdated(std::chrono::system_clock::time_point now) const;

 private:
  struct Published {
    std::string issuer;  // one line
    std::optional<std::chrono::sys_seconds> next_update;
  };
  std::set<std::pair<std::string, std::string>> revoked_;  // (issuer DER, serial hex)
  std::vector<Published> published_;
};

/// The CAs of `ca_file`: a client certificate stands for a principal only while one of them
/// issued it. TLS checked that at the handshake, against the file as it was then; this is checked
/// per certificate again after a reload, so that a CA taken out of the file is refused from the
/// next call on, also on connections opened before. Every certificate in the file is a trust
/// anchor, as in the handshake; a certificate the client presented with its own is an
/// intermediate it may chain through.
class CertificateAuthorities {
 public:
  /// Trusts none.
  CertificateAuthorities() = default;
  /// INVALID_ARGUMENT if `ca_pem` holds no PEM certificate.
  static absl::StatusOr<CertificateAuthorities> parse(std::string_view ca_pem);

  /// If one of them issued `pem` (a certificate), through the intermediates in `chain_pem` (PEM,
  /// may be empty): the intermediates it chained through (PEM; empty when a CA of the bundle
  /// issued it directly); UNAUTHENTICATED with OpenSSL's reason otherwise. Validity periods are
  /// not checked here: CertificateTrust checks them on every call.
  absl::StatusOr<std::string> issued(std::string_view pem, std::string_view chain_pem) const;
  size_t size() const { return size_; }

 private:
  std::shared_ptr<x509_store_st> store_;  // immutable once parsed; shared by copies
  size_t size_ = 0;
};

/// The CAs, principals and revocations every call is checked against, replaced whole on reload, so
/// that a revoked certificate is refused from the next call on, also on connections opened
/// before. Thread-safe. Each distinct certificate is parsed and decided once per generation;
/// its validity period is checked on every call, since TLS checked it only at the handshake.
class CertificateTrust {
 public:
  using Now = std::function<std::chrono::system_clock::time_point()>;
  /// `now`: the clock validity periods are checked against; tests pass their own.
  CertificateTrust(std::vector<config::Principal> principals, CertificateAuthorities cas,
                   RevocationList revoked, Now now = std::chrono::system_clock::now);

  /// The principal a client certificate (PEM) stands for, presented with the intermediates in
  /// `chain_pem` (PEM, may be empty); UNAUTHENTICATED with the reason otherwise: none of the CAs
  /// issued it, it has been revoked, it has expired or is not valid yet, or it names no principal.
  /// A resumed TLS session has no chain: a certificate comes without it then, and is checked
  /// through the intermediates it was last verified through.
  absl::StatusOr<Principal> principal_for_certificate(std::string_view pem,
                                                      std::string_view chain_pem = {}) const;

  /// The configured principal called `name` (plaintext development mode).
  std::optional<Principal> principal_named(std::string_view name) const;

  /// From the next call on, decide with these principals, CAs and revocations.
  void replace(std::vector<config::Principal> principals, CertificateAuthorities cas,
               RevocationList revoked);

 private:
  struct Generation;
  std::shared_ptr<const Generation> current() const;

  /// The intermediates a chain was verified through, for when its certificate comes without them.
  std::string intermediates_of(const std::string& certificate_digest) const;

  Now now_;
  mutable std::mutex mutex_;  // guards current_ and intermediates_
  std::shared_ptr<const Generation> current_;
  // By the SHA-256 of a certificate's PEM: the intermediates it was verified through (PEM). Kept
  // across reloads: they are no anchors, only a path to one in the bundle of the time.
  mutable std::unordered_map<std::string, std::string> intermediates_;
};

/// Where the TLS material and the principals are read from. The paths are fixed at start; their
/// contents are re-read on reload.
struct TrustFiles {
  std::string config_file;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string crl_file;  ///< empty: no revocation list
};

/// The principals that another CA could stand in for: when `ca_pem` holds two or more root CAs
/// (self-signed), each of them may issue a certificate with any name, so a principal matched by
/// CN or e-mail alone (no certificate_sha256) can be claimed through any of them. Their names;
/// none with one root.
std::vector<std::string> principals_any_root_may_name(
    std::string_view ca_pem, const std::vector<config::Principal>& principals);

/// Logs a warning naming the principals_any_root_may_name() of the CA bundle in `files`.
void warn_of_principals_any_root_may_name(const TrustFiles& files,
                                          const std::vector<config::Principal>& principals);

/// Reads the CAs of `files` (none if ca_file is empty: plaintext development mode).
/// INVALID_ARGUMENT "FILE: reason" if it cannot be read or holds no certificate.
absl::StatusOr<CertificateAuthorities> load_authorities(const TrustFiles& files);

/// Reads and checks the revocation list named in `files` (none if crl_file is empty).
/// INVALID_ARGUMENT "FILE: reason" if it cannot be read or is not valid.
absl::StatusOr<RevocationList> load_revocations(const TrustFiles& files);

/// What a server presents in its TLS handshakes: its certificate chain, leaf first, and the
/// leaf's key.
struct ServerKeyPair {
  std::vector<Certificate> chain;
  std::unique_ptr<evp_pkey_st, void (*)(evp_pkey_st*)> key{nullptr, nullptr};
};

/// Reads the server certificate chain and key of `files`, the one source of both for gRPC's
/// handshakes (checked here, read again by gRPC itself) and the web console's.
/// INVALID_ARGUMENT "FILE: reason" unless both can be read, parsed (an encrypted key cannot)
/// and belong together.
absl::StatusOr<ServerKeyPair> load_server_key_pair(const TrustFiles& files);

/// load_server_key_pair, for its verdict only.
absl::Status check_server_identity(const TrustFiles& files);

/// Every certificate of the PEM file at `path` (a CA bundle). INVALID_ARGUMENT "FILE: holds no
/// PEM certificate", or why it cannot be read.
absl::StatusOr<std::vector<Certificate>> load_certificates(const std::string& path);

/// SIGHUP: re-reads the configuration's principals, the CAs and the revocation list and puts
/// them into `trust` together, or, if one is wrong, none (the status says which file and why). Then
/// checks the server certificate and key, which gRPC re-reads by itself: a problem there is
/// reported but does not hold back a revocation.
absl::Status reload_trust(CertificateTrust& trust, const TrustFiles& files);

}  // namespace termijn::api
