// End-to-end: the protocol's duties besides the notices, through the real termijn CLI and the
// real termijnd.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "tests/e2e/harness.h"

namespace termijn::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// How many audit events of `action` `server` recorded, chained or still queued.
std::string audited(const Termijnd& server, const std::string& action) {
  return server.database().scalar(
      "SELECT (SELECT count(*) FROM audit_queue WHERE action = '" + action +
      "') + (SELECT count(*) FROM audit_event WHERE action = '" + action + "')");
}

class DutiesCliTest : public ::testing::Test {
 protected:
  std::string scalar(const std::string& sql) const { return server_.database().scalar(sql); }

  Termijnd server_;
};

TEST_F(DutiesCliTest, BreachConsultationIsRecordedByEitherParty) {
  // Protocol art. 13, second paragraph: an incident obliges Herent and Kortenberg to consult at
  // once (24 h target, no mail); bad input and strangers are refused and store nothing; the
  // other party's DPO records the consultation, which meets the obligation with its evidence.
  ASSERT_EQ(server_
                .cli("herent-reporter",
                     {"incident", "report", "--aware-at", utc_ago(std::chrono::hours(3)), "--title",
                      "Dossier in verkeerde map"})
                .exit_code,
            0);
  EXPECT_EQ(scalar("SELECT rule || ' ' || owner_party || '->' || recipient_party || ' ' || "
                   "(extract(epoch FROM due_time - start_time)::bigint / 3600)::text || ' h' FROM "
                   "obligation "
                   "WHERE id = 3"),
            "protocol.breach_consultation herent->kortenberg 24 h");
  EXPECT_EQ(scalar("SELECT count(*) FROM notification WHERE obligation_id = 3"), "0");

  const Outcome blank = server_.cli(
      "kortenberg-dpo", {"incident", "consult", "1", "--participants", "A, B", "--agreed", " "});
  EXPECT_EQ(blank.exit_code, 2);
  EXPECT_THAT(blank.err, HasSubstr("agreed"));
  const Outcome future =
      server_.cli("kortenberg-dpo", {"incident", "consult", "1", "--at", "2099-01-01T10:00:00Z",
                                     "--participants", "A, B", "--agreed", "Wissen"});
  EXPECT_EQ(future.exit_code, 2);
  EXPECT_THAT(future.err, HasSubstr("consult_time"));
  const Outcome before = server_.cli(
      "kortenberg-dpo", {"incident", "consult", "1", "--at", utc_ago(std::chrono::hours(4)),
                         "--participants", "A, B", "--agreed", "Wissen"});
  EXPECT_EQ(before.exit_code, 2);
  EXPECT_THAT(before.err, HasSubstr("before the awareness"));
  EXPECT_EQ(server_
                .cli("herent-reporter",
                     {"incident", "consult", "1", "--participants", "A, B", "--agreed", "Wissen"})
                .exit_code,
            4);
  EXPECT_EQ(audited(server_, "incident.consulted"), "0");
  EXPECT_EQ(scalar("SELECT state FROM obligation WHERE id = 3"), "open");

  const Outcome consulted = server_.cli(
      "kortenberg-dpo",
      {"incident", "consult", "1", "--at", utc_ago(std::chrono::hours(1)), "--participants",
       "DPO Herent, DPO Kortenberg", "--agreed", "Map nagekeken, toegang beperkt"});
  ASSERT_EQ(consulted.exit_code, 0) << consulted.err;
  EXPECT_THAT(consulted.out, HasSubstr("protocol.breach_consultation"));
  EXPECT_EQ(scalar("SELECT state || ' by ' || closed_by FROM obligation WHERE id = 3"),
            "met by kortenberg-dpo");
  EXPECT_THAT(scalar("SELECT evidence FROM obligation WHERE id = 3"),
              HasSubstr("Participants: DPO Herent, DPO Kortenberg. Agreed: Map nagekeken, "
                        "toegang beperkt"));
  EXPECT_EQ(audited(server_, "incident.consulted"), "1");

  const Outcome again = server_.cli(
      "herent-dpo", {"incident", "consult", "1", "--participants", "A", "--agreed", "Nog eens"});
  EXPECT_EQ(again.exit_code, 5);
  EXPECT_THAT(again.err, HasSubstr("no open consultation"));
  EXPECT_THAT(again.err, Not(HasSubstr("internal")));
}

TEST_F(DutiesCliTest, DeadlinesPreviewShowsTheConsultation) {
  // The incident preview includes the art. 13 consultation with its policy target.
  const Outcome preview =
      server_.cli("herent-dpo", {"-o", "json", "deadlines", "preview", "--event", "incident",
                                 "--at", "2026-10-24T23:30:00+02:00"});
  ASSERT_EQ(preview.exit_code, 0) << preview.err;
  EXPECT_THAT(preview.out, HasSubstr("\"rule\": \"protocol.breach_consultation\""));
  EXPECT_THAT(preview.out, HasSubstr("\"dueTime\": \"2026-10-25T21:30:00Z\""));
}

