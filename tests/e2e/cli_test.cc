// End-to-end: the real termijnd (mutual TLS, real PostgreSQL) driven by the real termijn CLI.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>

#include "termijn/v1/termijn.grpc.pb.h"
#include "tests/e2e/harness.h"

namespace termijn::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

// RFC 3339 in UTC for an instant `ago` before now.

int lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

class CliTest : public ::testing::Test {
 protected:
  Termijnd server_;

  // A path in the server's folder, which is removed with the server.
  std::string path_of(const std::string& name) const { return server_.work_dir() + "/" + name; }

  std::string write_file(const std::string& name, const std::string& bytes) const {
    const std::string path = path_of(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  std::string count(const std::string& table) const {
    return server_.database().scalar("SELECT count(*) FROM " + table);
  }
};

TEST_F(CliTest, PartiesListShowsBothPartiesAndTheirDpos) {
  // The demo parties and their DPOs are listed.
  const Outcome o = server_.cli("herent-dpo", {"parties", "list"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("herent"));
  EXPECT_THAT(o.out, HasSubstr("dpo@kortenberg.example"));
}

TEST_F(CliTest, ReportedIncidentCarriesExactDeadlinesInJson) {
  // The issue's example instant (spring DST in between) gives the exact due and legal times.
  const Outcome o =
      server_.cli("herent-reporter",
                  {"-o", "json", "incident", "report", "--aware-at", "2026-03-27T14:20:00+01:00",
                   "--title", "USB stick with client files lost", "--categories",
                   "identification,medical", "--subjects", "clients"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("\"name\": \"incidents/1\""));
  EXPECT_THAT(o.out, HasSubstr("\"awareTime\": \"2026-03-27T13:20:00Z\""));
  EXPECT_THAT(o.out, HasSubstr("\"rule\": \"gdpr.art33_authority\""));
  EXPECT_THAT(o.out, HasSubstr("\"dueTime\": \"2026-03-30T13:20:00Z\""));
  EXPECT_THAT(o.out, HasSubstr("\"legalDueTime\": \"2026-03-30T14:00:00Z\""));
  EXPECT_THAT(o.out, HasSubstr("\"rule\": \"protocol.breach_notice\""));
  EXPECT_THAT(o.out, HasSubstr("\"party\": \"kortenberg\""));
  EXPECT_THAT(o.out, HasSubstr("DATA_CATEGORY_MEDICAL"));
  EXPECT_THAT(o.out, HasSubstr("\"rule\": \"protocol.breach_consultation\""));
  EXPECT_THAT(o.out, HasSubstr("\"dueTime\": \"2026-03-28T13:20:00Z\""));
  EXPECT_EQ(count("obligation"), "3");
}

TEST_F(CliTest, DeadlinesListsOpenObligationsSoonestFirstWithCountdown) {
  // A breach known for 40 h is overdue on its 36 h notice and still open on the 72 h one.
  ASSERT_EQ(server_
                .cli("herent-dpo", {"incident", "report", "--aware-at",
                                    utc_ago(std::chrono::hours(40)), "--title", "Mail misdirected"})
                .exit_code,
            0);
  const Outcome o = server_.cli("herent-dpo", {"deadlines"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto notice = o.out.find("protocol.breach_notice");
  const auto authority = o.out.find("gdpr.art33_authority");
  ASSERT_NE(notice, std::string::npos);
  ASSERT_NE(authority, std::string::npos);
  EXPECT_LT(notice, authority) << "soonest first";
  const std::string notice_line = o.out.substr(notice, o.out.find('\n', notice) - notice);
  const std::string authority_line =
      o.out.substr(authority, o.out.find('\n', authority) - authority);
  EXPECT_TRUE(std::regex_search(notice_line, std::regex(R"(\d+ h \d+ min overdue)")))
      << notice_line;
  EXPECT_TRUE(std::regex_search(authority_line, std::regex(R"(in 3\d h \d+ min)")))
      << authority_line;
  EXPECT_THAT(notice_line, HasSubstr("CET"));
}

TEST_F(CliTest, RequestWithCopyKeepsTheExactBytes) {
  // The copy of the original is stored with its SHA-256 and comes back byte for byte.
  std::string bytes = "%PDF-1.4\n";
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  const std::string letter = write_file("letter.pdf", bytes);
  const Outcome logged =
      server_.cli("kortenberg-reporter",
                  {"request", "log", "--kind", "access", "--received-at", "2026-11-28T09:00",
                   "--summary", "Client asks for a copy of their file", "--copy", letter});
  ASSERT_EQ(logged.exit_code, 0) << logged.err;
  EXPECT_THAT(logged.out, HasSubstr("\n  party:        kortenberg\n"));
  EXPECT_THAT(logged.out, HasSubstr("protocol.request_notice"));
  EXPECT_THAT(logged.out, HasSubstr("gdpr.art12_response"));
  EXPECT_THAT(logged.out, HasSubstr("application/pdf"));
  // The saved copy (a data subject's letter) is for its owner's eyes only, whatever the umask.
  // Before: mode 0644 under umask 022.
  const std::string saved = path_of("saved.pdf");
  const mode_t umask_before = ::umask(022);
  const Outcome shown =
      server_.cli("herent-dpo", {"request", "show", "requests/1", "--save-copy", saved});
  ::umask(umask_before);
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  std::ifstream in(saved, std::ios::binary);
  const std::string back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(back, bytes);
  using std::filesystem::perms;
  EXPECT_EQ(std::filesystem::status(saved).permissions() & perms::all,
            perms::owner_read | perms::owner_write);
  // A link of the user's own names the file to write, privately and whole; the link stays.
  // Before: FILE.part was renamed over the link itself, so "--save-copy /dev/stdout" replaced
  // /dev's link with a file of the copy.
  const std::string target = path_of("through-the-link.pdf");
  const std::string link = path_of("link.pdf");
  std::ofstream(target) << "old";
  std::filesystem::create_symlink(target, link);
  const Outcome through =
      server_.cli("herent-dpo", {"request", "show", "requests/1", "--save-copy", link});
  ASSERT_EQ(through.exit_code, 0) << through.err;
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  std::ifstream linked(target, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(linked), {}), bytes);
  EXPECT_EQ(std::filesystem::status(target).permissions() & perms::all,
            perms::owner_read | perms::owner_write);
  // The CLI's own standard output, named through /proc (which nothing can be renamed over), is
  // written as it is: here the file the harness reads the CLI's output from.
  const Outcome to_stdout = server_.cli(
      "herent-dpo", {"request", "show", "requests/1", "--save-copy", "/proc/self/fd/1"});
  ASSERT_EQ(to_stdout.exit_code, 0) << to_stdout.err;
  EXPECT_THAT(to_stdout.out, HasSubstr(bytes));
  EXPECT_THAT(to_stdout.out, HasSubstr("requests/1"));
  // A link or a pipe another user made may lead the letter to them: refused, nothing written.
  if (::geteuid() == 0) {
    const std::string planted = path_of("planted.pdf");
    std::filesystem::create_symlink(path_of("their-file.pdf"), planted);
    ASSERT_EQ(::lchown(planted.c_str(), 65534, 65534), 0);
    const std::string fifo = path_of("their-pipe");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0666), 0);
    ASSERT_EQ(::chown(fifo.c_str(), 65534, 65534), 0);
    for (const auto& [file, why] : {std::pair{planted, "is a link another user made"},
                                    {fifo, "is a pipe another user made"}}) {
      const Outcome refused =
          server_.cli("herent-dpo", {"request", "show", "requests/1", "--save-copy", file});
      EXPECT_EQ(refused.exit_code, 2) << refused.err;
      EXPECT_THAT(refused.err, HasSubstr("--save-copy: " + file + " " + why));
    }
    EXPECT_FALSE(std::filesystem::exists(path_of("their-file.pdf")));
  }
  EXPECT_EQ(server_.database().scalar("SELECT copy_sha256 FROM request"),
            server_.database().scalar("SELECT encode(sha256(copy_content), 'hex') FROM request"));
}

TEST_F(CliTest, AuthorityMessageStartsOnlyTheProtocolNotice) {
  // A supervisory-authority message has no one-month answer to a data subject.
  const Outcome o = server_.cli("herent-dpo", {"-o", "json", "request", "log", "--kind",
                                               "authority-message", "--summary", "Inquiry"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("protocol.request_notice"));
  EXPECT_THAT(o.out, Not(HasSubstr("gdpr.art12_response")));
}

struct BadInput {
  std::vector<std::string> args;
  std::string says;
};

TEST_F(CliTest, OversizedOrOutOfRangeInputGetsAShortClearError) {
  // Inputs beyond their bounds are INVALID_ARGUMENT naming the field; an error quotes at most a
  // short prefix of what it refuses; nothing is stored.
  const std::string huge(5000, 'A');
  const std::vector<BadInput> cases{
      {{"incident", "show", huge}, "name: 'AAAA"},
      {{"incident", "report", "--party", huge, "--title", "x"}, "party: unknown party 'AAAA"},
      {{"incident", "report", "--title", "x", "--subject-count", "99999999999"}, "subject_count: "},
      {{"incident", "report", "--title", std::string(201, 'x')}, "title: longer than 200 bytes"},
      {{"deadlines", "--due-before", "9999-12-31T00:00:00Z"}, "due_before: "},
  };
  for (const BadInput& c : cases) {
    const Outcome o = server_.cli("herent-dpo", c.args);
    EXPECT_EQ(o.exit_code, 2) << c.says << ": " << o.err;
    EXPECT_THAT(o.err, HasSubstr(c.says));
    EXPECT_EQ(lines(o.err), 1) << o.err;
    EXPECT_LT(o.err.size(), 300u) << o.err;
  }
  EXPECT_EQ(count("incident"), "0");
}

TEST_F(CliTest, BadInputIsRefusedWithOneLineNamingTheFieldAndStoresNothing) {
  // Each bad input exits non-zero with one line on stderr that names the field; nothing is stored.
  const std::string big = write_file("big.bin", std::string(10 * 1024 * 1024 + 1, 'x'));
  // Beyond what gRPC takes in one message. Before: exit 6, "Received message larger than max",
  // which reads as "try again".
  const std::string bigger = write_file("bigger.bin", std::string(12 * 1000 * 1000, 'x'));
  // A JPEG named .pdf: the CLI took the type from the name. Before: "copy.media_type: declared
  // application/pdf", though the user declared nothing.
  const std::string jpeg = write_file("scan.pdf", std::string("\xFF\xD8\xFF\xE0", 4) + "JFIF");
  const std::vector<BadInput> cases{
      {{"request", "log", "--kind", "access", "--summary", "x", "--copy", jpeg},
       "--copy: " + jpeg + ": its name says application/pdf but the content is"},
      {{"incident", "report", "--party", "leuven", "--title", "x"},
       "party: unknown party 'leuven'"},
      {{"incident", "report", "--title", "  "}, "title: must not be empty"},
      {{"incident", "report", "--title", "x", "--aware-at", "2099-01-01T10:00:00+01:00"},
       "aware_time: "},
      {{"incident", "report", "--title", "x", "--aware-at", "2026-10-25T02:30"}, "ambiguous"},
      {{"incident", "report", "--title", "x", "--aware-at", "2026-03-29T02:30"}, "does not exist"},
      {{"incident", "report", "--title", "x", "--aware-at", "yesterday"}, "aware_time: "},
      {{"incident", "report", "--title", "x", "--aware-at", "0000-01-01T00:00:00Z"},
       "aware_time: '0000-01-01T00:00:00Z' is outside the supported range "
       "1970-01-01T00:00:00Z to 2100-12-31T23:59:59Z"},
      {{"deadlines", "preview", "--event", "incident", "--party", "herent", "--at",
        "2101-01-01T01:00"},
       "time: '2101-01-01T01:00' is outside the supported range"},
      // Before: ignored, and the preview showed what the option did not change.
      {{"deadlines", "preview", "--event", "request", "--months", "2"},
       "extension_months: only for request-extension"},
      {{"deadlines", "preview", "--event", "incident", "--kind", "erasure"},
       "request_kind: only for request, request-extension and request-refusal"},
      {{"incident", "report", "--title", "x", "--categories", "secret"}, "--categories: unknown"},
      // Before: 0 became 50 and 1000 became 500, silently.
      {{"incident", "list", "--limit", "0"}, "--limit: Value 0 not in range 1 to 500"},
      {{"deadlines", "--limit", "1000"}, "--limit: Value 1000 not in range 1 to 500"},
      {{"request", "log", "--kind", "complaint", "--summary", "x"}, "--kind: unknown value"},
      {{"request", "log", "--kind", "access", "--summary", "x", "--copy", big},
       "copy.content: 10485761 bytes exceeds the limit"},
      {{"request", "log", "--kind", "access", "--summary", "x", "--copy", bigger},
       "the request is larger than the server accepts"},
      {{"request", "log", "--kind", "access", "--summary", "x", "--received-at",
        "2099-01-01T10:00"},
       "receive_time: "},
  };
  for (const BadInput& c : cases) {
    const Outcome o = server_.cli("herent-dpo", c.args);
    EXPECT_EQ(o.exit_code, 2) << c.says << ": " << o.err;
    EXPECT_THAT(o.err, HasSubstr(c.says));
    EXPECT_EQ(lines(o.err), 1) << o.err;
  }
  EXPECT_THAT(server_
                  .cli("herent-dpo",
                       {"incident", "report", "--title", "x", "--aware-at", "2026-10-25T02:30"})
                  .err,
              HasSubstr("2026-10-25T02:30:00+02:00 or 2026-10-25T02:30:00+01:00"));
  EXPECT_EQ(count("incident"), "0");
  EXPECT_EQ(count("request"), "0");
  EXPECT_EQ(count("obligation"), "0");
}

TEST_F(CliTest, FulfilThenWaiveAnObligationAndRefuseClosingItTwice) {
  // Fulfilling records evidence; a closed obligation cannot be fulfilled or waived again.
  ASSERT_EQ(server_.cli("herent-dpo", {"incident", "report", "--title", "Laptop stolen"}).exit_code,
            0);
  const Outcome met = server_.cli(
      "herent-dpo", {"obligation", "fulfil", "1", "--evidence", "Called the Kortenberg DPO"});
  ASSERT_EQ(met.exit_code, 0) << met.err;
  EXPECT_THAT(met.out, HasSubstr("met"));
  EXPECT_THAT(met.out, HasSubstr("by herent-dpo: Called the Kortenberg DPO"));
  const Outcome again = server_.cli("herent-dpo", {"obligation", "fulfil", "1", "--evidence", "x"});
  EXPECT_EQ(again.exit_code, 5);
  EXPECT_THAT(again.err, HasSubstr("obligations/1 is already met"));
  const Outcome waived = server_.cli(
      "herent-dpo", {"obligation", "waive", "obligations/2", "--reason",
                     "Art. 33: unlikely to result in a risk: the laptop was encrypted"});
  ASSERT_EQ(waived.exit_code, 0) << waived.err;
  EXPECT_THAT(waived.out, HasSubstr("waived"));
  EXPECT_EQ(server_.cli("herent-dpo", {"obligation", "waive", "2", "--reason", "x"}).exit_code, 5);
  EXPECT_EQ(server_.cli("herent-dpo", {"obligation", "show", "99"}).exit_code, 3);
  ASSERT_EQ(server_
                .cli("herent-dpo", {"obligation", "fulfil", "3", "--evidence",
                                    "Consulted the Kortenberg DPO by phone"})
                .exit_code,
            0);
  const Outcome open = server_.cli("herent-dpo", {"deadlines"});
  EXPECT_THAT(open.out, HasSubstr("no obligations"));
  const Outcome all = server_.cli("herent-dpo", {"deadlines", "--all"});
  EXPECT_THAT(all.out, HasSubstr("waived"));
}

TEST_F(CliTest, LateFulfilmentIsMetLate) {
  // Fulfilling after due_time records met-late.
  ASSERT_EQ(server_
                .cli("herent-dpo", {"incident", "report", "--title", "Old breach", "--aware-at",
                                    utc_ago(std::chrono::hours(50))})
                .exit_code,
            0);
  const Outcome o = server_.cli(
      "herent-dpo", {"-o", "json", "obligation", "fulfil", "1", "--evidence", "Mail sent late"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("OBLIGATION_STATE_MET_LATE"));
}

TEST_F(CliTest, PreviewExplainsWithoutStoring) {
  // Preview shows what an event would create, with its explanation, and stores nothing.
  const Outcome o =
      server_.cli("herent-dpo", {"deadlines", "preview", "--event", "request", "--party", "herent",
                                 "--at", "2027-11-25T09:00:00+01:00"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("Sat 2027-12-25 09:00 CET"));
  EXPECT_THAT(o.out, HasSubstr("Tue 2027-12-28 00:00 CET"));
  EXPECT_THAT(o.out, HasSubstr("Christmas Day"));
  EXPECT_EQ(count("obligation"), "0");
}

TEST_F(CliTest, PreviewAfter2037ShowsSummerTime) {
  // Verifies server and CLI agree on summer time after the tz files' last explicit transition
  // (2037): 72 h from Fri 25 Mar 2039 14:20 CET end on Monday 15:20 CEST, legally 16:00 CEST.
  const Outcome o =
      server_.cli("herent-dpo", {"deadlines", "preview", "--event", "incident", "--party", "herent",
                                 "--at", "2039-03-25T14:20:00+01:00"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("Mon 2039-03-28 15:20 CEST"));
  EXPECT_THAT(o.out, HasSubstr("Mon 2039-03-28 16:00 CEST"));
  EXPECT_THAT(o.out, HasSubstr("makes it 73 h by the wall clock"));
}

TEST_F(CliTest, ListsAndShowsRecordedIncidentsAndRequests) {
  // What was recorded can be listed and shown again, with its obligations.
  ASSERT_EQ(server_.cli("herent-dpo", {"incident", "report", "--title", "Wrong address"}).exit_code,
            0);
  ASSERT_EQ(server_.cli("herent-dpo", {"request", "log", "--kind", "erasure", "--summary", "Erase"})
                .exit_code,
            0);
  EXPECT_THAT(server_.cli("kortenberg-dpo", {"incident", "list"}).out, HasSubstr("Wrong address"));
  EXPECT_THAT(server_.cli("kortenberg-dpo", {"incident", "show", "1"}).out,
              HasSubstr("protocol.breach_notice"));
  EXPECT_THAT(server_.cli("auditor", {"request", "list"}).out, HasSubstr("erasure"));
  EXPECT_THAT(server_.cli("herent-dpo", {"request", "show", "1"}).out,
              HasSubstr("gdpr.art12_response"));
}

TEST_F(CliTest, UsageErrorsExitNonZero) {
  // A missing required option is a usage error.
  const Outcome o = server_.cli("herent-dpo", {"incident", "report"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.err, HasSubstr("--title"));
}

TEST_F(CliTest, OutputOptionWorksBeforeBetweenAndAfterTheCommand) {
  // -o json is a global option: it is read before the noun, between noun and verb, and after
  // the verb's own arguments, and each placement prints the same JSON.
  const Outcome preview =
      server_.cli("herent-dpo", {"deadlines", "preview", "--event", "request", "--party", "herent",
                                 "--at", "2027-11-25T09:00:00+01:00", "-o", "json"});
  ASSERT_EQ(preview.exit_code, 0) << preview.err;
  EXPECT_THAT(preview.out, HasSubstr("\"rule\": \"gdpr.art12_response\""));
  EXPECT_THAT(preview.out, HasSubstr("\"dueTime\": \"2027-12-25T08:00:00Z\""));
  EXPECT_THAT(preview.out, HasSubstr("\"legalDueTime\": \"2027-12-27T23:00:00Z\""));

  const std::vector<std::vector<std::string>> placements{
      {"-o", "json", "parties", "list"},
      {"parties", "-o", "json", "list"},
      {"parties", "list", "--output", "json"},
      {"parties", "list", "--output=json"},
  };
  const Outcome before = server_.cli("herent-dpo", placements[0]);
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_THAT(before.out, HasSubstr("\"id\": \"herent\""));
  EXPECT_THAT(before.out, HasSubstr("\"email\": \"dpo@kortenberg.example\""));
  for (const auto& args : placements) {
    const Outcome o = server_.cli("herent-dpo", args);
    EXPECT_EQ(o.exit_code, 0) << ::testing::PrintToString(args) << ": " << o.err;
    EXPECT_EQ(o.out, before.out) << ::testing::PrintToString(args);
  }
}

TEST_F(CliTest, ConnectionOptionsAnywhereTakePrecedenceOverTheEnvironment) {
  // --server, --cert and --key after the verb (or between noun and verb) override
  // TERMIJN_SERVER, TERMIJN_CERT and TERMIJN_KEY, as they do before the noun.
  const std::string certs = Certificates::get().dir;
  const Outcome as_kortenberg =
      server_.cli("herent-dpo", {"incident", "report", "--title", "Printout left on the train",
                                 "--cert", certs + "/kortenberg-dpo.crt", "-o", "json", "--key",
                                 certs + "/kortenberg-dpo.key"});
  ASSERT_EQ(as_kortenberg.exit_code, 0) << as_kortenberg.err;
  EXPECT_THAT(as_kortenberg.out, HasSubstr("\"reportedBy\": \"kortenberg-dpo\""));

  const std::map<std::string, std::string> env_with_a_dead_server{
      {"TERMIJN_SERVER", "127.0.0.1:1"},
      {"TERMIJN_CA", certs + "/ca.crt"},
      {"TERMIJN_CERT", certs + "/herent-dpo.crt"},
      {"TERMIJN_KEY", certs + "/herent-dpo.key"}};
  EXPECT_EQ(run_command({binary("termijn"), "parties", "list"}, env_with_a_dead_server).exit_code,
            6)
      << "TERMIJN_SERVER is used without --server";
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"parties", "--server", server_.address(), "list"},
                                             {"parties", "list", "--server", server_.address()}}) {
    std::vector<std::string> argv{binary("termijn")};
    argv.insert(argv.end(), args.begin(), args.end());
    const Outcome o = run_command(argv, env_with_a_dead_server);
    EXPECT_EQ(o.exit_code, 0) << ::testing::PrintToString(args) << ": " << o.err;
    EXPECT_THAT(o.out, HasSubstr("dpo@kortenberg.example"));
  }
}

TEST_F(CliTest, OutputThatCannotBeWrittenIsAFailure) {
  // A full disk under `termijn ... > file` (here /dev/full) exits 1 with one line on stderr: an
  // export or register cut short must not look complete.
  // Before: the command exited 0 whatever happened to its output.
  const Outcome o = run_command(
      {"/bin/sh", "-c", "exec \"$0\" \"$@\" > /dev/full", binary("termijn"), "parties", "list"},
      server_.cli_environment("herent-dpo"));
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_THAT(o.err, HasSubstr("termijn: cannot write the output"));
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
}

TEST_F(CliTest, IncidentUpdateTakesTheOlderTicketFlagAsTheReadmeSays) {
  // `--ticket` is the older name of `--external-ref`, on update as on report.
  // Before: `incident update 1 --ticket RT-7` failed with "not expected" (exit 2).
  ASSERT_EQ(server_.cli("herent-dpo", {"incident", "report", "--title", "Printout on the train"})
                .exit_code,
            0);
  const Outcome updated =
      server_.cli("herent-dpo", {"incident", "update", "1", "--ticket", "RT-7"});
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  EXPECT_EQ(server_.database().scalar("SELECT ticket_ref FROM incident WHERE id = 1"), "RT-7");
}

TEST_F(CliTest, IncidentUpdateTakesLocalTimeAsReportDoes) {
  // `--occurred-at` in the party's local time, as `incident report --aware-at` takes it, with the
  // same refusals. Before: "not an RFC 3339 instant" (exit 2).
  ASSERT_EQ(server_
                .cli("herent-dpo", {"incident", "report", "--title", "Printout on the train",
                                    "--aware-at", "2026-11-02T10:00"})
                .exit_code,
            0);
  const Outcome updated =
      server_.cli("herent-dpo", {"incident", "update", "1", "--occurred-at", "2026-11-01T18:30"});
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  EXPECT_EQ(server_.database().scalar(
                "SELECT to_char(occurred_time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') "
                "FROM incident WHERE id = 1"),
            "2026-11-01 17:30");
  const Outcome ambiguous =
      server_.cli("herent-dpo", {"incident", "update", "1", "--occurred-at", "2026-10-25T02:30"});
  EXPECT_EQ(ambiguous.exit_code, 2);
  EXPECT_THAT(ambiguous.err, HasSubstr("--occurred-at: "));
  EXPECT_THAT(ambiguous.err, HasSubstr("2026-10-25T02:30:00+02:00 or 2026-10-25T02:30:00+01:00"));
  const Outcome garbage =
      server_.cli("herent-dpo", {"incident", "update", "1", "--occurred-at", "yesterday"});
  EXPECT_EQ(garbage.exit_code, 2);
  EXPECT_THAT(garbage.err, HasSubstr("--occurred-at: "));
}

TEST_F(CliTest, UnknownOrMisplacedOptionsFailWithOneLine) {
  // An unknown option is still refused wherever it stands, and an option of `deadlines` given to
  // `deadlines preview` is refused rather than ignored: exit 2, one line naming the option.
  const std::vector<BadInput> cases{
      {{"deadlines", "preview", "--event", "incident", "--bogus", "-o", "json"}, "--bogus"},
      {{"parties", "--bogus", "list"}, "--bogus"},
      {{"--bogus", "parties", "list"}, "--bogus"},
      {{"deadlines", "preview", "--event", "incident", "--limit", "5"}, "--limit"},
      {{"deadlines", "--all", "preview", "--event", "incident"}, "--all"},
      {{"parties", "list", "-o", "yaml"}, "yaml"},
  };
  for (const BadInput& c : cases) {
    const Outcome o = server_.cli("herent-dpo", c.args);
    EXPECT_EQ(o.exit_code, 2) << ::testing::PrintToString(c.args) << ": " << o.err;
    EXPECT_THAT(o.err, HasSubstr(c.says));
    EXPECT_EQ(lines(o.err), 1) << o.err;
    EXPECT_EQ(o.out, "") << ::testing::PrintToString(c.args);
  }
}

TEST_F(CliTest, MissingOrMisspeltCommandIsNamedWithTheChoices) {
  // A missing or misspelt noun or verb names what was typed and what would do, on one line.
  const std::vector<BadInput> cases{
      {{}, "missing command, one of: parties, incident, request, deadlines"},
      {{"partie", "list"}, "unknown command 'partie', expected one of: parties, incident"},
      {{"parties", "-o", "json"}, "parties: missing command, one of: list"},
      {{"obligation", "fullfil", "1"},
       "obligation: unknown command 'fullfil', expected one of: "
       "show, fulfil, waive"},
  };
  for (const BadInput& c : cases) {
    const Outcome o = server_.cli("herent-dpo", c.args);
    EXPECT_EQ(o.exit_code, 2) << ::testing::PrintToString(c.args) << ": " << o.err;
    EXPECT_THAT(o.err, HasSubstr(c.says));
    EXPECT_EQ(lines(o.err), 1) << o.err;
  }
}

TEST_F(CliTest, ErrorEchoingALineBreakStaysOneLine) {
  // A server message that echoes user input with a line break is still one line on stderr.
  const Outcome o =
      server_.cli("herent-dpo", {"incident", "report", "--party", "leu\nven", "--title", "x"});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_EQ(lines(o.err), 1) << o.err;
  EXPECT_THAT(o.err, HasSubstr("unknown party 'leu\\nven'"));
  EXPECT_EQ(count("incident"), "0");
}

TEST_F(CliTest, RefusedTlsHandshakeIsOneLine) {
  // A server certificate from another CA, or a client certificate the server's CAs did not
  // issue: the CLI exits 6 with one line on stderr, without gRPC's own log lines, saying which
  // certificate was likely refused.
  const Certificates& certs = Certificates::get();
  const std::vector<std::pair<std::map<std::string, std::string>, std::string>> cases{
      {{{"TERMIJN_CA", certs.other_ca_dir + "/ca.crt"},
        {"TERMIJN_CERT", certs.dir + "/herent-dpo.crt"},
        {"TERMIJN_KEY", certs.dir + "/herent-dpo.key"}},
       "the server's certificate did not verify against --ca"},
      {{{"TERMIJN_CA", certs.dir + "/ca.crt"},
        {"TERMIJN_CERT", certs.other_ca_dir + "/herent-dpo.crt"},
        {"TERMIJN_KEY", certs.other_ca_dir + "/herent-dpo.key"}},
       "the server may have refused the certificate in --cert"},
  };
  for (auto [env, says] : cases) {
    env["TERMIJN_SERVER"] = server_.address();
    const Outcome o = run_command({binary("termijn"), "parties", "list"}, env);
    EXPECT_EQ(o.exit_code, 6) << env["TERMIJN_CA"] << " " << env["TERMIJN_CERT"];
    EXPECT_EQ(lines(o.err), 1) << o.err;
    EXPECT_THAT(o.err, ::testing::StartsWith("termijn: server unavailable: ")) << o.err;
    EXPECT_THAT(o.err, HasSubstr(says));
  }
}

TEST_F(CliTest, AnExpiredCertificateOrAKeyOfAnotherIsBadInputNamingTheOption) {
  // Both make the server refuse the handshake, which gRPC reports as an unavailable server, and
  // `incident report` retried four times. Before: exit 6, "server unavailable: failed to connect
  // to all addresses" (for the key: "empty address list").
  const Certificates& certs = Certificates::get();
  const Outcome expired = run_command({binary("termijn"), "incident", "report", "--title", "x"},
                                      {{"TERMIJN_SERVER", server_.address()},
                                       {"TERMIJN_CA", certs.dir + "/ca.crt"},
                                       {"TERMIJN_CERT", certs.dir + "/expired.crt"},
                                       {"TERMIJN_KEY", certs.dir + "/expired.key"}});
  EXPECT_EQ(expired.exit_code, 2) << expired.err;
  EXPECT_THAT(expired.err, ::testing::MatchesRegex("termijn: --cert: .*/expired.crt expired at "
                                                   "[0-9-]+ [0-9:]+ UTC\n"));
  const Outcome mismatched = run_command({binary("termijn"), "parties", "list"},
                                         {{"TERMIJN_SERVER", server_.address()},
                                          {"TERMIJN_CA", certs.dir + "/ca.crt"},
                                          {"TERMIJN_CERT", certs.dir + "/kortenberg-dpo.crt"},
                                          {"TERMIJN_KEY", certs.dir + "/herent-dpo.key"}});
  EXPECT_EQ(mismatched.exit_code, 2) << mismatched.err;
  EXPECT_THAT(mismatched.err, HasSubstr("--key: " + certs.dir +
                                        "/herent-dpo.key is not the key of the certificate in " +
                                        certs.dir + "/kortenberg-dpo.crt"));
  EXPECT_EQ(count("incident"), "0");
}

TEST_F(CliTest, FileThatIsNotPemIsBadInputNamingTheOption) {
  // A --ca, --cert or --key file OpenSSL cannot read as PEM is bad input (exit 2) naming the
  // option, not an unavailable server.
  const Certificates& certs = Certificates::get();
  const std::string not_pem = write_file("not-pem.txt", "not PEM\n");
  std::filesystem::permissions(
      not_pem, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const std::map<std::string, std::string> good{{"--ca", certs.dir + "/ca.crt"},
                                                {"--cert", certs.dir + "/herent-dpo.crt"},
                                                {"--key", certs.dir + "/herent-dpo.key"}};
  const std::vector<std::pair<std::string, std::string>> cases{
      {"--ca", not_pem},
      {"--cert", not_pem},
      {"--key", not_pem},
      {"--key", certs.dir + "/herent-dpo.crt"},
  };
  for (const auto& [flag, file] : cases) {
    std::vector<std::string> argv{binary("termijn"), "parties", "list", "--server",
                                  server_.address()};
    for (const auto& [option, path] : good) {
      argv.push_back(option);
      argv.push_back(option == flag ? file : path);
    }
    const Outcome o = run_command(argv);
    EXPECT_EQ(o.exit_code, 2) << flag << " " << file << ": " << o.err;
    EXPECT_THAT(o.err, HasSubstr(flag + ": " + file + " holds no PEM")) << o.err;
    EXPECT_EQ(lines(o.err), 1) << o.err;
  }
}

TEST_F(CliTest, AFileThatCannotBeReadIsBadInputWithTheReason) {
  // Before: a folder given as --ca read as an empty file ("holds no PEM certificate"), and
  // --copy took a folder for an empty file.
  const Certificates& certs = Certificates::get();
  const std::string folder = std::filesystem::temp_directory_path().string();
  const Outcome ca = run_command(
      {binary("termijn"), "parties", "list", "--server", server_.address(), "--ca", folder,
       "--cert", certs.dir + "/herent-dpo.crt", "--key", certs.dir + "/herent-dpo.key"});
  EXPECT_EQ(ca.exit_code, 2) << ca.err;
  EXPECT_THAT(ca.err, HasSubstr("--ca: cannot read " + folder + ": Is a directory"));
  EXPECT_EQ(lines(ca.err), 1) << ca.err;
  const Outcome copy = server_.cli(
      "herent-dpo", {"request", "log", "--kind", "access", "--summary", "x", "--copy", folder});
  EXPECT_EQ(copy.exit_code, 2) << copy.err;
  EXPECT_THAT(copy.err, HasSubstr("--copy: cannot read " + folder + ": Is a directory"));
  EXPECT_EQ(count("request"), "0");
}

TEST_F(CliTest, AKeyOthersMayReadIsRefused) {
  // Whoever reads a principal's private key acts as that principal: like ssh (and termijnd with
  // its own secrets) the CLI refuses a key its group or others may read, and says how to fix it.
  // Before: it was used as it was.
  const Certificates& certs = Certificates::get();
  const std::string key = path_of("herent-dpo-readable.key");
  std::filesystem::copy_file(certs.dir + "/herent-dpo.key", key);
  std::filesystem::permissions(
      key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
               std::filesystem::perms::group_read | std::filesystem::perms::others_read);
  const Outcome o =
      run_command({binary("termijn"), "parties", "list", "--server", server_.address(), "--ca",
                   certs.dir + "/ca.crt", "--cert", certs.dir + "/herent-dpo.crt", "--key", key});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_THAT(o.err, HasSubstr("--key: " + key +
                               " may be read by its group or others (mode 0644); chmod 600 it"));
  EXPECT_EQ(lines(o.err), 1) << o.err;
}

TEST_F(CliTest, SaveCopyThatCannotBeWrittenFails) {
  // --save-copy reports a file it cannot write, and a request without a copy, instead of
  // exiting 0 with nothing (or an empty file) saved.
  ASSERT_EQ(server_
                .cli("herent-dpo", {"request", "log", "--kind", "access", "--summary", "x",
                                    "--copy", write_file("letter.txt", "letter")})
                .exit_code,
            0);
  ASSERT_EQ(
      server_.cli("herent-dpo", {"request", "log", "--kind", "access", "--summary", "y"}).exit_code,
      0);
  const Outcome unwritable = server_.cli(
      "herent-dpo", {"request", "show", "1", "--save-copy", "/nonexistent-dir/letter.txt"});
  EXPECT_EQ(unwritable.exit_code, 2) << unwritable.err;
  EXPECT_THAT(unwritable.err, HasSubstr("--save-copy: cannot write /nonexistent-dir/letter.txt"));
  EXPECT_EQ(lines(unwritable.err), 1) << unwritable.err;

  const std::string saved = path_of("no-copy.txt");
  std::filesystem::remove(saved);
  const Outcome no_copy = server_.cli("herent-dpo", {"request", "show", "2", "--save-copy", saved});
  EXPECT_EQ(no_copy.exit_code, 3) << no_copy.err;
  EXPECT_THAT(no_copy.err, HasSubstr("requests/2 has no copy of the original"));
  EXPECT_FALSE(std::filesystem::exists(saved));
}

TEST_F(CliTest, TextThatIsNotUtf8IsRefusedBeforeAnythingIsSent) {
  // A value the CLI would send that is not valid UTF-8 is bad input naming the option and where
  // it breaks; no call is made. Before: protobuf logged "invalid UTF-8", the server answered
  // UNIMPLEMENTED without a message, and the CLI printed "termijn: " and exit 1.
  const std::vector<BadInput> cases{
      {{"incident", "report", "--title", "caf\xe9"}, "--title: not valid UTF-8 (at byte 4)"},
      {{"request", "log", "--kind", "access", "--summary", "ok \xc3"},
       "--summary: not valid UTF-8 (at byte 4)"},
      {{"incident", "list", "--external-ref", "\xff"},
       "--external-ref: not valid UTF-8 (at byte 1)"},
      {{"incident", "show", "1\x80"}, "id: not valid UTF-8 (at byte 2)"},
  };
  for (const BadInput& c : cases) {
    const Outcome o = server_.cli("herent-dpo", c.args);
    EXPECT_EQ(o.exit_code, 2) << c.says << ": " << o.err;
    EXPECT_THAT(o.err, HasSubstr(c.says));
    EXPECT_EQ(lines(o.err), 1) << o.err;
  }
  EXPECT_THAT(server_.log(), Not(ContainsRegex("(ReportIncident|LogRequest|ListIncidents|"
                                               "GetIncident) by")));
  EXPECT_EQ(count("incident"), "0");
  EXPECT_EQ(count("request"), "0");
  // A local file's name is not sent: it may be any bytes the file system takes.
  ASSERT_EQ(server_.cli("herent-dpo", {"incident", "report", "--title", "x"}).exit_code, 0);
  const Outcome exported = server_.cli("auditor", {"audit", "export"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const Outcome verified = server_.cli(
      "auditor", {"audit", "verify", "--export", write_file("caf\xe9.jsonl", exported.out)});
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
}

TEST_F(CliTest, AStatusWithoutAMessageIsNamedByItsCode) {
  // A server that answers without a message (here the generated service without an
  // implementation: UNIMPLEMENTED and "") still gets a line saying what it answered. Before:
  // "termijn: " and nothing after it.
  v1::Termijn::Service unimplemented;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&unimplemented);
  const std::unique_ptr<grpc::Server> other = builder.BuildAndStart();
  ASSERT_NE(port, 0);
  const Outcome o = run_command({binary("termijn"), "--insecure-plaintext", "--server",
                                 "127.0.0.1:" + std::to_string(port), "parties", "list"});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_THAT(o.err, HasSubstr("UNIMPLEMENTED"));
  EXPECT_EQ(lines(o.err), 1) << o.err;
  other->Shutdown();
}

TEST_F(CliTest, ListsSayThatMoreFollowAndHowToListThem) {
  // incident, request, matter and notification list show a page of --limit rows and, when more
  // follow, a last line "more: COMMAND" that repeats the filters and lists the next page;
  // following these lines lists every record once, as one larger page does. Before: --limit was
  // unknown, and a list stopped at 50 rows without a word.
  for (const std::string n : {"1", "2", "3"}) {
    ASSERT_EQ(
        server_.cli("herent-dpo", {"incident", "report", "--title", "Incident " + n}).exit_code, 0);
    ASSERT_EQ(
        server_
            .cli("herent-dpo", {"request", "log", "--kind", "access", "--summary", "Request " + n})
            .exit_code,
        0);
    ASSERT_EQ(server_
                  .cli("herent-dpo",
                       {"matter", "report", "--kind", "law-change", "--summary", "Matter " + n})
                  .exit_code,
              0);
  }
  // The ids a listing shows: the first word of the rows that start with `prefix`.
  const auto ids = [](const std::string& out, const std::string& prefix) {
    std::vector<std::string> found;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(prefix, 0) == 0) found.push_back(line.substr(0, line.find(' ')));
    }
    return found;
  };
  for (const std::string noun : {"incident", "request", "matter", "notification"}) {
    const std::string prefix = noun + "s/";
    const Outcome whole = server_.cli("herent-dpo", {noun, "list", "--party", "herent"});
    ASSERT_EQ(whole.exit_code, 0) << whole.err;
    EXPECT_THAT(whole.out, Not(HasSubstr("more:")));
    const std::vector<std::string> all = ids(whole.out, prefix);
    ASSERT_GE(all.size(), 3u) << whole.out;
    std::vector<std::string> args{noun, "list", "--party", "herent", "--limit", "2"};
    std::vector<std::string> paged;
    for (int pages = 1;; ++pages) {
      ASSERT_LE(pages, 10) << noun;
      const Outcome o = server_.cli("herent-dpo", args);
      ASSERT_EQ(o.exit_code, 0) << noun << ": " << o.err;
      const std::vector<std::string> page = ids(o.out, prefix);
      EXPECT_LE(page.size(), 2u) << o.out;
      paged.insert(paged.end(), page.begin(), page.end());
      const auto more = o.out.find("more: termijn ");
      if (more == std::string::npos) break;
      const std::string line = o.out.substr(more, o.out.find('\n', more) - more);
      EXPECT_THAT(line, HasSubstr(" " + noun + " list --party herent --limit 2 --page-token "));
      std::istringstream words(line.substr(std::string("more: termijn ").size()));
      args.assign(std::istream_iterator<std::string>(words), {});
    }
    EXPECT_EQ(paged, all) << noun;
  }
  // `deadlines` repeats its filters as well, a flag included.
  const Outcome deadlines = server_.cli("herent-dpo", {"deadlines", "--all", "--limit", "2"});
  ASSERT_EQ(deadlines.exit_code, 0) << deadlines.err;
  EXPECT_THAT(deadlines.out, HasSubstr("\nmore: termijn deadlines --all --limit 2 --page-token "));
}

TEST_F(CliTest, AsIsRefusedOverTls) {
  // --as (TERMIJN_PRINCIPAL) names the principal in the plaintext local mode only; over TLS the
  // certificate does, so --as beside one is refused and nothing is sent. Before: ignored, and
  // with herent-dpo's certificate "--as kortenberg-dpo" reported an incident for herent.
  std::map<std::string, std::string> env = server_.cli_environment("herent-dpo");
  env["TERMIJN_PRINCIPAL"] = "kortenberg-dpo";
  const std::vector<Outcome> outcomes{
      server_.cli("herent-dpo",
                  {"--as", "kortenberg-dpo", "incident", "report", "--title", "Lost a folder"}),
      run_command({binary("termijn"), "incident", "report", "--title", "Lost a folder"}, env)};
  for (const Outcome& o : outcomes) {
    EXPECT_EQ(o.exit_code, 2) << o.err;
    EXPECT_THAT(o.err, HasSubstr("--as"));
    EXPECT_THAT(o.err, HasSubstr("--insecure-plaintext"));
    EXPECT_EQ(lines(o.err), 1) << o.err;
  }
  EXPECT_EQ(count("incident"), "0");
}

TEST_F(CliTest, VerifyingAnExportWithoutEventsFails) {
  // An export that holds no event proves nothing: verifying it is refused. Before: "verified 0
  // events", exit 0.
  for (const std::string bytes : {"", "\n\n"}) {
    const Outcome o =
        server_.cli("auditor", {"audit", "verify", "--export", write_file("empty.jsonl", bytes)});
    EXPECT_EQ(o.exit_code, 2) << o.err;
    EXPECT_THAT(o.err, HasSubstr("holds no audit event"));
    EXPECT_EQ(lines(o.err), 1) << o.err;
    EXPECT_EQ(o.out, "");
  }
}

TEST_F(CliTest, NotificationListFiltersByEveryState) {
  // --state takes every state a notification can be in, cancelled included. Before: the CLI
  // refused cancelled, which the server accepts.
  ASSERT_EQ(server_.cli("herent-dpo", {"incident", "report", "--title", "x"}).exit_code, 0);
  for (const std::string state : {"held", "pending", "sent", "failed", "cancelled"}) {
    const Outcome o = server_.cli("herent-dpo", {"notification", "list", "--state", state});
    EXPECT_EQ(o.exit_code, 0) << state << ": " << o.err;
    EXPECT_EQ(o.out.find("notifications/1") != std::string::npos, state == "held") << o.out;
  }
}

TEST_F(CliTest, ServerStopsCleanlyOnSigterm) {
  // SIGTERM lets termijnd finish and exit 0.
  EXPECT_EQ(server_.stop(), 0);
  EXPECT_THAT(server_.log(), HasSubstr("termijnd stopped"));
}

TEST_F(CliTest, LogHoldsIdsButNoPersonalData) {
  // Titles are personal data: the server log names methods and principals, never titles.
  ASSERT_EQ(server_.cli("herent-dpo", {"incident", "report", "--title", "Jan Janssens file lost"})
                .exit_code,
            0);
  server_.stop();
  // With how long the call took, and how much of that it waited for a thread.
  EXPECT_THAT(server_.log(),
              ContainsRegex("ReportIncident by herent-dpo: OK in [0-9]+ ms \\([0-9]+ ms waiting"));
  EXPECT_THAT(server_.log(), Not(HasSubstr("Janssens")));
}

}  // namespace
}  // namespace termijn::testing
