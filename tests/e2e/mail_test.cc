// End-to-end: the outbox of the real termijnd driven with the real termijn CLI; mail
// goes to .eml files or to a real SMTP server (aiosmtpd) and is read back with an independent
// MIME reader.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "termijn/v1/termijn.pb.h"
#include "tests/e2e/harness.h"
#include "tests/support/mime_reader.h"
#include "tests/support/smtp_server.h"

extern char** environ;

namespace termijn::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

const std::string kRejectingMailbox = "termijn_test_smtp.RejectingMailbox";

// ---------------------------------------------------------------------------------------------
// Configuration of the termijnd under test

// The [mail] table of demo.toml gets the key; loopback SMTP in the tests has no STARTTLS.
const std::pair<std::string, std::string> kPlainSmtp{"max_attempts = 8",
                                                     "max_attempts = 8\nrequire_starttls = false"};

TermijndOptions smtp_options(const std::string& url,
                             std::vector<std::pair<std::string, std::string>> more_edits = {}) {
  TermijndOptions o;
  o.auto_send = true;
  o.edits = {kPlainSmtp};
  o.edits.insert(o.edits.end(), more_edits.begin(), more_edits.end());
  o.env = {{"TERMIJN_SMTP_URL", url}};
  return o;
}

// ---------------------------------------------------------------------------------------------
// Reading the CLI's JSON output

template <typename Message>
Message parse_json(const Outcome& o) {
  Message m;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(o.out, &m, options);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << o.out << o.err;
  return m;
}

v1::ListNotificationsResponse notifications(const Termijnd& server, const std::string& principal,
                                            std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"-o", "json", "notification", "list"};
  args.insert(args.end(), extra.begin(), extra.end());
  const Outcome o = server.cli(principal, args);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  return parse_json<v1::ListNotificationsResponse>(o);
}

// The notification named `name` ("notifications/1"), or an empty one.
v1::Notification find(const v1::ListNotificationsResponse& list, const std::string& name) {
  for (const v1::Notification& n : list.notifications()) {
    if (n.name() == name) return n;
  }
  return {};
}

v1::Obligation obligation(const Termijnd& server, const std::string& id) {
  const Outcome o = server.cli("herent-dpo", {"-o", "json", "obligation", "show", id});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  return parse_json<v1::Obligation>(o);
}

// Waits until notifications/`id` is in `state` (as herent-dpo sees it); returns it.
v1::Notification await_state(const Termijnd& server, int id, const std::string& state) {
  const std::string name = "notifications/" + std::to_string(id);
  v1::Notification n;
  const bool reached = poll_until([&] {
    n = find(notifications(server, "herent-dpo"), name);
    return n.state() == state;
  });
  EXPECT_TRUE(reached) << name << " is '" << n.state() << "', not '" << state << "', after 30 s; "
                       << n.DebugString() << "\nserver log:\n"
                       << server.log();
  return n;
}

// RFC 3339 in UTC for an instant `ago` before now (the CLI refuses times in the future).

// "20261130T073942Z", the iCalendar form of a proto timestamp.
std::string ics_utc(const google::protobuf::Timestamp& t) {
  const std::time_t seconds = t.seconds();
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", std::gmtime(&seconds));
  return buf;
}

// ---------------------------------------------------------------------------------------------
// Reading mail

std::vector<std::string> eml_files(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".eml") out.push_back(ReadFile(it->path().string()));
  }
  return out;
}

std::string subject_of(const MimeEntity& m) { return DecodeWords(m.Header("Subject")); }

// "<id@host>" -> "id@host".
std::string message_id_of(const MimeEntity& m) {
  const std::string v = m.Header("Message-ID");
  return v.size() > 2 && v.front() == '<' && v.back() == '>' ? v.substr(1, v.size() - 2) : v;
}

// The mails among `raw` whose decoded subject contains `text`.
std::vector<MimeEntity> with_subject(const std::vector<std::string>& raw, const std::string& text) {
  std::vector<MimeEntity> out;
  for (const std::string& r : raw) {
    MimeEntity m = ParseEntity(r);
    if (subject_of(m).find(text) != std::string::npos) out.push_back(std::move(m));
  }
  return out;
}

// The attachment named `file_name`, or nullptr.
const MimeEntity* attachment(const std::vector<MimeEntity>& parts, const std::string& file_name) {
  for (const MimeEntity& p : parts) {
    if (p.Param("Content-Disposition", "filename") == file_name) return &p;
  }
  return nullptr;
}

// The decoded text/plain part of a notice (the first part).
std::string text_of(const std::vector<MimeEntity>& parts) {
  return parts.empty() ? "" : DecodedBody(parts[0]);
}