TEST_F(DutiesCliTest, RefusedRequestObligesTellingTheSubjectOfTheRightToComplain) {
  // GDPR art. 12(5) and 12(4): a request refused on a named ground closes its answer as waived
  // with the ground, and starts the duty to tell the subject why and of the right to complain,
  // due one month after the receipt, as the answer was; an unknown ground and a second refusal
  // are refused.
  ASSERT_EQ(server_
                .cli("herent-dpo", {"request", "log", "--kind", "erasure", "--received-at",
                                    utc_ago(std::chrono::hours(48)), "--summary", "Wis alles"})
                .exit_code,
            0);
  const Outcome busy =
      server_.cli("herent-dpo", {"request", "refuse", "1", "--ground", "busy", "--reason", "Druk"});
  EXPECT_EQ(busy.exit_code, 2);
  EXPECT_THAT(busy.err, HasSubstr("ground: 'busy' is not one"));
  EXPECT_THAT(busy.err, HasSubstr("unfounded = GDPR art. 12(5)(b)"));
  EXPECT_EQ(server_
                .cli("kortenberg-dpo",
                     {"request", "refuse", "1", "--ground", "unfounded", "--reason", "Ongegrond"})
                .exit_code,
            4);
  EXPECT_EQ(scalar("SELECT state FROM obligation WHERE id = 2"), "open");

  const Outcome refused =
      server_.cli("herent-dpo", {"request", "refuse", "1", "--ground", "excessive", "--reason",
                                 "Vierde identiek verzoek deze maand"});
  ASSERT_EQ(refused.exit_code, 0) << refused.err;
  EXPECT_THAT(refused.out, HasSubstr("gdpr.art12_refusal_notice"));
  EXPECT_THAT(refused.out, HasSubstr("GDPR art. 12(4): within one month of the receipt"));
  EXPECT_EQ(scalar("SELECT state FROM obligation WHERE id = 2"), "waived");
  EXPECT_THAT(scalar("SELECT evidence FROM obligation WHERE id = 2"),
              HasSubstr("Refused. GDPR art. 12(5)(b): the request is manifestly excessive"));
  EXPECT_EQ(scalar("SELECT o3.due_time = o2.due_time AND o3.legal_due_time = o2.legal_due_time "
                   "FROM obligation o2, obligation o3 WHERE o2.id = 2 AND o3.id = 3 AND "
                   "o3.rule = 'gdpr.art12_refusal_notice'"),
            "t");
  EXPECT_EQ(audited(server_, "request.refused"), "1");

  const Outcome again = server_.cli(
      "herent-dpo", {"request", "refuse", "1", "--ground", "unfounded", "--reason", "Nog eens"});
  EXPECT_EQ(again.exit_code, 5);
  EXPECT_THAT(again.err, HasSubstr("only an open answer can be refused"));

  EXPECT_EQ(
      server_.cli("herent-dpo", {"request", "close", "1", "--summary", "Geweigerd"}).exit_code, 5);
  for (const char* id : {"1", "3"}) {
    ASSERT_EQ(server_.cli("herent-dpo", {"obligation", "fulfil", id, "--evidence", "Per brief"})
                  .exit_code,
              0)
        << id;
  }
  EXPECT_EQ(
      server_.cli("herent-dpo", {"request", "close", "1", "--summary", "Geweigerd"}).exit_code, 0);

  const Outcome preview =
      server_.cli("herent-dpo", {"-o", "json", "deadlines", "preview", "--event", "request-refusal",
                                 "--at", "2026-01-31T10:00:00+01:00"});
  ASSERT_EQ(preview.exit_code, 0) << preview.err;
  EXPECT_THAT(preview.out, HasSubstr("\"rule\": \"gdpr.art12_refusal_notice\""));
  EXPECT_THAT(preview.out, HasSubstr("\"dueTime\": \"2026-02-28T09:00:00Z\""));
}

// Kortenberg counts an answer period from the identification; Herent (the default) from receipt.
TermijndOptions KortenbergCountsFromIdentification() {
  TermijndOptions options;
  options.edits = {
      {"id = \"kortenberg\"\n", "id = \"kortenberg\"\nanswer_period_from = \"identification\"\n"}};
  return options;
}

class IdentificationCliTest : public ::testing::Test {
 protected:
  std::string scalar(const std::string& sql) const { return server_.database().scalar(sql); }

  Termijnd server_{KortenbergCountsFromIdentification()};
};

