// libFuzzer target: template rendering and notice composition. The input chooses the values of
// every field a notice shows (incident, request, parties' names and locales), and optionally a
// template of its own; compose_notice() must either refuse with a status or give a message whose
// rendered bytes keep their header block intact: CRLF line ends, every header line a known field
// or a folded continuation, no header that the input smuggled in (a "Bcc:" for instance).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <set>
#include <string>

#include "server/notify/mime.h"
#include "server/notify/notice.h"
#include "server/notify/templates.h"

namespace {

using namespace termijn;

const notify::TemplateSet& shipped() {
  static const notify::TemplateSet* set = [] {
    auto loaded = notify::TemplateSet::load(TERMIJN_TEMPLATES_DIR);
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n", loaded.status().ToString().c_str());
      std::abort();
    }
    return new notify::TemplateSet(*std::move(loaded));
  }();
  return *set;
}

void fail(const std::string& why, const std::string& bytes) {
  std::fprintf(stderr, "%s\n--- message ---\n%s\n", why.c_str(), bytes.substr(0, 4000).c_str());
  std::abort();
}

// The header block of `bytes` is well formed and holds only the fields compose_notice sets.
void check_headers(const std::string& bytes) {
  static const std::set<std::string> kKnown{"Message-ID",
                                            "Date",
                                            "From",
                                            "To",
                                            "Cc",
                                            "Reply-To",
                                            "Subject",
                                            "MIME-Version",
                                            "Content-Type",
                                            "Content-Transfer-Encoding",
                                            "Content-Disposition",
                                            "Auto-Submitted",
                                            "X-Auto-Response-Suppress",
                                            "Content-Language"};
  const size_t end = bytes.find("\r\n\r\n");
  if (end == std::string::npos) fail("no end of the header block", bytes);
  size_t pos = 0;
  while (pos < end + 2) {
    const size_t eol = bytes.find("\r\n", pos);
    const std::string line = bytes.substr(pos, eol - pos);
    if (line.find('\n') != std::string::npos || line.find('\r') != std::string::npos) {
      fail("bare CR or LF in a header line", bytes);
    }
    if (line.size() > 998) fail("header line longer than 998 bytes", bytes);
    if (!line.empty() && line[0] != ' ' && line[0] != '\t') {
      const size_t colon = line.find(':');
      if (colon == std::string::npos) fail("header line without a name: " + line, bytes);
      if (kKnown.count(line.substr(0, colon)) == 0) fail("unexpected header: " + line, bytes);
    }
    pos = eol + 2;
  }
}

domain::Instant instant(FuzzedDataProvider& in) {
  // 1970 .. 2100, to the second.
  return domain::Instant{std::chrono::seconds{in.ConsumeIntegralInRange<int64_t>(0, 4102444800)}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const domain::TimeZone* brussels = domain::TimeZone::find("Europe/Brussels");
  domain::Party herent, kortenberg;
  herent.id = "herent";
  herent.name = in.ConsumeRandomLengthString(80);
  herent.dpo = {in.ConsumeRandomLengthString(80), "dpo@herent.example"};
  herent.dpo_deputy =
      domain::Contact{in.ConsumeRandomLengthString(40), "dpo-deputy@herent.example"};
  herent.zone = brussels;
  herent.locale = in.PickValueInArray({"nl", "en", "fr", "nl-BE", ""});
  kortenberg.id = "kortenberg";
  kortenberg.name = in.ConsumeRandomLengthString(80);
  kortenberg.dpo = {in.ConsumeRandomLengthString(80), "dpo@kortenberg.example"};
  kortenberg.zone = brussels;
  kortenberg.locale = in.PickValueInArray({"nl", "en", "de", "en-GB", ""});

  domain::Incident incident;
  incident.id = in.ConsumeIntegralInRange<int64_t>(1, 1 << 30);
  incident.party = "herent";
  incident.aware_time = instant(in);
  if (in.ConsumeBool()) incident.occurred_time = instant(in);
  incident.title = in.ConsumeRandomLengthString(200);
  incident.description = in.ConsumeRandomLengthString(2000);
  incident.categories = {domain::DataCategory::kIdentification};
  if (in.ConsumeBool()) incident.categories.push_back(domain::DataCategory::kMedical);
  incident.subject_groups = {domain::SubjectGroup::kClients};
  incident.subject_count = in.ConsumeIntegral<int64_t>();
  incident.risk = in.PickValueInArray(
      {domain::Risk::kUnknown, domain::Risk::kNone, domain::Risk::kRisk, domain::Risk::kHigh});
  incident.ticket_ref = in.ConsumeRandomLengthString(60);
  incident.reported_by = in.ConsumeRandomLengthString(40);
  incident.measures = in.ConsumeRandomLengthString(200);
  incident.consequences = in.ConsumeRandomLengthString(200);

  domain::Obligation breach;
  breach.id = in.ConsumeIntegralInRange<int64_t>(1, 1 << 30);
  breach.incident_id = incident.id;
  breach.rule = "protocol.breach_notice";
  breach.legal_basis = in.ConsumeRandomLengthString(60);
  breach.owner_party = "herent";
  breach.recipient_party = "kortenberg";
  breach.due_time = instant(in);
  breach.legal_due_time = instant(in);
  breach.explanation = in.ConsumeRandomLengthString(300);

  notify::TemplateSet own;
  const notify::TemplateSet* templates = &shipped();
  if (in.ConsumeBool()) {
    // A template of the fuzzer's own in place of the shipped one: parsed, then rendered.
    const std::string text = in.ConsumeRandomLengthString(1000);
    if (own.add("protocol.breach_notice.en.txt", text).ok()) {
      templates = &own;
      kortenberg.locale = "en";
    }
  }
  const std::vector<domain::FieldChange> changes{
      {"title", in.ConsumeRandomLengthString(60), incident.title},
      {in.ConsumeRandomLengthString(20), in.ConsumeRandomLengthString(40), "x"}};
  const notify::NoticeContext context{herent,
                                      kortenberg,
                                      breach,
                                      &incident,
                                      nullptr,
                                      in.ConsumeIntegralInRange<int64_t>(1, 1 << 30),
                                      "termijn@herent.example",
                                      instant(in),
                                      in.ConsumeBool() ? &changes : nullptr};
  const auto message = notify::compose_notice(*templates, context);
  if (!message.ok()) return 0;
  if (const auto s = notify::check_message(*message); !s.ok()) return 0;
  check_headers(notify::render_message(*message));
  return 0;
}
