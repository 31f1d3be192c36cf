#include <gtest/gtest.h>

#include <string>
#include <thread>

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
  EXPECT_EQ(rows("obligation"), 3);

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

constexpr const char* kRequestId = "6f1c2f5e-8d1b-4c7e-9a51-0b7e2d4c9f10";

app::CreateRequestId create_id(const std::string& body_sha256 = "digest-1") {
  return {kRequestId, body_sha256};
}

// A report repeated with the same request_id by the same principal returns the first incident
// and stores nothing more (AIP-155), even when its external_ref would now clash with itself.
TEST_F(TicketingTest, RepeatedReportWithTheSameRequestIdReturnsTheFirst) {
  app::ReportIncidentInput in = incident("herent", "RT-5");
  in.create_id = create_id();
  const auto first = report_.run(kHerentReporter, in);
  ASSERT_TRUE(first.ok()) << first.status();
  const auto again = report_.run(kHerentReporter, in);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->incident.id, first->incident.id);
  EXPECT_EQ(again->incident.title, "Laptop gestolen");
  EXPECT_EQ(again->obligations.size(), 3u);
  EXPECT_EQ(rows("incident"), 1);
  EXPECT_EQ(rows("obligation"), 3);
  EXPECT_EQ(db().scalar("SELECT subject FROM create_request WHERE request_id = '" +
                        std::string(kRequestId) + "'"),
            "incidents/" + std::to_string(first->incident.id));
}

// The same for requests.
TEST_F(TicketingTest, RepeatedLogWithTheSameRequestIdReturnsTheFirst) {
  app::LogRequestInput in = request("herent", "");
  in.create_id = create_id();
  const auto first = log_.run(kHerentReporter, in);
  ASSERT_TRUE(first.ok()) << first.status();
  const auto again = log_.run(kHerentReporter, in);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->request.id, first->request.id);
  EXPECT_EQ(rows("request"), 1);
}

// A request_id reused for a different request, or for another method, is the client's error and
// stores nothing; another principal's request_id is its own.
TEST_F(TicketingTest, ReusedRequestIdWithAnotherRequestIsRefused) {
  app::ReportIncidentInput in = incident("herent", "");
  in.create_id = create_id("digest-1");
  const auto first = report_.run(kHerentReporter, in);
  ASSERT_TRUE(first.ok()) << first.status();

  in.create_id = create_id("digest-2");
  const auto different = report_.run(kHerentReporter, in);
  ASSERT_EQ(different.status().code(), StatusCode::kInvalidArgument) << different.status();
  EXPECT_EQ(different.status().message().rfind("request_id:", 0), 0u) << different.status();

  app::LogRequestInput log = request("herent", "");
  log.create_id = create_id("digest-1");
  EXPECT_EQ(log_.run(kHerentReporter, log).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(rows("incident"), 1);
  EXPECT_EQ(rows("request"), 0);

  in.create_id = create_id("digest-1");
  const auto other_principal = report_.run(kHerentDpo, in);
  ASSERT_TRUE(other_principal.ok()) << other_principal.status();
  EXPECT_NE(other_principal->incident.id, first->incident.id);
}

// A request_id must be a UUID.
TEST_F(TicketingTest, RequestIdMustBeAUuid) {
  app::ReportIncidentInput in = incident("herent", "");
  in.create_id = {"retry-1", "digest-1"};
  const auto refused = report_.run(kHerentReporter, in);
  ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message().rfind("request_id:", 0), 0u) << refused.status();
  EXPECT_EQ(rows("incident"), 0);
}

// Two transactions claim the same key: the second waits for the first on the key's primary key
// and, once the first commits, finds its record. Whether the second claims before or after the
// commit, the outcome is the same: one record.
TEST_F(TicketingTest, ConcurrentClaimsOfOneKeyMakeOneRecord) {
  const app::CreateKey key{"herent-reporter", kRequestId, "ReportIncident", "digest-1", ""};
  const domain::Instant now = clock_.now();
  auto first = store().begin();
  ASSERT_TRUE(first.ok()) << first.status();
  const auto claimed = (*first)->claim_create(key, now);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  EXPECT_FALSE(claimed->has_value());

  absl::StatusOr<std::optional<app::CreateKey>> second_claim = absl::UnknownError("not run");
  std::thread second([&] {
    auto tx = store().begin();
    if (!tx.ok()) {
      second_claim = tx.status();
      return;
    }
    second_claim = (*tx)->claim_create(key, now);
  });

  domain::Incident i;
  i.party = "herent";
  i.aware_time = now;
  i.title = "Laptop gestolen";
  i.reported_by = "herent-reporter";
  i.create_time = now;
  const auto id = (*first)->insert_incident(i);
  ASSERT_TRUE(id.ok()) << id.status();
  ASSERT_TRUE((*first)
                  ->finish_create(key.principal, key.request_id, "incidents/" + std::to_string(*id))
                  .ok());
  ASSERT_TRUE((*first)->commit().ok());
  second.join();

  ASSERT_TRUE(second_claim.ok()) << second_claim.status();
  ASSERT_TRUE(second_claim->has_value());
  EXPECT_EQ((*second_claim)->subject, "incidents/" + std::to_string(*id));
  EXPECT_EQ((*second_claim)->body_sha256, "digest-1");
  EXPECT_EQ(rows("incident"), 1);
}

// The same through the use case: reports racing with one request_id give one incident.
TEST_F(TicketingTest, RacingReportsWithOneRequestIdMakeOneIncident) {
  app::ReportIncidentInput in = incident("herent", "RT-8");
  in.create_id = create_id();
  absl::StatusOr<app::IncidentRecord> a = absl::UnknownError("not run"), b = a;
  std::thread first([&] { a = report_.run(kHerentReporter, in); });
  std::thread second([&] { b = report_.run(kHerentReporter, in); });
  first.join();
  second.join();
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->incident.id, b->incident.id);
  EXPECT_EQ(rows("incident"), 1);
  EXPECT_EQ(rows("obligation"), 3);
}

}  // namespace
}  // namespace termijn::testing
