// End-to-end: reminders and escalations from the real termijnd (its scheduler and outbox on real
// time), driven by the real CLI with back-dated events; mail lands as .eml files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/harness.h"
#include "tests/support/mime_reader.h"

namespace termijn::testing {
namespace {

using std::chrono::hours;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr auto kDay = hours{24};

// RFC 3339 in UTC for an instant `ago` before now.

// "29 days ago" leaves the one-month answer two days or so, except when that day is in
// February (a 28-day month): then 26 days ago tells the same story.
std::chrono::seconds days_before_due_ago() {
  const std::time_t tt =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() - 29 * kDay);
  return std::gmtime(&tt)->tm_mon == 1 ? 26 * kDay : 29 * kDay;
}

// A mail as the DPO would read it: decoded subject, recipients, text.
struct Mail {
  std::string file, subject, to, cc, text;
};

std::vector<Mail> mails_in(const std::string& dir) {
  std::vector<Mail> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".eml") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream raw;
    raw << in.rdbuf();
    const MimeEntity message = ParseEntity(raw.str());
    Mail m;
    m.file = entry.path().filename().string();
    m.subject = DecodeWords(message.Header("Subject"));
    m.to = DecodeWords(message.Header("To"));
    m.cc = DecodeWords(message.Header("Cc"));
    if (Lower(message.Header("Content-Type")).rfind("multipart/", 0) == 0) {
      for (const MimeEntity& part : Parts(message)) {
        if (Lower(part.Header("Content-Type")).rfind("text/plain", 0) == 0) {
          m.text = DecodedBody(part);
          break;
        }
      }
    } else {
      m.text = DecodedBody(message);
    }
    out.push_back(std::move(m));
  }
  return out;
}

// The mails about `rule` whose subject starts with `prefix`.
std::vector<Mail> mails_about(const std::string& dir, const std::string& rule,
                              const std::string& prefix) {
  std::vector<Mail> out;
  for (Mail& m : mails_in(dir)) {
    if (m.subject.rfind(prefix, 0) == 0 && m.text.find(rule) != std::string::npos) {
      out.push_back(std::move(m));
    }
  }
  return out;
}

int64_t count(const Termijnd& server, const std::string& sql) {
  return std::stoll(server.database().scalar(sql));
}

// Everything the scheduler and the outbox had to do by now is done: no step due and pending,
// no mail waiting.
bool settled(const Termijnd& server) {
  return count(
             server,
             "SELECT (SELECT count(*) FROM escalation_step WHERE state = 'pending' AND "
             "fire_time <= now()) + (SELECT count(*) FROM notification WHERE state = 'pending')") ==
         0;
}

// Reminder rows of obligations of `rule`, as "state" per row.
int64_t reminders_of(const Termijnd& server, const std::string& rule,
                     const std::string& state = "") {
  return count(server,
               "SELECT count(*) FROM notification n JOIN obligation o ON o.id = n.obligation_id "
               "WHERE n.kind = 'reminder' AND o.rule = '" +
                   rule + "'" + (state.empty() ? "" : " AND n.state = '" + state + "'"));
}

// Counts "kind": "reminder" in `notification list -o json`.
int json_reminders(const Outcome& o) {
  int n = 0;
  for (size_t at = o.out.find("\"kind\": \"reminder\""); at != std::string::npos;
       at = o.out.find("\"kind\": \"reminder\"", at + 1)) {
    ++n;
  }
  return n;
}

Outcome log_request(const Termijnd& server, std::chrono::seconds ago) {
  return server.cli("herent-reporter", {"request", "log", "--kind", "access", "--received-at",
                                        utc_ago(ago), "--summary", "Inzage in dossier"});
}

TEST(EscalationE2eTest, RequestBackDated29DaysRemindsTheHerentDpo) {
  // Verifies a request back-dated 29 days yields one Dutch reminder mail to the Herent DPO.
  // The deputy is in copy; the director is not (yet) addressed.
  Termijnd server;
  const Outcome logged = log_request(server, days_before_due_ago());
  ASSERT_EQ(logged.exit_code, 0) << logged.err;

  std::vector<Mail> mails;
  ASSERT_TRUE(poll_until([&] {
    mails = mails_about(server.mail_dir(), "gdpr.art12_response", "[Termijn] ");
    return !mails.empty();
  })) << server.log();
  ASSERT_EQ(mails.size(), 1u);
  const Mail& m = mails[0];
  EXPECT_THAT(m.subject, StartsWith("[Termijn] Herinnering (nog "));
  EXPECT_THAT(m.subject, HasSubstr("requests/1"));
  EXPECT_THAT(m.to, HasSubstr("dpo@herent.example"));
  EXPECT_THAT(m.to, Not(HasSubstr("directeur@herent.example")));
  EXPECT_THAT(m.cc, HasSubstr("dpo-deputy@herent.example"));
  EXPECT_THAT(m.text, HasSubstr("Geachte DPO OCMW Herent"));
  EXPECT_THAT(m.text, HasSubstr("termijn obligation fulfil "));
  EXPECT_THAT(m.text, HasSubstr("termijn obligation waive "));
  EXPECT_THAT(m.text, HasSubstr("Herinnering:        stap -"));  // a step before the due time
  EXPECT_EQ(reminders_of(server, "gdpr.art12_response"), 1);
}

