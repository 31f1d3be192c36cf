// End-to-end: the real termijnd (mutual TLS, real PostgreSQL) driven by the real termijn CLI.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/e2e/harness.h"

namespace termijn::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// RFC 3339 in UTC for an instant `ago` before now.
std::string utc_ago(std::chrono::seconds ago) {
  const auto t = std::chrono::system_clock::now() - ago;
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&tt));
  return buf;
}

int lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

std::string write_file(const std::string& name, const std::string& bytes) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path.string();
}

class CliTest : public ::testing::Test {
 protected:
  Termijnd server_;

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
  const Outcome o = server_.cli(
      "herent-reporter", {"-o", "json", "incident", "report", "--aware-at",
                          "2026-03-27T14:20:00+01:00", "--title", "USB stick with client files lost",
                          "--categories", "identification,medical", "--subjects", "clients"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("\"name\": \"incidents/1\""));
  EXPECT_THAT(o.out, HasSubstr("\"awareTime\": \"2026-03-27T13:20:00Z\""));
  EXPECT_THAT(o.out, HasSubstr("\"rule\": \"gdpr.art33_authority\""));
  EXPECT_THAT(o.out, HasSubstr("\"dueTime\": \"2026-03-30T13:20:00Z\""));
  EXPECT_THAT(o.out, HasSubstr("\"legalDueTime\": \"2026-03-30T14:00:00Z\""));
  EXPECT_THAT(o.out, HasSubstr("\"rule\": \"protocol.breach_notice\""));
  EXPECT_THAT(o.out, HasSubstr("\"party\": \"kortenberg\""));
  EXPECT_THAT(o.out, HasSubstr("DATA_CATEGORY_MEDICAL"));
  EXPECT_EQ(count("obligation"), "2");
}

TEST_F(CliTest, DeadlinesListsOpenObligationsSoonestFirstWithCountdown) {
  // A breach known for 40 h is overdue on its 36 h notice and still open on the 72 h one.
  ASSERT_EQ(server_.cli("herent-dpo", {"incident", "report", "--aware-at",
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
  const std::string authority_line = o.out.substr(authority, o.out.find('\n', authority) - authority);
  EXPECT_TRUE(std::regex_search(notice_line, std::regex(R"(\d+ h \d+ min overdue)"))) << notice_line;
  EXPECT_TRUE(std::regex_search(authority_line, std::regex(R"(in 3\d h \d+ min)"))) << authority_line;
  EXPECT_THAT(notice_line, HasSubstr("CET"));
}

TEST_F(CliTest, RequestWithCopyKeepsTheExactBytes) {
  // The copy of the original is stored with its SHA-256 and comes back byte for byte.
  std::string bytes = "%PDF-1.4\n";
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  const std::string letter = write_file("termijn-letter.pdf", bytes);
  const Outcome logged = server_.cli(
      "kortenberg-reporter", {"request", "log", "--kind", "access", "--received-at",
                              "2026-11-28T09:00", "--summary", "Client asks for a copy of their file",
                              "--copy", letter});
  ASSERT_EQ(logged.exit_code, 0) << logged.err;
  EXPECT_THAT(logged.out, HasSubstr("party:     kortenberg"));
  EXPECT_THAT(logged.out, HasSubstr("protocol.request_notice"));
  EXPECT_THAT(logged.out, HasSubstr("gdpr.art12_response"));
  EXPECT_THAT(logged.out, HasSubstr("application/pdf"));
  const std::string saved = std::filesystem::temp_directory_path() / "termijn-saved.pdf";
  const Outcome shown =
      server_.cli("herent-dpo", {"request", "show", "requests/1", "--save-copy", saved});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  std::ifstream in(saved, std::ios::binary);
  const std::string back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(back, bytes);
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

TEST_F(CliTest, BadInputIsRefusedWithOneLineNamingTheFieldAndStoresNothing) {
  // Each bad input exits non-zero with one line on stderr that names the field; nothing is stored.
  const std::string big = write_file("termijn-big.bin", std::string(10 * 1024 * 1024 + 1, 'x'));
  const std::vector<BadInput> cases{
      {{"incident", "report", "--party", "leuven", "--title", "x"}, "party: unknown party 'leuven'"},
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
      {{"incident", "report", "--title", "x", "--categories", "secret"}, "--categories: unknown"},
      {{"request", "log", "--kind", "complaint", "--summary", "x"}, "--kind: unknown value"},
      {{"request", "log", "--kind", "access", "--summary", "x", "--copy", big},
       "copy.content: 10485761 bytes exceeds the limit"},
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
  EXPECT_THAT(server_.cli("herent-dpo", {"incident", "report", "--title", "x", "--aware-at",
                                         "2026-10-25T02:30"})
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
  const Outcome open = server_.cli("herent-dpo", {"deadlines"});
  EXPECT_THAT(open.out, HasSubstr("no obligations"));
  const Outcome all = server_.cli("herent-dpo", {"deadlines", "--all"});
  EXPECT_THAT(all.out, HasSubstr("waived"));
}

TEST_F(CliTest, LateFulfilmentIsMetLate) {
  // Fulfilling after due_time records met-late.
  ASSERT_EQ(server_.cli("herent-dpo", {"incident", "report", "--title", "Old breach", "--aware-at",
                                       utc_ago(std::chrono::hours(50))})
                .exit_code,
            0);
  const Outcome o = server_.cli("herent-dpo", {"-o", "json", "obligation", "fulfil", "1",
                                               "--evidence", "Mail sent late"});
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
  EXPECT_THAT(server_.log(), HasSubstr("ReportIncident by herent-dpo: OK"));
  EXPECT_THAT(server_.log(), Not(HasSubstr("Janssens")));
}

}  // namespace
}  // namespace termijn::testing