// Parses an iCalendar object strictly enough for a calendar client: CRLF lines, folding, content
// lines "NAME[;PARAM=...]:VALUE", balanced BEGIN/END. Returns the properties of the one VEVENT by
// name, or fails the test.
std::map<std::string, std::string> parse_ics(const std::string& ics) {
  std::map<std::string, std::string> event;
  EXPECT_EQ(ics.rfind("BEGIN:VCALENDAR\r\n", 0), 0u) << ics;
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < ics.size()) {
    const size_t eol = ics.find("\r\n", pos);
    if (eol == std::string::npos) {
      ADD_FAILURE() << "line without CRLF at " << pos;
      break;
    }
    std::string line = ics.substr(pos, eol - pos);
    if (line.find('\n') != std::string::npos) ADD_FAILURE() << "bare LF in: " << line;
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !lines.empty()) {
      lines.back() += line.substr(1);  // RFC 5545 3.1 unfolding
    } else {
      lines.push_back(line);
    }
    pos = eol + 2;
  }
  std::vector<std::string> open;
  int events = 0;
  const std::regex content_line(R"(^([A-Za-z0-9-]+)((;[^:]*)?):(.*)$)");
  for (const std::string& line : lines) {
    std::smatch m;
    if (!std::regex_match(line, m, content_line)) {
      ADD_FAILURE() << "not a content line: " << line;
      continue;
    }
    const std::string name = m[1], value = m[4];
    if (name == "BEGIN") {
      open.push_back(value);
      if (value == "VEVENT") ++events;
    } else if (name == "END") {
      EXPECT_TRUE(!open.empty() && open.back() == value) << "END:" << value << " without BEGIN";
      if (!open.empty()) open.pop_back();
    } else if (open.size() == 2 && open.back() == "VEVENT") {
      event[name] = value;
    }
  }
  EXPECT_TRUE(open.empty()) << "unclosed " << (open.empty() ? "" : open.back());
  EXPECT_EQ(events, 1);
  return event;
}

// ---------------------------------------------------------------------------------------------
// An SMTP server started late, on a port chosen before it runs (tests/support's SmtpServer picks
// its own port when it starts). Plain aiosmtpd with the Mailbox handler.

class SmtpServerOnPort {
 public:
  explicit SmtpServerOnPort(int port) : port_(port), dir_(MakeTempDir("termijn-late-smtp")) {
    const std::vector<std::string> argv{"/usr/bin/python3",
                                        "-m",
                                        "aiosmtpd",
                                        "-n",
                                        "-l",
                                        "127.0.0.1:" + std::to_string(port),
                                        "-c",
                                        "aiosmtpd.handlers.Mailbox",
                                        dir_ + "/maildir"};
    std::vector<std::string> args = argv;
    std::vector<char*> argp;
    for (std::string& a : args) argp.push_back(a.data());
    argp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    const std::string log = dir_ + "/aiosmtpd.log";
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int rc = posix_spawn(&pid_, argp[0], &actions, nullptr, argp.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start aiosmtpd");
    // Start-up only: the maildir appears once the server runs; then it must accept.
    if (!poll_until([&] { return fs::exists(dir_ + "/maildir/new") && accepts(); })) {
      throw std::runtime_error("aiosmtpd on port " + std::to_string(port) +
                               " did not start: " + ReadFile(log));
    }
  }
  ~SmtpServerOnPort() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::vector<std::string> messages() const {
    std::vector<std::string> names, out;
    std::error_code ec;
    for (fs::directory_iterator it(dir_ + "/maildir/new", ec), end; !ec && it != end;
         it.increment(ec)) {
      names.push_back(it->path().string());
    }
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) out.push_back(ReadFile(n));
    return out;
  }

 private:
  bool accepts() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
  }
  int port_;
  std::string dir_;
  pid_t pid_ = -1;
};

// ---------------------------------------------------------------------------------------------

