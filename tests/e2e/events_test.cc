// End-to-end: the event stream (WatchEvents, `termijn events watch`) through the real termijnd
// and the real CLI: history then live, resumption after a disconnect and a restart, scope.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "tests/e2e/harness.h"

namespace termijn::testing {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;

struct Line {
  int64_t seq = 0;
  std::string type;
  std::string subject;
  std::string text;
};

// The JSON lines `events watch -o json` printed.
std::vector<Line> lines_of(const std::string& out) {
  static const std::regex kSeq(R"re("seq": ?"(\d+)")re");
  static const std::regex kType(R"re("type": ?"([^"]*)")re");
  static const std::regex kSubject(R"re("subject": ?"([^"]*)")re");
  std::vector<Line> lines;
  std::istringstream in(out);
  std::string text;
  while (std::getline(in, text)) {
    std::smatch seq, type, subject;
    if (!std::regex_search(text, seq, kSeq) || !std::regex_search(text, type, kType)) continue;
    std::regex_search(text, subject, kSubject);
    lines.push_back({std::stoll(seq[1]), type[1], subject[1], text});
  }
  return lines;
}

std::vector<int64_t> seqs_of(const std::vector<Line>& lines) {
  std::vector<int64_t> seqs;
  for (const Line& l : lines) seqs.push_back(l.seq);
  return seqs;
}

class EventsTest : public ::testing::Test {
 protected:
  std::unique_ptr<Termijnd> server_ = std::make_unique<Termijnd>();

  void report(const std::string& title) const {
    const Outcome o = server_->cli(
        "herent-reporter",
        {"incident", "report", "--aware-at", utc_ago(std::chrono::hours(2)), "--title", title});
    ASSERT_EQ(o.exit_code, 0) << o.err;
  }

  // Every seq of the trail after `after`, as an auditor reads it.
  std::vector<int64_t> trail_after(int64_t after) const {
    const Outcome o =
        server_->cli("auditor", {"-o", "json", "audit", "list", "--since", std::to_string(after)});
    EXPECT_EQ(o.exit_code, 0) << o.err;
    static const std::regex kSeq(R"re("seq": ?"(\d+)")re");
    std::vector<int64_t> seqs;
    for (auto it = std::sregex_iterator(o.out.begin(), o.out.end(), kSeq);
         it != std::sregex_iterator(); ++it) {
      seqs.push_back(std::stoll((*it)[1]));
    }
    return seqs;
  }

  std::unique_ptr<Background> watch(const std::string& principal, int64_t since) const {
    return server_->cli_background(
        principal, {"-o", "json", "events", "watch", "--since", std::to_string(since)});
  }

  // Waits until `w` printed events up to `seq`.
  static bool printed_up_to(const Background& w, int64_t seq) {
    return poll_until([&] {
      const auto lines = lines_of(w.out());
      return !lines.empty() && lines.back().seq >= seq;
    });
  }
};

// A watch from 0 prints the history and then each new event as it happens, in the trail's
// order and with its seqs; a DPO of the reporting party sees every event of its incident.
TEST_F(EventsTest, WatchPrintsHistoryThenLiveEventsInOrder) {
  report("Laptop gestolen");
  const auto first = trail_after(0);
  ASSERT_FALSE(first.empty());
  const auto w = watch("herent-dpo", 0);
  ASSERT_TRUE(printed_up_to(*w, first.back())) << w->out() << w->err();

  report("USB-stick verloren");  // live, while the stream waits
  const auto all = trail_after(0);
  ASSERT_GT(all.size(), first.size());
  ASSERT_TRUE(printed_up_to(*w, all.back())) << w->out() << w->err();
  EXPECT_EQ(w->exited(), -1) << "watch keeps running";

  const auto lines = lines_of(w->out());
  EXPECT_THAT(seqs_of(lines), ElementsAreArray(all));
  EXPECT_EQ(lines.front().type, "incident.reported");
  EXPECT_EQ(lines.front().subject, "incidents/1");
  EXPECT_THAT(lines.front().text, HasSubstr("\"party\":\"herent\""));
  EXPECT_THAT(lines.front().text, HasSubstr("Laptop gestolen"));  // the details, as recorded
  int reported = 0;
  for (const Line& l : lines) reported += l.type == "incident.reported";
  EXPECT_EQ(reported, 2);
}

// A watch that disconnected resumes with --since its last seq, across a restart of termijnd,
// and prints exactly the events it missed: none lost, none twice.
TEST_F(EventsTest, ResumesAfterDisconnectAndRestartWithoutLossOrRepetition) {
  report("Laptop gestolen");
  int64_t last = 0;
  {
    const auto w = watch("herent-dpo", 0);
    const auto trail = trail_after(0);
    ASSERT_TRUE(printed_up_to(*w, trail.back())) << w->out() << w->err();
    last = lines_of(w->out()).back().seq;
  }  // disconnected
  report("USB-stick verloren");
  server_->stop();
  server_ = Termijnd::sharing_database_of(*server_);
  report("Map met dossiers in de trein");

  const auto missed = trail_after(last);
  ASSERT_FALSE(missed.empty());
  const auto w = watch("herent-dpo", last);
  ASSERT_TRUE(printed_up_to(*w, missed.back())) << w->out() << w->err();
  EXPECT_THAT(seqs_of(lines_of(w->out())), ElementsAreArray(missed));
}

// The other party's DPO sees only what concerns it: that the incident was reported (without
// the details, which it reads in its own view), the notice obligation towards it and its
// notice; not the owner's duties towards the authority or the data subjects.
TEST_F(EventsTest, OtherPartySeesOnlyWhatWasNotifiedToIt) {
  report("Laptop gestolen");
  const auto herent_events = trail_after(0);
  const auto owner = watch("herent-dpo", 0);
  const auto other = watch("kortenberg-dpo", 0);
  ASSERT_TRUE(printed_up_to(*owner, herent_events.back())) << owner->err();
  // Kortenberg's own report comes after every event of Herent's: once Kortenberg's DPO has it,
  // its stream has passed all of them.
  const Outcome own = server_->cli(
      "kortenberg-reporter", {"incident", "report", "--aware-at", utc_ago(std::chrono::hours(1)),
                              "--title", "Eigen incident"});
  ASSERT_EQ(own.exit_code, 0) << own.err;
  ASSERT_TRUE(poll_until([&] { return other->out().find("Eigen incident") != std::string::npos; }))
      << other->out() << other->err();

  std::vector<Line> seen;
  for (const Line& l : lines_of(other->out())) {
    if (l.seq <= herent_events.back()) seen.push_back(l);
  }
  ASSERT_FALSE(seen.empty());
  EXPECT_LT(seen.size(), herent_events.size());
  int obligations = 0;
  for (const Line& l : seen) {
    EXPECT_THAT(l.text, HasSubstr("\"detailsJson\":\"{}\""));
    EXPECT_THAT(l.text, HasSubstr("\"party\":\"herent\""));
    EXPECT_THAT(l.text, Not(HasSubstr("Laptop gestolen")));
    obligations += l.type == "obligation.created";
  }
  EXPECT_EQ(seen.front().type, "incident.reported");
  // protocol.breach_notice and protocol.breach_consultation towards Kortenberg; not GDPR art. 33.
  EXPECT_EQ(obligations, 2);

  // A reporter reads no event stream, as it reads no audit trail.
  const Outcome reporter = server_->cli("kortenberg-reporter", {"events", "watch", "--since", "0"});
  EXPECT_EQ(reporter.exit_code, 4) << reporter.err;
}

// The outbox's mails about the trail itself (checkpoint mails) concern no record: their events
// stay off the stream of the recipient's DPO and of an auditor alike, as those of a webhook
// alert do (a webhook that follows the stream is never sent the alert about itself).
TEST_F(EventsTest, CheckpointMailsStayOffTheStream) {
  const Outcome made = server_->cli("herent-dpo", {"audit", "checkpoint", "--new"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const auto scalar = [&](const std::string& sql) { return server_->database().scalar(sql); };
  ASSERT_TRUE(poll_until([&] {
    return scalar(
               "SELECT count(*) FROM notification WHERE kind = 'checkpoint' AND state = "
               "'sent'") == "2";
  }));
  report("Laptop gestolen");  // after every event of the checkpoint mails
  const auto all = trail_after(0);
  ASSERT_FALSE(all.empty());
  ASSERT_NE(scalar("SELECT count(*) FROM audit_event WHERE related = 'auditCheckpoints/1'"), "0");
  for (const std::string principal : {"herent-dpo", "auditor"}) {
    const auto w = watch(principal, 0);
    ASSERT_TRUE(printed_up_to(*w, all.back())) << principal << ": " << w->out() << w->err();
    for (const Line& l : lines_of(w->out())) {
      EXPECT_THAT(l.text, Not(HasSubstr("auditCheckpoints/"))) << principal;
    }
  }
}

// SIGTERM ends open streams at once with UNAVAILABLE (the CLI says it reconnects), rather
// than holding the shutdown for the calls' grace period.
TEST_F(EventsTest, ShutdownEndsOpenStreams) {
  report("Laptop gestolen");
  const auto trail = trail_after(0);
  const auto w = watch("herent-dpo", 0);
  ASSERT_TRUE(printed_up_to(*w, trail.back())) << w->err();
  EXPECT_EQ(server_->stop(), 0);
  EXPECT_TRUE(poll_until([&] { return w->err().find("shutting down") != std::string::npos; }))
      << w->err();
  EXPECT_THAT(server_->log(), HasSubstr("termijnd stopped"));
}

// A server whose certificate no CA in --ca issued will not become trusted by waiting: the watch
// says so and exits 6, as every other command does. Before: it retried for ever, printing
// gRPC's bare message.
TEST_F(EventsTest, AWatchOfAServerItCannotTrustExits) {
  const Certificates& certs = Certificates::get();
  Background w({binary("termijn"), "events", "watch"},
               {{"TERMIJN_SERVER", server_->address()},
                {"TERMIJN_CA", certs.other_ca_dir + "/ca.crt"},
                {"TERMIJN_CERT", certs.dir + "/herent-dpo.crt"},
                {"TERMIJN_KEY", certs.dir + "/herent-dpo.key"}});
  ASSERT_TRUE(poll_until([&] { return w.exited() != -1; })) << w.err();
  EXPECT_EQ(w.exited(), 6);
  EXPECT_THAT(w.err(), HasSubstr("the server's certificate did not verify against --ca"));
}

// Bad filters are refused naming the field.
TEST_F(EventsTest, BadFilterIsRefusedNamingTheField) {
  const Outcome o = server_->cli("herent-dpo", {"events", "watch", "--subject", "incidents/x"});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_THAT(o.err, HasSubstr("filter.subject"));
}

}  // namespace
}  // namespace termijn::testing
