#include "server/jobs/notice_composer.h"

#include <unistd.h>

#include <algorithm>
#include <map>

#include "server/app/audit.h"
#include "server/app/ed25519.h"
#include "server/app/sha256.h"
#include "server/domain/audit.h"
#include "server/domain/escalation.h"
#include "server/domain/rules.h"
#include "server/notify/notice.h"
#include "server/notify/text.h"

namespace termijn::jobs {

namespace {

// The "legal limit" line of a reminder or a failure alert: the limit Reg. 1182/71 art. 3 gives,
// or, where the law or the protocol sets none ("without undue delay", "at once"), that the due
// time is the parties' policy target, or, for a day of taking effect, that art. 4 does not move it.
std::string legal_limit(const domain::Obligation& o, const std::string& legal_due_time,
                        bool dutch) {
  const domain::Rule* rule = domain::find_rule(o.rule);
  const std::string basis = domain::legal_basis_in(o.rule, o.legal_basis, dutch);
  if (rule != nullptr && rule->policy_target) {
    return dutch ? "geen: " + basis +
                       " legt geen vaste termijn op; het uiterste tijdstip is het streefdoel van "
                       "het beleid"
                 : "none: " + basis + " sets no fixed limit; the due time is the policy target";
  }
  if (rule != nullptr && rule->takes_effect) {
    return legal_due_time + " (" + basis +
           (dutch ? "; de dag van inwerkingtreding, Verordening 1182/71, art. 4)"
                  : "; the day it takes effect, Reg. 1182/71 art. 4)");
  }
  return legal_due_time + " (" + basis +
         (dutch ? ", Verordening 1182/71, art. 3)" : ", Reg. 1182/71 art. 3)");
}

notify::MailAddress address(const domain::Contact& c) { return {c.name, c.email}; }

}  // namespace

absl::Status check_composer_templates(const notify::TemplateSet& templates) {
  for (const char* name :
       {kReminderTemplate, kOverdueTemplate, kNoticeFailedTemplate, kCheckpointTemplate,
        kCheckpointFailedTemplate, kWebhookFailedTemplate, kTamperedTemplate}) {
    if (templates.resolve_locale(name, "en") != "en") {
      return absl::NotFoundError("no mail template " + std::string(name) +
                                 ".en.txt (the fallback for every language)");
    }
  }
  return absl::OkStatus();
}

std::string recipients_of(const notify::MailMessage& m) {
  std::string out;
  for (const auto* list : {&m.to, &m.cc}) {
    for (const notify::MailAddress& a : *list) out += (out.empty() ? "" : ", ") + a.email;
  }
  return out;
}

absl::StatusOr<notify::MailMessage> NoticeComposer::compose(app::StoreReader& reader,
                                                            const domain::Notification& n,
                                                            const app::NoticeSources& read) const {
  if (n.audit_checkpoint_id != 0) return compose_checkpoint(reader, n);
  if (n.webhook_delivery_id != 0) return compose_webhook_alert(reader, n);
  if (n.kind == domain::NotificationKind::kNotice) {
    if (read.notices.contains(n.id)) return compose_notice(n, read);
    const auto own = reader.notice_sources({n});
    if (!own.ok()) return own.status();
    return compose_notice(n, *own);
  }
  const auto o = reader.get_obligation(n.obligation_id);
  if (!o.ok()) return o.status();
  const auto owner = directory_.find(o->owner_party, "owner_party");
  if (!owner.ok()) return owner.status();
  if (n.kind == domain::NotificationKind::kReminder) {
    return compose_reminder(reader, n, *o, **owner);
  }
  const auto recipient = directory_.find(o->recipient_party, "recipient_party");
  if (!recipient.ok()) return recipient.status();
  return compose_alert(reader, n, *o, **owner, **recipient);
}

absl::StatusOr<notify::MailMessage> NoticeComposer::compose_notice(
    const domain::Notification& n, const app::NoticeSources& read) const {
  // Found by id in `read`, or NOT_FOUND naming it as the single reads do.
  const auto find = [](const auto& rows, int64_t id, std::string_view collection)
      -> absl::StatusOr<const typename std::decay_t<decltype(rows)>::mapped_type*> {
    const auto it = rows.find(id);
    if (it == rows.end()) {
      return absl::NotFoundError(std::string(collection) + "/" + std::to_string(id) +
                                 " does not exist");
    }
    return &it->second;
  };
  const auto o = find(read.obligations, n.obligation_id, "obligations");
  if (!o.ok()) return o.status();
  const auto owner = directory_.find((*o)->owner_party, "owner_party");
  if (!owner.ok()) return owner.status();
  const auto recipient = directory_.find((*o)->recipient_party, "recipient_party");
  if (!recipient.ok()) return recipient.status();
  const domain::Incident* incident = nullptr;
  const domain::Request* request = nullptr;
  const domain::Matter* matter = nullptr;
  if ((*o)->incident_id != 0) {
    const auto i = find(read.incidents, (*o)->incident_id, "incidents");
    if (!i.ok()) return i.status();
    incident = *i;
  } else if ((*o)->matter_id != 0) {
    const auto m = find(read.matters, (*o)->matter_id, "matters");
    if (!m.ok()) return m.status();
    matter = *m;
  } else {
    const auto r = find(read.requests, (*o)->request_id, "requests");
    if (!r.ok()) return r.status();
    request = *r;
  }
  const auto changes = read.changes.find(n.id);
  const notify::NoticeContext ctx{
      **owner,       **recipient,   **o,
      incident,      request,       n.id,
      from_address_, n.create_time, changes == read.changes.end() ? nullptr : &changes->second,
      matter};
  auto m = notify::compose_notice(templates_, ctx);
  if (m.ok()) m->date = clock_.now();  // as in envelope()
  return m;
}

absl::StatusOr<notify::MailMessage> NoticeComposer::compose_alert(
    app::StoreReader& reader, const domain::Notification& alert, const domain::Obligation& o,
    const domain::Party& owner, const domain::Party& recipient) const {
  // The notice that failed, as the alert names it. An alert queued before alerts named theirs
  // (migration 0025) takes the latest failed notice of the obligation, else its latest notice.
  std::vector<domain::Notification> rows;
  if (alert.failed_notification_id != 0) {
    auto failed = reader.get_notification(alert.failed_notification_id);
    if (!failed.ok()) return failed.status();
    rows.push_back(*std::move(failed));
  } else {
    app::NotificationFilter filter;
    filter.obligation_id = o.id;
    filter.limit = 100;
    auto found = reader.list_notifications(filter);
    if (!found.ok()) return found.status();
    rows = *std::move(found);
  }
  const domain::Notification* notice = nullptr;
  for (const auto& row : rows) {  // newest first
    if (row.kind != domain::NotificationKind::kNotice) continue;
    if (notice == nullptr) notice = &row;
    if (row.state == domain::NotificationState::kFailed) {
      notice = &row;
      break;
    }
  }
  if (notice == nullptr)
    return absl::NotFoundError("no notice for obligations/" + std::to_string(o.id));
  const auto local = [&](domain::Instant t) { return domain::format_local(t, *owner.zone); };
  const notify::TemplateValues values{
      {"owner_dpo_name", notify::dpo_name(owner.dpo, owner.locale == "nl")},
      {"owner_party", owner.name},
      {"recipient_party", recipient.name},
      {"legal_basis", domain::legal_basis_in(o.rule, o.legal_basis, owner.locale == "nl")},
      {"rule", o.rule},
      {"reference", o.subject()},
      {"obligation", "obligations/" + std::to_string(o.id)},
      {"obligation_id", std::to_string(o.id)},
      {"notification_id", std::to_string(notice->id)},
      {"recipients", notice->recipients.empty() ? recipient.dpo.email : notice->recipients},
      {"attempts", std::to_string(notice->attempts)},
      {"last_error", notice->last_error},
      {"due_time", local(o.due_time)},
      {"legal_due_time", local(o.legal_due_time)},
      {"legal_limit", legal_limit(o, local(o.legal_due_time), owner.locale == "nl")},
  };
  return to_dpo(alert, owner, kNoticeFailedTemplate, values);
}

absl::StatusOr<notify::MailMessage> NoticeComposer::compose_checkpoint(
    app::StoreReader& reader, const domain::Notification& n) const {
  const auto checkpoint = reader.get_audit_checkpoint(n.audit_checkpoint_id);
  if (!checkpoint.ok()) return checkpoint.status();
  if (std::none_of(checkpoint_keys_.begin(), checkpoint_keys_.end(),
                   [&](const std::string& key) { return app::signed_by(*checkpoint, key); })) {
    // A DPO holds what is mailed as proof: a row someone wrote into the database is none.
    return absl::DataLossError(
        app::checkpoint_name(n.audit_checkpoint_id) + " is not signed by this termijnd's key " +
        (checkpoint_keys_.empty() ? std::string("(none)") : checkpoint_keys_.front()) +
        (checkpoint_keys_.size() > 1 ? " nor by one of [audit] previous_public_keys" : "") +
        ": someone who can write the database added or altered it");
  }
  const auto party = directory_.find(n.recipient_party, "recipient_party");
  if (!party.ok()) return party.status();
  const domain::Party& p = **party;
  const std::string file = "termijn-checkpoint-" + std::to_string(checkpoint->seq) + ".txt";
  const notify::TemplateValues values{
      {"dpo_name", notify::dpo_name(p.dpo, p.locale == "nl")},
      {"party", p.name},
      {"seq", std::to_string(checkpoint->seq)},
      {"hash", checkpoint->hash},
      {"time", domain::format_local(checkpoint->time, *p.zone)},
      {"public_key", checkpoint->public_key},
      {"file", file},
      {"verify_command", "termijn audit verify --checkpoint " + file},
      {"dpo_email", p.dpo.email},
  };
  const bool alert = n.kind == domain::NotificationKind::kFailureAlert;
  const auto rendered =
      templates_.render(alert ? kCheckpointFailedTemplate : kCheckpointTemplate, p.locale, values);
  if (!rendered.ok()) return rendered.status();
  notify::MailMessage m = envelope(n);
  if (alert) {
    // The DPO's own address failed: its party's other contacts hear of it.
    for (const domain::Contact& c : p.escalation) m.to.push_back(address(c));
    if (p.dpo_deputy) m.cc = {address(*p.dpo_deputy)};
    if (m.to.empty()) m.to = {address(p.dpo)};
  } else {
    m.to = {address(p.dpo)};
    if (p.dpo_deputy) m.cc = {address(*p.dpo_deputy)};
  }
  m.subject = rendered->subject;
  m.text_body = rendered->body;
  // Byte for byte the file `termijn audit verify --checkpoint` reads.
  m.attachments.push_back(
      {file, "text/plain; charset=US-ASCII", domain::checkpoint_text(*checkpoint)});
  return m;
}

absl::StatusOr<notify::MailMessage> NoticeComposer::compose_webhook_alert(
    app::StoreReader& reader, const domain::Notification& n) const {
  const auto d = reader.get_webhook_delivery(n.webhook_delivery_id);
  if (!d.ok()) return d.status();
  const auto party = directory_.find(n.recipient_party, "recipient_party");
  if (!party.ok()) return party.status();
  const domain::Party& p = **party;
  // An endpoint removed from the configuration since is still named.
  const auto endpoint =
      std::find_if(webhooks_.begin(), webhooks_.end(),
                   [&](const config::Webhook& w) { return w.name == d->endpoint; });
  const notify::TemplateValues values = {
      {"dpo_name", notify::dpo_name(p.dpo, p.locale == "nl")},
      {"party", p.name},
      {"endpoint", d->endpoint},
      {"url", endpoint == webhooks_.end() ? "-" : endpoint->url},
      {"delivery_id", d->delivery_id()},
      {"seq", std::to_string(d->seq)},
      {"event_type", d->event_type},
      {"attempts", std::to_string(d->attempts)},
      {"last_error", d->last_error},
  };
  return to_dpo(n, p, kWebhookFailedTemplate, values);
}

absl::StatusOr<notify::MailMessage> NoticeComposer::to_dpo(
    const domain::Notification& n, const domain::Party& party, const std::string& template_name,
    const notify::TemplateValues& values) const {
  const auto rendered = templates_.render(template_name, party.locale, values);
  if (!rendered.ok()) return rendered.status();
  notify::MailMessage m = envelope(n);
  m.to = {address(party.dpo)};
  if (party.dpo_deputy) m.cc = {address(*party.dpo_deputy)};
  m.subject = rendered->subject;
  m.text_body = rendered->body;
  return m;
}

absl::StatusOr<notify::MailMessage> NoticeComposer::compose_tamper_alert(
    const domain::Party& party, const std::string& reason) const {
  const domain::Instant now = clock_.now();
  const notify::TemplateValues values{
      {"dpo_name", notify::dpo_name(party.dpo, party.locale == "nl")},
      {"party", party.name},
      {"reason", reason},
      {"time", domain::format_local(now, *party.zone)},
      {"public_key", signing_keys()},
  };
  const auto rendered = templates_.render(kTamperedTemplate, party.locale, values);
  if (!rendered.ok()) return rendered.status();
  notify::MailMessage m;
  const std::string domain = from_address_.substr(from_address_.find('@') + 1);
  // No outbox row: each alert is a message of its own (also the one after a restart).
  m.message_id = "audit-tampered." +
                 app::sha256_hex(party.id + "\n" + reason + "\n" + domain::format_utc(now) + "\n" +
                                 std::to_string(::getpid()))
                     .substr(0, 16) +
                 "@" + domain;
  m.from = {"Termijn", from_address_};
  m.date = now;
  m.to = {address(party.dpo)};
  if (party.dpo_deputy) m.cc = {address(*party.dpo_deputy)};
  m.subject = rendered->subject;
  m.text_body = rendered->body;
  return m;
}

std::string NoticeComposer::signing_keys() const {
  if (checkpoint_keys_.empty()) return "";
  std::string keys = checkpoint_keys_.front();
  for (size_t i = 1; i < checkpoint_keys_.size(); ++i) {
    keys += (i == 1 ? " (before a key change: " : ", ") + checkpoint_keys_[i];
  }
  return checkpoint_keys_.size() > 1 ? keys + ")" : keys;
}

notify::MailMessage NoticeComposer::envelope(const domain::Notification& n) const {
  notify::MailMessage m;
  const std::string domain = from_address_.substr(from_address_.find('@') + 1);
  m.message_id = notify::notice_message_id(n.id, domain, domain::format_utc(n.create_time));
  m.from = {"Termijn", from_address_};
  // Ready now, whenever it was queued (a held notice may be released days later); the
  // Message-ID stays the row's, so a resend is still recognised as the same mail.
  m.date = clock_.now();
  return m;
}

namespace {

// "3 d 4 h", "17 h 30 min", "12 min"; Dutch writes "u" for hours.
std::string span(std::chrono::seconds d, bool dutch) {
  const long long minutes = std::abs(d.count()) / 60;
  const std::string h = dutch ? " u" : " h";
  if (minutes >= 72 * 60) {
    return std::to_string(minutes / 1440) + " d " + std::to_string((minutes / 60) % 24) + h;
  }
  if (minutes >= 60)
    return std::to_string(minutes / 60) + h + " " + std::to_string(minutes % 60) + " min";
  return std::to_string(minutes) + " min";
}

// What the owner still has to do, per rule.
std::string todo(const domain::Obligation& o, const std::string& recipient, bool extended,
                 bool dutch) {
  if (o.rule == domain::rule_id::kBreachNotice) {
    return dutch ? "de functionaris voor gegevensbescherming van " + recipient +
                       " inlichten over de inbreuk (art. 13 protocol)"
                 : "notify the data protection officer of " + recipient +
                       " of the breach (protocol art. 13)";
  }
  if (o.rule == domain::rule_id::kRequestNotice) {
    return dutch ? "de functionaris voor gegevensbescherming van " + recipient +
                       " inlichten over het verzoek of bericht, met een kopie (art. 14 protocol)"
                 : "inform the data protection officer of " + recipient +
                       " of the request or message, with a copy (protocol art. 14)";
  }
  if (o.rule == domain::rule_id::kAuthorityNotice) {
    return dutch ? "de inbreuk melden aan de toezichthoudende autoriteit (art. 33 AVG), of "
                   "documenteren waarom ze waarschijnlijk geen risico inhoudt"
                 : "notify the supervisory authority of the breach (GDPR art. 33), or document "
                   "why it is unlikely to result in a risk";
  }
  if (o.rule != domain::rule_id::kAnswer) {
    // The later duties (GDPR art. 34, the extension notice ...): as the rules table says them.
    if (const domain::Rule* rule = domain::find_rule(o.rule)) {
      return std::string(dutch ? rule->duty_nl : rule->duty_en) + " (" +
             domain::legal_basis_in(o.rule, o.legal_basis, dutch) + ")";
    }
  }
  // Once extended, telling the data subject of it is a duty of its own (the extension notice).
  if (extended) {
    return dutch ? "de betrokkene antwoorden (art. 12, lid 3 AVG, verlengde termijn)"
                 : "answer the data subject (GDPR art. 12(3), extended period)";
  }
  return dutch ? "de betrokkene antwoorden (art. 12, lid 3 AVG), of hem binnen deze maand de "
                 "verlenging en de redenen meedelen"
               : "answer the data subject (GDPR art. 12(3)), or tell them within this month of "
                 "an extension and why";
}

std::string day_note(const std::string& note, bool dutch) {
  if (note.empty()) return "";
  return dutch
             ? "Let op: de termijn valt op een dag waarop de diensten gesloten zijn (" + note + ")."
             : "Note: the deadline falls on a day offices are closed (" + note + ").";
}

// The state of an obligation's notice mail as a reminder says it ("-" when it has none).
std::string notice_state_text(const std::string& state, bool dutch) {
  static const std::map<std::string, std::pair<std::string, std::string>> kText{
      {"held", {"wacht op nazicht", "held for review"}},
      {"pending", {"in verzending", "being sent"}},
      {"sent", {"verzonden", "sent"}},
      {"failed", {"mislukt", "failed"}},
      {"cancelled", {"geannuleerd", "cancelled"}}};
  if (state.empty()) return "-";
  const auto it = kText.find(state);
  if (it == kText.end()) return state;
  return dutch ? it->second.first : it->second.second;
}

// The command that waives obligation `o`, to paste into a shell: a rule that is waived only on
// a ground of the law names its grounds on a second line (which the template indents as the
// first).
std::string waive_command(const domain::Obligation& o, bool dutch) {
  const domain::Rule* rule = domain::find_rule(o.rule);
  const std::string command = "termijn obligation waive " + std::to_string(o.id);
  if (rule == nullptr || rule->waiver_grounds.empty()) return command + " --reason \"...\"";
  std::string codes;
  for (size_t i = 0; i < rule->waiver_grounds.size(); ++i) {
    codes += (i == 0                                 ? ""
              : i + 1 == rule->waiver_grounds.size() ? (dutch ? " of " : " or ")
                                                     : ", ") +
             std::string(rule->waiver_grounds[i].code);
  }
  const std::string placeholder = dutch ? "GROND" : "GROUND";
  return command + " --ground " + placeholder + " --reason \"...\"\n(" + placeholder + ": " +
         codes +
         (dutch ? ", zoals termijn obligation waive --help uitlegt)"
                : ", as termijn obligation waive --help explains)");
}

// The most of a request's or matter's summary a reminder's Subject names (an incident's title
// is one line of at most 200 bytes already).
constexpr size_t kTitleChars = 80;

// The record an obligation belongs to, as a reminder names it.
struct RecordSummary {
  std::string
      title;  ///< the incident's title, or the headline of the request's or matter's summary
  domain::Instant time;  ///< awareness, receipt, or the matter's event
  std::string recorded_by;
  bool extended = false;  ///< a request whose answer period was extended (GDPR art. 12(3))
};

absl::StatusOr<RecordSummary> record_of(app::StoreReader& reader, const domain::Obligation& o) {
  if (o.incident_id != 0) {
    const auto i = reader.get_incident(o.incident_id);
    if (!i.ok()) return i.status();
    return RecordSummary{i->title, i->aware_time, i->reported_by};
  }
  if (o.matter_id != 0) {
    const auto m = reader.get_matter(o.matter_id);
    if (!m.ok()) return m.status();
    return RecordSummary{notify::headline(m->summary, kTitleChars), m->event_time, m->reported_by};
  }
  const auto r = reader.get_request(o.request_id, /*with_copy=*/false);
  if (!r.ok()) return r.status();
  return RecordSummary{notify::headline(r->summary, kTitleChars), r->receive_time, r->logged_by,
                       r->extension_months > 0};
}

}  // namespace

absl::StatusOr<notify::MailMessage> NoticeComposer::compose_reminder(
    app::StoreReader& reader, const domain::Notification& reminder, const domain::Obligation& o,
    const domain::Party& owner) const {
  const auto step = reader.get_step(reminder.escalation_step_id);
  if (!step.ok()) return step.status();
  const bool dutch = owner.locale == "nl";
  std::string recipient = dutch ? "de betrokkene" : "the data subject";
  if (!o.recipient_party.empty()) {
    const auto party = directory_.find(o.recipient_party, "recipient_party");
    if (!party.ok()) return party.status();
    recipient = (*party)->name;
  } else if (o.recipient_kind == domain::RecipientKind::kAuthority) {
    recipient = dutch ? "de toezichthoudende autoriteit" : "the supervisory authority";
  }
  // What the reminder is about: the incident's title or the request's summary, and its time.
  const auto about = record_of(reader, o);
  if (!about.ok()) return about.status();
  // The level termijn deadlines shows: steps fired up to this one.
  const auto level = reader.fired_steps_until(o.id, step->time.fire_time);
  if (!level.ok()) return level.status();
  // Time left when the message is written, not when its step was planned.
  const domain::Instant now = clock_.now();
  const bool overdue = now >= o.due_time;
  const std::string left = span(date::floor<std::chrono::seconds>(o.due_time - now), dutch);
  const auto local = [&](domain::Instant t) { return domain::format_local(t, *owner.zone); };
  const std::string id = std::to_string(o.id);
  const notify::TemplateValues values{
      {"owner_dpo_name", notify::dpo_name(owner.dpo, dutch)},
      {"owner_party", owner.name},
      {"reference", o.subject()},
      {"record_title", about->title},
      {"event", dutch ? (o.incident_id != 0 ? "kennis genomen op"
                         : o.matter_id != 0 ? "vastgesteld op"
                                            : "ontvangen op")
                      : (o.incident_id != 0 ? "aware since"
                         : o.matter_id != 0 ? "recorded as of"
                                            : "received")},
      {"event_time", local(about->time)},
      {"obligation", "obligations/" + id},
      {"rule", o.rule},
      {"legal_basis", domain::legal_basis_in(o.rule, o.legal_basis, dutch)},
      {"todo", todo(o, recipient, about->extended, dutch)},
      {"due_time", local(o.due_time)},
      {"legal_due_time", local(o.legal_due_time)},
      {"legal_limit", legal_limit(o, local(o.legal_due_time), dutch)},
      {"time_left", overdue ? (dutch ? left + " te laat" : left + " overdue")
                            : (dutch ? "nog " + left : left + " left")},
      {"step", domain::step_label_in(step->label, dutch)},
      {"level", std::to_string(*level)},
      {"due_day_note", day_note(domain::due_day_note(o, owner, dutch), dutch)},
      {"notice_state", notice_state_text(o.notice_state, dutch)},
      {"fulfil_command", "termijn obligation fulfil " + id + " --evidence \"...\""},
      {"waive_command", waive_command(o, dutch)},
  };
  const auto rendered =
      templates_.render(overdue ? kOverdueTemplate : kReminderTemplate, owner.locale, values);
  if (!rendered.ok()) return rendered.status();
  notify::MailMessage m = envelope(reminder);
  const auto wants = [&](domain::Audience a) {
    return step->audience.find(domain::name_of(a)) != std::string::npos;
  };
  if (wants(domain::Audience::kOwnerDpo)) {
    m.to.push_back(address(owner.dpo));
    if (owner.dpo_deputy) m.cc.push_back(address(*owner.dpo_deputy));
  }
  if (wants(domain::Audience::kOwnerEscalation)) {
    for (const domain::Contact& c : owner.escalation) m.to.push_back(address(c));
  }
  if (wants(domain::Audience::kReporter)) {
    if (const auto it = principal_emails_.find(about->recorded_by); it != principal_emails_.end()) {
      m.to.push_back({about->recorded_by, it->second});
    }
  }
  if (m.to.empty()) m.to.push_back(address(owner.dpo));
  m.partial_delivery = true;
  m.subject = rendered->subject;
  m.text_body = rendered->body;
  return m;
}

}  // namespace termijn::jobs