TEST_F(IdentificationCliTest, AnswerPeriodRunsFromReceiptOrIdentificationAsThePartyChooses) {
  // GDPR art. 12(6): more information is asked, then it comes. Herent's answer stays one month
  // after receipt, Kortenberg's moves to one month after the identification; each explanation
  // says which policy applies; bad input and other principals are refused and store nothing.
  ASSERT_EQ(server_
                .cli("herent-dpo", {"request", "log", "--kind", "access", "--received-at",
                                    utc_ago(std::chrono::hours(240)), "--summary", "Inzage"})
                .exit_code,
            0);
  const std::string herent_due = scalar("SELECT due_time FROM obligation WHERE id = 2");
  const Outcome neither = server_.cli("herent-dpo", {"request", "identification", "1"});
  EXPECT_EQ(neither.exit_code, 2);
  const Outcome early = server_.cli(
      "herent-dpo",
      {"request", "identification", "1", "--received-at", utc_ago(std::chrono::hours(1))});
  EXPECT_EQ(early.exit_code, 5);
  EXPECT_THAT(early.err, HasSubstr("no information was asked yet; record first when it was asked"));
  const Outcome future = server_.cli(
      "herent-dpo", {"request", "identification", "1", "--asked-at", "2099-01-01T10:00:00Z"});
  EXPECT_EQ(future.exit_code, 2);
  EXPECT_THAT(future.err, HasSubstr("asked_time"));
  const Outcome before_receipt = server_.cli(
      "herent-dpo",
      {"request", "identification", "1", "--asked-at", utc_ago(std::chrono::hours(300))});
  EXPECT_EQ(before_receipt.exit_code, 2);
  EXPECT_THAT(before_receipt.err, HasSubstr("before the receipt"));
  EXPECT_EQ(server_
                .cli("herent-reporter", {"request", "identification", "1", "--asked-at",
                                         utc_ago(std::chrono::hours(200))})
                .exit_code,
            4);
  EXPECT_EQ(server_
                .cli("kortenberg-dpo", {"request", "identification", "1", "--asked-at",
                                        utc_ago(std::chrono::hours(200))})
                .exit_code,
            4);
  EXPECT_EQ(scalar("SELECT identification_asked_time IS NULL FROM request WHERE id = 1"), "t");

  const Outcome asked = server_.cli("herent-dpo", {"request", "identification", "1", "--asked-at",
                                                   utc_ago(std::chrono::hours(200))});
  ASSERT_EQ(asked.exit_code, 0) << asked.err;
  EXPECT_THAT(asked.out, HasSubstr("identification asked: "));
  EXPECT_THAT(asked.out, HasSubstr("not yet received"));
  const Outcome received = server_.cli(
      "herent-dpo",
      {"request", "identification", "1", "--received-at", utc_ago(std::chrono::hours(100))});
  ASSERT_EQ(received.exit_code, 0) << received.err;
  EXPECT_THAT(received.out, HasSubstr("the policy of OCMW Herent counts the answer period from the "
                                      "receipt of the request. 1 month after receipt"));
  EXPECT_EQ(scalar("SELECT due_time FROM obligation WHERE id = 2"), herent_due);
  const Outcome twice = server_.cli(
      "herent-dpo",
      {"request", "identification", "1", "--received-at", utc_ago(std::chrono::hours(90))});
  EXPECT_EQ(twice.exit_code, 5);
  EXPECT_THAT(twice.err, HasSubstr("came already"));

  ASSERT_EQ(server_
                .cli("kortenberg-dpo", {"request", "log", "--kind", "erasure", "--received-at",
                                        utc_ago(std::chrono::hours(240)), "--summary", "Wissen"})
                .exit_code,
            0);
  ASSERT_EQ(server_
                .cli("kortenberg-dpo", {"request", "identification", "2", "--asked-at",
                                        utc_ago(std::chrono::hours(200))})
                .exit_code,
            0);
  const Outcome moved = server_.cli(
      "kortenberg-dpo",
      {"request", "identification", "2", "--received-at", utc_ago(std::chrono::hours(100))});
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_THAT(moved.out,
              HasSubstr("the policy of OCMW Kortenberg counts the answer period from the "
                        "identification. 1 month after identification at"));
  // The answer is one month after the identification, 140 h later than after the receipt.
  EXPECT_EQ(scalar("SELECT due_time - start_time > interval '33 days' FROM obligation WHERE "
                   "request_id = 2 AND rule = 'gdpr.art12_response'"),
            "t");
  EXPECT_EQ(audited(server_, "request.identification_asked"), "2");
  EXPECT_EQ(audited(server_, "request.identified"), "2");
}

}  // namespace
}  // namespace termijn::testing
