// End-to-end: an incident and a request carried from the first report to closure through the
// real termijn CLI and the real termijnd.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <functional>

#include "tests/e2e/grpc_client.h"
#include "tests/e2e/harness.h"

namespace termijn::testing {
namespace {

using ::testing::HasSubstr;

// RFC 3339 in UTC for an instant `ago` before now.

class LifecycleCliTest : public ::testing::Test {
 protected:
  Outcome dpo(const std::vector<std::string>& args) const {
    return server_.cli("herent-dpo", args);
  }

  std::string scalar(const std::string& sql) const { return server_.database().scalar(sql); }

  Termijnd server_;
};

TEST_F(LifecycleCliTest, IncidentFromReportThroughAssessmentAndFollowUpToClosure) {
  // A DPO changes an incident after its notice went out: a high risk starts GDPR art. 34 and a
  // follow-up notice in Dutch tells Kortenberg what changed; the incident closes only once every
  // obligation is closed, art. 34 waived only on an art. 34(3) ground; then it does not change.
  const Outcome reported = server_.cli(
      "herent-reporter", {"incident", "report", "--aware-at", utc_ago(std::chrono::hours(2)),
                          "--title", "Clientenlijst naar verkeerd adres gemaild"});
  ASSERT_EQ(reported.exit_code, 0) << reported.err;
  // What the report left out shows as not given, not as an empty line.
  EXPECT_THAT(reported.out, HasSubstr("\n  categories:    -\n"));
  EXPECT_THAT(reported.out, HasSubstr("\n  risk:          not assessed yet\n"));
  // Every fact the report may carry is shown (before: description, subject count and ticket
  // reference were never printed), aligned after the longest label.
  EXPECT_THAT(reported.out, HasSubstr("\n  description:   -\n"));
  EXPECT_THAT(reported.out, HasSubstr("\n  subject count: -\n"));
  EXPECT_THAT(reported.out, HasSubstr("\n  external ref:  -\n"));
  // The consultation (protocol art. 13, second paragraph: "onmiddellijk") has a policy target,
  // no legal limit; the breach notice has one (36 h, Reg. 1182/71 art. 3).
  EXPECT_THAT(reported.out, ::testing::ContainsRegex("protocol.breach_consultation [^\n]* none "
                                                     "fixed \\(policy target\\) +open"));
  EXPECT_THAT(reported.out,
              ::testing::Not(::testing::ContainsRegex("protocol.breach_notice [^\n]* none fixed")));
  // Only the owner's DPO changes an incident; bad input is refused and stores nothing.
  EXPECT_EQ(server_.cli("herent-reporter", {"incident", "update", "1", "--risk", "high"}).exit_code,
            4);
  EXPECT_EQ(server_.cli("kortenberg-dpo", {"incident", "update", "1", "--risk", "high"}).exit_code,
            4);
  const Outcome empty = dpo({"incident", "update", "1"});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_THAT(empty.err, HasSubstr("at least one field"));
  const Outcome negative = dpo({"incident", "update", "1", "--subject-count", "-3"});
  EXPECT_EQ(negative.exit_code, 2);
  EXPECT_THAT(negative.err, HasSubstr("subject_count"));
  // The same bound as a report's (app::kMaxSubjectCount).
  const Outcome huge = dpo({"incident", "update", "1", "--subject-count", "1000000001"});
  EXPECT_EQ(huge.exit_code, 2);
  EXPECT_THAT(huge.err, HasSubstr("subject_count: must lie between 0 and 1000000000"));
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_queue WHERE action = 'incident.updated'"), "0");

  // The notice went out (recorded by hand here: notices wait for review in these tests).
  ASSERT_EQ(dpo({"obligation", "fulfil", "1", "--evidence", "Gemeld per mail"}).exit_code, 0);
  const Outcome updated = dpo({"incident", "update", "1", "--risk", "high", "--measures",
                               "Ontvanger gevraagd de mail te wissen", "--subject-count", "37"});
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  EXPECT_THAT(updated.out, HasSubstr("\n  risk:          high\n"));
  EXPECT_THAT(updated.out, HasSubstr("\n  subject count: 37\n"));
  EXPECT_THAT(updated.out, HasSubstr("gdpr.art34_subjects"));
  EXPECT_EQ(scalar("SELECT string_agg(field, ',' ORDER BY position) FROM notification_change"),
            "subject_count,risk,measures");

  // Kortenberg's DPO sees the follow-up addressed to it, in Dutch, saying what changed.
  const Outcome follow_up = server_.cli("kortenberg-dpo", {"notification", "show", "2"});
  ASSERT_EQ(follow_up.exit_code, 0) << follow_up.err;
  EXPECT_THAT(follow_up.out, HasSubstr("Aanvulling op de melding"));
  EXPECT_THAT(follow_up.out, HasSubstr("  - Ingeschat risico\n      voorheen: nog niet ingeschat\n"
                                       "      nu:       hoog risico\n"));
  EXPECT_THAT(follow_up.out, HasSubstr("Ontvanger gevraagd de mail te wissen"));

  const Outcome refused = dpo({"incident", "close", "1", "--summary", "Afgehandeld"});
  EXPECT_EQ(refused.exit_code, 5);
  EXPECT_THAT(refused.err, HasSubstr("obligations/2 (gdpr.art33_authority)"));
  EXPECT_THAT(refused.err, HasSubstr("obligations/3 (protocol.breach_consultation to kortenberg)"));
  EXPECT_THAT(refused.err, HasSubstr("obligations/4 (gdpr.art34_subjects)"));

  const Outcome no_ground = dpo({"obligation", "waive", "4", "--reason", "Versleuteld"});
  EXPECT_EQ(no_ground.exit_code, 2);
  EXPECT_THAT(no_ground.err, HasSubstr("ground: required"));
  ASSERT_EQ(
      dpo({"obligation", "waive", "4", "--reason", "Bijlage was versleuteld", "--ground", "a"})
          .exit_code,
      0);
  ASSERT_EQ(dpo({"obligation", "fulfil", "2", "--evidence", "Gemeld bij de GBA"}).exit_code, 0);
  ASSERT_EQ(dpo({"incident", "consult", "1", "--participants", "DPO Herent, DPO Kortenberg",
                 "--agreed", "Ontvanger vragen de mail te wissen"})
                .exit_code,
            0);
  const Outcome closed = dpo({"incident", "close", "1", "--summary", "Mail gewist"});
  ASSERT_EQ(closed.exit_code, 0) << closed.err;
  EXPECT_THAT(closed.out, HasSubstr("by herent-dpo: Mail gewist"));
  EXPECT_EQ(scalar("SELECT closing_summary FROM incident WHERE id = 1"), "Mail gewist");

  const Outcome late = dpo({"incident", "update", "1", "--measures", "Nog iets"});
  EXPECT_EQ(late.exit_code, 5);
  EXPECT_THAT(late.err, HasSubstr("incidents/1 is closed"));
}

TEST_F(LifecycleCliTest, RequestExtendedOnceThenClosed) {
  // GDPR art. 12(3): extended once by 2 months, the answer moves and the duty to tell the
  // subject starts; bad months and a second extension are refused; it closes when all is done.
  ASSERT_EQ(dpo({"request", "log", "--kind", "access", "--received-at",
                 utc_ago(std::chrono::hours(72)), "--summary", "Inzageverzoek"})
                .exit_code,
            0);
  const Outcome three = dpo({"request", "extend", "1", "--months", "3", "--reason", "Veel werk"});
  EXPECT_EQ(three.exit_code, 2);
  EXPECT_THAT(three.err, HasSubstr("months: must be 1 or 2"));

  const Outcome extended =
      dpo({"request", "extend", "1", "--months", "2", "--reason", "Veel dossiers"});
  ASSERT_EQ(extended.exit_code, 0) << extended.err;
  EXPECT_THAT(extended.out, HasSubstr("\n  extended:     by 2 month(s)"));
  EXPECT_THAT(extended.out, HasSubstr("gdpr.art12_extension_notice"));
  EXPECT_THAT(extended.out, HasSubstr("Extended by 2 months (GDPR art. 12(3)): 3 months after"));
  EXPECT_EQ(scalar("SELECT extension_months FROM request WHERE id = 1"), "2");

  const Outcome again = dpo({"request", "extend", "1", "--months", "1", "--reason", "Nog meer"});
  EXPECT_EQ(again.exit_code, 5);
  EXPECT_THAT(again.err, HasSubstr("extended already"));

  EXPECT_EQ(dpo({"request", "close", "1", "--summary", "Beantwoord"}).exit_code, 5);
  for (const char* id : {"1", "2", "3"}) {
    ASSERT_EQ(dpo({"obligation", "fulfil", id, "--evidence", "Gedaan"}).exit_code, 0) << id;
  }
  const Outcome closed = dpo({"request", "close", "1", "--summary", "Beantwoord per brief"});
  ASSERT_EQ(closed.exit_code, 0) << closed.err;
  EXPECT_THAT(closed.out, HasSubstr("Beantwoord per brief"));
}

TEST_F(LifecycleCliTest, DeadlinesPreviewCoversArticle34AndTheExtension) {
  // The preview shows GDPR art. 34 from an assessment and, for an extension, the moved answer and
  // the notice of the extension, due with the original answer.
  const Outcome high = dpo({"-o", "json", "deadlines", "preview", "--event", "high-risk", "--at",
                            "2026-03-27T14:20:00+01:00"});
  ASSERT_EQ(high.exit_code, 0) << high.err;
  EXPECT_THAT(high.out, HasSubstr("\"rule\": \"gdpr.art34_subjects\""));
  EXPECT_THAT(high.out, HasSubstr("\"dueTime\": \"2026-03-30T13:20:00Z\""));

  const Outcome extension =
      dpo({"-o", "json", "deadlines", "preview", "--event", "request-extension", "--at",
           "2026-01-31T10:00:00+01:00", "--months", "2"});
  ASSERT_EQ(extension.exit_code, 0) << extension.err;
  EXPECT_THAT(extension.out, HasSubstr("\"dueTime\": \"2026-04-30T08:00:00Z\""));
  EXPECT_THAT(extension.out, HasSubstr("\"rule\": \"gdpr.art12_extension_notice\""));
  EXPECT_THAT(extension.out, HasSubstr("\"dueTime\": \"2026-02-28T09:00:00Z\""));
  EXPECT_EQ(dpo({"deadlines", "preview", "--event", "request-extension", "--at",
                 "2026-01-31T10:00:00+01:00"})
                .exit_code,
            2);
}

TEST(UpdateIncidentApiTest, TheTicketReferenceChangesUnderEitherNameAndTimesKeepWholeSeconds) {
  // UpdateIncident takes the reference under its current name (external_ref, in the mask and
  // the incident) as under its older one; two that differ are refused naming the field. An
  // occurred_time with a fraction of a second is kept to the second, not refused.
  //
  // Before: external_ref was ignored (the mask path refused, or the reference stored empty and a
  // follow-up mailed saying it was removed), and any fraction made occurred_time "not a time".
  Termijnd server;
  auto dpo = v1::Termijn::NewStub(channel_as(server, "herent-dpo"));
  v1::ReportIncidentRequest report;
  report.set_title("Laptop stolen");
  report.set_aware_time(utc_ago(std::chrono::hours(2)));
  v1::Incident incident;
  ASSERT_TRUE(dpo->ReportIncident(context_within(std::chrono::seconds(10)).get(), report,
                                  &incident)
                  .ok());
  const auto update = [&](const std::string& path, const std::function<void(v1::Incident&)>& set,
                          v1::Incident* out) {
    v1::UpdateIncidentRequest req;
    req.mutable_incident()->set_name(incident.name());
    set(*req.mutable_incident());
    req.mutable_update_mask()->add_paths(path);
    return dpo->UpdateIncident(context_within(std::chrono::seconds(10)).get(), req, out);
  };

  v1::Incident changed;
  grpc::Status s = update("external_ref", [](v1::Incident& i) { i.set_external_ref("JIRA-4711"); },
                          &changed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(changed.external_ref(), "JIRA-4711");
  s = update("ticket_ref", [](v1::Incident& i) { i.set_external_ref("JIRA-4712"); }, &changed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(changed.external_ref(), "JIRA-4712");
  s = update(
      "ticket_ref",
      [](v1::Incident& i) {
        i.set_ticket_ref("A-1");
        i.set_external_ref("B-2");
      },
      &changed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("incident.external_ref: differs from ticket_ref"));

  const std::int64_t before_awareness = std::time(nullptr) - 3 * 3600;
  s = update(
      "occurred_time",
      [&](v1::Incident& i) {
        i.mutable_occurred_time()->set_seconds(before_awareness);
        i.mutable_occurred_time()->set_nanos(500000000);
      },
      &changed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(changed.occurred_time().seconds(), before_awareness);
  EXPECT_EQ(changed.occurred_time().nanos(), 0);
  EXPECT_EQ(server.database().scalar("SELECT ticket_ref FROM incident"), "JIRA-4712");
}

}  // namespace
}  // namespace termijn::testing
