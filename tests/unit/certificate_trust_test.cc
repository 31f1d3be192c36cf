// Which client certificates stand for which principal: ambiguous names, pins, revocation.
#include "server/api/certificate_trust.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace termijn::api {
namespace {

using ::testing::HasSubstr;

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

Key new_key() { return Key(EVP_EC_gen("P-256"), EVP_PKEY_free); }

template <typename T, int (*Write)(BIO*, const T*)>
std::string pem_of(const T* object) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  Write(bio.get(), object);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, length);
}

// Fixed instants: the tests read no clock.
void set_time(ASN1_TIME* time, const char* generalized) { ASN1_TIME_set_string(time, generalized); }

struct Subject {
  std::vector<std::string> common_names;               // may hold NUL bytes
  std::vector<std::pair<int, std::string>> alt_names;  // (GEN_EMAIL / GEN_DNS, value)
  long serial = 1;
  const char* not_after = "20300101000000Z";
};

// A test CA that signs certificates and CRLs.
class TestCa {
 public:
  /// A root CA, or with `parent` an intermediate CA it issued.
  explicit TestCa(const std::string& name, const TestCa* parent = nullptr) : key_(new_key()) {
    name_ = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name_, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1000);
    X509_set_subject_name(cert.get(), name_);
    X509_set_issuer_name(cert.get(), parent != nullptr ? parent->name_ : name_);
    set_time(X509_getm_notBefore(cert.get()), "20250101000000Z");
    set_time(X509_getm_notAfter(cert.get()), "20350101000000Z");
    X509_set_pubkey(cert.get(), key_.get());
    X509_EXTENSION* ca = X509V3_EXT_conf_nid(nullptr, nullptr, NID_basic_constraints,
                                             const_cast<char*>("critical,CA:TRUE"));
    X509_add_ext(cert.get(), ca, -1);
    X509_EXTENSION_free(ca);
    X509_sign(cert.get(), parent != nullptr ? parent->key_.get() : key_.get(), EVP_sha256());
    pem_ = pem_of<X509, PEM_write_bio_X509>(cert.get());
  }
  ~TestCa() { X509_NAME_free(name_); }
  const std::string& pem() const { return pem_; }
  /// Its private key, unencrypted PEM.
  std::string key_pem() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, length);
  }

  std::string issue(const Subject& s) const {
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), s.serial);
    X509_NAME* subject = X509_get_subject_name(cert.get());
    for (const std::string& cn : s.common_names) {
      X509_NAME_add_entry_by_NID(subject, NID_commonName, V_ASN1_UTF8STRING,
                                 reinterpret_cast<const unsigned char*>(cn.data()),
                                 static_cast<int>(cn.size()), -1, 0);
    }
    if (!s.alt_names.empty()) {
      GENERAL_NAMES* names = GENERAL_NAMES_new();
      for (const auto& [type, value] : s.alt_names) {
        ASN1_IA5STRING* text = ASN1_IA5STRING_new();
        ASN1_STRING_set(text, value.data(), static_cast<int>(value.size()));
        GENERAL_NAME* name = GENERAL_NAME_new();
        GENERAL_NAME_set0_value(name, type, text);
        sk_GENERAL_NAME_push(names, name);
      }
      X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, names, 0, 0);
      GENERAL_NAMES_free(names);
    }
    X509_set_issuer_name(cert.get(), name_);
    set_time(X509_getm_notBefore(cert.get()), "20250101000000Z");
    set_time(X509_getm_notAfter(cert.get()), s.not_after);
    const Key key = new_key();
    X509_set_pubkey(cert.get(), key.get());
    X509_sign(cert.get(), key_.get(), EVP_sha256());
    return pem_of<X509, PEM_write_bio_X509>(cert.get());
  }

  std::string crl(const std::vector<long>& revoked_serials,
                  const char* next_update = "20991231000000Z") const {
    std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)> crl(X509_CRL_new(), X509_CRL_free);
    X509_CRL_set_version(crl.get(), 1);
    X509_CRL_set_issuer_name(crl.get(), name_);
    std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> when(ASN1_TIME_new(), ASN1_TIME_free);
    set_time(when.get(), "20260101000000Z");
    X509_CRL_set1_lastUpdate(crl.get(), when.get());
    std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> next(ASN1_TIME_new(), ASN1_TIME_free);
    set_time(next.get(), next_update);
    X509_CRL_set1_nextUpdate(crl.get(), next.get());
    for (const long serial : revoked_serials) {
      X509_REVOKED* entry = X509_REVOKED_new();
      std::unique_ptr<ASN1_INTEGER, decltype(&ASN1_INTEGER_free)> number(ASN1_INTEGER_new(),
                                                                         ASN1_INTEGER_free);
      ASN1_INTEGER_set(number.get(), serial);
      X509_REVOKED_set_serialNumber(entry, number.get());
      X509_REVOKED_set_revocationDate(entry, when.get());
      X509_CRL_add0_revoked(crl.get(), entry);
    }
    X509_CRL_sort(crl.get());
    X509_CRL_sign(crl.get(), key_.get(), EVP_sha256());
    return pem_of<X509_CRL, PEM_write_bio_X509_CRL>(crl.get());
  }

 private:
  Key key_;
  X509_NAME* name_ = nullptr;
  std::string pem_;
};

