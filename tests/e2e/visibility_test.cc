// End-to-end: what each party sees of another party's records, through real gRPC calls to
// termijnd. Herent's records are notified to Kortenberg; Leuven joins later and has no relation
// to them.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "termijn/v1/termijn.grpc.pb.h"
#include "tests/e2e/grpc_client.h"
#include "tests/e2e/harness.h"

namespace termijn::testing {
namespace {

using grpc::StatusCode;

std::unique_ptr<grpc::ClientContext> context() {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return c;
}

// Leuven, a party with a DPO; its principal presents the "stranger" certificate.
const char kLeuven[] =
    "[[party]]\nid = \"leuven\"\nname = \"OCMW Leuven\"\nlocale = \"en\"\n"
    "time_zone = \"Europe/Brussels\"\nholidays = \"BE\"\n"
    "dpo = { name = \"DPO OCMW Leuven\", email = \"dpo@leuven.example\" }\n\n"
    "[[principal]]\nname = \"leuven-dpo\"\nparty = \"leuven\"\nroles = [\"dpo\"]\n"
    "certificate_cn = \"stranger\"\n\n";

// The certificate each principal presents.
std::string certificate_of(const std::string& principal) {
  return principal == "leuven-dpo" ? "stranger" : principal;
}

// Which of an obligation's owner-only fields are present.
std::string owner_fields(const v1::Obligation& o) {
  std::vector<std::string> present;
  if (!o.evidence().empty()) present.push_back("evidence");
  if (!o.closed_by().empty()) present.push_back("closed_by");
  if (o.has_next_step_time() || !o.next_step().empty()) present.push_back("next_step");
  if (o.escalation_level() != 0) present.push_back("escalation_level");
  std::string out;
  for (const auto& f : present) out += (out.empty() ? "" : ",") + f;
  return out;
}

// "rule>recipient[owner-only fields]": what a reader learns of an obligation.
std::string seen(const v1::Obligation& o) {
  std::string who = o.recipient().party().empty() ? "" : ">" + o.recipient().party();
  return o.rule() + who + "[" + owner_fields(o) + "]";
}

template <typename Repeated>
std::string seen_obligations(const Repeated& obligations) {
  std::vector<std::string> parts;
  for (const auto& o : obligations) parts.push_back(seen(o));
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " ") + p;
  return out;
}

// The notice's fields that reached the reader, "+create_time" if the entry time did too, and the
// obligations.
std::string seen(const v1::Incident& i) {
  const bool notice_fields = !i.title().empty() && !i.description().empty() && i.has_aware_time() &&
                             i.categories_size() == 2 && i.subject_groups_size() == 1 &&
                             i.subject_count() == 120 && i.risk() == v1::RISK_RISK &&
                             i.ticket_ref() == "TCK-7" && i.reported_by() == "herent-reporter";
  return std::string(notice_fields ? "notice" : "partial") +
         (i.has_create_time() ? "+create_time" : "") + " | " + seen_obligations(i.obligations());
}

std::string seen(const v1::Request& r) {
  const bool notice_fields = r.kind() == v1::REQUEST_KIND_ACCESS && r.has_receive_time() &&
                             !r.summary().empty() && r.logged_by() == "herent-reporter" &&
                             r.copy().file_name() == "letter.txt";
  return std::string(notice_fields ? "notice" : "partial") +
         (r.copy().content() == "scan of the letter" ? "+copy" : "") +
         (r.has_create_time() ? "+create_time" : "") + " | " + seen_obligations(r.obligations());
}

std::string seen(const v1::Notification& n) {
  std::string out = n.kind() + ">" + n.recipient_party();
  if (!n.server_reply().empty() || n.attempts() != 0) out += "[delivery]";
  if (!n.ack_by().empty()) out += "+ack";
  return out;
}

// What a call returned: its code, and what the reader saw (or the error message).
struct Seen {
  StatusCode code;
  std::string what;
};

template <typename Response>
Seen outcome(const grpc::Status& s, const Response& r) {
  if (!s.ok()) return {s.error_code(), s.error_message()};
  return {StatusCode::OK, seen(r)};
}

template <typename Response, typename Items>
Seen list_outcome(const grpc::Status& s, const Items& items) {
  if (!s.ok()) return {s.error_code(), s.error_message()};
  std::vector<std::string> parts;
  for (const auto& item : items) parts.push_back(seen(item));
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return {StatusCode::OK, out};
}

class VisibilityTest : public ::testing::Test {
 public:
  // Herent's incident (aware 35 h ago, so that the notice's reminder has fired) and request,
  // both notified to Kortenberg; the notice sent and acknowledged, the GDPR art. 33 obligation
  // waived with a reason.
  void SetUp() override {
    TermijndOptions with_leuven;
    with_leuven.edits = {
        {"# Principals: who may act", std::string(kLeuven) + "# Principals: who may act"}};
    {
      v1::ReportIncidentRequest q;
      q.set_party("herent");
      q.set_aware_time(utc_ago(std::chrono::hours{35}));
      q.set_title("Laptop stolen");
      q.set_description("A laptop with the client list was stolen from a car.");
      q.add_categories(v1::DATA_CATEGORY_IDENTIFICATION);
      q.add_categories(v1::DATA_CATEGORY_MEDICAL);
      q.add_subject_groups(v1::SUBJECT_GROUP_CLIENTS);
      q.set_subject_count(120);
      q.set_risk(v1::RISK_RISK);
      q.set_ticket_ref("TCK-7");
      ASSERT_TRUE(
          stub_at(herent_, "herent-reporter")->ReportIncident(context().get(), q, &incident_).ok());
    }
    {
      v1::LogRequestRequest q;
      q.set_party("herent");
      q.set_kind(v1::REQUEST_KIND_ACCESS);
      q.set_summary("A client asks for her file.");
      q.mutable_copy()->set_file_name("letter.txt");
      q.mutable_copy()->set_media_type("text/plain");
      q.mutable_copy()->set_content("scan of the letter");
      ASSERT_TRUE(
          stub_at(herent_, "herent-reporter")->LogRequest(context().get(), q, &request_).ok());
    }
    for (const auto& o : incident_.obligations()) {
      if (o.rule() == "protocol.breach_notice") breach_notice_ = o.name();
      if (o.rule() == "gdpr.art33_authority") art33_ = o.name();
    }
    for (const auto& o : request_.obligations()) {
      if (o.rule() == "gdpr.art12_response") art12_ = o.name();
    }
    ASSERT_FALSE(breach_notice_.empty());
    ASSERT_FALSE(art33_.empty());
    ASSERT_FALSE(art12_.empty());
    const auto herent_dpo = stub_at(herent_, "herent-dpo");
    // The scheduler's reminder to Herent's DPO about the notice due in an hour, and the notice.
    ASSERT_TRUE(poll_until([&] {
      v1::ListNotificationsResponse r;
      herent_dpo->ListNotifications(context().get(), {}, &r);
      for (const auto& n : r.notifications()) {
        if (n.kind() == "reminder" && n.obligation() == breach_notice_) reminder_ = n.name();
        if (n.kind() == "notice" && n.obligation() == breach_notice_) notice_ = n.name();
      }
      return !reminder_.empty() && !notice_.empty();
    }));
    v1::SendNotificationRequest send;
    send.set_name(notice_);
    v1::Notification sent;
    ASSERT_TRUE(herent_dpo->SendNotification(context().get(), send, &sent).ok());
    ASSERT_TRUE(poll_until([&] {
      v1::GetNotificationRequest q;
      q.set_name(notice_);
      v1::NotificationPreview r;
      return herent_dpo->GetNotification(context().get(), q, &r).ok() &&
             r.notification().state() == "sent";
    }));
    v1::AcknowledgeNotificationRequest ack;
    ack.set_name(notice_);
    ASSERT_TRUE(stub_at(herent_, "kortenberg-dpo")
                    ->AcknowledgeNotification(context().get(), ack, &sent)
                    .ok());
    v1::WaiveObligationRequest waive;
    waive.set_name(art33_);
    waive.set_reason("Encrypted disk: unlikely to result in a risk");
    v1::Obligation waived;
    ASSERT_TRUE(herent_dpo->WaiveObligation(context().get(), waive, &waived).ok());
    leuven_ = Termijnd::sharing_database_of(herent_, with_leuven);
  }

