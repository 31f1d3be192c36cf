#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/app/queries.h"
#include "server/app/report_matter.h"
#include "server/app/views.h"
#include "server/jobs/escalation_scheduler.h"
#include "server/jobs/notice_composer.h"
#include "server/notify/templates.h"
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
  // Its own duty: with its reminder schedule, which a notified view withholds.
  EXPECT_TRUE(kortenbergs.obligations[0].next_step_time.has_value());
}

// The notice of a finding is composed in Kortenberg's Dutch from the matter; a reminder of
// Kortenberg's own erasure after a departure names the duty from the rules table.
TEST_F(ReportMatterTest, NoticeAndReminderAreComposedFromTheMatter) {
  const auto found = report_.run(kHerentReporter, finding());
  ASSERT_TRUE(found.ok()) << found.status();
  app::ReportMatterInput departure = finding();
  departure.kind = MatterKind::kStaffDeparture;
  departure.staff_ref = "P-77";
  const auto left = report_.run(kHerentDpo, departure);
  ASSERT_TRUE(left.ok()) << left.status();
  clock_.set(at("2026-04-30T00:00:00Z"));  // past the erasure's 30 days: its steps fire
  const app::RulePolicies policies;
  jobs::EscalationScheduler scheduler(clock_, store(), demo_directory(), policies,
                                      [](std::chrono::milliseconds) {});
  while (scheduler.run_once() > 0) {
  }
  const auto templates = notify::TemplateSet::load(TERMIJN_TEMPLATES_DIR);
  ASSERT_TRUE(templates.ok()) << templates.status();
  const jobs::NoticeComposer composer(clock_, store(), demo_directory(), *templates,
                                      "termijn@herent.example");
  const auto notices_of = [&](int64_t obligation) {
    app::NotificationFilter filter;
    filter.obligation_id = obligation;
    return *store().list_notifications(filter);
  };
  const auto notice = notices_of(found->obligations[0].id);
  ASSERT_EQ(notice.size(), 1u);
  const auto mail = composer.compose(notice[0]);
  ASSERT_TRUE(mail.ok()) << mail.status();
  const std::string name = "matters/" + std::to_string(found->matter.id);
  EXPECT_NE(mail->subject.find("vaststelling over de kwaliteit"), std::string::npos)
      << mail->subject;
  EXPECT_NE(mail->subject.find(name), std::string::npos) << mail->subject;
  // Who reports it, not who made it (before: "vaststelling ... door OCMW Herent", which for a
  // change in law read as if the party had changed the law).
  EXPECT_EQ(mail->subject.rfind("[Termijn] Melding van OCMW ", 0), 0u) << mail->subject;
  EXPECT_NE(mail->text_body.find("Verouderd adres in het gedeelde bestand"), std::string::npos)
      << mail->text_body;
  // The duty with its article, in Dutch as in English; the follow-up measures without the
  // "without undue delay" of art. 12 that art. 15 does not have.
  EXPECT_NE(mail->text_body.find("\n  art. 12, eerste lid, protocol: de vaststelling"),
            std::string::npos)
      << mail->text_body;
  EXPECT_EQ(mail->text_body.find("zonder onredelijke vertraging"), std::string::npos)
      << mail->text_body;
  EXPECT_EQ(mail->to.at(0).email, "dpo@kortenberg.example");

  const domain::Obligation& erasure = left->obligations[1];
  ASSERT_EQ(erasure.owner_party, "kortenberg");
  const auto reminders = notices_of(erasure.id);
  ASSERT_FALSE(reminders.empty());
  const auto reminder = composer.compose(reminders[0]);
  ASSERT_TRUE(reminder.ok()) << reminder.status();
  EXPECT_NE(reminder->text_body.find("de meegedeelde gegevens over het vertrokken personeelslid "
                                     "wissen"),
            std::string::npos)
      << reminder->text_body;
  EXPECT_NE(reminder->text_body.find("vastgesteld op"), std::string::npos) << reminder->text_body;
}

}  // namespace
}  // namespace termijn::testing
