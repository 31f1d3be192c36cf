// End-to-end: the breach register and the register of requests, through the real termijn CLI
// and the real termijnd: the records of one party and year exactly, as CSV, JSON lines and a
// file; who may read which register; bad input.
#include <absl/strings/str_split.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/grpc_client.h"
#include "tests/e2e/harness.h"

namespace termijn::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using Row = std::map<std::string, std::string>;

// Reads RFC 4180 CSV (after a UTF-8 BOM, which it requires) into rows keyed by the header's
// column names; fails the test on anything else, e.g. a record not ended by CRLF.
std::vector<Row> parse_csv(const std::string& text) {
  const std::string bom = "\xEF\xBB\xBF";
  EXPECT_THAT(text, StartsWith(bom));
  std::vector<std::vector<std::string>> records(1, std::vector<std::string>(1));
  bool quoted = false;
  for (size_t i = bom.size(); i < text.size(); ++i) {
    const char c = text[i];
    std::string& field = records.back().back();
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      records.back().emplace_back();
    } else if (c == '\r') {
      EXPECT_EQ(text.substr(i, 2), "\r\n") << "a bare CR outside quotes at byte " << i;
      ++i;
      records.emplace_back(1);
    } else {
      EXPECT_NE(c, '\n') << "a bare LF outside quotes at byte " << i;
      field += c;
    }
  }
  EXPECT_EQ(records.back(), std::vector<std::string>(1)) << "the last record lacks its CRLF";
  records.pop_back();
  std::vector<Row> rows;
  if (records.empty()) return rows;
  for (size_t r = 1; r < records.size(); ++r) {
    EXPECT_EQ(records[r].size(), records[0].size()) << "record " << r;
    Row row;
    for (size_t c = 0; c < records[0].size() && c < records[r].size(); ++c) {
      row[records[0][c]] = records[r][c];
    }
    rows.push_back(row);
  }
  return rows;
}

std::vector<std::string> column(const std::vector<Row>& rows, const std::string& name) {
  std::vector<std::string> out;
  for (const Row& row : rows) out.push_back(row.at(name));
  return out;
}

class RegisterCliTest : public ::testing::Test {
 protected:
  // Runs the CLI and asserts success.
  std::string ok(const std::string& principal, const std::vector<std::string>& args) {
    const Outcome o = server_.cli(principal, args);
    EXPECT_EQ(o.exit_code, 0) << o.err;
    return o.out;
  }

  std::string scalar(const std::string& sql) const { return server_.database().scalar(sql); }

  // A path in the server's own working directory, removed with it.
  std::string work_file(const std::string& name) const {
    return (std::filesystem::path(server_.config_file()).parent_path() / name).string();
  }

  // The obligation of `subject` ("incidents/2") under `rule`.
  std::string obligation(const std::string& subject, const std::string& rule) const {
    const auto slash = subject.find('/');
    const std::string fk = subject.substr(0, slash) == "incidents" ? "incident_id" : "request_id";
    return scalar("SELECT id FROM obligation WHERE " + fk + " = " + subject.substr(slash + 1) +
                  " AND rule = '" + rule + "'");
  }

  Termijnd server_;
};