config::Principal herent_dpo() {
  config::Principal p;
  p.name = "herent-dpo";
  p.party = "herent";
  p.roles = {"dpo"};
  p.certificate_cn = "herent-dpo";
  return p;
}

config::Principal by_email(const std::string& email) {
  config::Principal p = herent_dpo();
  p.name = "herent-mail";
  p.certificate_cn.clear();
  p.certificate_email = email;
  return p;
}

// The clock of the trusts below: within the validity of the certificates TestCa issues.
std::chrono::system_clock::time_point utc(const char* iso) {
  std::tm tm{};
  strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}
const CertificateTrust::Now kIn2027 = [] { return utc("2027-01-01T00:00:00Z"); };

const TestCa& ca() {
  static const TestCa instance("Test CA");
  return instance;
}

// The CAs of the bundle `pem`.
CertificateAuthorities cas(const std::string& pem = ca().pem()) {
  auto parsed = CertificateAuthorities::parse(pem);
  if (!parsed.ok()) throw std::runtime_error(std::string(parsed.status().message()));
  return *std::move(parsed);
}

TEST(CertificateTrustTest, AConfiguredCnIsItsPrincipal) {
  // The baseline the refusals below differ from: one CN, no NUL, known principal.
  const CertificateTrust trust({herent_dpo()}, cas(), {}, kIn2027);
  const auto p = trust.principal_for_certificate(ca().issue({{"herent-dpo"}}));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->name, "herent-dpo");
  EXPECT_TRUE(p->dpo);
}

TEST(CertificateTrustTest, ACertificateIsRefusedOutsideItsValidityAlsoWhenDecidedBefore) {
  // TLS checks the validity period only at the handshake; a connection kept open (termijn-rt, a
  // watched stream) outlives it. Before: a certificate decided once was accepted for the rest
  // of the generation, expired or not.
  auto now = utc("2029-12-31T23:59:59Z");
  const CertificateTrust trust({herent_dpo()}, cas(), {}, [&] { return now; });
  const std::string pem = ca().issue({{"herent-dpo"}});  // valid 2025-01-01 to 2030-01-01
  ASSERT_TRUE(trust.principal_for_certificate(pem).ok());
  now = utc("2030-01-01T00:00:01Z");
  const auto expired = trust.principal_for_certificate(pem);
  EXPECT_EQ(expired.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(expired.status().message(),
              HasSubstr("certificate CN 'herent-dpo' expired at 2030-01-01T00:00:00Z"));
  now = utc("2024-12-31T23:59:59Z");
  EXPECT_THAT(trust.principal_for_certificate(pem).status().message(),
              HasSubstr("is valid from 2025-01-01T00:00:00Z"));
}

TEST(CertificateTrustTest, ACertificateThatNeverExpiresIsValid) {
  // RFC 5280: 99991231235959Z means no expiry. Before: in system_clock's nanoseconds the date
  // overflowed to 1816, and such a certificate was refused as expired on every call.
  const CertificateTrust trust({herent_dpo()}, cas(), {}, kIn2027);
  const auto p =
      trust.principal_for_certificate(ca().issue({{"herent-dpo"}, {}, 1, "99991231235959Z"}));
  EXPECT_TRUE(p.ok()) << p.status();
  const auto crl = RevocationList::parse(ca().crl({}, "99991231235959Z"), ca().pem());
  ASSERT_TRUE(crl.ok()) << crl.status();
  EXPECT_THAT(crl->outdated(kIn2027()), ::testing::IsEmpty()) << "a CRL of 9999 is not outdated";
}

TEST(CertificateTrustTest, SeveralCommonNamesAreRefused) {
  // A subject with two CNs names no one for sure, whichever CN comes first.
  const CertificateTrust trust({herent_dpo()}, cas(), {}, kIn2027);
  for (const Subject& s :
       {Subject{{"herent-dpo", "intruder"}}, Subject{{"intruder", "herent-dpo"}}}) {
    const auto p = trust.principal_for_certificate(ca().issue(s));
    EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_THAT(p.status().message(), HasSubstr("several subject CNs"));
  }
}

TEST(CertificateTrustTest, ANulByteInTheCnIsRefused) {
  // "herent-dpo\0.evil.example" must not pass for herent-dpo.
  const CertificateTrust trust({herent_dpo()}, cas(), {}, kIn2027);
  const auto p =
      trust.principal_for_certificate(ca().issue({{std::string("herent-dpo\0.evil.example", 24)}}));
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(p.status().message(), HasSubstr("CN contains a NUL byte"));
}

TEST(CertificateTrustTest, ANulByteInASanIsRefused) {
  // E-mail and DNS names with a NUL byte are refused, even beside a CN that would match.
  const CertificateTrust trust({herent_dpo(), by_email("dpo@herent.example")}, cas(), {}, kIn2027);
  for (const int type : {GEN_EMAIL, GEN_DNS}) {
    const auto p = trust.principal_for_certificate(
        ca().issue({{"herent-dpo"}, {{type, std::string("dpo@herent.example\0.evil", 25)}}}));
    EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated) << type;
    EXPECT_THAT(p.status().message(), HasSubstr("subject alternative name contains a NUL byte"));
  }
  const auto clean =
      trust.principal_for_certificate(ca().issue({{}, {{GEN_EMAIL, "dpo@herent.example"}}}));
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_EQ(clean->name, "herent-mail");
}