  std::unique_ptr<v1::Termijn::Stub> stub_at(const Termijnd& server,
                                             const std::string& principal) const {
    const std::string dir = Certificates::get().dir;
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = read_file(dir + "/ca.crt");
    const std::string cert = certificate_of(principal);
    ssl.pem_cert_chain = read_file(dir + "/" + cert + ".crt");
    ssl.pem_private_key = read_file(dir + "/" + cert + ".key");
    return v1::Termijn::NewStub(grpc::CreateChannel(server.address(), grpc::SslCredentials(ssl)));
  }

  Termijnd herent_;                   // the demo: Herent and Kortenberg
  std::unique_ptr<Termijnd> leuven_;  // the same database, with Leuven in the configuration
  v1::Incident incident_;
  v1::Request request_;
  std::string breach_notice_, art33_, art12_, notice_, reminder_;
};

TEST(RequestReferenceTest, AnotherPartyCannotFindARequestByItsHiddenReference) {
  // A request's external_ref is its owner's own (withheld from the party it is notified to), so
  // filtering by it finds only the reader's own requests: a notified party that guesses the
  // reference learns nothing.
  //
  // Before: Herent, listing Kortenberg's requests with external_ref "KB-77", got the request
  // back exactly when the guess was right.
  Termijnd server;
  v1::LogRequestRequest log;
  log.set_party("kortenberg");
  log.set_kind(v1::REQUEST_KIND_ACCESS);
  log.set_summary("A client asks for her file.");
  log.set_external_ref("KB-77");
  v1::Request logged;
  ASSERT_TRUE(v1::Termijn::NewStub(channel_as(server, "kortenberg-dpo"))
                  ->LogRequest(context().get(), log, &logged)
                  .ok());
  const auto found = [&](const std::string& principal, const std::string& ref) {
    v1::ListRequestsRequest list;
    list.set_party("kortenberg");
    list.set_external_ref(ref);
    v1::ListRequestsResponse page;
    const grpc::Status s = v1::Termijn::NewStub(channel_as(server, principal))
                               ->ListRequests(context().get(), list, &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return page.requests_size();
  };
  EXPECT_EQ(found("herent-dpo", ""), 1) << "notified to Herent";
  EXPECT_EQ(found("herent-dpo", "KB-77"), 0);
  EXPECT_EQ(found("kortenberg-dpo", "KB-77"), 1);
  EXPECT_EQ(found("auditor", "KB-77"), 1);
}

// One call of the table, made by every principal.
struct Call {
  std::string rpc;
  std::function<Seen(v1::Termijn::Stub&)> run;
};

TEST_F(VisibilityTest, EveryRpcForEveryRoleAndRelation) {
  // Own party and auditor: everything. The party notified: the notice's fields and the notices
  // towards it, never the owner's own duties, evidence, waiver reasons, who closed them or the
  // owner's reminders. No relation: NOT_FOUND, as for an id that does not exist.
  const std::string incident = incident_.name(), request = request_.name();
  const std::string notice = notice_, reminder = reminder_;
  const std::string breach_notice = breach_notice_, art33 = art33_, art12 = art12_;
  const std::vector<Call> calls{
      {"GetIncident",
       [&](v1::Termijn::Stub& s) {
         v1::GetIncidentRequest q;
         q.set_name(incident);
         v1::Incident r;
         return outcome(s.GetIncident(context().get(), q, &r), r);
       }},
      {"GetIncident(missing)",
       [&](v1::Termijn::Stub& s) {
         v1::GetIncidentRequest q;
         q.set_name("incidents/999999");
         v1::Incident r;
         return outcome(s.GetIncident(context().get(), q, &r), r);
       }},
      {"ListIncidents",
       [&](v1::Termijn::Stub& s) {
         v1::ListIncidentsResponse r;
         const auto status = s.ListIncidents(context().get(), {}, &r);
         return list_outcome<v1::Incident>(status, r.incidents());
       }},
      {"ListIncidents(herent)",
       [&](v1::Termijn::Stub& s) {
         v1::ListIncidentsRequest q;
         q.set_party("herent");
         v1::ListIncidentsResponse r;
         const auto status = s.ListIncidents(context().get(), q, &r);
         return list_outcome<v1::Incident>(status, r.incidents());
       }},
      {"GetRequest(copy)",
       [&](v1::Termijn::Stub& s) {
         v1::GetRequestRequest q;
         q.set_name(request);
         q.set_include_copy(true);
         v1::Request r;
         return outcome(s.GetRequest(context().get(), q, &r), r);
       }},
      {"ListRequests(herent)",
       [&](v1::Termijn::Stub& s) {
         v1::ListRequestsRequest q;
         q.set_party("herent");
         v1::ListRequestsResponse r;
         const auto status = s.ListRequests(context().get(), q, &r);
         return list_outcome<v1::Request>(status, r.requests());
       }},
      {"GetObligation(notice)",
       [&](v1::Termijn::Stub& s) {
         v1::GetObligationRequest q;
         q.set_name(breach_notice);
         v1::Obligation r;
         return outcome(s.GetObligation(context().get(), q, &r), r);
       }},
      {"GetObligation(art33)",
       [&](v1::Termijn::Stub& s) {
         v1::GetObligationRequest q;
         q.set_name(art33);
         v1::Obligation r;
         return outcome(s.GetObligation(context().get(), q, &r), r);
       }},
      {"ListObligations(herent)",
       [&](v1::Termijn::Stub& s) {
         v1::ListObligationsRequest q;
         q.set_party("herent");
         q.set_include_closed(true);
         v1::ListObligationsResponse r;
         const auto status = s.ListObligations(context().get(), q, &r);
         return list_outcome<v1::Obligation>(status, r.obligations());
       }},
      {"FulfilObligation(art12, no evidence)",
       [&](v1::Termijn::Stub& s) {
         v1::FulfilObligationRequest q;
         q.set_name(art12);
         v1::Obligation r;
         return outcome(s.FulfilObligation(context().get(), q, &r), r);
       }},
      {"WaiveObligation(notice, no reason)",
       [&](v1::Termijn::Stub& s) {
         v1::WaiveObligationRequest q;
         q.set_name(breach_notice);
         v1::Obligation r;
         return outcome(s.WaiveObligation(context().get(), q, &r), r);
       }},
      {"ListNotifications(herent)",
       [&](v1::Termijn::Stub& s) {
         v1::ListNotificationsRequest q;
         q.set_party("herent");
         v1::ListNotificationsResponse r;
         const auto status = s.ListNotifications(context().get(), q, &r);
         return list_outcome<v1::Notification>(status, r.notifications());
       }},
      {"GetNotification(notice)",
       [&](v1::Termijn::Stub& s) {
         v1::GetNotificationRequest q;
         q.set_name(notice);
         v1::NotificationPreview r;
         const auto status = s.GetNotification(context().get(), q, &r);
         return outcome(status, r.notification());
       }},
      {"GetNotification(reminder)",
       [&](v1::Termijn::Stub& s) {
         v1::GetNotificationRequest q;
         q.set_name(reminder);
         v1::NotificationPreview r;
         const auto status = s.GetNotification(context().get(), q, &r);
         return outcome(status, r.notification());
       }},
      {"SendNotification(reminder)",
       [&](v1::Termijn::Stub& s) {
         v1::SendNotificationRequest q;
         q.set_name(reminder);
         v1::Notification r;
         return outcome(s.SendNotification(context().get(), q, &r), r);
       }},
      {"AcknowledgeNotification(notice)",
       [&](v1::Termijn::Stub& s) {
         v1::AcknowledgeNotificationRequest q;
         q.set_name(notice);
         v1::Notification r;
         return outcome(s.AcknowledgeNotification(context().get(), q, &r), r);
       }},
  };

  const std::string missing_incident = "incidents/999999 does not exist";
  const std::string hidden_art33 = art33 + " does not exist";
  // Kortenberg, bound to consult too (protocol art. 13), sees the consultation without Herent's
  // reminders.
  const std::string full_incident =
      "notice+create_time | gdpr.art33_authority[evidence,closed_by] "
      "protocol.breach_consultation>kortenberg[next_step,escalation_level] "
      "protocol.breach_notice>kortenberg[evidence,closed_by,escalation_level]";
  const std::string notified_incident =
      "notice | protocol.breach_consultation>kortenberg[] "
      "protocol.breach_notice>kortenberg[evidence]";
  const std::string request_obligations =
      " | gdpr.art12_response[next_step] protocol.request_notice>kortenberg[next_step]";
  const std::string full_request = "notice+copy+create_time" + request_obligations;
  const std::string full_listed_request = "notice+create_time" + request_obligations;
  const std::string notified_request = "notice+copy | protocol.request_notice>kortenberg[]";
  const std::string notified_listed_request = "notice | protocol.request_notice>kortenberg[]";
  const Seen not_found_incident{StatusCode::NOT_FOUND, incident + " does not exist"};
  const Seen not_found_request{StatusCode::NOT_FOUND, request + " does not exist"};
  const Seen not_found_notice{StatusCode::NOT_FOUND, breach_notice + " does not exist"};
  const Seen not_found_art33{StatusCode::NOT_FOUND, hidden_art33};
  const Seen not_found_art12{StatusCode::NOT_FOUND, art12 + " does not exist"};
  const Seen not_found_notification{StatusCode::NOT_FOUND, notice + " does not exist"};
  const Seen not_found_reminder{StatusCode::NOT_FOUND, reminder + " does not exist"};
  const Seen missing{StatusCode::NOT_FOUND, missing_incident};
  const Seen empty{StatusCode::OK, ""};
  const auto ok = [](std::string what) { return Seen{StatusCode::OK, std::move(what)}; };
  const auto code = [](StatusCode c) { return Seen{c, "*"}; };  // any message
  const std::string all_obligations =
      "gdpr.art12_response[next_step]; gdpr.art33_authority[evidence,closed_by]; "
      "protocol.breach_consultation>kortenberg[next_step,escalation_level]; "
      "protocol.breach_notice>kortenberg[evidence,closed_by,escalation_level]; "
      "protocol.request_notice>kortenberg[next_step]";
  const std::string notices_to_kortenberg =
      "protocol.breach_consultation>kortenberg[]; protocol.breach_notice>kortenberg[evidence]; "
      "protocol.request_notice>kortenberg[]";
  // The second reminder is the overdue consultation's.
  const std::string all_notifications =
      "notice>kortenberg; notice>kortenberg[delivery]+ack; reminder>kortenberg[delivery]; "
      "reminder>kortenberg[delivery]";

  // Rows: principal; columns follow `calls`.
  const std::map<std::string, std::vector<Seen>> table{
      {"herent-dpo",  // own party
       {ok(full_incident), missing, ok(full_incident), ok(full_incident), ok(full_request),
        ok(full_listed_request),
        ok("protocol.breach_notice>kortenberg[evidence,closed_by,escalation_level]"),
        ok("gdpr.art33_authority[evidence,closed_by]"), ok(all_obligations),
        code(StatusCode::INVALID_ARGUMENT), code(StatusCode::INVALID_ARGUMENT),
        ok(all_notifications), ok("notice>kortenberg[delivery]+ack"),
        ok("reminder>kortenberg[delivery]"), code(StatusCode::FAILED_PRECONDITION),
        code(StatusCode::PERMISSION_DENIED)}},
      {"herent-reporter",  // own party, no dpo role
       {ok(full_incident), missing, ok(full_incident), ok(full_incident), ok(full_request),
        ok(full_listed_request),
        ok("protocol.breach_notice>kortenberg[evidence,closed_by,escalation_level]"),
        ok("gdpr.art33_authority[evidence,closed_by]"), ok(all_obligations),
        code(StatusCode::PERMISSION_DENIED), code(StatusCode::PERMISSION_DENIED),
        ok(all_notifications), ok("notice>kortenberg[delivery]+ack"),
        ok("reminder>kortenberg[delivery]"), code(StatusCode::PERMISSION_DENIED),
        code(StatusCode::PERMISSION_DENIED)}},
      {"kortenberg-dpo",  // the party notified
       {ok(notified_incident), missing, ok(notified_incident), ok(notified_incident),
        ok(notified_request), ok(notified_listed_request),
        ok("protocol.breach_notice>kortenberg[evidence]"), not_found_art33,
        ok(notices_to_kortenberg), not_found_art12, code(StatusCode::PERMISSION_DENIED),
        ok("notice>kortenberg; notice>kortenberg+ack"), ok("notice>kortenberg+ack"),
        not_found_reminder, not_found_reminder, code(StatusCode::FAILED_PRECONDITION)}},
      {"kortenberg-reporter",  // the party notified, no dpo role
       {ok(notified_incident), missing, ok(notified_incident), ok(notified_incident),
        ok(notified_request), ok(notified_listed_request),
        ok("protocol.breach_notice>kortenberg[evidence]"), not_found_art33,
        ok(notices_to_kortenberg), not_found_art12, code(StatusCode::PERMISSION_DENIED),
        ok("notice>kortenberg; notice>kortenberg+ack"), ok("notice>kortenberg+ack"),
        not_found_reminder, not_found_reminder, code(StatusCode::PERMISSION_DENIED)}},
      {"leuven-dpo",  // no relation
       {not_found_incident, missing, empty, empty, not_found_request, empty, not_found_notice,
        not_found_art33, empty, not_found_art12, not_found_notice, empty, not_found_notification,
        not_found_reminder, not_found_reminder, not_found_notification}},
      {"auditor",  // reads everything, changes nothing
       {ok(full_incident), missing, ok(full_incident), ok(full_incident), ok(full_request),
        ok(full_listed_request),
        ok("protocol.breach_notice>kortenberg[evidence,closed_by,escalation_level]"),
        ok("gdpr.art33_authority[evidence,closed_by]"), ok(all_obligations),
        code(StatusCode::PERMISSION_DENIED), code(StatusCode::PERMISSION_DENIED),
        ok(all_notifications), ok("notice>kortenberg[delivery]+ack"),
        ok("reminder>kortenberg[delivery]"), code(StatusCode::PERMISSION_DENIED),
        code(StatusCode::PERMISSION_DENIED)}},
  };
  for (const auto& [principal, expected] : table) {
    ASSERT_EQ(expected.size(), calls.size()) << principal;
    const auto s = stub_at(*leuven_, principal);
    for (size_t i = 0; i < calls.size(); ++i) {
      const Seen got = calls[i].run(*s);
      const std::string where = principal + " " + calls[i].rpc;
      EXPECT_EQ(got.code, expected[i].code) << where << ": " << got.what;
      if (expected[i].what != "*") {
        EXPECT_EQ(got.what, expected[i].what) << where;
      }
    }
  }
}

}  // namespace
}  // namespace termijn::testing
