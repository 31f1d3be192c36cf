#include "server/notify/notice.h"

#include <openssl/evp.h>

#include <array>
#include <cctype>
#include <map>
#include <sstream>
#include <utility>
#include <vector>

#include "server/domain/rules.h"
#include "server/notify/ics.h"
#include "server/notify/mime.h"

namespace termijn::notify {
namespace {

using domain::DataCategory;

constexpr std::string_view kBreachRule = domain::rule_id::kBreachNotice;
constexpr std::string_view kRequestRule = domain::rule_id::kRequestNotice;
// One template serves the notices of every protocol matter; the rule's values fill it in.
constexpr std::string_view kMatterTemplate = "protocol.matter_notice";

// The words a notice needs besides its template, per language. The arrays follow the order of
// the enums in server/domain/model.h.
struct Labels {
  std::array<std::string_view, 6> categories;  // DataCategory
  std::array<std::string_view, 3> groups;      // SubjectGroup
  std::array<std::string_view, 4> risks;       // Risk
  std::array<std::string_view, 8> kinds;       // RequestKind
  std::string_view unknown;
  std::string_view not_given;
  std::string_view none;
  std::string_view copy_attached;  // {file} {type} {size} {sha256}
  std::string_view copy_absent;
  std::string_view calendar_summary;             // {rule} {reference} {owner}
  std::string_view calendar_description;         // {basis} {due} {legal} {ack}
  std::array<std::string_view, 6> matter_kinds;  // MatterKind
};

// A new enumerator must get a label in every language: these fail the build until it has.
static_assert(static_cast<size_t>(DataCategory::kCriminal) + 1 == 6);
static_assert(static_cast<size_t>(domain::SubjectGroup::kRepresentatives) + 1 == 3);
static_assert(static_cast<size_t>(domain::Risk::kHigh) + 1 == 4);
static_assert(static_cast<size_t>(domain::RequestKind::kAuthorityMessage) + 1 == 8);
static_assert(static_cast<size_t>(domain::MatterKind::kTerminationArt18) + 1 == 6);

constexpr Labels kDutch{
    {"identificatiegegevens", "contactgegevens", "financiële gegevens", "planningsgegevens",
     "gezondheidsgegevens (art. 9 AVG)", "gerechtelijke gegevens (art. 10 AVG)"},
    {"personeel", "cliënten", "wettelijke vertegenwoordigers"},
    {"nog niet ingeschat", "geen risico", "risico", "hoog risico"},
    {"verzoek tot inzage (art. 15 AVG)", "verzoek tot rectificatie (art. 16 AVG)",
     "verzoek tot wissing (art. 17 AVG)", "verzoek tot beperking van de verwerking (art. 18 AVG)",
     "verzoek tot overdraagbaarheid van gegevens (art. 20 AVG)",
     "bezwaar tegen de verwerking (art. 21 AVG)",
     "verzoek over geautomatiseerde besluitvorming (art. 22 AVG)",
     "bericht van de toezichthoudende autoriteit"},
    "onbekend",
    "niet opgegeven",
    "geen",
    "bijgevoegd als {file} ({type}, {size} bytes, SHA-256 {sha256})",
    "er werd geen kopie geregistreerd; vraag die op bij de functionaris voor de "
    "gegevensbescherming van de melder",
    "Termijn {rule}: {reference} ({owner})",
    "Uiterste tijdstip ({basis}): {due}.\nWettelijke grens: {legal}.\nOntvangst bevestigen: {ack}",
    {"vaststelling over de kwaliteit van de gegevens (art. 12 protocol)",
     "wijziging van wetgeving (art. 15 protocol)",
     "wijziging omtrent de verwerkers (art. 15 protocol)",
     "vertrek van een personeelslid (art. 9 protocol)",
     "beëindiging wegens niet-naleving (art. 10 protocol)",
     "opzegging van het protocol (art. 18 protocol)"},
};

constexpr Labels kEnglish{
    {"identification data", "contact details", "financial data", "scheduling data",
     "health data (GDPR art. 9)", "criminal-records data (GDPR art. 10)"},
    {"staff", "clients", "legal representatives"},
    {"not yet assessed", "no risk", "risk", "high risk"},
    {"access request (GDPR art. 15)", "rectification request (GDPR art. 16)",
     "erasure request (GDPR art. 17)", "request to restrict processing (GDPR art. 18)",
     "data portability request (GDPR art. 20)", "objection to processing (GDPR art. 21)",
     "request about automated decision-making (GDPR art. 22)",
     "message from the supervisory authority"},
    "unknown",
    "not given",
    "none",
    "attached as {file} ({type}, {size} bytes, SHA-256 {sha256})",
    "no copy was recorded; ask the reporting party's data protection officer for it",
    "Deadline {rule}: {reference} ({owner})",
    "Due ({basis}): {due}.\nLegal limit: {legal}.\nAcknowledge receipt: {ack}",
    {"finding about the quality of the data (protocol art. 12)", "change in law (protocol art. 15)",
     "change concerning the processors (protocol art. 15)",
     "departure of a staff member (protocol art. 9)",
     "termination for non-compliance (protocol art. 10)",
     "notice of termination of the protocol (protocol art. 18)"},
};

// Labels exist in Dutch and English; any other language gets English (as the templates do).
const Labels& labels_for(const std::string& locale) {
  return locale == "nl" || locale.rfind("nl-", 0) == 0 ? kDutch : kEnglish;
}

// Replaces each "{key}" in `pattern`.
std::string fill(std::string_view pattern,
                 std::initializer_list<std::pair<std::string_view, std::string>> values) {
  std::string out(pattern);
  for (const auto& [key, value] : values) {
    const std::string token = "{" + std::string(key) + "}";
    for (size_t pos = out.find(token); pos != std::string::npos;
         pos = out.find(token, pos + value.size())) {
      out.replace(pos, token.size(), value);
    }
  }
  return out;
}

template <typename Enum, size_t N>
std::string_view label(const std::array<std::string_view, N>& names, Enum value) {
  const auto i = static_cast<size_t>(value);
  return i < N ? names[i] : std::string_view("?");
}

template <typename Enum, size_t N>
std::string label_list(const std::array<std::string_view, N>& names,
                       const std::vector<Enum>& values, std::string_view empty) {
  if (values.empty()) return std::string(empty);
  std::string out;
  for (Enum v : values) {
    if (!out.empty()) out += ", ";
    out += label(names, v);
  }
  return out;
}

std::string or_default(const std::string& text, std::string_view fallback) {
  return text.empty() ? std::string(fallback) : text;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

std::string domain_of(const std::string& address) {
  const size_t at = address.rfind('@');
  return at == std::string::npos ? "" : address.substr(at + 1);
}

// The name of a changed incident field, as a follow-up notice shows it.
std::string_view field_label(std::string_view path, bool dutch) {
  static const std::map<std::string_view, std::pair<std::string_view, std::string_view>> kLabels{
      {"description", {"Beschrijving", "Description"}},
      {"occurred_time", {"Tijdstip van de inbreuk", "Time of the breach"}},
      {"categories", {"Categorieën van persoonsgegevens", "Categories of personal data"}},
      {"subject_groups", {"Categorieën van betrokkenen", "Categories of data subjects"}},
      {"subject_count", {"Geschat aantal betrokkenen", "Estimated number of data subjects"}},
      {"risk", {"Ingeschat risico", "Assessed risk"}},
      {"consequences", {"Waarschijnlijke gevolgen", "Likely consequences"}},
      {"measures", {"Genomen maatregelen", "Measures taken"}},
      {"ticket_ref", {"Ticket", "Ticket"}}};
  const auto it = kLabels.find(path);
  if (it == kLabels.end()) return path;
  return dutch ? it->second.first : it->second.second;
}

template <typename Enum, size_t N>
std::string labels_of_names(const std::array<std::string_view, N>& names, const std::string& joined,
                            std::string_view empty) {
  std::vector<Enum> values;
  std::istringstream in(joined);
  for (std::string name; std::getline(in, name, ',');) {
    if (const auto v = domain::parse_name<Enum>(name)) values.push_back(*v);
  }
  return label_list(names, values, empty);
}

// A changed field's value (as stored: names, RFC 3339 UTC) in the reader's language.
std::string shown_value(const std::string& path, const std::string& value, const Labels& l,
                        const domain::TimeZone& zone) {
  if (value.empty()) return std::string(l.not_given);
  if (path == "risk") {
    const auto risk = domain::parse_name<domain::Risk>(value);
    return risk ? std::string(label(l.risks, *risk)) : value;
  }
  if (path == "categories") return labels_of_names<DataCategory>(l.categories, value, l.not_given);
  if (path == "subject_groups") {
    return labels_of_names<domain::SubjectGroup>(l.groups, value, l.not_given);
  }
  if (path == "occurred_time") {
    const domain::ParsedTime t = domain::parse_time(value, zone);
    return t.ok() ? domain::format_local(t.instant, zone) : value;
  }
  return value;
}

// One paragraph per changed field: its name, what it was and what it is now.
std::string describe_changes(const std::vector<domain::FieldChange>& changes,
                             const std::string& locale, const domain::TimeZone& zone) {
  const bool dutch = &labels_for(locale) == &kDutch;
  const Labels& l = labels_for(locale);
  std::string out;
  for (const domain::FieldChange& c : changes) {
    out += "  - " + std::string(field_label(c.field, dutch)) + "\n";
    out += std::string(dutch ? "      voorheen: " : "      was: ") +
           shown_value(c.field, c.before, l, zone) + "\n";
    out += std::string(dutch ? "      nu:       " : "      now: ") +
           shown_value(c.field, c.after, l, zone) + "\n";
  }
  return out;
}

std::string ack_command(int64_t notification_id) {
  return "termijn notification ack " + std::to_string(notification_id);
}

absl::Status check_context(const NoticeContext& ctx) {
  const domain::Obligation& o = ctx.obligation;
  if ((ctx.incident != nullptr) + (ctx.request != nullptr) + (ctx.matter != nullptr) != 1) {
    return absl::InvalidArgumentError(
        "a notice is about exactly one incident, one request or one matter");
  }
  if (ctx.matter != nullptr && (o.matter_id != ctx.matter->id || o.matter_id == 0)) {
    return absl::InvalidArgumentError("obligation " + std::to_string(o.id) +
                                      " is not about matter " + std::to_string(ctx.matter->id));
  }
  if (ctx.incident != nullptr && (o.incident_id != ctx.incident->id || o.incident_id == 0)) {
    return absl::InvalidArgumentError("obligation " + std::to_string(o.id) +
                                      " is not about incident " + std::to_string(ctx.incident->id));
  }
  if (ctx.request != nullptr && (o.request_id != ctx.request->id || o.request_id == 0)) {
    return absl::InvalidArgumentError("obligation " + std::to_string(o.id) +
                                      " is not about request " + std::to_string(ctx.request->id));
  }
  const std::string& subject_party = ctx.incident  ? ctx.incident->party
                                     : ctx.request ? ctx.request->party
                                                   : ctx.matter->party;
  if (o.owner_party != ctx.owner.id || subject_party != ctx.owner.id) {
    return absl::InvalidArgumentError("obligation " + std::to_string(o.id) + " is owned by '" +
                                      o.owner_party + "', not by '" + ctx.owner.id + "'");
  }
  if (o.recipient_kind != domain::RecipientKind::kPartyDpo ||
      o.recipient_party != ctx.recipient.id) {
    return absl::InvalidArgumentError("obligation " + std::to_string(o.id) +
                                      " is not towards the DPO of '" + ctx.recipient.id + "'");
  }
  if (ctx.owner.zone == nullptr) {
    return absl::FailedPreconditionError("party '" + ctx.owner.id + "' has no time zone");
  }
  if (ctx.notification_id <= 0) return absl::InvalidArgumentError("no notification id");
  if (ctx.created_time == domain::Instant{}) {
    return absl::InvalidArgumentError("notification " + std::to_string(ctx.notification_id) +
                                      " has no created_time");
  }
  if (!is_valid_email(ctx.from_address)) {
    return absl::InvalidArgumentError("from address '" + ctx.from_address +
                                      "' is not a valid e-mail address");
  }
  if (!is_valid_email(ctx.recipient.dpo.email)) {
    return absl::InvalidArgumentError("the DPO of '" + ctx.recipient.id +
                                      "' has no valid e-mail address");
  }
  if (ctx.request != nullptr && ctx.request->copy.has_value()) {
    const domain::Attachment& copy = *ctx.request->copy;
    if (static_cast<int64_t>(copy.bytes.size()) != copy.size) {
      return absl::FailedPreconditionError(
          "the copy of request " + std::to_string(ctx.request->id) + " has " +
          std::to_string(copy.size) + " bytes but " + std::to_string(copy.bytes.size()) +
          " were loaded; load the bytes before composing the notice");
    }
    if (!copy.sha256.empty() && sha256_hex(copy.bytes) != copy.sha256) {
      return absl::DataLossError("the copy of request " + std::to_string(ctx.request->id) +
                                 " does not match its SHA-256 " + copy.sha256);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TemplateValues> notice_values(const NoticeContext& ctx, const std::string& locale) {
  if (absl::Status status = check_context(ctx); !status.ok()) return status;
  const Labels& l = labels_for(locale);
  const domain::TimeZone& zone = *ctx.owner.zone;
  auto local = [&](domain::Instant t) { return domain::format_local(t, zone); };
  const domain::Obligation& o = ctx.obligation;
  const std::string legal_basis = domain::legal_basis_in(o.rule, o.legal_basis, &l == &kDutch);

  TemplateValues v{
      {"notification_id", std::to_string(ctx.notification_id)},
      {"ack_command", ack_command(ctx.notification_id)},
      {"reference", o.subject()},
      {"rule", o.rule},
      {"legal_basis", legal_basis},
      {"owner_party", or_default(ctx.owner.name, ctx.owner.id)},
      {"owner_party_id", ctx.owner.id},
      {"owner_dpo_name", dpo_name(ctx.owner.dpo, &l == &kDutch)},
      {"owner_dpo_email", ctx.owner.dpo.email},
      {"recipient_party", or_default(ctx.recipient.name, ctx.recipient.id)},
      {"recipient_dpo_name", dpo_name(ctx.recipient.dpo, &l == &kDutch)},
      {"due_time", local(o.due_time)},
      {"legal_due_time", local(o.legal_due_time)},
      {"deadline_explanation", o.explanation},
  };
  if (const domain::Incident* i = ctx.incident) {
    v["reporter"] = or_default(i->reported_by, l.unknown);
    v["title"] = i->title;
    v["description"] = or_default(i->description, l.not_given);
    v["aware_time"] = local(i->aware_time);
    v["occurred_time"] = i->occurred_time ? local(*i->occurred_time) : std::string(l.unknown);
    v["data_categories"] = label_list(l.categories, i->categories, l.not_given);
    v["subject_groups"] = label_list(l.groups, i->subject_groups, l.not_given);
    v["subject_count"] =
        i->subject_count ? std::to_string(*i->subject_count) : std::string(l.unknown);
    v["risk"] = std::string(label(l.risks, i->risk));
    v["ticket_ref"] = or_default(i->ticket_ref, l.none);
    // What is known when the notice is composed: measures recorded while it was held (or its
    // mail server down) go with the first notice too.
    v["consequences"] = or_default(i->consequences, l.not_given);
    v["measures"] = or_default(i->measures, l.not_given);
    if (ctx.changes != nullptr) v["changes"] = describe_changes(*ctx.changes, locale, zone);
  } else if (const domain::Matter* m = ctx.matter) {
    v["matter_kind"] = std::string(label(l.matter_kinds, m->kind));
    v["event_time"] = local(m->event_time);
    v["summary"] = or_default(m->summary, l.not_given);
    v["reporter"] = or_default(m->reported_by, l.unknown);
    const domain::Rule* rule = domain::find_rule(o.rule);
    v["duty"] =
        rule == nullptr ? o.rule : std::string(&l == &kDutch ? rule->duty_nl : rule->duty_en);
  } else {
    const domain::Request& r = *ctx.request;
    v["request_kind"] = std::string(label(l.kinds, r.kind));
    v["receive_time"] = local(r.receive_time);
    v["summary"] = or_default(r.summary, l.not_given);
    v["logged_by"] = or_default(r.logged_by, l.unknown);
    v["copy"] = r.copy ? fill(l.copy_attached, {{"file", r.copy->file_name},
                                                {"type", r.copy->media_type},
                                                {"size", std::to_string(r.copy->size)},
                                                {"sha256", sha256_hex(r.copy->bytes)}})
                       : std::string(l.copy_absent);
  }
  return v;
}

absl::StatusOr<MailMessage> compose_notice(const TemplateSet& templates, const NoticeContext& ctx) {
  if (absl::Status status = check_context(ctx); !status.ok()) return status;
  const domain::Obligation& o = ctx.obligation;
  const std::string template_name = ctx.matter != nullptr    ? std::string(kMatterTemplate)
                                    : ctx.changes != nullptr ? o.rule + ".update"
                                                             : o.rule;
  const std::string locale = templates.resolve_locale(template_name, ctx.recipient.locale);
  if (locale.empty()) {
    return absl::NotFoundError("no mail template for " + template_name + " in '" +
                               ctx.recipient.locale + "' nor in 'en'");
  }
  absl::StatusOr<TemplateValues> values = notice_values(ctx, locale);
  if (!values.ok()) return values.status();
  absl::StatusOr<RenderedTemplate> text = templates.render(template_name, locale, *values);
  if (!text.ok()) return text.status();

  const std::string domain = domain_of(ctx.from_address);
  MailMessage m;
  m.message_id =
      notice_message_id(ctx.notification_id, domain, date::format("%FT%TZ", ctx.created_time));
  m.from = {"Termijn (" + values->at("owner_party") + ")", ctx.from_address};
  m.to = {{ctx.recipient.dpo.name, ctx.recipient.dpo.email}};
  if (ctx.recipient.dpo_deputy && !ctx.recipient.dpo_deputy->email.empty()) {
    m.cc = {{ctx.recipient.dpo_deputy->name, ctx.recipient.dpo_deputy->email}};
  }
  if (is_valid_email(ctx.owner.dpo.email)) {
    m.reply_to = {{ctx.owner.dpo.name, ctx.owner.dpo.email}};
  }
  m.subject = text->subject;
  m.text_body = text->body;

  if (ctx.request != nullptr && ctx.request->copy) {
    const domain::Attachment& copy = *ctx.request->copy;
    // A copy stored as text/plain is UTF-8 (domain::checked_media_type); without the charset a
    // reader would take US-ASCII.
    m.attachments.push_back(
        {copy.file_name,
         copy.media_type == "text/plain" ? "text/plain; charset=UTF-8" : copy.media_type,
         copy.bytes});
  }
  if (ctx.changes != nullptr) return m;  // a follow-up sets no new deadline
  const Labels& l = labels_for(locale);
  const std::string summary =
      fill(l.calendar_summary,
           {{"rule", o.rule}, {"reference", o.subject()}, {"owner", values->at("owner_party")}});
  const std::string description =
      fill(l.calendar_description, {{"basis", values->at("legal_basis")},
                                    {"due", values->at("due_time")},
                                    {"legal", values->at("legal_due_time")},
                                    {"ack", values->at("ack_command")}});
  const std::string uid = "obligation-" + std::to_string(o.id) + "@" + domain;
  m.attachments.push_back(
      {"deadline.ics", "text/calendar; method=PUBLISH; charset=UTF-8",
       render_ics(uid, summary, description, o.due_time, o.due_time, ctx.created_time)});
  return m;
}

std::string dpo_name(const domain::Contact& dpo, bool dutch) {
  if (!dpo.name.empty()) return dpo.name;
  return dutch ? "functionaris voor de gegevensbescherming" : "data protection officer";
}

absl::Status check_notice_templates(const TemplateSet& templates) {
  // A context with every optional field filled, so that every value exists.
  const domain::Instant t = date::sys_days{date::year{2026} / 1 / 1};
  domain::Party owner;
  owner.id = "owner";
  owner.name = "Owner";
  owner.dpo = {"Owner DPO", "dpo@owner.example"};
  owner.zone = domain::TimeZone::find("Europe/Brussels");
  domain::Party recipient;
  recipient.id = "recipient";
  recipient.name = "Recipient";
  recipient.dpo = {"Recipient DPO", "dpo@recipient.example"};
  domain::Incident incident;
  incident.id = 1;
  incident.party = "owner";
  incident.aware_time = t;
  incident.occurred_time = t;
  incident.categories = {DataCategory::kIdentification};
  incident.subject_groups = {domain::SubjectGroup::kClients};
  incident.subject_count = 1;
  domain::Request request;
  request.id = 1;
  request.party = "owner";
  request.receive_time = t;
  request.copy = domain::Attachment{"c.txt", "text/plain", "", 1, "x"};
  domain::Obligation breach;
  breach.id = 1;
  breach.incident_id = 1;
  breach.rule = kBreachRule;
  breach.owner_party = "owner";
  breach.recipient_party = "recipient";
  domain::Obligation notice = breach;
  notice.id = 2;
  notice.incident_id = 0;
  notice.request_id = 1;
  notice.rule = kRequestRule;
  domain::Matter matter;
  matter.id = 1;
  matter.party = "owner";
  matter.event_time = t;
  domain::Obligation matter_notice = breach;
  matter_notice.id = 3;
  matter_notice.incident_id = 0;
  matter_notice.matter_id = 1;
  matter_notice.rule = "protocol.quality_notice";
  const std::vector<domain::FieldChange> changes{{"risk", "risk", "high"}};
  const std::string breach_update = std::string(kBreachRule) + ".update";
  for (const auto& [rule, ctx] :
       {std::pair{std::string_view(breach_update),
                  NoticeContext{owner, recipient, breach, &incident, nullptr, 1,
                                "termijn@owner.example", t, &changes}},
        std::pair{kBreachRule, NoticeContext{owner, recipient, breach, &incident, nullptr, 1,
                                             "termijn@owner.example", t}},
        std::pair{kRequestRule, NoticeContext{owner, recipient, notice, nullptr, &request, 1,
                                              "termijn@owner.example", t}},
        std::pair{kMatterTemplate,
                  NoticeContext{owner, recipient, matter_notice, nullptr, nullptr, 1,
                                "termijn@owner.example", t, nullptr, &matter}}}) {
    if (templates.resolve_locale(std::string(rule), "en") != "en") {
      return absl::NotFoundError("no mail template " + std::string(rule) +
                                 ".en.txt (the fallback for every language)");
    }
    for (const auto& [template_rule, locale] : templates.keys()) {
      if (template_rule != rule) continue;
      absl::StatusOr<TemplateValues> values = notice_values(ctx, locale);
      if (!values.ok()) return values.status();
      absl::StatusOr<RenderedTemplate> text = templates.render(template_rule, locale, *values);
      if (!text.ok()) return text.status();
    }
  }
  return absl::OkStatus();
}

std::string notice_message_id(int64_t notification_id, const std::string& domain,
                              std::string_view discriminator) {
  std::string host;
  for (unsigned char c : domain) {
    if (std::isalnum(c) || c == '-' || c == '.') host += static_cast<char>(std::tolower(c));
  }
  if (host.empty()) host = "termijn.invalid";
  const std::string id = std::to_string(notification_id);
  const std::string hash =
      sha256_hex(id + "\n" + host + "\n" + std::string(discriminator)).substr(0, 8);
  return "notification-" + id + "." + hash + "@" + host;
}

}  // namespace termijn::notify
