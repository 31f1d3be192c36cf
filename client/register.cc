// termijn register incidents|requests: the breach register (GDPR art. 33(5)) and the register
// of requests, as CSV, JSON lines or a table.
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "client/context.h"
#include "client/csv.h"
#include "proto/enum_names.h"
#include "server/domain/time.h"

namespace termijn::cli {

namespace {

constexpr const char* kAnswerRule = "gdpr.art12_response";
constexpr const char* kExtensionNoticeRule = "gdpr.art12_extension_notice";

// ISO 8601 in the party's zone ("2026-11-27T14:20:00+01:00"); empty when not set.
std::string iso(const google::protobuf::Timestamp& t, bool set, const std::string& zone) {
  if (!set) return "";
  const domain::TimeZone* tz = domain::TimeZone::find(zone);
  if (tz == nullptr) tz = domain::TimeZone::find("UTC");
  return domain::format_rfc3339(domain::Instant{std::chrono::seconds{t.seconds()}}, *tz);
}

// "identification, medical"
template <typename E>
std::string spellings(const google::protobuf::RepeatedField<int>& values) {
  std::string out;
  for (const int v : values) out += (out.empty() ? "" : ", ") + v1::spelling(static_cast<E>(v));
  return out;
}

std::string recipient_of(const v1::Obligation& o) {
  return o.recipient().party().empty() ? v1::spelling(o.recipient().kind())
                                       : o.recipient().party() + " dpo";
}

const v1::RegisterDuty* duty_of(const google::protobuf::RepeatedPtrField<v1::RegisterDuty>& duties,
                                const std::string& rule) {
  for (const v1::RegisterDuty& d : duties) {
    if (d.obligation().rule() == rule) return &d;
  }
  return nullptr;
}

// A duty's outcome, closing time and evidence or waiver reason: three columns, empty when the
// record has no such duty.
std::vector<std::string> decision(const v1::RegisterDuty* d, const std::string& zone) {
  if (d == nullptr) return {"", "", ""};
  const v1::Obligation& o = d->obligation();
  return {v1::spelling(d->timeliness()), iso(o.closed_time(), o.has_closed_time(), zone),
          o.evidence()};
}

// Every duty, one per line: what, to whom, by when, how it was kept and why.
std::string all_duties(const google::protobuf::RepeatedPtrField<v1::RegisterDuty>& duties,
                       const std::string& zone) {
  std::string out;
  for (const v1::RegisterDuty& d : duties) {
    const v1::Obligation& o = d.obligation();
    if (!out.empty()) out += "\n";
    out += o.name() + " " + o.rule() + " -> " + recipient_of(o) + ": due " +
           iso(o.due_time(), true, zone) + ", legal limit " + iso(o.legal_due_time(), true, zone) +
           "; " + v1::spelling(d.timeliness());
    if (o.has_closed_time()) out += " " + iso(o.closed_time(), true, zone);
    if (!o.closed_by().empty()) out += " by " + o.closed_by();
    if (!o.evidence().empty()) out += ": " + o.evidence();
  }
  return out;
}

std::string count(int64_t n) { return n == 0 ? "" : std::to_string(n); }

const std::vector<std::string> kIncidentColumns{
    "incident",        "party",      "aware_time",     "occurred_time",  "recorded_time",
    "reported_by",     "title",      "description",    "categories",     "subject_groups",
    "subject_count",   "risk",       "consequences",   "measures",       "external_ref",
    "art33_authority", "art33_time", "art33_evidence", "art34_subjects", "art34_time",
    "art34_evidence",  "duties",     "close_time",     "closed_by",      "closing_summary"};

std::vector<std::string> incident_row(const v1::IncidentRegisterEntry& e) {
  const v1::Incident& i = e.incident();
  const std::string& z = e.time_zone();
  std::vector<std::string> row{
      i.name(),
      i.party(),
      iso(i.aware_time(), i.has_aware_time(), z),
      iso(i.occurred_time(), i.has_occurred_time(), z),
      iso(i.create_time(), i.has_create_time(), z),
      i.reported_by(),
      i.title(),
      i.description(),
      spellings<v1::DataCategory>(i.categories()),
      spellings<v1::SubjectGroup>(i.subject_groups()),
      count(i.subject_count()),
      i.risk() == v1::RISK_UNSPECIFIED ? "not assessed" : v1::spelling(i.risk()),
      i.consequences(),
      i.measures(),
      i.external_ref()};
  for (const char* rule : {"gdpr.art33_authority", "gdpr.art34_subjects"}) {
    for (std::string& column : decision(duty_of(e.duties(), rule), z)) {
      row.push_back(std::move(column));
    }
  }
  row.push_back(all_duties(e.duties(), z));
  row.push_back(iso(i.close_time(), i.has_close_time(), z));
  row.push_back(i.closed_by());
  row.push_back(i.closing_summary());
  return row;
}

const std::vector<std::string> kRequestColumns{"request",
                                               "party",
                                               "kind",
                                               "received_time",
                                               "recorded_time",
                                               "logged_by",
                                               "summary",
                                               "external_ref",
                                               "copy",
                                               "original_due_time",
                                               "extension_months",
                                               "extension_reason",
                                               "extend_time",
                                               "answer_due_time",
                                               "answer_legal_limit",
                                               "answer",
                                               "answer_time",
                                               "answer_evidence",
                                               "duties",
                                               "close_time",
                                               "closed_by",
                                               "closing_summary"};

std::vector<std::string> request_row(const v1::RequestRegisterEntry& e) {
  const v1::Request& r = e.request();
  const std::string& z = e.time_zone();
  const v1::RegisterDuty* answer = duty_of(e.duties(), kAnswerRule);
  // GDPR art. 12(3): the subject is told of an extension by the original deadline, so the due
  // time of that duty is the answer's original due time.
  const v1::RegisterDuty* extension = duty_of(e.duties(), kExtensionNoticeRule);
  const std::string copy =
      r.has_copy() ? r.copy().file_name() + " (sha256 " + r.copy().sha256() + ")" : "";
  std::vector<std::string> row{r.name(),
                               r.party(),
                               v1::spelling(r.kind()),
                               iso(r.receive_time(), r.has_receive_time(), z),
                               iso(r.create_time(), r.has_create_time(), z),
                               r.logged_by(),
                               r.summary(),
                               r.external_ref(),
                               copy,
                               extension
                                   ? iso(extension->obligation().due_time(), true, z)
                                   : (answer ? iso(answer->obligation().due_time(), true, z) : ""),
                               count(r.extension_months()),
                               r.extension_reason(),
                               iso(r.extend_time(), r.has_extend_time(), z),
                               answer ? iso(answer->obligation().due_time(), true, z) : "",
                               answer ? iso(answer->obligation().legal_due_time(), true, z) : ""};
  for (std::string& column : decision(answer, z)) row.push_back(std::move(column));
  row.push_back(all_duties(e.duties(), z));
  row.push_back(iso(r.close_time(), r.has_close_time(), z));
  row.push_back(r.closed_by());
  row.push_back(r.closing_summary());
  return row;
}

std::vector<std::string> incident_table_row(const v1::IncidentRegisterEntry& e) {
  const v1::Incident& i = e.incident();
  const v1::RegisterDuty* art33 = duty_of(e.duties(), "gdpr.art33_authority");
  const v1::RegisterDuty* art34 = duty_of(e.duties(), "gdpr.art34_subjects");
  return {i.name(),
          local_time(i.aware_time(), e.time_zone()),
          i.risk() == v1::RISK_UNSPECIFIED ? "-" : v1::spelling(i.risk()),
          art33 ? v1::spelling(art33->timeliness()) : "-",
          art34 ? v1::spelling(art34->timeliness()) : "-",
          i.has_close_time() ? "closed" : "open",
          i.title()};
}

std::vector<std::string> request_table_row(const v1::RequestRegisterEntry& e) {
  const v1::Request& r = e.request();
  const v1::RegisterDuty* answer = duty_of(e.duties(), kAnswerRule);
  return {r.name(),
          v1::spelling(r.kind()),
          local_time(r.receive_time(), e.time_zone()),
          answer ? local_time(answer->obligation().due_time(), e.time_zone()) : "-",
          answer ? v1::spelling(answer->timeliness()) : "-",
          r.has_close_time() ? "closed" : "open",
          r.summary()};
}

// Where the register goes: stdout, or FILE through FILE.part, renamed into place only when the
// whole register arrived, so that a failed export leaves no partial register behind.
class Sink {
 public:
  explicit Sink(std::string path) : path_(std::move(path)) {
    if (path_.empty()) return;
    file_ = std::make_unique<std::ofstream>(part(), std::ios::binary | std::ios::trunc);
    if (!*file_) throw CliError(2, "--file: cannot write " + part());
  }
  ~Sink() {
    if (file_ && !committed_) {
      file_.reset();
      std::error_code ignored;
      std::filesystem::remove(part(), ignored);
    }
  }
  std::ostream& out() { return file_ ? *file_ : std::cout; }
  void commit() {
    out().flush();
    if (!file_) return;
    const bool written = static_cast<bool>(*file_);
    file_->close();
    std::error_code error;
    if (written) std::filesystem::rename(part(), path_, error);
    if (!written || error) throw CliError(1, "--file: cannot write " + path_);
    committed_ = true;
  }