TEST(MailTest, DefaultDeliveryWritesEmlMeetsTheObligationAndTakesAnAcknowledgement) {
  // Without SMTP the notice is an .eml file for the Kortenberg DPO; its Message-ID closes the
  // obligation; only the recipient's DPO acknowledges, once; all of it is audited.
  TermijndOptions options;
  options.auto_send = true;
  Termijnd server(options);
  const Outcome reported = server.cli(
      "herent-dpo", {"incident", "report", "--title", "USB-stick met cliëntgegevens verloren",
                     "--categories", "identification,medical", "--subjects", "clients"});
  ASSERT_EQ(reported.exit_code, 0) << reported.err;
  const v1::Notification sent = await_state(server, 1, "sent");
  EXPECT_EQ(sent.kind(), "notice");
  EXPECT_EQ(sent.attempts(), 1);
  EXPECT_EQ(sent.recipients(), "dpo@kortenberg.example");

  const std::vector<std::string> files = eml_files(server.mail_dir());
  ASSERT_THAT(files, SizeIs(1));
  const MimeEntity mail = ParseEntity(files[0]);
  EXPECT_THAT(mail.Header("To"), HasSubstr("<dpo@kortenberg.example>"));
  EXPECT_EQ(mail.Count("Cc"), 0) << "kortenberg has no deputy";
  EXPECT_THAT(subject_of(mail), AllOf(HasSubstr("Melding inbreuk"), HasSubstr("OCMW Herent"),
                                      HasSubstr("incidents/1")));
  EXPECT_EQ(message_id_of(mail), sent.message_id());
  const std::vector<MimeEntity> parts = Parts(mail);
  EXPECT_THAT(text_of(parts), AllOf(HasSubstr("Geachte DPO OCMW Kortenberg"),
                                    HasSubstr("USB-stick met cliëntgegevens verloren")));
  const MimeEntity* ics = attachment(parts, "deadline.ics");
  ASSERT_NE(ics, nullptr);
  EXPECT_THAT(ics->Header("Content-Type"), HasSubstr("text/calendar"));

  const v1::Obligation o = obligation(server, "1");
  EXPECT_EQ(o.rule(), "protocol.breach_notice");
  EXPECT_EQ(o.state(), v1::OBLIGATION_STATE_MET);
  EXPECT_EQ(o.closed_by(), "system");
  EXPECT_THAT(o.evidence(),
              AllOf(HasSubstr("<" + sent.message_id() + ">"), HasSubstr("dpo@kortenberg.example")));
  EXPECT_EQ(parse_ics(DecodedBody(*ics))["DTSTART"], ics_utc(o.due_time()));

  const Outcome deadlines = server.cli("herent-dpo", {"deadlines", "--all"});
  ASSERT_EQ(deadlines.exit_code, 0) << deadlines.err;
  EXPECT_TRUE(std::regex_search(deadlines.out, std::regex(R"(obligations/1 .* met +sent )")))
      << deadlines.out;

  const Outcome by_owner = server.cli("herent-dpo", {"notification", "ack", "1"});
  EXPECT_EQ(by_owner.exit_code, 4) << by_owner.err;
  const Outcome acked = server.cli("kortenberg-dpo", {"notification", "ack", "1"});
  ASSERT_EQ(acked.exit_code, 0) << acked.err;
  EXPECT_THAT(acked.out, HasSubstr("by kortenberg-dpo"));
  const Outcome twice = server.cli("kortenberg-dpo", {"notification", "ack", "1"});
  EXPECT_EQ(twice.exit_code, 5) << twice.err;
  EXPECT_THAT(twice.err, HasSubstr("acknowledged already"));
  // Both parties see when it was acknowledged.
  for (const std::string principal : {"herent-dpo", "kortenberg-dpo"}) {
    const v1::Notification n = find(notifications(server, principal), "notifications/1");
    EXPECT_TRUE(n.has_ack_time()) << principal;
    EXPECT_GE(n.ack_time().seconds(), n.sent_time().seconds()) << principal;
    EXPECT_EQ(n.ack_by(), "kortenberg-dpo") << principal;
  }

  const Outcome audit = server.cli("herent-dpo", {"audit", "list"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_TRUE(std::regex_search(
      audit.out, std::regex(R"(\s+system\s+notification\.sent\s+notifications/1\s)")))
      << audit.out;
  EXPECT_TRUE(std::regex_search(
      audit.out, std::regex(R"(\s+system\s+obligation\.fulfilled\s+obligations/1\s)")))
      << audit.out;
  EXPECT_TRUE(std::regex_search(
      audit.out,
      std::regex(R"(\s+kortenberg-dpo\s+notification\.acknowledged\s+notifications/1\s)")))
      << audit.out;
  EXPECT_EQ(server.cli("auditor", {"audit", "verify"}).exit_code, 0);
}

TEST(MailTest, SmtpDeliveryHasTheRightRecipientsSubjectBodyAndAttachments) {
  // Through a real SMTP server: the breach notice to Kortenberg's DPO, the request notice to
  // Herent's DPO and deputy, in Dutch, with the original's exact bytes and a parseable .ics.
  SmtpServer smtp;
  Termijnd server(smtp_options(smtp.url()));
  ASSERT_EQ(
      server.cli("herent-dpo", {"incident", "report", "--title", "Laptop gestolen"}).exit_code, 0);
  std::string letter_bytes = "%PDF-1.4\r\n";  // then every byte value, CR and LF included
  for (int i = 0; i < 256; ++i) letter_bytes.push_back(static_cast<char>(i));
  const std::string letter = scratch_path("brief van cliënt.pdf");
  std::ofstream(letter, std::ios::binary) << letter_bytes;
  const Outcome logged = server.cli(
      "kortenberg-reporter",
      {"request", "log", "--kind", "access", "--received-at", utc_ago(std::chrono::hours(2)),
       "--summary", "Cliënt vraagt een kopie van zijn dossier", "--copy", letter});
  ASSERT_EQ(logged.exit_code, 0) << logged.err;
  fs::remove_all(fs::path(letter).parent_path());

  await_state(server, 1, "sent");
  await_state(server, 2, "sent");
  const std::vector<std::string> raw = smtp.messages();
  ASSERT_THAT(raw, SizeIs(2));

  const std::vector<MimeEntity> breach = with_subject(raw, "Melding inbreuk");
  ASSERT_THAT(breach, SizeIs(1));
  EXPECT_THAT(breach[0].Header("To"), HasSubstr("<dpo@kortenberg.example>"));
  EXPECT_EQ(breach[0].Count("Cc"), 0);
  EXPECT_EQ(breach[0].Header("X-RcptTo"), "dpo@kortenberg.example") << "the envelope";
  EXPECT_THAT(breach[0].Header("Reply-To"), HasSubstr("<dpo@herent.example>"));
  EXPECT_THAT(text_of(Parts(breach[0])),
              AllOf(HasSubstr("Geachte DPO OCMW Kortenberg"), HasSubstr("Laptop gestolen"),
                    HasSubstr("artikel 13 van het protocol")));
  ASSERT_NE(attachment(Parts(breach[0]), "deadline.ics"), nullptr);

  const std::vector<MimeEntity> request = with_subject(raw, "Inlichting art. 14 protocol");
  ASSERT_THAT(request, SizeIs(1));
  const MimeEntity& m = request[0];
  EXPECT_THAT(subject_of(m), AllOf(HasSubstr("OCMW Kortenberg"), HasSubstr("requests/1")));
  EXPECT_THAT(m.Header("To"), HasSubstr("<dpo@herent.example>"));
  EXPECT_THAT(m.Header("Cc"), HasSubstr("<dpo-deputy@herent.example>"));
  EXPECT_THAT(m.Header("To") + m.Header("Cc"), Not(HasSubstr("kortenberg.example>")));
  std::vector<std::string> envelope;
  std::stringstream rcpt(m.Header("X-RcptTo"));
  for (std::string a; std::getline(rcpt, a, ',');) envelope.push_back(Trim(a));
  std::sort(envelope.begin(), envelope.end());
  EXPECT_EQ(envelope,
            (std::vector<std::string>{"dpo-deputy@herent.example", "dpo@herent.example"}));
  const std::vector<MimeEntity> parts = Parts(m);
  EXPECT_THAT(text_of(parts), AllOf(HasSubstr("Geachte DPO OCMW Herent"),
                                    HasSubstr("Overeenkomstig artikel 14 van het protocol"),
                                    HasSubstr("Cliënt vraagt een kopie van zijn dossier"),
                                    HasSubstr("notification ack 2")));
  const MimeEntity* copy = attachment(parts, "brief van cliënt.pdf");
  ASSERT_NE(copy, nullptr) << m.body;
  EXPECT_THAT(copy->Header("Content-Type"), HasSubstr("application/pdf"));
  EXPECT_EQ(DecodedBody(*copy), letter_bytes);
  const MimeEntity* ics = attachment(parts, "deadline.ics");
  ASSERT_NE(ics, nullptr);
  const auto event = parse_ics(DecodedBody(*ics));
  EXPECT_EQ(event.at("DTSTART"), ics_utc(obligation(server, "4").due_time()))
      << "obligations/4 is the request's art. 14 notice (3 the incident's consultation)";
  EXPECT_EQ(event.count("UID"), 1u);
  EXPECT_THAT(obligation(server, "4").evidence(),
              AllOf(HasSubstr("<" + message_id_of(m) + ">"),
                    HasSubstr("dpo@herent.example, dpo-deputy@herent.example")));
}

TEST(MailTest, NoticeDeliveredAfterItsDueTimeIsMetLate) {
  // A breach known for 40 h: its 36 h notice still goes out, and the obligation is met late.
  TermijndOptions options;
  options.auto_send = true;
  Termijnd server(options);
  ASSERT_EQ(server
                .cli("herent-dpo", {"incident", "report", "--title", "Laat ontdekt", "--aware-at",
                                    utc_ago(std::chrono::hours(40))})
                .exit_code,
            0);
  const v1::Notification sent = await_state(server, 1, "sent");
  const v1::Obligation o = obligation(server, "1");
  EXPECT_EQ(o.state(), v1::OBLIGATION_STATE_MET_LATE);
  EXPECT_THAT(o.evidence(), HasSubstr("<" + sent.message_id() + ">"));
  EXPECT_THAT(eml_files(server.mail_dir()), Contains(HasSubstr(sent.message_id())));
}

TEST(MailTest, SmtpDownThenUpDeliversOnceAfterRetrying) {
  // While no server listens the notice stays pending with its error; once one listens on that
  // port it is delivered exactly once and the obligation is met.
  const int port = FreePort();
  Termijnd server(smtp_options("smtp://127.0.0.1:" + std::to_string(port),
                               {{"max_attempts = 8", "max_attempts = 60"},
                                {"retry_initial_seconds = 30", "retry_initial_seconds = 1"},
                                {"retry_max_seconds = 1800", "retry_max_seconds = 2"}}));
  ASSERT_EQ(server.cli("herent-dpo", {"incident", "report", "--title", "Map verloren"}).exit_code,
            0);
  v1::Notification n;
  ASSERT_TRUE(poll_until([&] {
    n = find(notifications(server, "herent-dpo"), "notifications/1");
    return n.attempts() >= 1;
  })) << server.log();
  EXPECT_EQ(n.state(), "pending");
  EXPECT_FALSE(n.last_error().empty());
  EXPECT_EQ(obligation(server, "1").state(), v1::OBLIGATION_STATE_OPEN);

  SmtpServerOnPort smtp(port);
  n = await_state(server, 1, "sent");
  EXPECT_GE(n.attempts(), 2);
  EXPECT_TRUE(n.last_error().empty()) << n.last_error();
  EXPECT_EQ(obligation(server, "1").state(), v1::OBLIGATION_STATE_MET);
  // A second notice, queued later, is delivered after any resend of the first would have been.
  ASSERT_EQ(server.cli("herent-dpo", {"incident", "report", "--title", "Tweede"}).exit_code, 0);
  await_state(server, 2, "sent");
  const std::vector<std::string> raw = smtp.messages();
  ASSERT_THAT(raw, SizeIs(2));
  std::set<std::string> ids;
  for (const std::string& r : raw) ids.insert(message_id_of(ParseEntity(r)));
  EXPECT_THAT(ids, Contains(n.message_id()));
  EXPECT_THAT(ids, SizeIs(2));
  EXPECT_THAT(server.cli("herent-dpo", {"audit", "list", "--subject", "notifications/1"}).out,
              HasSubstr("notification.retry"));
}

TEST(MailTest, PermanentFailureFailsAtOnceAndAlertsTheOwnerDpo) {
  // A 550 for the recipient fails the notice after one attempt; it shows as failed in deadlines
  // and the list, the obligation stays open, and Herent's DPO gets the alert mail.
  SmtpServer::Options rejecting;
  rejecting.handler = kRejectingMailbox;
  SmtpServer smtp(rejecting);
  Termijnd server(
      smtp_options(smtp.url(), {{"dpo@kortenberg.example", "unknown@kortenberg.example"}}));
  ASSERT_EQ(server.cli("herent-dpo", {"incident", "report", "--title", "Dossier zoek"}).exit_code,
            0);
  const v1::Notification failed = await_state(server, 1, "failed");
  EXPECT_EQ(failed.attempts(), 1) << "a 5xx is not retried";
  EXPECT_THAT(failed.last_error(), HasSubstr("550"));
  // The alert is queued with the failure; once it is sent the notice was not tried again.
  const v1::Notification alert = await_state(server, 2, "sent");
  EXPECT_EQ(alert.kind(), "failure-alert");
  EXPECT_EQ(alert.obligation(), "obligations/1");
  EXPECT_EQ(find(notifications(server, "herent-dpo"), "notifications/1").attempts(), 1);

  const Outcome deadlines = server.cli("herent-dpo", {"deadlines"});
  EXPECT_TRUE(std::regex_search(deadlines.out, std::regex(R"(obligations/1 .* open +failed )")))
      << deadlines.out;
  const Outcome listed = server.cli("herent-dpo", {"notification", "list", "--state", "failed"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("notifications/1 "));
  EXPECT_THAT(listed.out, Not(HasSubstr("notifications/2 ")));
  EXPECT_EQ(obligation(server, "1").state(), v1::OBLIGATION_STATE_OPEN);
  EXPECT_THAT(server.log(), HasSubstr("notifications/1 (notice of obligations/1) failed"));

  const std::vector<std::string> raw = smtp.messages();
  ASSERT_THAT(raw, SizeIs(1)) << "only the alert; the notice was refused";
  const MimeEntity mail = ParseEntity(raw[0]);
  EXPECT_THAT(mail.Header("To"), HasSubstr("<dpo@herent.example>"));
  EXPECT_THAT(mail.Header("X-RcptTo"), Not(HasSubstr("kortenberg")));
  EXPECT_THAT(subject_of(mail),
              AllOf(HasSubstr("kon niet worden bezorgd"), HasSubstr("incidents/1")));
  EXPECT_THAT(text_of(Parts(mail)), AllOf(HasSubstr("melding 1 voor obligations/1"),
                                          HasSubstr("unknown@kortenberg.example"), HasSubstr("550"),
                                          HasSubstr("termijn notification send 1")));

  // Kortenberg received nothing to acknowledge.
  const Outcome ack_failed = server.cli("kortenberg-dpo", {"notification", "ack", "1"});
  EXPECT_EQ(ack_failed.exit_code, 5) << ack_failed.err;
}

TEST(MailTest, FailureAlertCannotBeAcknowledgedAsReceiptByTheNoticeRecipient) {
  // Acknowledgement is the notice recipient's proof of receipt; Herent's internal failure alert
  // never went to Kortenberg, so Kortenberg's DPO must not be able to acknowledge it.
  //
  // Regression test; the bug it caught, now fixed: Notifications::acknowledge
  // (server/app/notifications.cc) and TermijnService::AcknowledgeNotification
  // (server/api/termijn_service.cc) do not look at the notification's kind, so kortenberg-dpo
  // "acknowledges" the failure-alert that was mailed to dpo@herent.example, and the record shows
  // a receipt that never happened. Fix: refuse kinds other than notice (FAILED_PRECONDITION).
  SmtpServer::Options rejecting;
  rejecting.handler = kRejectingMailbox;
  SmtpServer smtp(rejecting);
  Termijnd server(
      smtp_options(smtp.url(), {{"dpo@kortenberg.example", "unknown@kortenberg.example"}}));
  ASSERT_EQ(server.cli("herent-dpo", {"incident", "report", "--title", "Dossier zoek"}).exit_code,
            0);
  await_state(server, 1, "failed");
  const v1::Notification alert = await_state(server, 2, "sent");
  ASSERT_EQ(alert.kind(), "failure-alert");
  const Outcome acked = server.cli("kortenberg-dpo", {"notification", "ack", "2"});
  // The alert does not concern Kortenberg at all: it is NOT_FOUND to it.
  EXPECT_EQ(acked.exit_code, 3) << acked.out << acked.err;
  EXPECT_FALSE(find(notifications(server, "herent-dpo"), "notifications/2").has_ack_time());
}

TEST(MailTest, ReviewBeforeSendingHoldsTheNoticeUntilTheOwnerDpoReleasesIt) {
  // With auto_send = false the notice is held and can be read; a reporter cannot release it,
  // the owner's DPO can, and then it is delivered.
  TermijndOptions options;  // auto_send = false for every rule ...
  options.edits = {{"[rules.\"protocol.request_notice\"]\nauto_send = false",  // ... but this one
                    "[rules.\"protocol.request_notice\"]\nauto_send = true"}};
  Termijnd server(options);
  ASSERT_EQ(
      server.cli("herent-reporter", {"incident", "report", "--title", "Brief verkeerd verstuurd"})
          .exit_code,
      0);
  // A request notice (auto-sent) queued after the held one shows the dispatcher passed it by.
  ASSERT_EQ(server
                .cli("herent-reporter",
                     {"request", "log", "--kind", "erasure", "--summary", "Wis mijn gegevens"})
                .exit_code,
            0);
  await_state(server, 2, "sent");
  EXPECT_EQ(find(notifications(server, "herent-dpo"), "notifications/1").state(), "held");
  EXPECT_THAT(eml_files(server.mail_dir()), SizeIs(1));
  EXPECT_EQ(obligation(server, "1").state(), v1::OBLIGATION_STATE_OPEN);
  EXPECT_EQ(obligation(server, "1").notice_state(), "held");

  const Outcome shown = server.cli("herent-dpo", {"notification", "show", "1"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out,
              AllOf(HasSubstr("Subject: [Termijn] Melding inbreuk"),
                    HasSubstr("To: dpo@kortenberg.example"),
                    HasSubstr("Geachte DPO OCMW Kortenberg"), HasSubstr("Brief verkeerd verstuurd"),
                    HasSubstr("Attachment: deadline.ics"), HasSubstr("held")));

  const Outcome by_reporter = server.cli("herent-reporter", {"notification", "send", "1"});
  EXPECT_EQ(by_reporter.exit_code, 4) << by_reporter.err;
  EXPECT_EQ(find(notifications(server, "herent-dpo"), "notifications/1").state(), "held");
  const Outcome released = server.cli("herent-dpo", {"notification", "send", "1"});
  ASSERT_EQ(released.exit_code, 0) << released.err;
  const v1::Notification sent = await_state(server, 1, "sent");
  EXPECT_EQ(obligation(server, "1").state(), v1::OBLIGATION_STATE_MET);
  const std::vector<std::string> files = eml_files(server.mail_dir());
  ASSERT_THAT(files, SizeIs(2));
  EXPECT_THAT(with_subject(files, "Melding inbreuk"), SizeIs(1));
  EXPECT_EQ(message_id_of(with_subject(files, "Melding inbreuk")[0]), sent.message_id());
  EXPECT_THAT(server.cli("herent-dpo", {"audit", "list", "--subject", "notifications/1"}).out,
              HasSubstr("notification.released"));
}

TEST(MailTest, TwoServersOnOneDatabaseDeliverEachNoticeOnce) {
  // Two termijnd processes dispatching one outbox send every notice exactly once.
  constexpr int kIncidents = 10;
  SmtpServer smtp;
  Termijnd a(smtp_options(smtp.url()));
  const std::unique_ptr<Termijnd> b = Termijnd::sharing_database_of(a);
  for (int i = 0; i < kIncidents; ++i) {
    const Termijnd& via = i % 2 == 0 ? a : *b;
    ASSERT_EQ(
        via.cli("herent-dpo", {"incident", "report", "--title", "Incident " + std::to_string(i)})
            .exit_code,
        0);
  }
  ASSERT_TRUE(poll_until([&] {
    const auto list = notifications(a, "herent-dpo", {"--state", "sent"});
    return list.notifications_size() == kIncidents;
  })) << a.log()
      << b->log();
  // Stopping both lets any send in flight finish: after this nothing more can arrive.
  EXPECT_EQ(a.stop(), 0);
  EXPECT_EQ(b->stop(), 0);
  const std::vector<std::string> raw = smtp.messages();
  EXPECT_THAT(raw, SizeIs(kIncidents));
  std::set<std::string> ids;
  for (const std::string& r : raw) ids.insert(message_id_of(ParseEntity(r)));
  EXPECT_THAT(ids, SizeIs(kIncidents));
  EXPECT_EQ(a.database().scalar("SELECT count(*) FROM notification WHERE state = 'sent' AND "
                                "attempts = 1 AND kind = 'notice'"),
            std::to_string(kIncidents));
  EXPECT_EQ(a.database().scalar("SELECT count(*) FROM obligation WHERE state = 'met'"),
            std::to_string(kIncidents));
}

TEST(MailTest, RestartDoesNotSendADeliveredNoticeAgain) {
  // A termijnd started after another delivered a notice does not deliver it again.
  SmtpServer smtp;
  Termijnd first(smtp_options(smtp.url()));
  ASSERT_EQ(first.cli("herent-dpo", {"incident", "report", "--title", "Eerste"}).exit_code, 0);
  const v1::Notification sent = await_state(first, 1, "sent");
  EXPECT_EQ(first.stop(), 0);

  const std::unique_ptr<Termijnd> second = Termijnd::sharing_database_of(first);
  // Claimed in order of due time: once this later notice is sent, a resend would have happened.
  ASSERT_EQ(second->cli("herent-dpo", {"incident", "report", "--title", "Tweede"}).exit_code, 0);
  await_state(*second, 2, "sent");
  EXPECT_EQ(second->stop(), 0);
  const std::vector<std::string> raw = smtp.messages();
  ASSERT_THAT(raw, SizeIs(2));
  std::multiset<std::string> ids;
  for (const std::string& r : raw) ids.insert(message_id_of(ParseEntity(r)));
  EXPECT_EQ(ids.count(sent.message_id()), 1u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 2u);
  EXPECT_EQ(first.database().scalar("SELECT attempts FROM notification WHERE id = 1"), "1");
}

TEST(MailTest, ACheckpointMailThatFailsForGoodAlertsThePartysOtherContacts) {
  // Each DPO is mailed the checkpoint; when Kortenberg's DPO address is refused (550), the mail
  // fails after one attempt and Kortenberg's escalation contact gets an alert carrying the
  // checkpoint; Herent's DPO and deputy get theirs as usual.
  SmtpServer::Options rejecting;
  rejecting.handler = kRejectingMailbox;
  SmtpServer smtp(rejecting);
  Termijnd server(
      smtp_options(smtp.url(), {{"dpo@kortenberg.example", "unknown@kortenberg.example"}}));
  const Outcome made = server.cli("herent-dpo", {"audit", "checkpoint", "--new"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ASSERT_TRUE(poll_until([&] { return smtp.messages().size() >= 2; }));
  const std::vector<MimeEntity> sent = with_subject(smtp.messages(), "controlepunt 0");
  ASSERT_THAT(sent, SizeIs(2));
  std::string to;
  for (const MimeEntity& m : sent) to += m.Header("To") + ";" + subject_of(m) + "\n";
  EXPECT_THAT(to, HasSubstr("<dpo@herent.example>;[Termijn] Auditcontrolepunt 0"));
  EXPECT_THAT(to, HasSubstr("<directeur@kortenberg.example>;[Termijn] ACTIE NODIG"));
  EXPECT_THAT(to, Not(HasSubstr("unknown@kortenberg.example>;")));
  for (const MimeEntity& m : sent) {
    const std::vector<MimeEntity> parts = Parts(m);
    const MimeEntity* file = attachment(parts, "termijn-checkpoint-0.txt");
    ASSERT_NE(file, nullptr);
    EXPECT_EQ(DecodedBody(*file), made.out);
  }
  EXPECT_EQ(server.database().scalar(
                "SELECT string_agg(kind || ' ' || recipient_party || ' ' || state || ' ' || "
                "attempts, ', ' ORDER BY id) FROM notification"),
            "checkpoint herent sent 1, checkpoint kortenberg failed 1, "
            "failure-alert kortenberg sent 1");
  const Outcome trail = server.cli("auditor", {"audit", "list", "--subject", "auditCheckpoints/1"});
  EXPECT_THAT(trail.out, AllOf(HasSubstr("notification.failed"), HasSubstr("550")));
}

// ---------------------------------------------------------------------------------------------
// Several connections at once (tests/support/termijn_test_smtp.py's SessionCountingMailbox)

// "peer-port Message-ID" per message the server accepted, in order.
std::vector<std::pair<std::string, std::string>> deliveries(const SmtpServer& smtp) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(ReadFile(smtp.dir() + "/deliveries.log"));
  std::string peer, id;
  while (in >> peer >> id) out.emplace_back(peer, id);
  return out;
}

// A number the handler wrote to a control file; 0 before it wrote one.
int counter(const SmtpServer& smtp, const std::string& file) {
  const std::string text = ReadFile(smtp.dir() + "/" + file);
  return text.empty() ? 0 : std::stoi(text);
}

void release(const SmtpServer& smtp) { std::ofstream(smtp.dir() + "/release") << "go\n"; }

// Reports `n` incidents as herent-dpo: one notice to Kortenberg each.
void report_incidents(const Termijnd& server, int n) {
  for (int i = 0; i < n; ++i) {
    const Outcome o = server.cli(
        "herent-dpo", {"incident", "report", "--title", "Incident " + std::to_string(i)});
    ASSERT_EQ(o.exit_code, 0) << o.err;
  }
}

// Every notice sent, and received exactly once under its own Message-ID.
void expect_each_notice_received_once(const Termijnd& server, const SmtpServer& smtp, int n) {
  ASSERT_TRUE(poll_until([&] {
    return notifications(server, "herent-dpo", {"--state", "sent"}).notifications_size() == n;
  })) << server.log();
  std::multiset<std::string> received;
  for (const auto& [peer, id] : deliveries(smtp)) received.insert(id);
  EXPECT_EQ(received.size(), static_cast<size_t>(n));
  const v1::ListNotificationsResponse sent_list =
      notifications(server, "herent-dpo", {"--state", "sent"});
  for (const v1::Notification& sent : sent_list.notifications()) {
    EXPECT_EQ(received.count(sent.message_id()), 1u) << sent.name();
  }
  EXPECT_THAT(smtp.messages(), SizeIs(n));
}

TEST(MailTest, ABacklogLeavesOverSeveralConnectionsEachReusedForSeveralMessages) {
  // With [mail] connections = 4, four messages of a backlog are in the server's hands at once,
  // over four sessions; each notice arrives once, and sessions carry several messages each.
  constexpr int kIncidents = 12;
  SmtpServer::Options gated;
  gated.handler = "termijn_test_smtp.GatedMailbox";
  SmtpServer smtp(gated);
  Termijnd server(smtp_options(smtp.url(), {{"connections = 4", "connections = 4"}}));
  report_incidents(server, kIncidents);
  ASSERT_TRUE(poll_until([&] { return counter(smtp, "held") >= 4; }))
      << "messages held at once: " << counter(smtp, "held") << "\n"
      << server.log();
  EXPECT_EQ(counter(smtp, "max_sessions"), 4);
  release(smtp);
  expect_each_notice_received_once(server, smtp, kIncidents);
  std::set<std::string> sessions;
  for (const auto& [peer, id] : deliveries(smtp)) sessions.insert(peer);
  EXPECT_LE(sessions.size(), 4u) << "a connection per message instead of one per sender";
}

TEST(MailTest, AServerHungOnOneConnectionDoesNotHoldUpTheOthers) {
  // The server hangs the first session that sends a message (no reply, no timeout within the
  // test); the other senders deliver every other notice meanwhile. Released, the hung message is
  // accepted: each notice once.
  constexpr int kIncidents = 6;
  SmtpServer::Options hanging;
  hanging.handler = "termijn_test_smtp.HangingMailbox";
  SmtpServer smtp(hanging);
  Termijnd server(smtp_options(smtp.url(), {{"connections = 4", "connections = 3"},
                                            {"timeout_seconds = 60", "timeout_seconds = 900"}}));
  report_incidents(server, kIncidents);
  ASSERT_TRUE(poll_until([&] { return deliveries(smtp).size() == kIncidents - 1; }))
      << deliveries(smtp).size() << " delivered while one session hangs\n"
      << server.log();
  EXPECT_EQ(counter(smtp, "held"), 1);
  release(smtp);
  expect_each_notice_received_once(server, smtp, kIncidents);
}

}  // namespace
}  // namespace termijn::testing
