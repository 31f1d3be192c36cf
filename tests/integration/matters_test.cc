#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/app/queries.h"
#include "server/app/report_matter.h"
#include "server/app/views.h"
#include "tests/fakes/fake_clock.h"
#include "tests/integration/pg_test.h"

namespace termijn::testing {
namespace {

using domain::MatterKind;

class ReportMatterTest : public PgTest {
 protected:
  FakeClock clock_{at("2026-03-28T12:00:00Z")};
  app::ReportMatter report_{clock_, store(), demo_directory()};
  app::Queries queries_{store()};
};

app::ReportMatterInput finding() {
  app::ReportMatterInput in;
  in.party = "herent";
  in.kind = MatterKind::kDataQuality;
  in.event_time = "2026-03-27T14:20:00+01:00";
  in.summary = "Verouderd adres in het gedeelde bestand";
  return in;
}

// A data-quality finding is stored as given with its notice (queued) and its measures, both
// towards kortenberg, and reads back with them; kortenberg is among the parties it concerns.
TEST_F(ReportMatterTest, StoresTheFindingWithItsNoticeAndMeasures) {
  const auto record = report_.run(kHerentReporter, finding());
  ASSERT_TRUE(record.ok()) << record.status();
  const auto stored = queries_.matter(record->matter.id);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->matter.party, "herent");
  EXPECT_EQ(stored->matter.kind, MatterKind::kDataQuality);
  EXPECT_EQ(utc(stored->matter.event_time), "2026-03-27T13:20:00Z");
  EXPECT_EQ(stored->matter.reported_by, "herent-reporter");
  ASSERT_EQ(stored->obligations.size(), 2u);
  EXPECT_EQ(stored->obligations[0].rule, "protocol.quality_notice");
  EXPECT_EQ(stored->obligations[0].notice_state, "pending");
  EXPECT_EQ(stored->obligations[0].subject(), "matters/" + std::to_string(record->matter.id));
  EXPECT_EQ(stored->obligations[1].rule, "protocol.quality_measures");
  EXPECT_EQ(stored->obligations[1].notice_state, "");
  const auto parties = store().parties_of("matters", record->matter.id);
  ASSERT_TRUE(parties.ok()) << parties.status();
  EXPECT_EQ(parties->owner, "herent");
  EXPECT_EQ(parties->notified, std::vector<std::string>{"kortenberg"});
  const auto seen = queries_.matters({"", 0, "", "kortenberg", ""});
  ASSERT_TRUE(seen.ok()) << seen.status();
  ASSERT_EQ(seen->items.size(), 1u);
}

// A departure needs its opaque staff reference; every party owes the erasure, each reminded
// in its own right; a retried create with the same request id returns the first matter.
TEST_F(ReportMatterTest, DepartureObligesEveryPartyAndRetriesCreateNothing) {
  app::ReportMatterInput in = finding();
  in.kind = MatterKind::kStaffDeparture;
  const auto refused = report_.run(kHerentDpo, in);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("staff_ref"), std::string::npos);
  in.staff_ref = "P-1234";
  in.create_id = {"6f1c1f0e-4a7e-4f43-9d55-1c4d4c7b2a10", "body"};
  const auto first = report_.run(kHerentDpo, in);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->obligations.size(), 2u);
  EXPECT_EQ(first->obligations[0].owner_party, "herent");
  EXPECT_EQ(first->obligations[1].owner_party, "kortenberg");
  const auto again = report_.run(kHerentDpo, in);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->matter.id, first->matter.id);
  EXPECT_EQ(again->obligations.size(), 2u);
  const auto kortenbergs = app::notified_view(*again, "kortenberg");
  ASSERT_EQ(kortenbergs.obligations.size(), 1u);
  EXPECT_EQ(kortenbergs.obligations[0].owner_party, "kortenberg");
}

}  // namespace
}  // namespace termijn::testing
