#include "client/register_csv.h"

#include "proto/enum_names.h"
#include "server/domain/rules.h"
#include "server/domain/time.h"

namespace termijn::cli {

const char* const kAnswerRule = domain::rule_id::kAnswer;

std::string recipient_of(const v1::Obligation& o) {
  return o.recipient().party().empty() ? v1::spelling(o.recipient().kind())
                                       : o.recipient().party() + " dpo";
}

namespace {

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

}  // namespace

const v1::RegisterDuty* duty_of(const google::protobuf::RepeatedPtrField<v1::RegisterDuty>& duties,
                                const std::string& rule) {
  for (const v1::RegisterDuty& d : duties) {
    if (d.obligation().rule() == rule) return &d;
  }
  return nullptr;
}

namespace {

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

}  // namespace

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
  for (const char* rule : {domain::rule_id::kAuthorityNotice, domain::rule_id::kSubjectsNotice}) {
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
  const std::string copy =
      r.has_copy() ? r.copy().file_name() + " (sha256 " + r.copy().sha256() + ")" : "";
  std::vector<std::string> row{
      r.name(),
      r.party(),
      v1::spelling(r.kind()),
      iso(r.receive_time(), r.has_receive_time(), z),
      iso(r.create_time(), r.has_create_time(), z),
      r.logged_by(),
      r.summary(),
      r.external_ref(),
      copy,
      iso(e.answer_original_due_time(), e.has_answer_original_due_time(), z),
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

}  // namespace termijn::cli