TEST_F(RegisterCliTest, BreachRegisterOfOneYearAndPartyComesOutExactly) {
  // Herent's incidents of 2025 and 2026 and one of Kortenberg's: the 2026 register of Herent
  // holds exactly Herent's 2026 incidents, oldest first, the year taken in Brussels time (New
  // Year's night at 00:30 local is 2026, though still 2025 in UTC), with the facts and each
  // decision with its reason, in CSV that RFC 4180 reads back field for field.
  ok("herent-reporter", {"incident", "report", "--aware-at", "2025-12-31T23:59", "--title",
                         "Old year"});  // incidents/1
  ok("herent-reporter",
     {"incident", "report", "--aware-at", "2026-03-27T14:20:00+01:00", "--title",
      "USB stick, \"client files\"", "--description", "Cliëntenlijst — verloren\nsecond line",
      "--categories", "identification,medical", "--subjects", "clients"});  // incidents/2
  ok("kortenberg-dpo", {"incident", "report", "--aware-at", "2026-02-01T10:00", "--title",
                        "Kortenberg's"});  // incidents/3
  ok("herent-reporter", {"incident", "report", "--aware-at", "2026-01-01T00:30", "--title",
                         "New Year's night"});  // incidents/4

  // Incident 2: the notice went out, the risk is assessed as none, art. 33 waived with its reason,
  // closed.
  ok("herent-dpo", {"obligation", "fulfil", obligation("incidents/2", "protocol.breach_notice"),
                    "--evidence", "Mailed to the Kortenberg DPO"});
  ok("herent-dpo", {"incident", "update", "2", "--risk", "none", "--measures",
                    "Stick found, encrypted", "--subject-count", "12"});
  ok("herent-dpo", {"obligation", "waive", obligation("incidents/2", "gdpr.art33_authority"),
                    "--reason", "Art. 33: unlikely to result in a risk, the stick was encrypted"});
  ok("herent-dpo", {"incident", "consult", "2", "--at", "2026-03-27T16:00", "--participants",
                    "DPO Herent, DPO Kortenberg", "--agreed", "Kortenberg checks its copy"});
  ok("herent-dpo", {"incident", "close", "2", "--summary", "Found; no risk"});

  const std::string csv =
      ok("herent-dpo", {"register", "incidents", "--year", "2026", "-o", "csv"});
  const std::vector<Row> rows = parse_csv(csv);
  ASSERT_THAT(column(rows, "incident"), ElementsAre("incidents/4", "incidents/2"));
  EXPECT_EQ(rows[0].at("aware_time"), "2026-01-01T00:30:00+01:00");
  EXPECT_EQ(rows[0].at("title"), "New Year's night");
  EXPECT_EQ(rows[0].at("risk"), "not assessed");
  // Aware on New Year's night, never notified: its 72 hours and its legal limit are long past.
  EXPECT_EQ(rows[0].at("art33_authority"), "overdue-beyond-legal-limit");
  const Row& two = rows[1];
  EXPECT_EQ(two.at("party"), "herent");
  EXPECT_EQ(two.at("aware_time"), "2026-03-27T14:20:00+01:00");
  EXPECT_EQ(two.at("title"), "USB stick, \"client files\"");
  EXPECT_EQ(two.at("description"), "Cliëntenlijst — verloren\nsecond line");
  EXPECT_EQ(two.at("categories"), "identification, medical");
  EXPECT_EQ(two.at("subject_groups"), "clients");
  EXPECT_EQ(two.at("subject_count"), "12");
  EXPECT_EQ(two.at("risk"), "none");
  EXPECT_EQ(two.at("measures"), "Stick found, encrypted");
  EXPECT_EQ(two.at("reported_by"), "herent-reporter");
  EXPECT_EQ(two.at("art33_authority"), "waived");
  EXPECT_EQ(two.at("art33_evidence"),
            "Art. 33: unlikely to result in a risk, the stick was encrypted");
  EXPECT_EQ(two.at("art34_subjects"), "");
  EXPECT_THAT(two.at("duties"), HasSubstr("protocol.breach_notice -> kortenberg dpo: due "
                                          "2026-03-29T03:20:00+02:00"));
  EXPECT_THAT(two.at("duties"), HasSubstr("by herent-dpo: Mailed to the Kortenberg DPO"));
  EXPECT_THAT(two.at("close_time"), StartsWith("2026-"));
  EXPECT_EQ(two.at("closed_by"), "herent-dpo");
  EXPECT_EQ(two.at("closing_summary"), "Found; no risk");

  // The same register into a file, written whole; JSON lines hold the same records. Only its
  // owner may read the file, whatever the umask, and a link planted where the file is written
  // first (FILE.part) is not followed.
  //
  // Before: the register was written with the umask's mode (0644: every local user could read
  // the breach register), through whatever FILE.part pointed to.
  const std::string file = work_file("register.csv");
  const std::string elsewhere = work_file("elsewhere.txt");
  std::ofstream(elsewhere) << "untouched";
  std::filesystem::create_symlink(elsewhere, file + ".part");
  const mode_t umask_before = ::umask(022);
  const std::string exported =
      ok("herent-dpo", {"register", "incidents", "--year", "2026", "-o", "csv", "--file", file});
  ::umask(umask_before);
  EXPECT_EQ(exported, "");
  std::ifstream in(file, std::ios::binary);
  std::stringstream written;
  written << in.rdbuf();
  EXPECT_EQ(written.str(), csv);
  using std::filesystem::perms;
  EXPECT_EQ(std::filesystem::status(file).permissions() & perms::all,
            perms::owner_read | perms::owner_write);
  EXPECT_FALSE(std::filesystem::exists(file + ".part"));
  std::ifstream planted(elsewhere);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(planted), {}), "untouched");
  const std::string json =
      ok("herent-dpo", {"register", "incidents", "--year", "2026", "-o", "json"});
  std::vector<std::string> lines;
  std::istringstream json_lines(json);
  for (std::string line; std::getline(json_lines, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 2u) << json;
  EXPECT_THAT(lines[0], StartsWith("{\"incident\":{\"name\":\"incidents/4\""));
  EXPECT_THAT(lines[1], HasSubstr("\"timeliness\":\"TIMELINESS_WAIVED\""));

  // Every year; 2025 alone; the auditor reads Kortenberg's.
  EXPECT_THAT(
      column(parse_csv(ok("herent-dpo", {"register", "incidents", "-o", "csv"})), "incident"),
      ElementsAre("incidents/1", "incidents/4", "incidents/2"));
  EXPECT_THAT(
      column(parse_csv(ok("herent-dpo", {"register", "incidents", "--year", "2025", "-o", "csv"})),
             "incident"),
      ElementsAre("incidents/1"));
  EXPECT_THAT(column(parse_csv(ok("auditor", {"register", "incidents", "--party", "kortenberg",
                                              "--year", "2026", "-o", "csv"})),
                     "incident"),
              ElementsAre("incidents/3"));
  // A year without incidents is a header alone.
  EXPECT_EQ(ok("herent-dpo", {"register", "incidents", "--year", "2024", "-o", "csv"}),
            "\xEF\xBB\xBFincident,party,aware_time,occurred_time,recorded_time,reported_by,title,"
            "description,categories,subject_groups,subject_count,risk,consequences,measures,"
            "external_ref,art33_authority,art33_time,art33_evidence,art34_subjects,art34_time,"
            "art34_evidence,duties,close_time,closed_by,closing_summary\r\n");
}

