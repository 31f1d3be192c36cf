// End-to-end: what the API refuses as bad input, with which status and message, through real
// gRPC calls to termijnd; a refused call stores nothing.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "termijn/v1/termijn.grpc.pb.h"
#include "tests/e2e/grpc_client.h"
#include "tests/e2e/harness.h"

namespace termijn::testing {
namespace {

using grpc::StatusCode;
using ::testing::HasSubstr;

class ValidationTest : public ::testing::Test {
 public:
  std::unique_ptr<v1::Termijn::Stub> as(const std::string& principal) {
    return v1::Termijn::NewStub(channel_as(server_, principal));
  }
  std::unique_ptr<grpc::ClientContext> context() {
    return context_within(std::chrono::seconds(10));
  }
  std::string rows(const std::string& table) const {
    return server_.database().scalar("SELECT count(*) FROM " + table);
  }

  Termijnd server_;
};

TEST_F(ValidationTest, AnUnknownEnumValueIsUnknownNotMissing) {
  // An enum value the API does not define is named as unknown, with the choices; "required" is
  // only for a value left unset.
  auto stub = as("herent-reporter");
  v1::Incident incident;
  v1::ReportIncidentRequest report;
  report.set_title("Breach");
  report.set_risk(static_cast<v1::Risk>(99));
  grpc::Status s = stub->ReportIncident(context().get(), report, &incident);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "risk: unknown value 99 (one of none, risk, high)");

  report.set_risk(v1::RISK_HIGH);
  report.add_categories(static_cast<v1::DataCategory>(99));
  s = stub->ReportIncident(context().get(), report, &incident);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("categories: unknown value 99 (one of "));

  v1::Request request;
  v1::LogRequestRequest log;
  log.set_summary("Access");
  s = stub->LogRequest(context().get(), log, &request);
  EXPECT_THAT(s.error_message(), HasSubstr("kind: required (one of access, "));
  log.set_kind(static_cast<v1::RequestKind>(99));
  s = stub->LogRequest(context().get(), log, &request);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("kind: unknown value 99 (one of access, "));

  v1::Matter matter;
  v1::ReportMatterRequest report_matter;
  report_matter.set_summary("Wrong address");
  report_matter.set_kind(static_cast<v1::MatterKind>(99));
  s = stub->ReportMatter(context().get(), report_matter, &matter);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("kind: unknown value 99 (one of data-quality, "));
  EXPECT_EQ(rows("incident"), "0");
  EXPECT_EQ(rows("request"), "0");
  EXPECT_EQ(rows("matter"), "0");
}

TEST_F(ValidationTest, AnAuditorRecordingWithoutAPartyIsDenied) {
  // An auditor has no party of its own; recording anything is a change it may not make, and
  // that is PERMISSION_DENIED, not a missing party.
  auto stub = as("auditor");
  v1::ReportIncidentRequest report;
  report.set_title("Breach");
  v1::Incident incident;
  grpc::Status s = stub->ReportIncident(context().get(), report, &incident);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED) << s.error_message();

  v1::LogRequestRequest log;
  log.set_kind(v1::REQUEST_KIND_ACCESS);
  log.set_summary("Access");
  v1::Request request;
  s = stub->LogRequest(context().get(), log, &request);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED) << s.error_message();

  v1::ReportMatterRequest report_matter;
  report_matter.set_kind(v1::MATTER_KIND_DATA_QUALITY);
  report_matter.set_summary("Wrong address");
  v1::Matter matter;
  s = stub->ReportMatter(context().get(), report_matter, &matter);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_EQ(rows("incident"), "0");
  EXPECT_EQ(rows("request"), "0");
  EXPECT_EQ(rows("matter"), "0");
}

TEST_F(ValidationTest, AnUnknownNotificationStateListsEveryState) {
  // The states a notification list may be filtered on, all of them.
  v1::ListNotificationsRequest list;
  list.set_state("gone");
  v1::ListNotificationsResponse response;
  const grpc::Status s = as("herent-dpo")->ListNotifications(context().get(), list, &response);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "state: 'gone' is not one of held, pending, sent, failed, cancelled");
}

TEST_F(ValidationTest, Rfc3339FractionsAndLowerCaseLettersAreTimes) {
  // RFC 3339 allows a fraction of a second and a lower-case t and z; the fraction is dropped.
  auto stub = as("herent-reporter");
  v1::ReportIncidentRequest report;
  report.set_title("Breach");
  report.set_aware_time("2025-11-27T14:20:00.5+01:00");
  v1::Incident incident;
  grpc::Status s = stub->ReportIncident(context().get(), report, &incident);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(incident.aware_time().seconds(), 1764249600);  // 2025-11-27T13:20:00Z
  EXPECT_EQ(incident.aware_time().nanos(), 0);

  report.set_aware_time("2025-11-27t14:20:00z");
  s = stub->ReportIncident(context().get(), report, &incident);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(incident.aware_time().seconds(), 1764253200);  // 2025-11-27T14:20:00Z
}