TEST(EscalationE2eTest, LateReminderSaysTheTimeActuallyLeftAndWhatItIsAbout) {
  // A request received 40 h ago: its 48 h protocol notice (held for review) has the 80 % step
  // (at 38.4 h) due. The reminder, composed now, says about 8 h are left (not the 9 h 36 min left
  // when its step was planned), and names the request's summary and when it was received.
  Termijnd server;
  ASSERT_EQ(log_request(server, hours{40}).exit_code, 0);

  std::vector<Mail> mails;
  ASSERT_TRUE(poll_until([&] {
    mails = mails_about(server.mail_dir(), "protocol.request_notice", "[Termijn] ");
    return !mails.empty();
  })) << server.log();
  ASSERT_EQ(mails.size(), 1u);
  const Mail& m = mails[0];
  EXPECT_THAT(m.subject, ContainsRegex("Herinnering \\(nog (7 u 5[0-9]|8 u 0) min\\)"));
  EXPECT_THAT(m.subject, HasSubstr("requests/1: Inzage in dossier"));
  EXPECT_THAT(m.text, HasSubstr("requests/1: Inzage in dossier"));
  EXPECT_THAT(m.text, HasSubstr("ontvangen op "));
  EXPECT_THAT(m.text, Not(HasSubstr("9 u 36 min")));
}

TEST(EscalationE2eTest, RequestBackDated32DaysEscalatesToDpoAndDirector) {
  // Verifies a request back-dated 32 days yields one overdue mail to the DPO and the director.
  // `termijn deadlines` then shows the next step and the escalation level.
  Termijnd server;
  ASSERT_EQ(log_request(server, 32 * kDay).exit_code, 0);

  std::vector<Mail> mails;
  ASSERT_TRUE(poll_until([&] {
    mails = mails_about(server.mail_dir(), "gdpr.art12_response", "[Termijn] ");
    return !mails.empty();
  })) << server.log();
  ASSERT_EQ(mails.size(), 1u);
  const Mail& m = mails[0];
  EXPECT_THAT(m.subject, StartsWith("[Termijn] TERMIJN VERSTREKEN: "));
  EXPECT_THAT(m.subject, HasSubstr(" te laat)"));
  EXPECT_THAT(m.to, HasSubstr("dpo@herent.example"));
  EXPECT_THAT(m.to, HasSubstr("directeur@herent.example"));
  EXPECT_THAT(m.text, HasSubstr("Onderneem nu actie."));
  // Of the due steps only the latest fired; the others were skipped, not sent.
  EXPECT_EQ(reminders_of(server, "gdpr.art12_response"), 1);
  EXPECT_EQ(count(server,
                  "SELECT count(*) FROM escalation_step s JOIN obligation o ON o.id = "
                  "s.obligation_id WHERE o.rule = 'gdpr.art12_response' AND s.state = "
                  "'skipped'"),
            3 + count(server,
                      "SELECT count(*) FROM escalation_step s JOIN obligation o ON o.id "
                      "= s.obligation_id WHERE o.rule = 'gdpr.art12_response' AND "
                      "s.label = '+1d every 1d' AND s.state = 'fired'"));

  const Outcome deadlines = server.cli("herent-dpo", {"deadlines"});
  ASSERT_EQ(deadlines.exit_code, 0) << deadlines.err;
  const auto at = deadlines.out.find("gdpr.art12_response");
  ASSERT_NE(at, std::string::npos) << deadlines.out;
  const std::string line = deadlines.out.substr(at, deadlines.out.find('\n', at) - at);
  EXPECT_THAT(line, HasSubstr("overdue"));
  EXPECT_THAT(line, HasSubstr("+1d every 1d "));
  EXPECT_THAT(line, HasSubstr("(1)"));  // reminder steps fired so far
}

