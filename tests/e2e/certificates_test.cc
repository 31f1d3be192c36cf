// End-to-end: certificate revocation and reload on SIGHUP, and where plaintext may be served.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "termijn/v1/termijn.grpc.pb.h"
#include "tests/e2e/harness.h"

namespace termijn::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::string_literals;
namespace fs = std::filesystem;

// One channel, hence one TLS connection, presenting `name`'s certificate for every call.
class Connection {
 public:
  Connection(const Termijnd& server, const std::string& name) {
    const std::string dir = Certificates::get().dir;
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = read_file(dir + "/ca.crt");
    ssl.pem_cert_chain = read_file(dir + "/" + name + ".crt");
    ssl.pem_private_key = read_file(dir + "/" + name + ".key");
    stub_ = v1::Termijn::NewStub(grpc::CreateChannel(server.address(), grpc::SslCredentials(ssl)));
  }
  grpc::Status list_parties() {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::ListPartiesResponse response;
    return stub_->ListParties(&context, {}, &response);
  }
  // A WatchEvents stream of the incidents reported from now on (types "incident.reported").
  std::unique_ptr<grpc::ClientReader<v1::Event>> watch_reports(grpc::ClientContext& context) {
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::WatchEventsRequest request;
    request.mutable_filter()->add_types("incident.reported");
    return stub_->WatchEvents(&context, request);
  }

 private:
  std::unique_ptr<v1::Termijn::Stub> stub_;
};

// A principal of its own per test, so that revoking it leaves the shared demo certificates be.
constexpr const char* kDeputy = "herent-deputy";

TermijndOptions with_deputy_and_crl(const std::string& crl_file,
                                    const std::string& deputy = kDeputy) {
  TermijndOptions options;
  options.edits = {{"[[principal]]\nname = \"auditor\"",
                    "[[principal]]\nname = \"" + deputy +
                        "\"\nparty = \"herent\"\nroles = [\"dpo\"]\ncertificate_cn = \"" + deputy +
                        "\"\n\n[[principal]]\nname = \"auditor\""}};
  options.crl_file = crl_file;
  return options;
}