TEST_F(RegisterCliTest, RequestRegisterShowsDatesExtensionAndOutcome) {
  // Herent's requests of two years and one of Kortenberg's: the 2026 register of Herent holds
  // its 2026 requests with their receipt, the original and the extended due time, the extension
  // and its reason, when it was answered and whether that was on time.
  ok("herent-reporter", {"request", "log", "--kind", "erasure", "--received-at", "2025-05-05T09:00",
                         "--summary", "Last year's\nsecond line"});  // requests/1
  ok("herent-reporter", {"request", "log", "--kind", "access", "--received-at", "2026-11-28T09:00",
                         "--summary", "Copy of my file, all of it"});  // 2
  ok("kortenberg-reporter", {"request", "log", "--kind", "access", "--received-at",
                             "2026-11-20T09:00", "--summary", "Kortenberg's"});  // 3
  ok("herent-dpo", {"request", "extend", "2", "--months", "2", "--reason", "30 years of archives"});
  ok("herent-dpo", {"obligation", "fulfil", obligation("requests/2", "gdpr.art12_response"),
                    "--evidence", "File sent by registered mail"});

  const std::vector<Row> rows =
      parse_csv(ok("herent-dpo", {"register", "requests", "--year", "2026", "-o", "csv"}));
  ASSERT_THAT(column(rows, "request"), ElementsAre("requests/2"));
  const Row& r = rows[0];
  EXPECT_EQ(r.at("kind"), "access");
  EXPECT_EQ(r.at("received_time"), "2026-11-28T09:00:00+01:00");
  EXPECT_EQ(r.at("summary"), "Copy of my file, all of it");
  // One month from 28 November, then two more (GDPR art. 12(3)).
  EXPECT_EQ(r.at("original_due_time"), "2026-12-28T09:00:00+01:00");
  EXPECT_EQ(r.at("answer_due_time"), "2027-02-28T09:00:00+01:00");
  EXPECT_EQ(r.at("extension_months"), "2");
  EXPECT_EQ(r.at("extension_reason"), "30 years of archives");
  EXPECT_THAT(r.at("extend_time"), StartsWith("2026-"));
  EXPECT_EQ(r.at("answer"), "on-time");
  EXPECT_THAT(r.at("answer_time"), StartsWith("2026-"));
  EXPECT_EQ(r.at("answer_evidence"), "File sent by registered mail");
  EXPECT_THAT(r.at("duties"), HasSubstr("gdpr.art12_extension_notice -> data-subject"));

  EXPECT_THAT(
      column(parse_csv(ok("herent-dpo", {"register", "requests", "--year", "2025", "-o", "csv"})),
             "answer"),
      ElementsAre("overdue-beyond-legal-limit"));
  const std::string table = ok("herent-dpo", {"register", "requests", "--year", "2026"});
  EXPECT_THAT(table, HasSubstr("requests/2"));
  EXPECT_THAT(table, HasSubstr("on-time"));
  EXPECT_THAT(table, Not(HasSubstr("requests/1")));
  // The longest timeliness keeps its row in line, and a summary of two lines shows its first
  // (before: the second started a line of its own, the state column shifted by 8).
  const std::string last_year = ok("herent-dpo", {"register", "requests", "--year", "2025"});
  const std::vector<std::string> lines = absl::StrSplit(last_year, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << last_year;
  EXPECT_EQ(lines[1].find("open"), lines[0].find("STATE")) << last_year;
  EXPECT_THAT(lines[1], HasSubstr("overdue-beyond-legal-limit"));
  EXPECT_THAT(lines[1], EndsWith("Last year's …"));
}

TEST_F(RegisterCliTest, OnlyTheOwnDpoAndAuditorsReadARegister) {
  // A register holds a party's records in full: another party's DPO, a reporter, and an
  // auditor who names no party are refused, and print nothing but the error.
  ok("herent-reporter", {"incident", "report", "--title", "Herent's"});
  ok("herent-reporter", {"request", "log", "--kind", "access", "--summary", "Herent's"});
  for (const char* noun : {"incidents", "requests"}) {
    const Outcome other =
        server_.cli("kortenberg-dpo", {"register", noun, "--party", "herent", "-o", "csv"});
    EXPECT_EQ(other.exit_code, 4) << noun;
    EXPECT_THAT(other.err, HasSubstr("may not read the register of party 'herent'"));
    EXPECT_EQ(other.out, "");
    const Outcome reporter = server_.cli("herent-reporter", {"register", noun});
    EXPECT_EQ(reporter.exit_code, 4) << noun;
    EXPECT_THAT(reporter.err, HasSubstr("dpo or auditor role"));
    EXPECT_EQ(reporter.out, "");
    const Outcome auditor = server_.cli("auditor", {"register", noun});
    EXPECT_EQ(auditor.exit_code, 2) << noun;
    EXPECT_THAT(auditor.err, HasSubstr("party"));
    // Kortenberg's own register does not show Herent's records.
    EXPECT_EQ(parse_csv(ok("kortenberg-dpo", {"register", noun, "-o", "csv"})).size(), 0u);
  }
  // A failed export to a file leaves no file behind.
  const std::string file = work_file("refused.csv");
  EXPECT_EQ(server_
                .cli("kortenberg-dpo",
                     {"register", "incidents", "--party", "herent", "-o", "csv", "--file", file})
                .exit_code,
            4);
  EXPECT_FALSE(std::ifstream(file).good());
  EXPECT_FALSE(std::ifstream(file + ".part").good());
}

TEST_F(RegisterCliTest, BadInputIsRefusedNamingTheField) {
  // A year outside 1970-2100 or not a number, an unknown party, and csv for another command.
  for (const std::string year : {"1969", "2101", "twenty", "26.5"}) {
    const Outcome o = server_.cli("herent-dpo", {"register", "incidents", "--year", year});
    EXPECT_EQ(o.exit_code, 2) << year;
    EXPECT_THAT(o.err, HasSubstr("--year")) << year;
  }
  const Outcome party = server_.cli("herent-dpo", {"register", "requests", "--party", "nowhere"});
  EXPECT_EQ(party.exit_code, 2);
  EXPECT_THAT(party.err, HasSubstr("party"));
  const Outcome csv = server_.cli("herent-dpo", {"deadlines", "-o", "csv"});
  EXPECT_EQ(csv.exit_code, 2);
  EXPECT_THAT(csv.err, HasSubstr("csv is for termijn register only"));
  const Outcome verb = server_.cli("herent-dpo", {"register", "obligations"});
  EXPECT_EQ(verb.exit_code, 2);
}

TEST(RegisterStreamTest, AYearOutsideTheSupportedRangeIsInvalidOverTheApi) {
  // The service checks the year itself, whatever client calls it.
  Termijnd server;
  auto stub = v1::Termijn::NewStub(channel_as(server, "herent-dpo"));
  v1::ExportRegisterRequest req;
  req.set_year(1969);
  auto context = context_within(std::chrono::seconds(10));
  auto reader = stub->ExportIncidentRegister(context.get(), req);
  v1::IncidentRegisterEntry entry;
  EXPECT_FALSE(reader->Read(&entry));
  const grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("year: 1969 is outside the supported years"));
}

