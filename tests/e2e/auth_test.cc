// End-to-end: mutual TLS and the authorisation matrix, through real gRPC calls to termijnd.
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <future>
#include <sstream>

#include "termijn/v1/termijn.grpc.pb.h"
#include "tests/e2e/harness.h"

namespace termijn::testing {
namespace {

using ::testing::HasSubstr;

// A stub presenting `cert_dir/name.crt` (no client certificate when name is empty), trusting
// the test CA.
std::unique_ptr<v1::Termijn::Stub> stub_for(const Termijnd& server, const std::string& cert_dir,
                                            const std::string& name) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = read_file(Certificates::get().dir + "/ca.crt");
  if (!name.empty()) {
    ssl.pem_cert_chain = read_file(cert_dir + "/" + name + ".crt");
    ssl.pem_private_key = read_file(cert_dir + "/" + name + ".key");
  }
  return v1::Termijn::NewStub(grpc::CreateChannel(server.address(), grpc::SslCredentials(ssl)));
}

std::unique_ptr<grpc::ClientContext> context() {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return c;
}

class AuthTest : public ::testing::Test {
 public:
  Termijnd server_;

  v1::Incident report(const std::string& principal, const std::string& party) {
    v1::ReportIncidentRequest req;
    req.set_party(party);
    req.set_title("Breach");
    v1::Incident resp;
    const grpc::Status s = stub_for(server_, Certificates::get().dir, principal)
                               ->ReportIncident(context().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }
  v1::Request log(const std::string& principal, const std::string& party) {
    v1::LogRequestRequest req;
    req.set_party(party);
    req.set_kind(v1::REQUEST_KIND_ACCESS);
    req.set_summary("Access");
    v1::Request resp;
    const grpc::Status s = stub_for(server_, Certificates::get().dir, principal)
                               ->LogRequest(context().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }
  std::string count(const std::string& sql) const { return server_.database().scalar(sql); }
};

// One call of the matrix: what it does, given a stub; fixtures are made fresh for each call.
struct Call {
  std::string rpc;
  std::function<grpc::Status(AuthTest&, v1::Termijn::Stub&)> run;
};

// kHidden: NOT_FOUND, for a record that does not concern the caller's party.
enum class Expect { kAllowed, kDenied, kHidden };

TEST_F(AuthTest, EveryRpcForEveryRoleAndParty) {
  // Who may do what: reporters and DPOs act for their own party, only DPOs close their party's
  // obligations, auditors read everything and change nothing; denial leaves nothing behind.
  const std::vector<Call> calls{
      {"ListParties",
       [](AuthTest&, v1::Termijn::Stub& s) {
         v1::ListPartiesResponse r;
         return s.ListParties(context().get(), {}, &r);
       }},
      {"ReportIncident(herent)",
       [](AuthTest&, v1::Termijn::Stub& s) {
         v1::ReportIncidentRequest q;
         q.set_party("herent");
         q.set_title("t");
         v1::Incident r;
         return s.ReportIncident(context().get(), q, &r);
       }},
      {"ReportIncident(kortenberg)",
       [](AuthTest&, v1::Termijn::Stub& s) {
         v1::ReportIncidentRequest q;
         q.set_party("kortenberg");
         q.set_title("t");
         v1::Incident r;
         return s.ReportIncident(context().get(), q, &r);
       }},
      {"GetIncident(herent's)",
       [](AuthTest& t, v1::Termijn::Stub& s) {
         v1::GetIncidentRequest q;
         q.set_name(t.report("herent-dpo", "herent").name());
         v1::Incident r;
         return s.GetIncident(context().get(), q, &r);
       }},
      {"ListIncidents",
       [](AuthTest&, v1::Termijn::Stub& s) {
         v1::ListIncidentsResponse r;
         return s.ListIncidents(context().get(), {}, &r);
       }},
      {"ListIncidents(kortenberg)",
       [](AuthTest&, v1::Termijn::Stub& s) {
         v1::ListIncidentsRequest q;
         q.set_party("kortenberg");
         v1::ListIncidentsResponse r;
         return s.ListIncidents(context().get(), q, &r);
       }},
      {"LogRequest(herent)",
       [](AuthTest&, v1::Termijn::Stub& s) {
         v1::LogRequestRequest q;
         q.set_party("herent");
         q.set_kind(v1::REQUEST_KIND_ERASURE);
         q.set_summary("s");
         v1::Request r;
         return s.LogRequest(context().get(), q, &r);
       }},
      {"LogRequest(kortenberg)",
       [](AuthTest&, v1::Termijn::Stub& s) {
         v1::LogRequestRequest q;
         q.set_party("kortenberg");
         q.set_kind(v1::REQUEST_KIND_ERASURE);
         q.set_summary("s");
         v1::Request r;
         return s.LogRequest(context().get(), q, &r);
       }},
      {"GetRequest(kortenberg's)",
       [](AuthTest& t, v1::Termijn::Stub& s) {
         v1::GetRequestRequest q;
         q.set_name(t.log("kortenberg-dpo", "kortenberg").name());
         v1::Request r;
         return s.GetRequest(context().get(), q, &r);
       }},
      {"ListRequests",
       [](AuthTest&, v1::Termijn::Stub& s) {
         v1::ListRequestsResponse r;
         return s.ListRequests(context().get(), {}, &r);
       }},
      {"ListObligations",
       [](AuthTest&, v1::Termijn::Stub& s) {
         v1::ListObligationsResponse r;
         return s.ListObligations(context().get(), {}, &r);
       }},
      {"GetObligation(herent's)",
       [](AuthTest& t, v1::Termijn::Stub& s) {
         v1::GetObligationRequest q;
         q.set_name(t.report("herent-dpo", "herent").obligations(0).name());
         v1::Obligation r;
         return s.GetObligation(context().get(), q, &r);
       }},
      {"FulfilObligation(herent's)",
       [](AuthTest& t, v1::Termijn::Stub& s) {
         v1::FulfilObligationRequest q;
         q.set_name(t.report("herent-dpo", "herent").obligations(0).name());
         q.set_evidence("e");
         v1::Obligation r;
         return s.FulfilObligation(context().get(), q, &r);
       }},
      {"WaiveObligation(kortenberg's)",
       [](AuthTest& t, v1::Termijn::Stub& s) {
         v1::WaiveObligationRequest q;
         q.set_name(t.report("kortenberg-dpo", "kortenberg").obligations(1).name());
         q.set_reason("r");
         v1::Obligation r;
         return s.WaiveObligation(context().get(), q, &r);
       }},
      {"PreviewObligations",
       [](AuthTest&, v1::Termijn::Stub& s) {
         v1::PreviewObligationsRequest q;
         q.set_event(v1::EVENT_KIND_INCIDENT);
         q.set_party("herent");
         v1::PreviewObligationsResponse r;
         return s.PreviewObligations(context().get(), q, &r);
       }},
      {"ListAuditEvents",
       [](AuthTest&, v1::Termijn::Stub& s) {
         v1::ListAuditEventsResponse r;
         return s.ListAuditEvents(context().get(), {}, &r);
       }},
      {"VerifyAuditTrail",
       [](AuthTest&, v1::Termijn::Stub& s) {
         v1::VerifyAuditTrailResponse r;
         return s.VerifyAuditTrail(context().get(), {}, &r);
       }},
  };
  constexpr Expect Y = Expect::kAllowed, N = Expect::kDenied, H = Expect::kHidden;
  // Columns follow `calls`.
  const std::map<std::string, std::vector<Expect>> matrix{
      //                      Par RIh RIk GI  LI  LIk LRh LRk GR  LR  LO  GO  FO  WO  PO  LA  VA
      {"herent-dpo", {Y, Y, N, Y, Y, Y, Y, N, Y, Y, Y, Y, Y, H, Y, Y, Y}},
      {"herent-reporter", {Y, Y, N, Y, Y, Y, Y, N, Y, Y, Y, Y, N, H, Y, N, N}},
      {"kortenberg-dpo", {Y, N, Y, Y, Y, Y, N, Y, Y, Y, Y, Y, N, Y, Y, Y, Y}},
      {"kortenberg-reporter", {Y, N, Y, Y, Y, Y, N, Y, Y, Y, Y, Y, N, N, Y, N, N}},
      {"auditor", {Y, N, N, Y, Y, Y, N, N, Y, Y, Y, Y, N, N, Y, Y, Y}},
  };
  for (const auto& [principal, expected] : matrix) {
    ASSERT_EQ(expected.size(), calls.size());
    auto stub = stub_for(server_, Certificates::get().dir, principal);
    for (size_t i = 0; i < calls.size(); ++i) {
      const std::string incidents = count("SELECT count(*) FROM incident");
      const std::string requests = count("SELECT count(*) FROM request");
      const grpc::Status s = calls[i].run(*this, *stub);
      const std::string what = principal + " " + calls[i].rpc + ": " + s.error_message();
      if (expected[i] == Y) {
        EXPECT_TRUE(s.ok()) << what;
      } else {
        EXPECT_EQ(s.error_code(), expected[i] == H ? grpc::StatusCode::NOT_FOUND
                                                   : grpc::StatusCode::PERMISSION_DENIED)
            << what;
        // The fixture a call made for itself is allowed; the denied call itself adds nothing.
        const bool made_fixture = calls[i].rpc.find("'s)") != std::string::npos;
        if (!made_fixture) {
          EXPECT_EQ(count("SELECT count(*) FROM incident"), incidents) << what;
          EXPECT_EQ(count("SELECT count(*) FROM request"), requests) << what;
        }
      }
    }
  }
  // Denied closings left every obligation they targeted open: only the allowed ones closed.
  EXPECT_EQ(count("SELECT count(*) FROM obligation WHERE state <> 'open'"), "2");
}

TEST_F(AuthTest, PartyDefaultsToThePrincipalsOwnParty) {
  // Without --party, a Kortenberg reporter records for Kortenberg.
  const Outcome o = server_.cli("kortenberg-reporter", {"incident", "report", "--title", "x"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("\n  party:         kortenberg\n"));
}

TEST_F(AuthTest, ActingForAnotherPartyIsDeniedThroughTheCli) {
  // The CLI exits 4 with one line when a principal acts for another party.
  const Outcome o =
      server_.cli("herent-dpo", {"incident", "report", "--party", "kortenberg", "--title", "x"});
  EXPECT_EQ(o.exit_code, 4);
  EXPECT_THAT(o.err, HasSubstr("herent-dpo may not record incidents or requests for party "
                               "'kortenberg'"));
  EXPECT_EQ(count("SELECT count(*) FROM incident"), "0");
}

struct Refused {
  std::string what;
  std::string cert_dir;
  std::string name;
};

TEST_F(AuthTest, CallersWithoutAValidKnownCertificateCannotReadOrWrite) {
  // No certificate, another CA, an expired certificate and an unknown subject are all refused.
  const Certificates& certs = Certificates::get();
  const std::vector<Refused> cases{{"no certificate", certs.dir, ""},
                                   {"another CA", certs.other_ca_dir, "herent-dpo"},
                                   {"expired", certs.dir, "expired"},
                                   {"unknown subject", certs.dir, "stranger"}};
  for (const Refused& c : cases) {
    auto stub = stub_for(server_, c.cert_dir, c.name);
    v1::ListPartiesResponse parties;
    const grpc::Status read = stub->ListParties(context().get(), {}, &parties);
    EXPECT_FALSE(read.ok()) << c.what;
    EXPECT_EQ(parties.parties_size(), 0) << c.what;
    v1::ReportIncidentRequest q;
    q.set_party("herent");
    q.set_title("t");
    v1::Incident incident;
    EXPECT_FALSE(stub->ReportIncident(context().get(), q, &incident).ok()) << c.what;
  }
  auto stranger = stub_for(server_, certs.dir, "stranger");
  v1::ListPartiesResponse r;
  EXPECT_EQ(stranger->ListParties(context().get(), {}, &r).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(count("SELECT count(*) FROM incident"), "0");
  server_.stop();
  EXPECT_THAT(server_.log(), HasSubstr("refused certificate of unknown principal: CN 'stranger'"));
}

// The SHA-256 fingerprint of a certificate, as the configuration pins it.
std::string fingerprint(const std::string& cert) {
  const Outcome o =
      run_command({"/usr/bin/openssl", "x509", "-in", cert, "-noout", "-fingerprint", "-sha256"});
  std::string hex;
  for (const char c : o.out.substr(o.out.find('=') + 1)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) hex += static_cast<char>(std::tolower(c));
  }
  return hex;
}

TEST(PinnedCertificateTest, OnlyThePinnedCertificateActsForAPinnedPrincipal) {
  // certificate_sha256 pins a principal to one certificate: its CN alone is not enough.
  const std::string auditor = Certificates::get().dir + "/auditor.crt";
  const std::string herent = Certificates::get().dir + "/herent-dpo.crt";
  TermijndOptions options;
  options.edits = {
      {"certificate_cn = \"auditor\"",
       "certificate_cn = \"auditor\"\ncertificate_sha256 = \"" + fingerprint(auditor) + "\""},
      {"certificate_cn = \"herent-dpo\"",
       "certificate_cn = \"herent-dpo\"\ncertificate_sha256 = \"" + std::string(64, 'a') + "\""}};
  Termijnd server(options);
  EXPECT_EQ(server.cli("auditor", {"parties", "list"}).exit_code, 0);
  const Outcome refused = server.cli("herent-dpo", {"parties", "list"});
  EXPECT_EQ(refused.exit_code, 4);
  EXPECT_THAT(refused.err, HasSubstr("is not a configured principal"));
}

TEST_F(AuthTest, HealthServiceReportsServing) {
  // grpc.health.v1.Health/Check answers SERVING (field 1 = 1) to an authenticated caller.
  grpc::SslCredentialsOptions ssl;
  const std::string dir = Certificates::get().dir;
  ssl.pem_root_certs = read_file(dir + "/ca.crt");
  ssl.pem_cert_chain = read_file(dir + "/auditor.crt");
  ssl.pem_private_key = read_file(dir + "/auditor.key");
  grpc::GenericStub stub(grpc::CreateChannel(server_.address(), grpc::SslCredentials(ssl)));
  const grpc::Slice empty;
  const grpc::ByteBuffer request(&empty, 1);  // HealthCheckRequest{service: ""}
  grpc::ByteBuffer response;
  auto ctx = context();
  std::promise<grpc::Status> done;
  stub.UnaryCall(ctx.get(), "/grpc.health.v1.Health/Check", {}, &request, &response,
                 [&done](grpc::Status s) { done.set_value(s); });
  const grpc::Status status = done.get_future().get();
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (const auto& slice : slices)
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));
}

TEST(PlaintextTest, RefusedUnlessLoopback) {
  // --insecure-plaintext on a non-loopback address refuses to start.
  const Outcome o = run_command(
      {binary("termijnd"), "--config", std::string(TERMIJN_SOURCE_DIR) + "/config/demo.toml",
       "--listen", "0.0.0.0:0", "--database-url", test_cluster_url(), "--insecure-plaintext"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("only allowed on a loopback address"));
}

}  // namespace
}  // namespace termijn::testing
