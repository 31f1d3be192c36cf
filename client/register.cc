// termijn register incidents|requests: the breach register (GDPR art. 33(5)) and the register
// of requests, as CSV, JSON lines or a table.
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include "client/context.h"
#include "client/csv.h"
#include "client/private_file.h"
#include "client/register_csv.h"
#include "client/table.h"
#include "proto/enum_names.h"
#include "server/domain/time.h"
#include "server/domain/utf8.h"

namespace termijn::cli {

namespace {

std::vector<std::string> incident_table_row(const v1::IncidentRegisterEntry& e) {
  const v1::Incident& i = e.incident();
  const v1::RegisterDuty* art33 = duty_of(e.duties(), "gdpr.art33_authority");
  const v1::RegisterDuty* art34 = duty_of(e.duties(), "gdpr.art34_subjects");
  return {i.name(),
          local_time(i.aware_time(), e.time_zone()),
          i.risk() == v1::RISK_UNSPECIFIED ? "not assessed" : v1::spelling(i.risk()),
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

// A table row in columns of `widths` characters (the last column takes the rest): fixed, so
// that a register streams row by row; each cell on one line (a summary keeps its line breaks).
std::string table_line(const std::vector<std::string>& cells, const std::vector<int>& widths) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    const std::string cell = one_line(cells[i]);
    line += cell;
    if (i + 1 == cells.size()) break;
    const int pad = widths[i] - static_cast<int>(domain::utf8_chars(cell));
    line += std::string(std::max(pad, 0) + 1, ' ');
  }
  return line + "\n";
}

// The longest timeliness: "overdue-beyond-legal-limit".
constexpr int kTimelinessWidth = 26;

struct TableLayout {
  std::vector<std::string> columns;
  std::vector<int> widths;
};

const TableLayout kIncidentTable{
    {"INCIDENT", "AWARE", "RISK", "ART.33", "ART.34", "STATE", "TITLE"},
    {14, 27, 12, kTimelinessWidth, kTimelinessWidth, 6}};
const TableLayout kRequestTable{
    {"REQUEST", "KIND", "RECEIVED", "ANSWER DUE", "ANSWER", "STATE", "SUMMARY"},
    {14, 18, 27, 27, kTimelinessWidth, 6}};

struct RegisterOptions {
  std::string party;
  int year = 0;
  std::string file;
};

// Streams one register: `call` opens the stream, `columns` and `row` make CSV, `table_columns`
// and `table_row` the table; JSON is one entry per line (JSON lines).
template <typename Entry, typename Call, typename Row, typename TableRow>
void export_register(Context& ctx, const RegisterOptions& o, Call call,
                     const std::vector<std::string>& columns, Row row, const TableLayout& table,
                     TableRow table_row) {
  v1::ExportRegisterRequest req;
  req.set_party(o.party);
  req.set_year(o.year);
  auto context = ctx.call_context();
  // A register is read page by page while it is written out: allow far longer than one call.
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(30));
  std::unique_ptr<grpc::ClientReader<Entry>> reader = call(ctx.stub(), context.get(), req);
  Output sink(o.file);
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
      "The registers: every incident (GDPR art. 33(5)) or request of a party, with its duties; "
      "-o table, csv (UTF-8 with BOM, RFC 4180) or json (JSON lines)");
  reg->require_subcommand(1);
  auto options = std::make_shared<RegisterOptions>();
  // `event` says which time of a record its year is taken from.
  const auto add_common = [&](CLI::App* sub, const std::string& event) {
    sub->add_option("--year", options->year,
                    "only the records " + event + " in this year, in the party's time zone")
        ->check(CLI::Range(1970, 2100));
    sub->add_option("--party", options->party, "whose register (default: your own)");
    sub->add_option("--file", options->file,
                    "write the register to FILE, once it is complete, instead of to stdout")
        ->type_name(kLocalFile);
  };

  CLI::App* incidents = reg->add_subcommand("incidents", "The breach register (GDPR art. 33(5))");
  add_common(incidents, "the party became aware of");
  incidents->callback([&ctx, options] {
    export_register<v1::IncidentRegisterEntry>(
        ctx, *options,
        [](v1::Termijn::Stub& stub, grpc::ClientContext* c, const v1::ExportRegisterRequest& r) {
          return stub.ExportIncidentRegister(c, r);
        },
        kIncidentColumns, incident_row, kIncidentTable, incident_table_row);
  });

  CLI::App* requests = reg->add_subcommand("requests", "The register of requests");
  add_common(requests, "received");
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