TEST(CertificateTrustTest, APinInAnyNotationMatchesOnlyItsCertificate) {
  // A pin written as openssl prints it (upper case, colons) is the same pin as plain hex.
  const std::string pinned_pem = ca().issue({{"herent-dpo"}, {}, 7});
  const std::string other_pem = ca().issue({{"herent-dpo"}, {}, 8});
  const std::string hex = identify_certificate(pinned_pem)->sha256;
  std::string printed;
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (i > 0) printed += ':';
    printed += static_cast<char>(std::toupper(hex[i]));
    printed += static_cast<char>(std::toupper(hex[i + 1]));
  }
  for (const std::string& written : {printed, hex}) {
    config::Principal p = herent_dpo();
    p.certificate_sha256 = config::normalized_fingerprint(written);
    const CertificateTrust trust({p}, cas(), {}, kIn2027);
    EXPECT_TRUE(trust.principal_for_certificate(pinned_pem).ok()) << written;
    EXPECT_FALSE(trust.principal_for_certificate(other_pem).ok()) << written;
  }
  EXPECT_EQ(config::normalized_fingerprint(hex.substr(2)), "");
  EXPECT_EQ(config::normalized_fingerprint(hex.substr(2) + "zz"), "");
}

TEST(CertificateTrustTest, ARevocationTakesEffectOnTheNextDecisionAfterReplace) {
  // A certificate already decided (and cached) is refused as soon as a CRL revoking it is put in;
  // another certificate of the same CA stays accepted.
  CertificateTrust trust({herent_dpo()}, cas(), {}, kIn2027);
  const std::string revoked = ca().issue({{"herent-dpo"}, {}, 41});
  const std::string kept = ca().issue({{"herent-dpo"}, {}, 42});
  ASSERT_TRUE(trust.principal_for_certificate(revoked).ok());

  const auto crl = RevocationList::parse(ca().crl({41}), ca().pem());
  ASSERT_TRUE(crl.ok()) << crl.status();
  trust.replace({herent_dpo()}, cas(), *crl);
  const auto refused = trust.principal_for_certificate(revoked);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(refused.status().message(), HasSubstr("(serial 29) has been revoked"));
  EXPECT_TRUE(trust.principal_for_certificate(kept).ok());
}

TEST(CertificateTrustTest, TheSameSerialFromAnotherCaIsNotRevoked) {
  // A CRL speaks for its own issuer only.
  const TestCa other("Other CA");
  const auto crl = RevocationList::parse(ca().crl({5}), ca().pem() + other.pem());
  ASSERT_TRUE(crl.ok()) << crl.status();
  const CertificateTrust trust({herent_dpo()}, cas(ca().pem() + other.pem()), *crl, kIn2027);
  EXPECT_FALSE(trust.principal_for_certificate(ca().issue({{"herent-dpo"}, {}, 5})).ok());
  EXPECT_TRUE(trust.principal_for_certificate(other.issue({{"herent-dpo"}, {}, 5})).ok());
}

