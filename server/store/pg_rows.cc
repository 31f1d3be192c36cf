#include "server/store/pg_rows.h"

#include <sstream>
#include <stdexcept>

namespace termijn::store::rows {

namespace {

template <typename Enum>
Enum enum_field(const pqxx::field& f) {
  const auto value = domain::parse_name<Enum>(f.as<std::string>());
  if (!value) throw std::runtime_error("unexpected value in column " + std::string(f.name()));
  return *value;
}

template <typename Enum>
std::vector<Enum> split_names(const pqxx::field& f) {
  std::vector<Enum> out;
  std::istringstream names(f.as<std::string>());
  for (std::string name; std::getline(names, name, ',');) {
    if (auto v = domain::parse_name<Enum>(name)) out.push_back(*v);
  }
  return out;
}

}  // namespace

std::optional<Instant> optional_instant(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return instant(f);
}

domain::Incident incident_from(const pqxx::row& r) {
  domain::Incident i;
  i.id = r[0].as<int64_t>();
  i.party = r[1].as<std::string>();
  i.aware_time = instant(r[2]);
  i.occurred_time = optional_instant(r[3]);
  i.title = r[4].as<std::string>();
  i.description = r[5].as<std::string>();
  i.categories = split_names<domain::DataCategory>(r[6]);
  i.subject_groups = split_names<domain::SubjectGroup>(r[7]);
  if (!r[8].is_null()) i.subject_count = r[8].as<int64_t>();
  i.risk = enum_field<domain::Risk>(r[9]);
  i.ticket_ref = r[10].as<std::string>();
  i.reported_by = r[11].as<std::string>();
  i.create_time = instant(r[12]);
  i.consequences = r[13].as<std::string>();
  i.measures = r[14].as<std::string>();
  i.close_time = optional_instant(r[15]);
  i.closing_summary = r[16].as<std::string>();
  i.closed_by = r[17].as<std::string>();
  return i;
}

domain::Request request_from(const pqxx::row& r, bool with_copy) {
  domain::Request q;
  q.id = r[0].as<int64_t>();
  q.party = r[1].as<std::string>();
  q.kind = enum_field<domain::RequestKind>(r[2]);
  q.receive_time = instant(r[3]);
  q.summary = r[4].as<std::string>();
  if (!r[7].is_null()) {
    domain::Attachment copy;
    copy.file_name = r[5].as<std::string>();
    copy.media_type = r[6].as<std::string>();
    copy.sha256 = r[7].as<std::string>();
    copy.size = r[8].as<int64_t>();
    if (with_copy) copy.bytes = pqxx::binarystring(r[r.size() - 1]).str();  // selected last
    q.copy = std::move(copy);
  }
  q.logged_by = r[9].as<std::string>();
  q.create_time = instant(r[10]);
  q.extension_months = r[11].as<int>();
  q.extension_reason = r[12].as<std::string>();
  q.extend_time = optional_instant(r[13]);
  q.close_time = optional_instant(r[14]);
  q.closing_summary = r[15].as<std::string>();
  q.closed_by = r[16].as<std::string>();
  q.external_ref = r[17].as<std::string>();
  q.identification_asked_time = optional_instant(r[18]);
  q.identification_time = optional_instant(r[19]);
  return q;
}

domain::Obligation obligation_from(const pqxx::row& r) {
  domain::Obligation o;
  o.id = r[0].as<int64_t>();
  o.incident_id = r[1].as<int64_t>();
  o.request_id = r[2].as<int64_t>();
  o.rule = r[3].as<std::string>();
  o.legal_basis = r[4].as<std::string>();
  o.owner_party = r[5].as<std::string>();
  o.recipient_kind = enum_field<domain::RecipientKind>(r[6]);
  o.recipient_party = r[7].as<std::string>();
  o.start_time = instant(r[8]);
  o.due_time = instant(r[9]);
  o.legal_due_time = instant(r[10]);
  o.explanation = r[11].as<std::string>();
  o.state = enum_field<domain::ObligationState>(r[12]);
  o.closed_time = optional_instant(r[13]);
  o.evidence = r[14].as<std::string>();
  o.closed_by = r[15].as<std::string>();
  o.notice_state = r[16].as<std::string>();
  o.next_step_time = optional_instant(r[17]);
  o.next_step = r[18].as<std::string>();
  o.escalation_level = r[19].as<int>();
  o.matter_id = r[20].as<int64_t>();
  o.explanation_nl = r[21].as<std::string>();
  return o;
}

domain::Matter matter_from(const pqxx::row& r) {
  domain::Matter m;
  m.id = r[0].as<int64_t>();
  m.party = r[1].as<std::string>();
  m.kind = enum_field<domain::MatterKind>(r[2]);
  m.event_time = instant(r[3]);
  m.summary = r[4].as<std::string>();
  m.staff_ref = r[5].as<std::string>();
  m.reported_by = r[6].as<std::string>();
  m.create_time = instant(r[7]);
  return m;
}

domain::ScheduledStep step_from(const pqxx::row& r) {
  domain::ScheduledStep s;
  s.id = r[0].as<int64_t>();
  s.obligation_id = r[1].as<int64_t>();
  s.time.step = r[2].as<int>();
  s.time.repetition = r[3].as<int>();
  s.label = r[4].as<std::string>();
  s.audience = r[5].as<std::string>();
  s.time.fire_time = instant(r[6]);
  s.time.moved = r[7].as<bool>();
  s.state = r[8].as<std::string>();
  return s;
}

domain::Notification notification_from(const pqxx::row& r) {
  domain::Notification n;
  n.id = r[0].as<int64_t>();
  n.obligation_id = r[1].as<int64_t>();
  n.kind = enum_field<domain::NotificationKind>(r[2]);
  n.state = enum_field<domain::NotificationState>(r[3]);
  n.attempts = r[4].as<int>();
  n.next_attempt_time = instant(r[5]);
  n.last_error = r[6].as<std::string>();
  n.message_id = r[7].as<std::string>();
  n.recipients = r[8].as<std::string>();
  n.server_reply = r[9].as<std::string>();
  n.sent_time = optional_instant(r[10]);
  n.ack_time = optional_instant(r[11]);
  n.ack_by = r[12].as<std::string>();
  n.create_time = instant(r[13]);
  n.escalation_step_id = r[14].as<int64_t>();
  n.audit_checkpoint_id = r[15].as<int64_t>();
  n.recipient_party = r[16].as<std::string>();
  n.webhook_delivery_id = r[17].as<int64_t>();
  n.failed_notification_id = r[18].as<int64_t>();
  return n;
}

domain::AuditCheckpoint checkpoint_from(const pqxx::row& r) {
  domain::AuditCheckpoint c;
  c.seq = r[0].as<int64_t>();
  c.hash = r[1].as<std::string>();
  c.time = instant(r[2]);
  c.public_key = r[3].as<std::string>();
  c.signature = r[4].as<std::string>();
  return c;
}

std::string optional_seconds(const std::optional<Instant>& t) {
  return t ? std::to_string(seconds(*t)) : "";
}

absl::Status not_found(const std::string& name) {
  return absl::NotFoundError(name + " does not exist");
}

}  // namespace termijn::store::rows