TEST_F(ValidationTest, AnInvalidTimestampIsRefusedNamingTheField) {
  // A google.protobuf.Timestamp outside its range, or with nanos outside 0..999999999, is bad
  // input naming the field, and changes nothing.
  v1::ReportIncidentRequest report;
  report.set_title("Breach");
  report.set_aware_time("2025-11-27T14:20:00+01:00");
  v1::Incident incident;
  auto stub = as("herent-dpo");
  ASSERT_TRUE(stub->ReportIncident(context().get(), report, &incident).ok());
  for (const auto& [seconds, nanos] : {std::pair<int64_t, int32_t>{1764249000, -5},
                                       {1764249000, 1000000000},
                                       {int64_t{1} << 40, 0}}) {
    v1::UpdateIncidentRequest update;
    update.mutable_incident()->set_name(incident.name());
    update.mutable_incident()->mutable_occurred_time()->set_seconds(seconds);
    update.mutable_incident()->mutable_occurred_time()->set_nanos(nanos);
    update.mutable_update_mask()->add_paths("occurred_time");
    v1::Incident updated;
    const grpc::Status s = stub->UpdateIncident(context().get(), update, &updated);
    EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT) << seconds << " " << nanos;
    EXPECT_THAT(s.error_message(), HasSubstr("incident.occurred_time: "));
    EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr("InvalidTime")));
  }
  EXPECT_EQ(server_.database().scalar("SELECT count(*) FROM incident WHERE occurred_time IS NULL"),
            "1");
}

TEST_F(ValidationTest, AFileNameThatIsNotOneHarmlessNameIsRefused) {
  // A copy's file name reaches the other party's DPO in a notice and as an attachment: a line
  // break (a forged mail header line), a direction override (a .exe shown as .pdf), a C1 control
  // or a name of a directory is refused naming the field, and nothing is stored.
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"x\nBcc: evil@example.com\n.txt", "copy.file_name: must be one line"},
      {"a\xE2\x80\xAE"
       "fdp.exe",
       "copy.file_name: must not contain U+202E (a direction control)"},
      {"a\xC2\x9B.txt", "copy.file_name: contains a control character"},
      {"..", "copy.file_name: '..' is not a file name"},
  };
  auto stub = as("herent-reporter");
  for (const auto& [file_name, message] : refused) {
    v1::LogRequestRequest log;
    log.set_kind(v1::REQUEST_KIND_ACCESS);
    log.set_summary("Access");
    log.mutable_copy()->set_file_name(file_name);
    log.mutable_copy()->set_media_type("text/plain");
    log.mutable_copy()->set_content("abc");
    v1::Request request;
    const grpc::Status s = stub->LogRequest(context().get(), log, &request);
    EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT) << file_name;
    EXPECT_EQ(s.error_message(), message);
  }
  v1::ReportIncidentRequest report;
  report.set_title("\xC2\xA0\xE3\x80\x80\xE2\x80\x8B");  // U+00A0 U+3000 U+200B
  v1::Incident incident;
  grpc::Status s = stub->ReportIncident(context().get(), report, &incident);
  EXPECT_EQ(s.error_message(), "title: must not be empty");
  report.set_title("Breach");
  report.set_external_ref("RT\t1234");
  s = stub->ReportIncident(context().get(), report, &incident);
  EXPECT_EQ(s.error_message(), "external_ref: must be one line");
  EXPECT_EQ(rows("request"), "0");
  EXPECT_EQ(rows("incident"), "0");
}

TEST_F(ValidationTest, AnUpdateNamesTheTicketReferenceByItsApiName) {
  // The ticket reference is external_ref in the API; its older name ticket_ref is still taken in
  // a mask, but a refusal names the field the API documents, whichever name was sent.
  auto stub = as("herent-dpo");
  v1::ReportIncidentRequest report;
  report.set_title("Breach");
  v1::Incident incident;
  ASSERT_TRUE(stub->ReportIncident(context().get(), report, &incident).ok());
  for (const std::string path : {"external_ref", "ticket_ref"}) {
    v1::UpdateIncidentRequest update;
    update.mutable_incident()->set_name(incident.name());
    update.mutable_incident()->set_external_ref("RT\n1234");
    update.mutable_update_mask()->add_paths(path);
    v1::Incident changed;
    grpc::Status s = stub->UpdateIncident(context().get(), update, &changed);
    EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT) << path;
    EXPECT_EQ(s.error_message(), "external_ref: must be one line") << path;
  }
  v1::UpdateIncidentRequest update;
  update.mutable_incident()->set_name(incident.name());
  update.mutable_update_mask()->add_paths("title");
  v1::Incident changed;
  const grpc::Status s = stub->UpdateIncident(context().get(), update, &changed);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr(", measures, external_ref)"));
  EXPECT_EQ(server_.database().scalar("SELECT count(*) FROM incident WHERE ticket_ref <> ''"), "0");
}

}  // namespace
}  // namespace termijn::testing