TEST(CertificateTrustTest, AnOutdatedCrlStillRevokesAndIsReported) {
  // A CRL past its next update may miss newer revocations, but what it lists stays revoked:
  // it keeps applying, and `outdated` names it so that the operator is warned.
  const auto crl = RevocationList::parse(ca().crl({7}, "20260601000000Z"), ca().pem());
  ASSERT_TRUE(crl.ok()) << crl.status();
  const CertificateTrust trust({herent_dpo()}, cas(), *crl, kIn2027);
  EXPECT_FALSE(trust.principal_for_certificate(ca().issue({{"herent-dpo"}, {}, 7})).ok());

  using namespace std::chrono;
  const sys_days next_update{year{2026} / June / 1};
  EXPECT_THAT(crl->outdated(next_update - seconds{1}), ::testing::IsEmpty());
  EXPECT_THAT(crl->outdated(next_update + days{183}),
              ::testing::ElementsAre("'/CN=Test CA' (next update 2026-06-01T00:00:00Z)"));
}

TEST(CertificateTrustTest, ACrlMustBeSignedByATrustedCa) {
  // A CRL from a CA outside the bundle, or text that is no CRL, is refused with the reason.
  const TestCa other("Other CA");
  const auto foreign = RevocationList::parse(other.crl({1}), ca().pem());
  EXPECT_THAT(foreign.status().message(),
              HasSubstr("the CRL of '/CN=Other CA' is not signed by a CA of the trusted bundle"));
  EXPECT_THAT(RevocationList::parse("garbage", ca().pem()).status().message(),
              HasSubstr("holds no PEM certificate revocation list"));
  EXPECT_EQ(RevocationList::parse("", ca().pem())->size(), 0u);
}

TEST(CertificateTrustTest, ACaTakenOutOfTheBundleIsRefusedFromTheNextDecision) {
  // TLS verified the certificate against the CAs at the handshake; a connection kept open
  // (termijn-rt, a browser) outlives a reload that removes its CA. Before: its certificate was
  // still accepted on that connection, as long as the connection lasted.
  const TestCa kortenberg_ca("Kortenberg CA");
  CertificateTrust trust({herent_dpo()}, cas(ca().pem() + kortenberg_ca.pem()), {}, kIn2027);
  const std::string through_kortenberg = kortenberg_ca.issue({{"herent-dpo"}});
  const std::string through_test_ca = ca().issue({{"herent-dpo"}});
  ASSERT_TRUE(trust.principal_for_certificate(through_kortenberg).ok());

  trust.replace({herent_dpo()}, cas(ca().pem()), {});
  const auto refused = trust.principal_for_certificate(through_kortenberg);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("certificate CN 'herent-dpo' is not issued by a trusted CA (unable to get "
                        "local issuer certificate)"));
  EXPECT_TRUE(trust.principal_for_certificate(through_test_ca).ok());
  EXPECT_FALSE(CertificateTrust({herent_dpo()}, {}, {}, kIn2027)
                   .principal_for_certificate(through_test_ca)
                   .ok())
      << "no CA: no certificate is trusted";
}

TEST(CertificateTrustTest, ACertificateChainsThroughTheIntermediatesItCameWith) {
  // A client may present its CA's intermediate with its certificate (gRPC and the web console
  // pass it on); a CA of the bundle, root or intermediate, is enough.
  const TestCa intermediate("Herent Issuing CA", &ca());
  const std::string pem = intermediate.issue({{"herent-dpo"}});
  CertificateTrust by_root({herent_dpo()}, cas(ca().pem()), {}, kIn2027);
  EXPECT_FALSE(by_root.principal_for_certificate(pem).ok()) << "the intermediate is missing";
  const auto through = by_root.principal_for_certificate(pem, intermediate.pem());
  EXPECT_TRUE(through.ok()) << through.status();
  // A resumed TLS session has no chain: the certificate comes alone, and is checked through the
  // intermediate it came with before, also after a reload. Before: refused on every resumed
  // session of the web console.
  const auto resumed = by_root.principal_for_certificate(pem);
  EXPECT_TRUE(resumed.ok()) << resumed.status();
  by_root.replace({herent_dpo()}, cas(ca().pem()), {});
  EXPECT_TRUE(by_root.principal_for_certificate(pem).ok());
  // What it came with is no anchor: without the root in the bundle it is refused.
  by_root.replace({herent_dpo()}, cas(TestCa("Other CA").pem()), {});
  EXPECT_FALSE(by_root.principal_for_certificate(pem).ok());

  const CertificateTrust by_intermediate({herent_dpo()}, cas(intermediate.pem()), {}, kIn2027);
  const auto anchored = by_intermediate.principal_for_certificate(pem);
  EXPECT_TRUE(anchored.ok()) << anchored.status();
  EXPECT_THAT(CertificateAuthorities::parse("no certificate").status().message(),
              HasSubstr("holds no PEM certificate"));
}