 private:
  std::string part() const { return path_ + ".part"; }
  std::string path_;
  std::unique_ptr<std::ofstream> file_;
  bool committed_ = false;
};

// A table row in columns of `widths` characters (the last column takes the rest).
std::string table_line(const std::vector<std::string>& cells, const std::vector<int>& widths) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    line += cells[i];
    if (i + 1 == cells.size()) break;
    const int pad = widths[i] - static_cast<int>(cells[i].size());
    line += std::string(std::max(pad, 0) + 1, ' ');
  }
  return line + "\n";
}

struct Table {
  std::vector<std::string> columns;
  std::vector<int> widths;
};

const Table kIncidentTable{{"INCIDENT", "AWARE", "RISK", "ART.33", "ART.34", "STATE", "TITLE"},
                           {14, 27, 12, 18, 18, 6}};
const Table kRequestTable{
    {"REQUEST", "KIND", "RECEIVED", "ANSWER DUE", "ANSWER", "STATE", "SUMMARY"},
    {14, 18, 27, 27, 18, 6}};

struct RegisterOptions {
  std::string party;
  int year = 0;
  std::string file;
};

// Streams one register: `call` opens the stream, `columns` and `row` make CSV, `table_columns`
// and `table_row` the table; JSON is one entry per line (JSON lines).
template <typename Entry, typename Call, typename Row, typename TableRow>
void export_register(Context& ctx, const RegisterOptions& o, Call call,
                     const std::vector<std::string>& columns, Row row, const Table& table,
                     TableRow table_row) {
  v1::ExportRegisterRequest req;
  req.set_party(o.party);
  req.set_year(o.year);
  auto context = ctx.call_context();
  // A register is read page by page while it is written out: allow far longer than one call.
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(30));
  std::unique_ptr<grpc::ClientReader<Entry>> reader = call(ctx.stub(), context.get(), req);
  Sink sink(o.file);
  std::ostream& out = sink.out();
  // The header goes out with the first entry, or at the end of an empty register: a refused
  // export prints nothing but its error.
  bool started = false;
  const auto start = [&] {
    if (started) return;
    started = true;
    if (ctx.output == "csv") {
      out << kUtf8Bom << csv_record(columns);
    } else if (ctx.output == "table") {
      out << table_line(table.columns, table.widths);
    }
  };
  google::protobuf::util::JsonPrintOptions json;
  json.add_whitespace = false;
  Entry entry;
  while (reader->Read(&entry)) {
    start();
    if (ctx.output == "csv") {
      out << csv_record(row(entry));
    } else if (ctx.output == "json") {
      std::string line;
      if (!google::protobuf::util::MessageToJsonString(entry, &line, json).ok()) {
        throw CliError(1, "cannot print the register as JSON");
      }
      out << line << "\n";
    } else {
      out << table_line(table_row(entry), table.widths);
    }
  }
  check(reader->Finish());
  start();
  sink.commit();
}

}  // namespace

