// End-to-end: protocol matters (art. 9, 10, 12, 15, 18) through the real termijn CLI and the
// real termijnd.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/e2e/harness.h"

namespace termijn::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> mails_in(const std::string& dir) {
  std::vector<std::string> out;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".eml") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    out.push_back(text.str());
  }
  return out;
}

class MattersCliTest : public ::testing::Test {
 protected:
  std::string scalar(const std::string& sql) const { return server_.database().scalar(sql); }

  Termijnd server_;
};

TEST_F(MattersCliTest, BadInputIsRefusedAndStoresNothing) {
  // A departure without its staff reference, a staff reference on another kind, an unknown
  // kind and a matter for another party are refused with the field named; nothing is stored.
  const Outcome no_ref = server_.cli(
      "herent-dpo", {"matter", "report", "--kind", "staff-departure", "--summary", "Vertrek"});
  EXPECT_EQ(no_ref.exit_code, 2);
  EXPECT_THAT(no_ref.err, HasSubstr("staff_ref"));
  const Outcome stray_ref =
      server_.cli("herent-dpo", {"matter", "report", "--kind", "law-change", "--summary",
                                 "Nieuw decreet", "--staff-ref", "P-1"});
  EXPECT_EQ(stray_ref.exit_code, 2);
  EXPECT_THAT(stray_ref.err, HasSubstr("staff_ref: only for a staff departure"));
  const Outcome blank = server_.cli(
      "herent-dpo", {"matter", "report", "--kind", "data-quality", "--summary", " "});
  EXPECT_EQ(blank.exit_code, 2);
  EXPECT_THAT(blank.err, HasSubstr("summary"));
  const Outcome unknown =
      server_.cli("herent-dpo", {"matter", "report", "--kind", "gossip", "--summary", "X"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("--kind"));
  const Outcome other_party =
      server_.cli("kortenberg-dpo", {"matter", "report", "--party", "herent", "--kind",
                                     "data-quality", "--summary", "Fout adres"});
  EXPECT_EQ(other_party.exit_code, 4);
  EXPECT_EQ(scalar("SELECT count(*) FROM matter"), "0");
  EXPECT_EQ(scalar("SELECT count(*) FROM obligation"), "0");
}

TEST_F(MattersCliTest, StaffDepartureObligesEveryPartyToErase) {
  // Protocol art. 9: a departure (an opaque reference, no name) obliges Herent and Kortenberg
  // each to erase the shared data (30 days by default), without a mail; Kortenberg sees the
  // matter as notified to it and fulfils its own erasure.
  const Outcome reported = server_.cli(
      "herent-reporter", {"matter", "report", "--kind", "staff-departure", "--at",
                          utc_ago(std::chrono::hours(2)), "--staff-ref", "P-1234", "--summary",
                          "Maatschappelijk werker uit dienst"});
  ASSERT_EQ(reported.exit_code, 0) << reported.err;
  EXPECT_THAT(reported.out, AllOf(HasSubstr("matters/1"), HasSubstr("protocol.departure_erasure"),
                                  HasSubstr("P-1234")));
  EXPECT_THAT(reported.out, Not(HasSubstr("kortenberg -> kortenberg")))
      << "the reply shows the matter as `matter show` does";
  EXPECT_EQ(scalar("SELECT string_agg(owner_party || '->' || recipient_party || ' ' || "
                   "(extract(epoch FROM due_time - start_time)::bigint / 86400)::text || ' d', "
                   "', ' ORDER BY owner_party) FROM obligation WHERE matter_id = 1"),
            "herent->herent 30 d, kortenberg->kortenberg 30 d");
  EXPECT_EQ(scalar("SELECT count(*) FROM notification"), "0");

  const Outcome seen = server_.cli("kortenberg-dpo", {"matter", "show", "1"});
  ASSERT_EQ(seen.exit_code, 0) << seen.err;
  EXPECT_THAT(seen.out, AllOf(HasSubstr("staff-departure"), HasSubstr("P-1234"),
                              HasSubstr("kortenberg -> kortenberg dpo")));
  EXPECT_THAT(seen.out, Not(HasSubstr("herent -> herent dpo")));

  const std::string own =
      scalar("SELECT id FROM obligation WHERE matter_id = 1 AND owner_party = 'kortenberg'");
  const Outcome erased = server_.cli(
      "kortenberg-dpo", {"obligation", "fulfil", own, "--evidence", "Dossier P-1234 gewist"});
  ASSERT_EQ(erased.exit_code, 0) << erased.err;
  EXPECT_EQ(scalar("SELECT state FROM obligation WHERE id = " + own), "met");
  const Outcome listed = server_.cli("kortenberg-dpo", {"matter", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("matters/1"));

  // Kortenberg's erasure is Kortenberg's: Herent, whose matter it is, sees its own duty, not
  // Kortenberg's (nor its evidence), as it cannot read that obligation itself either.
  // Before: the matter showed Herent Kortenberg's duty whole, evidence and reminders included.
  for (const char* principal : {"herent-dpo", "herent-reporter"}) {
    const Outcome owner = server_.cli(principal, {"matter", "show", "1"});
    ASSERT_EQ(owner.exit_code, 0) << owner.err;
    EXPECT_THAT(owner.out, HasSubstr("herent -> herent dpo")) << principal;
    EXPECT_THAT(owner.out, AllOf(Not(HasSubstr("kortenberg -> kortenberg")),
                                 Not(HasSubstr("Dossier P-1234 gewist"))))
        << principal << "\n" << owner.out;
  }
  EXPECT_EQ(server_.cli("herent-dpo", {"obligation", "show", own}).exit_code, 3) << "not found";
  const Outcome audited = server_.cli("auditor", {"matter", "show", "1"});
  ASSERT_EQ(audited.exit_code, 0) << audited.err;
  EXPECT_THAT(audited.out, HasSubstr("kortenberg -> kortenberg")) << "auditors read everything";
}

TEST_F(MattersCliTest, AReporterCannotTerminateTheProtocol) {
  // Ending the protocol is the party's decision, recorded by its DPO; nothing is stored.
  const Outcome refused = server_.cli(
      "herent-reporter", {"matter", "report", "--kind", "termination-art10", "--summary",
                          "Verwerking in strijd met het protocol"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("may not record a termination of the protocol for party "
                                     "'herent': that takes its dpo role"));
  EXPECT_EQ(scalar("SELECT count(*) FROM matter"), "0");
}

TEST_F(MattersCliTest, TerminationShowsWhenItTakesEffectAndRemindsBothParties) {
  // Protocol art. 18: notice given now ends the protocol on the first day of the fourth month;
  // both parties owe the end of the exchange then, with month reminders before it.
  const Outcome reported = server_.cli(
      "herent-dpo", {"matter", "report", "--kind", "termination-art18", "--summary",
                     "Opzegging door de raad van maatschappelijk welzijn"});
  ASSERT_EQ(reported.exit_code, 0) << reported.err;
  EXPECT_THAT(reported.out, AllOf(HasSubstr("takes effect:"),
                                  HasSubstr("Protocol art. 18: the notice of three months"),
                                  HasSubstr("protocol.termination_art18")));
  EXPECT_EQ(scalar("SELECT count(DISTINCT owner_party) FROM obligation WHERE matter_id = 1 AND "
                   "due_time = legal_due_time"),
            "2");
  EXPECT_EQ(scalar("SELECT count(DISTINCT o.owner_party) FROM escalation_step s JOIN obligation "
                   "o ON o.id = s.obligation_id WHERE o.matter_id = 1 AND s.label = '-14d' AND "
                   "s.state = 'pending'"),
            "2");
  EXPECT_EQ(scalar("SELECT extract(day FROM due_time AT TIME ZONE 'Europe/Brussels')::text || "
                   "' ' || (due_time AT TIME ZONE 'Europe/Brussels')::time::text FROM obligation "
                   "WHERE matter_id = 1 LIMIT 1"),
            "1 00:00:00");
}

TEST_F(MattersCliTest, DeadlinesPreviewCoversTheMatters) {
  // Every matter kind can be previewed; art. 18 notice on 31 Jan 23:30 local ends on 1 May
  // (a public holiday, not moved) for both parties.
  const Outcome preview = server_.cli(
      "herent-dpo", {"-o", "json", "deadlines", "preview", "--event", "termination-art18", "--at",
                     "2026-01-31T23:30:00+01:00"});
  ASSERT_EQ(preview.exit_code, 0) << preview.err;
  EXPECT_THAT(preview.out, AllOf(HasSubstr("\"dueTime\": \"2026-04-30T22:00:00Z\""),
                                 HasSubstr("\"ownerParty\": \"kortenberg\""),
                                 HasSubstr("does not move")));
  for (const char* event : {"data-quality", "law-change", "processor-change", "staff-departure",
                            "termination-art10"}) {
    const Outcome p = server_.cli("herent-dpo", {"deadlines", "preview", "--event", event});
    EXPECT_EQ(p.exit_code, 0) << event << ": " << p.err;
    EXPECT_THAT(p.out, HasSubstr("protocol.")) << event;
  }
}

TEST(MattersMailTest, DataQualityFindingIsMailedAndItsMeasuresTracked) {
  // Protocol art. 12: a finding is mailed to the Kortenberg DPO at once (the mail meets the
  // notice), and the measures with Kortenberg informed stay open as a 14-day target.
  TermijndOptions options;
  options.auto_send = true;
  Termijnd server(options);
  const Outcome reported = server.cli(
      "herent-reporter", {"matter", "report", "--kind", "data-quality", "--summary",
                          "Adres van cliënt in het gedeelde bestand is verouderd"});
  ASSERT_EQ(reported.exit_code, 0) << reported.err;
  EXPECT_THAT(reported.out, AllOf(HasSubstr("protocol.quality_notice"),
                                  HasSubstr("protocol.quality_measures")));
  ASSERT_TRUE(poll_until([&] {
    return server.database().scalar(
               "SELECT state FROM obligation WHERE rule = 'protocol.quality_notice'") == "met";
  })) << server.log();
  EXPECT_EQ(server.database().scalar(
                "SELECT state || ' ' || (extract(epoch FROM due_time - start_time)::bigint / "
                "3600)::text FROM obligation WHERE rule = 'protocol.quality_measures'"),
            "open 336");
  const std::vector<std::string> mails = mails_in(server.mail_dir());
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_THAT(mails[0], AllOf(HasSubstr("dpo@kortenberg.example"), HasSubstr("matters/1")));
}

}  // namespace
}  // namespace termijn::testing