TEST(RevocationTest, ARevokedCertificateIsRefusedFromTheCallAfterSighup) {
  // Revoking a principal's certificate and sending SIGHUP refuses its next call, also on a
  // connection opened before, while other principals keep working and the server keeps running.
  dev_certs({kDeputy});
  // What termijnd reads: a copy, so that the test can also break it.
  const std::string crl = scratch_path("revocation.crl");
  fs::copy_file(Certificates::get().dir + "/ca.crl", crl, fs::copy_options::overwrite_existing);
  Termijnd server(with_deputy_and_crl(crl));
  Connection open_before(server, kDeputy);
  ASSERT_TRUE(open_before.list_parties().ok());
  ASSERT_EQ(server.cli(kDeputy, {"parties", "list"}).exit_code, 0);

  dev_certs({kDeputy}, /*revoke=*/true);
  fs::copy_file(Certificates::get().dir + "/ca.crl", crl, fs::copy_options::overwrite_existing);
  server.reload();

  const Outcome refused = server.cli(kDeputy, {"parties", "list"});
  EXPECT_EQ(refused.exit_code, 4);
  EXPECT_THAT(refused.err, HasSubstr("certificate CN 'herent-deputy'"));
  EXPECT_THAT(refused.err, HasSubstr("has been revoked"));
  const grpc::Status on_open_connection = open_before.list_parties();
  EXPECT_EQ(on_open_connection.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(on_open_connection.error_message(), HasSubstr("has been revoked"));
  EXPECT_EQ(server.cli("herent-dpo", {"parties", "list"}).exit_code, 0);

  // A broken CRL is reported with its file name; the previous revocations stay in force.
  std::ofstream(crl) << "not a CRL\n";
  server.reload();
  EXPECT_THAT(server.log(), HasSubstr("previous principals, CAs and revocations stay: " + crl +
                                      ": holds no PEM certificate revocation list"));
  EXPECT_EQ(server.cli(kDeputy, {"parties", "list"}).exit_code, 4);
  EXPECT_EQ(server.cli("kortenberg-dpo", {"parties", "list"}).exit_code, 0);
}

TEST(RevocationTest, ACaTakenOutOfTheBundleIsRefusedFromTheCallAfterSighup) {
  // The operator stops trusting a CA: takes it out of ca_file and sends SIGHUP. Its
  // certificates are refused from the next call on, also on a connection opened before, which
  // gRPC's handshake alone would have kept serving as long as it stayed open. Before: served.
  const std::string other_ca = scratch_path("other-ca.crt");
  const Outcome made =
      run_command({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                   "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=Other CA", "-days", "30",
                   "-keyout", scratch_path("other-ca.key"), "-out", other_ca});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string test_ca = read_file(Certificates::get().dir + "/ca.crt");
  // What termijnd reads: the test CA beside another, then the other alone.
  const std::string bundle = scratch_path("bundle.crt");
  std::ofstream(bundle) << test_ca << read_file(other_ca);
  TermijndOptions options;
  options.ca_file = bundle;
  Termijnd server(options);
  Connection open_before(server, "herent-dpo");
  ASSERT_TRUE(open_before.list_parties().ok());

  std::ofstream(bundle) << read_file(other_ca);
  server.reload();
  EXPECT_THAT(server.log(), HasSubstr(" principals, 1 CA certificates and "));
  const grpc::Status on_open_connection = open_before.list_parties();
  EXPECT_EQ(on_open_connection.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(on_open_connection.error_message(),
              HasSubstr("certificate CN 'herent-dpo' is not issued by a trusted CA"));

  // A bundle without a certificate is refused with its name; the CAs before stay.
  std::ofstream(bundle) << "not a certificate\n";
  server.reload();
  EXPECT_THAT(server.log(), HasSubstr("previous principals, CAs and revocations stay: " + bundle +
                                      ": holds no PEM certificate"));
  EXPECT_EQ(open_before.list_parties().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

// A termijnd with `name` as a Herent DPO and a CRL of its own, and `name`'s stream of reported
// incidents, which has read one: what the stream tests below change.
struct WatchingDpo {
  explicit WatchingDpo(const std::string& dpo)
      : name(dpo),
        crl(fresh_crl(dpo)),
        server(with_deputy_and_crl(crl, dpo)),
        connection(server, dpo) {
    stream = connection.watch_reports(context);
    if (server.cli("herent-dpo", {"incident", "report", "--title", "Before"}).exit_code != 0 ||
        !stream->Read(&event) || event.type() != "incident.reported") {
      throw std::runtime_error("the stream of " + name + " does not work to begin with");
    }
  }
  // A certificate for `dpo` (one per test: revoked here, whatever ran before), and a copy of
  // the CA's revocation list for termijnd to read.
  static std::string fresh_crl(const std::string& dpo) {
    dev_certs({dpo});
    const std::string path = scratch_path(dpo + ".crl");
    fs::copy_file(Certificates::get().dir + "/ca.crl", path, fs::copy_options::overwrite_existing);
    return path;
  }
  // How the stream ended: it must deliver nothing more.
  grpc::Status ended() {
    if (stream->Read(&event)) {
      context.TryCancel();
      return grpc::Status(grpc::StatusCode::INTERNAL, "delivered: " + event.ShortDebugString());
    }
    return stream->Finish();
  }

  const std::string name;
  const std::string crl;
  Termijnd server;
  Connection connection;
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::Event>> stream;
  v1::Event event;
};

TEST(RevocationTest, AnOpenEventStreamEndsWhenItsCertificateIsRevoked) {
  // A stream opened before the revocation delivers nothing after it: it ends UNAUTHENTICATED at
  // SIGHUP. Before: the stream was authenticated once, when it opened, and went on delivering
  // every new event of the party to the revoked certificate.
  WatchingDpo watching("herent-watcher");
  dev_certs({watching.name}, /*revoke=*/true);
  fs::copy_file(Certificates::get().dir + "/ca.crl", watching.crl,
                fs::copy_options::overwrite_existing);
  watching.server.reload();
  // The stream is idle: SIGHUP itself makes it authenticate again and end, without an event.
  const grpc::Status ended = watching.ended();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAUTHENTICATED) << ended.error_message();
  EXPECT_THAT(ended.error_message(), HasSubstr("has been revoked"));
}

TEST(RevocationTest, AnOpenEventStreamEndsWhenItsPrincipalsRolesChange) {
  // The stream was opened with the rights of a DPO; after SIGHUP the principal is a reporter. The
  // stream ends with UNAVAILABLE, to be opened again (and checked) with the new rights.
  WatchingDpo watching("herent-demoted");
  std::string config = read_file(watching.server.config_file());
  const std::string dpo = "name = \"" + watching.name + "\"\nparty = \"herent\"\nroles = [\"";
  ASSERT_NE(config.find(dpo + "dpo\"]"), std::string::npos);
  config.replace(config.find(dpo + "dpo\"]"), dpo.size() + 5, dpo + "reporter\"]");
  std::ofstream(watching.server.config_file()) << config;
  watching.server.reload();
  ASSERT_EQ(watching.server.cli("herent-dpo", {"incident", "report", "--title", "After"}).exit_code,
            0);
  const grpc::Status ended = watching.ended();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAVAILABLE) << ended.error_message();
  EXPECT_THAT(ended.error_message(), HasSubstr("rights changed"));
}

TEST(RevocationTest, SighupRereadsThePrincipalsAndKeepsThemWhenTheFileIsBroken) {
  // A principal added to the configuration acts after SIGHUP; a configuration that does not
  // parse is reported with its file name and changes nothing.
  Termijnd server;
  EXPECT_EQ(server.cli("stranger", {"parties", "list"}).exit_code, 4);
  std::ofstream(server.config_file(), std::ios::app)
      << "\n[[principal]]\nname = \"stranger\"\nroles = [\"auditor\"]\n"
      << "certificate_cn = \"stranger\"\n";
  server.reload();
  EXPECT_EQ(server.cli("stranger", {"parties", "list"}).exit_code, 0);

  std::ofstream(server.config_file(), std::ios::app) << "\n[[principal]]\nname = \"nobody\"\n";
  server.reload();
  EXPECT_THAT(server.log(), HasSubstr("SIGHUP: reload failed, the previous principals, CAs and "
                                      "revocations stay: " +
                                      server.config_file() + ": principal["));
  EXPECT_EQ(server.cli("stranger", {"parties", "list"}).exit_code, 0);
}

TEST(RevocationTest, ACrlNotSignedByTheCaRefusesToStart) {
  // termijnd does not start with a CRL from another CA, and says which file is wrong.
  const std::string foreign = Certificates::get().other_ca_dir + "/ca.crl";
  TermijndOptions options;
  options.crl_file = foreign;
  try {
    Termijnd server(options);
    ADD_FAILURE() << "termijnd started with another CA's CRL";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("tls: " + foreign +
                                    ": the CRL of '/O=Termijn development/"
                                    "CN=Termijn development CA' is not signed by a CA of the "
                                    "trusted bundle"));
  }
}

TEST(EncryptedKeyTest, IsRefusedAtStartNamingItsFileAndNeverPromptedFor) {
  // OpenSSL asks for an encrypted key's passphrase on the terminal. Before: a termijnd started
  // from one stopped there ("Enter PEM pass phrase:") and waited, as it would have in a reload
  // on SIGHUP. Now such a key is refused like any unreadable one, before the database is asked.
  const std::string certs = Certificates::get().dir;
  const auto encrypted = [](const std::string& key, const std::string& name) {
    const std::string path = scratch_path(name);
    const Outcome made = run_command({"/usr/bin/openssl", "pkey", "-in", key, "-aes256", "-passout",
                                      "pass:secret", "-out", path});
    EXPECT_EQ(made.exit_code, 0) << made.err;
    ::chmod(path.c_str(), 0600);
    return path;
  };
  const std::string audit_key = encrypted(certs + "/audit-signing.key", "audit-signing.key");
  const std::string tls_key = encrypted(certs + "/server.key", "server.key");
  const auto start_on_a_terminal = [&](const std::string& signing_key, const std::string& key) {
    std::string command = binary("termijnd");
    for (const std::string& arg :
         {"--config"s, std::string(TERMIJN_SOURCE_DIR) + "/config/demo.toml", "--listen"s,
          "127.0.0.1:0"s, "--database-url"s, "postgresql:///none?host=/nonexistent"s,
          "--audit-signing-key"s, signing_key, "--tls-ca"s, certs + "/ca.crt", "--tls-cert"s,
          certs + "/server.crt", "--tls-key"s, key}) {
      command += " '" + arg + "'";
    }
    // script(1) runs it on a terminal of its own; timeout ends a wait for a passphrase.
    return run_command({"/usr/bin/timeout", "30", "/usr/bin/script", "-qec", command, "/dev/null"});
  };
  const Outcome audit = start_on_a_terminal(audit_key, certs + "/server.key");
  EXPECT_EQ(audit.exit_code, 1) << audit.out;
  EXPECT_THAT(audit.out, HasSubstr("audit signing key: " + audit_key +
                                   " is not an Ed25519 private key in PEM, or it is encrypted"));
  EXPECT_THAT(audit.out, Not(HasSubstr("pass phrase")));
  const Outcome tls = start_on_a_terminal(certs + "/audit-signing.key", tls_key);
  EXPECT_EQ(tls.exit_code, 1) << tls.out;
  EXPECT_THAT(tls.out, HasSubstr("tls: " + tls_key + ": no PEM private key, or an encrypted one"));
  EXPECT_THAT(tls.out, Not(HasSubstr("pass phrase")));
}

TEST(StartupFilesTest, AFileThatCannotBeReadIsRefusedWithTheReason) {
  // Before: a folder given as the configuration read as an empty file ("at least two [[party]]
  // entries are needed"), and a missing one was "cannot be read" without a reason.
  const std::string certs = Certificates::get().dir;
  const std::string folder = std::filesystem::temp_directory_path().string();
  const auto start = [&](const std::string& config, const std::string& ca) {
    return run_command({binary("termijnd"), "--config", config, "--listen", "127.0.0.1:0",
                        "--database-url", "postgresql:///none?host=/nonexistent",
                        "--audit-signing-key", certs + "/audit-signing.key", "--tls-ca", ca,
                        "--tls-cert", certs + "/server.crt", "--tls-key", certs + "/server.key"});
  };
  const std::string demo = std::string(TERMIJN_SOURCE_DIR) + "/config/demo.toml";
  const Outcome config_folder = start(folder, certs + "/ca.crt");
  EXPECT_EQ(config_folder.exit_code, 1);
  EXPECT_THAT(config_folder.err, HasSubstr("cannot read " + folder + ": Is a directory"));
  const Outcome missing = start(folder + "/none.toml", certs + "/ca.crt");
  EXPECT_THAT(missing.err,
              HasSubstr("cannot read " + folder + "/none.toml: No such file or directory"));
  const Outcome ca_folder = start(demo, folder);
  EXPECT_EQ(ca_folder.exit_code, 1);
  EXPECT_THAT(ca_folder.err, HasSubstr("tls ca: cannot read " + folder + ": Is a directory"));
}

TEST(StartupFilesTest, APortFileThatCannotBeWrittenStopsTermijnd) {
  // Before: termijnd served on without it, and whoever started it on port 0 could not find it.
  TermijndOptions options;
  options.args = {"--web-listen", "127.0.0.1:0", "--web-port-file", "/nonexistent/web-port"};
  try {
    Termijnd server(options);
    ADD_FAILURE() << "termijnd served without its port file";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("--web-port-file: cannot write /nonexistent/web-port: No such "
                                    "file or directory"));
  }
}

TEST(PlaintextTest, OnlyOnAnAddressThatParsesAsALoopbackIp) {
  // A host name that merely starts with "127." is not a loopback address.
  for (const std::string listen : {"127.evil.example:0", "localhost:0"}) {
    const Outcome o = run_command({binary("termijnd"), "--config",
                                   std::string(TERMIJN_SOURCE_DIR) + "/config/demo.toml",
                                   "--listen", listen, "--database-url",
                                   "postgresql:///none?host=/nonexistent", "--insecure-plaintext"});
    EXPECT_EQ(o.exit_code, 1) << listen;
    EXPECT_THAT(o.err, HasSubstr("--insecure-plaintext is only allowed on a loopback address "
                                 "given as an IP (127.0.0.0/8 or [::1]), not " +
                                 listen));
  }
}

}  // namespace
}  // namespace termijn::testing