TEST(RegisterStreamTest, ARegisterOfManyPagesComesOutWholeAndInOrder) {
  // 201 incidents aware at the same instant span three pages of 100: the keyset (awareness, id)
  // carries each page on from the last, none is lost or repeated across the ties; so does a
  // register of exactly one full page. A client that cancels halfway ends only its own stream.
  Termijnd server;
  auto stub = v1::Termijn::NewStub(channel_as(server, "herent-dpo"));
  const auto export_names = [&](int year) {
    v1::ExportRegisterRequest req;
    req.set_year(year);
    auto context = context_within(std::chrono::seconds(60));
    auto reader = stub->ExportIncidentRegister(context.get(), req);
    std::vector<std::string> names;
    v1::IncidentRegisterEntry entry;
    while (reader->Read(&entry)) names.push_back(entry.incident().name());
    const grpc::Status status = reader->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return names;
  };
  const auto report = [&](const std::string& aware) {
    v1::ReportIncidentRequest req;
    req.set_aware_time(aware);
    req.set_title("One of many");
    v1::Incident created;
    auto context = context_within(std::chrono::seconds(10));
    const grpc::Status status = stub->ReportIncident(context.get(), req, &created);
    ASSERT_TRUE(status.ok()) << status.error_message();
  };
  for (int i = 0; i < 100; ++i) report("2025-06-01T10:00:00+02:00");
  std::vector<std::string> expected;
  for (int i = 1; i <= 100; ++i) expected.push_back("incidents/" + std::to_string(i));
  EXPECT_EQ(export_names(2025), expected);
  for (int i = 0; i < 201; ++i) report("2026-06-01T10:00:00+02:00");
  expected.clear();
  for (int i = 101; i <= 301; ++i) expected.push_back("incidents/" + std::to_string(i));
  EXPECT_EQ(export_names(2026), expected);

  // A client that stops reading halfway ends its stream (whether the server had written it all
  // by then or not); the server serves on.
  {
    v1::ExportRegisterRequest req;
    auto context = context_within(std::chrono::seconds(60));
    auto reader = stub->ExportIncidentRegister(context.get(), req);
    v1::IncidentRegisterEntry entry;
    ASSERT_TRUE(reader->Read(&entry));
    context->TryCancel();
    while (reader->Read(&entry)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  EXPECT_EQ(export_names(2025).size(), 100u);
}

// Kortenberg counts an answer period from the identification (GDPR art. 12(6)).
class RegisterFromIdentificationTest : public ::testing::Test {
 protected:
  static TermijndOptions options() {
    TermijndOptions o;
    o.edits = {{"id = \"kortenberg\"\n",
                "id = \"kortenberg\"\nanswer_period_from = \"identification\"\n"}};
    return o;
  }
  Termijnd server_{options()};
};
TEST_F(RegisterFromIdentificationTest, OriginalDueTimeIsTheAnswersBeforeTheExtension) {
  // Kortenberg counts from the identification: after an extension, the register's
  // original_due_time is when the answer was due before it (a month after the identification),
  // not when the subject had to be told of the extension (a month after the receipt).
  //
  // Before: the column showed the extension notice's due time, 140 hours earlier here.
  const auto register_row = [&] {
    const Outcome csv = server_.cli("kortenberg-dpo", {"register", "requests", "-o", "csv"});
    EXPECT_EQ(csv.exit_code, 0) << csv.err;
    const std::vector<Row> rows = parse_csv(csv.out);
    EXPECT_EQ(rows.size(), 1u) << csv.out;
    return rows.empty() ? Row{} : rows[0];
  };
  ASSERT_EQ(server_
                .cli("kortenberg-dpo", {"request", "log", "--kind", "access", "--received-at",
                                        utc_ago(std::chrono::hours(240)), "--summary", "Inzage"})
                .exit_code,
            0);
  for (const auto& [flag, ago] : {std::pair{"--asked-at", 200}, {"--received-at", 100}}) {
    const Outcome identified = server_.cli(
        "kortenberg-dpo",
        {"request", "identification", "1", flag, utc_ago(std::chrono::hours(ago))});
    ASSERT_EQ(identified.exit_code, 0) << identified.err;
  }
  const Row before = register_row();
  EXPECT_EQ(before.at("original_due_time"), before.at("answer_due_time"));
  const Outcome extended = server_.cli(
      "kortenberg-dpo", {"request", "extend", "1", "--months", "1", "--reason", "Archief"});
  ASSERT_EQ(extended.exit_code, 0) << extended.err;
  const Row after = register_row();
  EXPECT_EQ(after.at("original_due_time"), before.at("answer_due_time"));
  EXPECT_NE(after.at("answer_due_time"), before.at("answer_due_time"));
  EXPECT_EQ(after.at("extension_months"), "1");
}

}  // namespace
}  // namespace termijn::testing