TEST(EscalationE2eTest, RestartSendsNothingTwice) {
  // Verifies a restarted termijnd on the same database sends no reminder a second time.
  // It does fire a step that became due after the restart, proving its scheduler runs.
  auto first = std::make_unique<Termijnd>();
  ASSERT_EQ(log_request(*first, 32 * kDay).exit_code, 0);
  ASSERT_EQ(log_request(*first, days_before_due_ago()).exit_code, 0);
  ASSERT_EQ(first
                ->cli("herent-reporter", {"incident", "report", "--aware-at", utc_ago(hours{40}),
                                          "--title", "Mail misdirected"})
                .exit_code,
            0);
  // Two answers, two held request notices, a held breach notice, the art. 33 notification and
  // the art. 13 consultation: each has a step due.
  ASSERT_TRUE(poll_until([&] {
    return reminders_of(*first, "gdpr.art12_response", "sent") == 2 &&
           reminders_of(*first, "gdpr.art33_authority", "sent") == 1 &&
           reminders_of(*first, "protocol.breach_consultation", "sent") == 1 && settled(*first);
  })) << first->log();
  const Outcome before = first->cli("herent-dpo", {"-o", "json", "notification", "list"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  const int reminders = json_reminders(before);
  const size_t mails = mails_in(first->mail_dir()).size();
  EXPECT_EQ(static_cast<size_t>(reminders), mails);
  // 2 answers, 2 request notices, breach notice, art. 33, the art. 13 consultation.
  EXPECT_EQ(reminders, 7);
  const int64_t fired = count(*first, "SELECT count(*) FROM escalation_step WHERE state = 'fired'");
  EXPECT_EQ(first->stop(), 0);

  // The restarted process: its own mail directory, the same database.
  auto second = Termijnd::sharing_database_of(*first);
  // Something new after the restart proves its scheduler and outbox run.
  ASSERT_EQ(log_request(*second, days_before_due_ago()).exit_code, 0);
  ASSERT_TRUE(poll_until([&] {
    return reminders_of(*second, "gdpr.art12_response", "sent") == 3 && settled(*second);
  })) << second->log();
  const Outcome after = second->cli("herent-dpo", {"-o", "json", "notification", "list"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  // Two new reminders (the new answer and its held request notice), nothing old again.
  EXPECT_EQ(json_reminders(after), reminders + 2);
  EXPECT_EQ(count(*second, "SELECT count(*) FROM escalation_step WHERE state = 'fired'"),
            fired + 2);
  const std::vector<Mail> resent = mails_in(second->mail_dir());
  EXPECT_EQ(resent.size(), 2u);
  for (const Mail& m : resent) EXPECT_THAT(m.subject, HasSubstr("requests/3")) << m.file;
  EXPECT_EQ(mails_in(first->mail_dir()).size(), mails);
}

TEST(EscalationE2eTest, NoticeDeliveredByTermijnNeverEscalates) {
  // Verifies a breach notice Termijn delivers itself gets no reminder, though 36 h are past.
  // The art. 33 notification of the same incident is reminded as usual.
  TermijndOptions options;
  options.auto_send = true;
  Termijnd server(options);
  ASSERT_EQ(server
                .cli("herent-reporter", {"incident", "report", "--aware-at", utc_ago(hours{40}),
                                         "--title", "Mail misdirected"})
                .exit_code,
            0);
  ASSERT_TRUE(poll_until([&] {
    return reminders_of(server, "gdpr.art33_authority", "sent") == 1 &&
           count(server,
                 "SELECT count(*) FROM notification WHERE kind = 'notice' AND state = "
                 "'sent'") == 1 &&
           settled(server);
  })) << server.log();
  EXPECT_EQ(reminders_of(server, "protocol.breach_notice"), 0);
  EXPECT_EQ(count(server,
                  "SELECT count(*) FROM escalation_step s JOIN obligation o ON o.id = "
                  "s.obligation_id WHERE o.rule = 'protocol.breach_notice' AND s.state "
                  "IN ('fired', 'pending')"),
            0);
  EXPECT_EQ(server.database().scalar(
                "SELECT state FROM obligation WHERE rule = 'protocol.breach_notice'"),
            "met-late");
  int to_kortenberg = 0;
  for (const Mail& m : mails_in(server.mail_dir())) {
    EXPECT_THAT(m.text, Not(HasSubstr("protocol.breach_notice, incidents/1)"))) << m.subject;
    if (m.to.find("dpo@kortenberg.example") != std::string::npos) ++to_kortenberg;
  }
  EXPECT_EQ(to_kortenberg, 1);
}

}  // namespace
}  // namespace termijn::testing