void add_register_commands(CLI::App& app, Context& ctx) {
  CLI::App* reg = app.add_subcommand(
      "register",
      "The registers: every incident (GDPR art. 33(5)) or request of a party, with its duties");
  reg->require_subcommand(1);
  auto options = std::make_shared<RegisterOptions>();
  const auto add_common = [&](CLI::App* sub) {
    sub->add_option("--year", options->year,
                    "only records of this year (awareness or receipt, in the party's zone)")
        ->check(CLI::Range(1970, 2100));
    sub->add_option("--party", options->party, "whose register (default: your own)");
    sub->add_option("--file", options->file,
                    "write the register to FILE (only once complete) instead of stdout");
  };

  CLI::App* incidents = reg->add_subcommand("incidents", "The breach register (GDPR art. 33(5))");
  add_common(incidents);
  incidents->callback([&ctx, options] {
    export_register<v1::IncidentRegisterEntry>(
        ctx, *options,
        [](v1::Termijn::Stub& stub, grpc::ClientContext* c, const v1::ExportRegisterRequest& r) {
          return stub.ExportIncidentRegister(c, r);
        },
        kIncidentColumns, incident_row, kIncidentTable, incident_table_row);
  });

  CLI::App* requests = reg->add_subcommand("requests", "The register of requests");
  add_common(requests);
  requests->callback([&ctx, options] {
    export_register<v1::RequestRegisterEntry>(
        ctx, *options,
        [](v1::Termijn::Stub& stub, grpc::ClientContext* c, const v1::ExportRegisterRequest& r) {
          return stub.ExportRequestRegister(c, r);
        },
        kRequestColumns, request_row, kRequestTable, request_table_row);
  });
}

}  // namespace termijn::cli