TEST(ServerKeyPairTest, TheChainAndItsKeyAreReadTogetherAndMustBelongTogether) {
  // One reader for gRPC's check at start and the web console's handshakes: before, the console
  // read the files on its own, and said "no PEM certificate" of a folder.
  const TestCa server("Termijn server", &ca());
  char name[] = "/tmp/termijn-key-pair-XXXXXX";
  const std::string dir = ::mkdtemp(name);
  const auto file = [&dir](const std::string& file_name, const std::string& text) {
    std::ofstream(dir + "/" + file_name) << text;
    return dir + "/" + file_name;
  };
  TrustFiles files;
  files.cert_file = file("server.crt", server.pem() + ca().pem());
  files.key_file = file("server.key", server.key_pem());
  const auto pair = load_server_key_pair(files);
  ASSERT_TRUE(pair.ok()) << pair.status();
  EXPECT_EQ(pair->chain.size(), 2u);  // the leaf, then its CA
  EXPECT_EQ(api::pem_of(pair->chain.front().get()), server.pem());
  EXPECT_TRUE(check_server_identity(files).ok());

  TrustFiles wrong = files;
  wrong.key_file = file("ca.key", ca().key_pem());
  EXPECT_EQ(load_server_key_pair(wrong).status().message(),
            wrong.key_file + ": is not the key of the certificate in " + files.cert_file);
  wrong.key_file = files.cert_file;
  EXPECT_EQ(check_server_identity(wrong).message(),
            files.cert_file + ": no PEM private key, or an encrypted one");
  wrong = files;
  wrong.cert_file = dir;
  EXPECT_EQ(check_server_identity(wrong).message(), "cannot read " + dir + ": Is a directory");
  wrong.cert_file = files.key_file;
  EXPECT_EQ(check_server_identity(wrong).message(), files.key_file + ": holds no PEM certificate");
  EXPECT_EQ(load_certificates(files.cert_file)->size(), 2u);
  std::filesystem::remove_all(dir);
}

TEST(CertificateTrustTest, ReplacedPrincipalsActFromTheNextCall) {
  // A principal removed from the configuration is refused after the reload, also when its
  // certificate was decided before.
  CertificateTrust trust({herent_dpo()}, cas(), {}, kIn2027);
  const std::string pem = ca().issue({{"herent-dpo"}});
  ASSERT_TRUE(trust.principal_for_certificate(pem).ok());
  trust.replace({}, cas(), {});
  EXPECT_THAT(trust.principal_for_certificate(pem).status().message(),
              HasSubstr("certificate CN 'herent-dpo' is not a configured principal"));
  EXPECT_FALSE(trust.principal_named("herent-dpo").has_value());
}

TEST(CertificateTrustTest, PrincipalsNamedAloneAreNamedWhenSeveralRootsAreTrusted) {
  // Two parties' CAs in one bundle: either CA can issue "CN=herent-dpo". A principal pinned by
  // its certificate's fingerprint is safe; one matched by name alone is reported.
  const TestCa kortenberg_ca("Kortenberg CA");
  config::Principal pinned = by_email("dpo@herent.example");
  pinned.certificate_sha256 = std::string(64, 'a');
  EXPECT_THAT(
      principals_any_root_may_name(ca().pem() + kortenberg_ca.pem(), {herent_dpo(), pinned}),
      ::testing::ElementsAre("herent-dpo"));
  EXPECT_THAT(principals_any_root_may_name(ca().pem(), {herent_dpo(), pinned}),
              ::testing::IsEmpty());
  EXPECT_THAT(principals_any_root_may_name(ca().pem() + ca().pem(), {herent_dpo()}),
              ::testing::IsEmpty())
      << "the same root twice is one";
}

}  // namespace
}  // namespace termijn::api
