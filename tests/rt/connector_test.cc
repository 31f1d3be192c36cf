// End-to-end: termijn-rt between a real termijnd and a real Request Tracker 5. What happens in
// Termijn (through the real CLI) is read back from RT's REST API: the ticket, its Due, its
// comments and its status, also across a kill -9 of the connector and an RT outage.
#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

#include "absl/time/time.h"
#include "termijn/v1/termijn.pb.h"
#include "tests/e2e/harness.h"
#include "tests/rt/rt_server.h"
#include "tests/support/smtp_server.h"

namespace termijn::testing {
namespace {

using ::testing::HasSubstr;

// termijn-rt as a process, as herent's DPO, with a config file and a state file of its own.
class ConnectorProcess {
 public:
  ConnectorProcess(const Termijnd& termijnd, const RtServer& rt)
      : ConnectorProcess(termijnd.address(), rt) {}
  /// Connects to termijnd at `server`, with `termijn_extra` lines in [termijn].
  ConnectorProcess(const std::string& server, const RtServer& rt,
                   const std::string& termijn_extra = "") {
    dir_ = MakeTempDir("termijn-rt-connector");
    const std::string certs = Certificates::get().dir;
    std::ofstream(config()) << "[termijn]\n"
                            << "server = \"" << server << "\"\n" << termijn_extra
                            << "ca = \"" << certs << "/ca.crt\"\n"
                            << "cert = \"" << certs << "/herent-dpo.crt\"\n"
                            << "key = \"" << certs << "/herent-dpo.key\"\n"
                            << "party = \"herent\"\n\n"
                            << "[rt]\n"
                            << "url = \"" << rt.url() << "\"\n"
                            << "queue = \"Privacy\"\n"
                            << "token_file = \"" << rt.token_file() << "\"\n\n"
                            << "[connector]\n"
                            << "state_file = \"" << dir_ << "/state\"\n"
                            << "retry_initial_seconds = 1\n"
                            << "retry_max_seconds = 2\n";
  }
  ~ConnectorProcess() {
    stop(SIGTERM);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string config() const { return dir_ + "/termijn-rt.toml"; }
  void start() {
    pid_ = spawn_process({binary("termijn-rt"), "--config", config()}, {},
                         dir_ + "/out." + std::to_string(++runs_), dir_ + "/err");
  }
  /// Stops it with `signal` (SIGKILL: a crash) and waits; returns its wait status.
  int stop(int signal) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  /// What the current run logged.
  std::string log() const { return ReadFile(dir_ + "/out." + std::to_string(runs_)); }

 private:
  std::string dir_;
  pid_t pid_ = -1;
  int runs_ = 0;
};

// tests/support/freezing_proxy.py in front of `target` (HOST:PORT): freeze() makes the connections
// open at that moment go silent, as a firewall that dropped them without a word.
class FreezingProxy {
 public:
  explicit FreezingProxy(const std::string& target) {
    dir_ = MakeTempDir("freezing-proxy");
    const size_t colon = target.rfind(':');
    pid_ = spawn_process({"/usr/bin/python3",
                          std::string(TERMIJN_SOURCE_DIR) + "/tests/support/freezing_proxy.py",
                          dir_ + "/port", target.substr(0, colon), target.substr(colon + 1),
                          dir_ + "/freeze"},
                         {}, dir_ + "/out", dir_ + "/err");
    if (!poll_until([&] { return ReadFile(dir_ + "/port").ends_with("\n"); })) {
      throw std::runtime_error("the proxy did not start: " + ReadFile(dir_ + "/err"));
    }
    port_ = std::stoi(ReadFile(dir_ + "/port"));
  }
  ~FreezingProxy() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  void freeze() {
    std::ofstream(dir_ + "/freeze") << "";
    ASSERT_TRUE(poll_until([&] { return !std::filesystem::exists(dir_ + "/freeze"); }));
  }

