#include <gtest/gtest.h>

#include <string>

#include "server/app/log_request.h"
#include "server/app/queries.h"
#include "server/app/report_incident.h"
#include "tests/fakes/fake_clock.h"
#include "tests/integration/pg_test.h"

namespace termijn::testing {
namespace {

using absl::StatusCode;

// Records that come from a ticketing system: external_ref, idempotent creates.
class TicketingTest : public PgTest {
 protected:
  FakeClock clock_{at("2026-03-28T12:00:00Z")};
  app::ReportIncident report_{clock_, store(), demo_directory()};
  app::LogRequest log_{clock_, store(), demo_directory(), 1024};
  app::Queries queries_{store()};

  static app::ReportIncidentInput incident(const std::string& party, const std::string& ref) {
    app::ReportIncidentInput in;
    in.party = party;
    in.aware_time = "2026-03-27T14:20:00+01:00";
    in.title = "Laptop gestolen";
    in.ticket_ref = ref;
    return in;
  }

  static app::LogRequestInput request(const std::string& party, const std::string& ref) {
    app::LogRequestInput in;
    in.party = party;
    in.kind = domain::RequestKind::kAccess;
    in.receive_time = "2026-03-27T10:00:00+01:00";
    in.summary = "Inzageverzoek";
    in.external_ref = ref;
    return in;
  }
};

// A second incident of the same party under the same ticket is refused, naming the first; nothing
// more is stored. Another party may use the same ticket id.
TEST_F(TicketingTest, IncidentExternalRefIsUniquePerParty) {
  const auto first = report_.run(kHerentReporter, incident("herent", "RT-1234"));
  ASSERT_TRUE(first.ok()) << first.status();

  const auto again = report_.run(kHerentReporter, incident("herent", "RT-1234"));
  ASSERT_EQ(again.status().code(), StatusCode::kAlreadyExists) << again.status();
  EXPECT_NE(again.status().message().find("external_ref"), std::string::npos);
  EXPECT_NE(again.status().message().find("incidents/" + std::to_string(first->incident.id)),
            std::string::npos)
      << again.status();
  EXPECT_EQ(rows("incident"), 1);
  EXPECT_EQ(rows("obligation"), 2);

  const auto other_party = report_.run(kKortenbergReporter, incident("kortenberg", "RT-1234"));
  EXPECT_TRUE(other_party.ok()) << other_party.status();
  // Without a reference there is no uniqueness to keep.
  EXPECT_TRUE(report_.run(kHerentReporter, incident("herent", "")).ok());
  EXPECT_TRUE(report_.run(kHerentReporter, incident("herent", "")).ok());
}

// The same for requests, whose external_ref is stored and read back.
TEST_F(TicketingTest, RequestExternalRefIsStoredAndUniquePerParty) {
  const auto first = log_.run(kHerentReporter, request("herent", "RT-77"));
  ASSERT_TRUE(first.ok()) << first.status();
  const auto stored = queries_.request(first->request.id, false);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->request.external_ref, "RT-77");

  const auto again = log_.run(kHerentReporter, request("herent", "RT-77"));
  ASSERT_EQ(again.status().code(), StatusCode::kAlreadyExists) << again.status();
  EXPECT_NE(again.status().message().find("requests/" + std::to_string(first->request.id)),
            std::string::npos)
      << again.status();
  EXPECT_EQ(rows("request"), 1);
  EXPECT_TRUE(log_.run(kKortenbergReporter, request("kortenberg", "RT-77")).ok());
}

// A reference with a control character is bad input naming the field.
TEST_F(TicketingTest, ExternalRefMustBePrintable) {
  const auto bad = log_.run(kHerentReporter, request("herent", "RT\x01"));
  ASSERT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().rfind("external_ref:", 0), 0u) << bad.status();
  EXPECT_EQ(rows("request"), 0);
}

// Listing by external_ref finds exactly the record of that ticket.
TEST_F(TicketingTest, ListsFilterByExternalRef) {
  ASSERT_TRUE(report_.run(kHerentReporter, incident("herent", "RT-1")).ok());
  const auto wanted = report_.run(kHerentReporter, incident("herent", "RT-2"));
  ASSERT_TRUE(wanted.ok());
  ASSERT_TRUE(log_.run(kHerentReporter, request("herent", "RT-1")).ok());
  const auto wanted_request = log_.run(kHerentReporter, request("herent", "RT-2"));
  ASSERT_TRUE(wanted_request.ok());

  app::RecordQuery q;
  q.party = "herent";
  q.external_ref = "RT-2";
  const auto incidents = queries_.incidents(q);
  ASSERT_TRUE(incidents.ok()) << incidents.status();
  ASSERT_EQ(incidents->items.size(), 1u);
  EXPECT_EQ(incidents->items[0].incident.id, wanted->incident.id);
  const auto requests = queries_.requests(q);
  ASSERT_TRUE(requests.ok()) << requests.status();
  ASSERT_EQ(requests->items.size(), 1u);
  EXPECT_EQ(requests->items[0].request.id, wanted_request->request.id);
}

}  // namespace
}  // namespace termijn::testing