 private:
  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

std::string url_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

// The ids of the tickets whose record field is `record`.
std::vector<std::string> tickets_of(const RtServer& rt, const std::string& record) {
  const auto found =
      rt.get("tickets?query=" + url_encode("'CF.{Termijn record}' = '" + record + "'"));
  std::vector<std::string> ids;
  for (const auto& item : found.fields().at("items").list_value().values()) {
    ids.push_back(text_at(item.struct_value(), "id"));
  }
  return ids;
}

// The subjects of a ticket's comments, oldest first.
std::vector<std::string> comments_of(const RtServer& rt, const std::string& ticket) {
  const auto history = rt.get("ticket/" + ticket + "/history?fields=Type,Data&per_page=100");
  std::vector<std::string> subjects;
  for (const auto& item : history.fields().at("items").list_value().values()) {
    if (text_at(item.struct_value(), "Type") == "Comment") {
      subjects.push_back(text_at(item.struct_value(), "Data"));
    }
  }
  return subjects;
}

bool has_comment(const RtServer& rt, const std::string& ticket, const std::string& part) {
  const auto subjects = comments_of(rt, ticket);
  return std::any_of(subjects.begin(), subjects.end(),
                     [&](const std::string& s) { return s.find(part) != std::string::npos; });
}

// RT's Due for the earliest open obligation of `record` (an incident or a request, as the CLI
// shows it in JSON); RT's "not set" when none is open.
template <typename Record>
std::string expected_due(const Termijnd& termijnd, const std::string& noun, const std::string& id) {
  const Outcome shown = termijnd.cli("herent-dpo", {noun, "show", id, "-o", "json"});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  Record parsed;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(shown.out, &parsed).ok()) << shown.out;
  std::optional<int64_t> earliest;
  for (const auto& o : parsed.obligations()) {
    if (o.state() == v1::OBLIGATION_STATE_OPEN) {
      earliest = std::min(earliest.value_or(o.due_time().seconds()), o.due_time().seconds());
    }
  }
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(earliest.value_or(0)),
                          absl::UTCTimeZone());
}

std::string incident_due(const Termijnd& termijnd, const std::string& id) {
  return expected_due<v1::Incident>(termijnd, "incident", id);
}

std::string field_of(const RtServer& rt, const std::string& ticket, const std::string& key) {
  return text_at(rt.get("ticket/" + ticket), key);
}

TEST(RtConnector, KeepsTicketsInStepThroughACrashAndAnOutage) {
  // An incident reported in Termijn becomes one RT ticket with Due at its earliest deadline;
  // fulfilling and waiving deadlines comments and moves Due; a kill -9 of the connector makes no
  // second ticket and no second comment; while RT is down nothing is lost; closing resolves.
  const auto begin = std::chrono::steady_clock::now();
  RtServer rt;
  std::printf("RT setup %.1f s, start %.1f s\n", rt.setup_seconds(), rt.start_seconds());
  Termijnd termijnd;
  ConnectorProcess connector(termijnd, rt);
  connector.start();
  const auto dpo = [&](const std::vector<std::string>& args) {
    const Outcome o = termijnd.cli("herent-dpo", args);
    EXPECT_EQ(o.exit_code, 0) << o.err;
  };

  dpo({"incident", "report", "--aware-at", utc_ago(std::chrono::hours(2)), "--title",
       "Clientenlijst naar verkeerd adres gemaild", "--description", "Een mail met 40 namen."});
  ASSERT_TRUE(poll_until([&] { return tickets_of(rt, "incidents/1").size() == 1; }))
      << connector.log();
  const std::string ticket = tickets_of(rt, "incidents/1")[0];
  EXPECT_THAT(field_of(rt, ticket, "Subject"),
              HasSubstr("Clientenlijst naar verkeerd adres gemaild [Termijn incidents/1]"));
  EXPECT_EQ(field_of(rt, ticket, "Due"), incident_due(termijnd, "1"));

  // The protocol's 36-hour notice is met: a comment, and Due moves to the 72-hour deadline.
  dpo({"obligation", "fulfil", "1", "--evidence", "Gemeld per mail"});
  ASSERT_TRUE(poll_until([&] { return has_comment(rt, ticket, "Deadline met"); }))
      << connector.log();
  EXPECT_TRUE(
      poll_until([&] { return field_of(rt, ticket, "Due") == incident_due(termijnd, "1"); }));

  // A crash while a second incident is reported: after the restart, one ticket each.
  dpo({"incident", "report", "--aware-at", utc_ago(std::chrono::hours(1)), "--title",
       "USB-stick verloren"});
  connector.stop(SIGKILL);
  connector.start();
  ASSERT_TRUE(poll_until([&] { return tickets_of(rt, "incidents/2").size() == 1; }))
      << connector.log();
  EXPECT_EQ(tickets_of(rt, "incidents/1").size(), 1u);
  EXPECT_EQ(rt.get("tickets?query=" + url_encode("Queue = 'Privacy'"))
                .fields()
                .at("count")
                .number_value(),
            2);

  // RT goes down; the connector keeps trying and catches up once RT is back.
  rt.stop();
  dpo({"obligation", "waive", "2", "--reason", "Geen risico: de ontvanger heeft alles gewist"});
  dpo({"incident", "consult", "1", "--participants", "DPO Herent, DPO Kortenberg", "--agreed",
       "Kortenberg controleert zijn kopie"});
  ASSERT_TRUE(poll_until([&] {
    return connector.log().find("not applied yet") != std::string::npos;
  })) << connector.log();
  rt.start();
  ASSERT_TRUE(poll_until([&] { return has_comment(rt, ticket, "Deadline waived"); }))
      << connector.log();
  EXPECT_TRUE(poll_until([&] { return field_of(rt, ticket, "Due") == "1970-01-01T00:00:00Z"; }));

  // Closing the incident resolves its ticket.
  dpo({"incident", "close", "1", "--summary", "Afgehandeld"});
  ASSERT_TRUE(poll_until([&] { return field_of(rt, ticket, "Status") == "resolved"; }))
      << connector.log();

  // A data-subject request gets its ticket too, due at its earliest deadline.
  dpo({"request", "log", "--kind", "access", "--received-at", utc_ago(std::chrono::hours(3)),
       "--summary", "Inzage in het eigen dossier"});
  ASSERT_TRUE(poll_until([&] { return tickets_of(rt, "requests/1").size() == 1; }))
      << connector.log();
  const std::string request_ticket = tickets_of(rt, "requests/1")[0];
  EXPECT_THAT(field_of(rt, request_ticket, "Subject"),
              HasSubstr("Request (access) at herent: Inzage in het eigen dossier"));
  EXPECT_EQ(field_of(rt, request_ticket, "Due"),
            expected_due<v1::Request>(termijnd, "request", "1"));

  // Every comment was posted once.
  const auto subjects = comments_of(rt, ticket);
  std::set<std::string> markers;
  for (const std::string& s : subjects) markers.insert(s.substr(0, s.find(']') + 1));
  EXPECT_EQ(markers.size(), subjects.size()) << ::testing::PrintToString(subjects);
  // SIGTERM stops it between events.
  EXPECT_EQ(connector.stop(SIGTERM), 0);  // exited with 0, not killed
  EXPECT_THAT(connector.log(), HasSubstr("stopped at event"));
  std::printf("whole test %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
}

TEST(RtConnector, NoticesAConnectionDroppedWithoutAWordAndGoesOn) {
  // A firewall or NAT that drops the event stream's connection silently left termijn-rt waiting
  // for ever: nothing reported after it got a ticket. With keepalive pings it notices within
  // keepalive_seconds plus the ping's timeout, reconnects, and the next incident gets its ticket.
  RtServer rt;
  Termijnd termijnd;
  FreezingProxy proxy(termijnd.address());
  ConnectorProcess connector(proxy.address(), rt, "keepalive_seconds = 10\n");
  connector.start();
  const auto report = [&](const std::string& title) {
    const Outcome o = termijnd.cli("herent-dpo", {"incident", "report", "--aware-at",
                                                  utc_ago(std::chrono::hours(1)), "--title", title});
    ASSERT_EQ(o.exit_code, 0) << o.err;
  };
  report("Voor de storing");
  ASSERT_TRUE(poll_until([&] { return tickets_of(rt, "incidents/1").size() == 1; }))
      << connector.log();
  proxy.freeze();
  report("Na de storing");
  ASSERT_TRUE(poll_until([&] { return tickets_of(rt, "incidents/2").size() == 1; },
                         std::chrono::seconds(90)))
      << connector.log();
  EXPECT_THAT(connector.log(), HasSubstr("UNAVAILABLE"));
}

}  // namespace
}  // namespace termijn::testing
