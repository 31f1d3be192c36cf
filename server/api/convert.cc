#include "server/api/convert.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>

#include "proto/enum_names.h"
#include "server/app/sha256.h"
#include "server/domain/planner.h"
#include "server/domain/rules.h"
#include "server/domain/timeliness.h"

namespace termijn::api {

namespace {

// An incident's ticket id, under its current name (external_ref) or its older one (ticket_ref,
// for older clients); when both are set they must agree.
absl::StatusOr<std::string> incident_ref(const std::string& ticket_ref,
                                         const std::string& external_ref,
                                         const std::string& field) {
  if (!ticket_ref.empty() && !external_ref.empty() && ticket_ref != external_ref) {
    return absl::InvalidArgumentError(
        field + ": differs from ticket_ref (its older name); set one of them");
  }
  return external_ref.empty() ? ticket_ref : external_ref;
}

using google::protobuf::Timestamp;

// AIP-155: the request_id and the digest of the rest of the request, serialized
// deterministically, so that a retry matches and a different request with the same id does not.
template <typename CreateRequest>
app::CreateRequestId create_request_id(const CreateRequest& in) {
  if (in.request_id().empty()) return {};
  CreateRequest rest = in;
  rest.clear_request_id();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    rest.SerializeToCodedStream(&coded);
  }
  return {in.request_id(), app::sha256_hex(bytes)};
}

void set_time(domain::Instant t, Timestamp* out) {
  out->set_seconds(t.time_since_epoch().count());
  out->set_nanos(0);
}

// A view withholds an instant by leaving it at zero (app/views.h); it is then left out.
bool withheld(domain::Instant t) { return t == domain::Instant{}; }

// Proto enum -> domain enum through the shared spelling.
template <typename Domain, typename Proto>
absl::StatusOr<Domain> domain_enum(Proto value, std::string_view field) {
  const std::string name = v1::spelling(value);
  if (name.empty()) {
    const int number = static_cast<int>(value);
    return absl::InvalidArgumentError(
        std::string(field) + ": " +
        (number == 0 ? std::string("required") : "unknown value " + std::to_string(number)) +
        " (one of " + v1::all_spellings<Proto>() + ")");
  }
  const auto parsed = domain::parse_name<Domain>(name);
  if (!parsed) return absl::InvalidArgumentError(std::string(field) + ": unknown value");
  return *parsed;
}

template <typename Proto, typename Domain>
Proto proto_enum(Domain value) {
  return v1::from_spelling<Proto>(domain::name_of(value)).value_or(static_cast<Proto>(0));
}

template <typename Domain, typename Proto, typename Repeated>
absl::StatusOr<std::vector<Domain>> domain_enums(const Repeated& values, std::string_view field) {
  std::vector<Domain> out;
  for (const int v : values) {
    auto d = domain_enum<Domain>(static_cast<Proto>(v), field);
    if (!d.ok()) return d.status();
    if (std::find(out.begin(), out.end(), *d) == out.end()) out.push_back(*d);
  }
  return out;
}

std::string zone_of(const app::Directory& directory, const std::string& party) {
  for (const domain::Party& p : directory.parties()) {
    if (p.id == party) return p.zone->name();
  }
  return "UTC";
}

void contact_to_proto(const domain::Contact& in, v1::Contact* out) {
  out->set_name(in.name);
  out->set_email(in.email);
}

}  // namespace

absl::StatusOr<domain::Instant> instant_from_proto(const Timestamp& t, std::string_view field) {
  if (t.nanos() < 0 || t.nanos() > 999'999'999) {
    return absl::InvalidArgumentError(std::string(field) + ": not a valid Timestamp (nanos " +
                                      std::to_string(t.nanos()) + " outside 0 to 999999999)");
  }
  // Whole seconds, as every time Termijn keeps: a fraction is dropped, not refused.
  const domain::Instant instant{std::chrono::seconds{t.seconds()}};
  if (!domain::in_supported_range(instant)) {
    return absl::InvalidArgumentError(std::string(field) + ": outside the supported range, " +
                                      domain::describe_supported_range());
  }
  return instant;
}

absl::StatusOr<domain::RequestKind> request_kind_from_proto(v1::RequestKind kind,
                                                            std::string_view field) {
  return domain_enum<domain::RequestKind>(kind, field);
}

absl::StatusOr<app::ReportIncidentInput> from_proto(const v1::ReportIncidentRequest& in) {
  app::ReportIncidentInput out;
  out.party = in.party();
  out.aware_time = in.aware_time();
  out.occurred_time = in.occurred_time();
  out.title = in.title();
  out.description = in.description();
  auto categories =
      domain_enums<domain::DataCategory, v1::DataCategory>(in.categories(), "categories");
  if (!categories.ok()) return categories.status();
  out.categories = std::move(*categories);
  auto groups =
      domain_enums<domain::SubjectGroup, v1::SubjectGroup>(in.subject_groups(), "subject_groups");
  if (!groups.ok()) return groups.status();
  out.subject_groups = std::move(*groups);
  out.subject_count = in.subject_count();
  if (in.risk() != v1::RISK_UNSPECIFIED) {
    auto risk = domain_enum<domain::Risk>(in.risk(), "risk");
    if (!risk.ok()) return risk.status();
    out.risk = *risk;
  }
  auto ref = incident_ref(in.ticket_ref(), in.external_ref(), "external_ref");
  if (!ref.ok()) return ref.status();
  out.ticket_ref = std::move(*ref);
  out.create_id = create_request_id(in);
  return out;
}

absl::StatusOr<app::IncidentChange> from_proto(const v1::UpdateIncidentRequest& in) {
  const v1::Incident& i = in.incident();
  app::IncidentChange out;
  for (const std::string& path : in.update_mask().paths()) {
    // The ticket reference under either of its names.
    out.paths.push_back(path == "external_ref" ? "ticket_ref" : path);
  }
  if (i.has_occurred_time()) {
    const auto occurred = instant_from_proto(i.occurred_time(), "incident.occurred_time");
    if (!occurred.ok()) return occurred.status();
    out.occurred_time = date::format("%FT%TZ", *occurred);
  }
  out.description = i.description();
  auto categories =
      domain_enums<domain::DataCategory, v1::DataCategory>(i.categories(), "incident.categories");
  if (!categories.ok()) return categories.status();
  out.categories = std::move(*categories);
  auto groups = domain_enums<domain::SubjectGroup, v1::SubjectGroup>(i.subject_groups(),
                                                                     "incident.subject_groups");
  if (!groups.ok()) return groups.status();
  out.subject_groups = std::move(*groups);
  out.subject_count = i.subject_count();
  if (i.risk() != v1::RISK_UNSPECIFIED) {
    auto risk = domain_enum<domain::Risk>(i.risk(), "incident.risk");
    if (!risk.ok()) return risk.status();
    out.risk = *risk;
  }
  out.consequences = i.consequences();
  out.measures = i.measures();
  auto ref = incident_ref(i.ticket_ref(), i.external_ref(), "incident.external_ref");
  if (!ref.ok()) return ref.status();
  out.ticket_ref = std::move(*ref);
  return out;
}

absl::StatusOr<app::LogRequestInput> from_proto(const v1::LogRequestRequest& in) {
  app::LogRequestInput out;
  out.party = in.party();
  auto kind = request_kind_from_proto(in.kind(), "kind");
  if (!kind.ok()) return kind.status();
  out.kind = *kind;
  out.receive_time = in.receive_time();
  out.summary = in.summary();
  out.external_ref = in.external_ref();
  out.create_id = create_request_id(in);
  if (in.has_copy()) {
    domain::Attachment copy;
    copy.file_name = in.copy().file_name();
    copy.media_type = in.copy().media_type();
    copy.sha256 = in.copy().sha256();
    copy.bytes = in.copy().content();
    out.copy = std::move(copy);
  }
  return out;
}

absl::StatusOr<app::ReportMatterInput> from_proto(const v1::ReportMatterRequest& in) {
  app::ReportMatterInput out;
  out.party = in.party();
  auto kind = domain_enum<domain::MatterKind>(in.kind(), "kind");
  if (!kind.ok()) return kind.status();
  out.kind = *kind;
  out.event_time = in.event_time();
  out.summary = in.summary();
  out.staff_ref = in.staff_ref();
  out.create_id = create_request_id(in);
  return out;
}

void to_proto(const domain::Party& in, v1::Party* out) {
  out->set_id(in.id);
  out->set_name(in.name);
  contact_to_proto(in.dpo, out->mutable_dpo());
  if (in.dpo_deputy) contact_to_proto(*in.dpo_deputy, out->mutable_dpo_deputy());
  for (const domain::Contact& c : in.escalation) contact_to_proto(c, out->add_escalation());
  out->set_locale(in.locale);
  out->set_time_zone(in.zone->name());
}

void to_proto(const domain::Obligation& in, const app::Directory& directory, v1::Obligation* out) {
  if (in.id != 0) out->set_name("obligations/" + std::to_string(in.id));
  if (in.incident_id != 0 || in.request_id != 0 || in.matter_id != 0) {
    out->set_subject(in.subject());
  }
  out->set_rule(in.rule);
  out->set_legal_basis(in.legal_basis);
  out->set_owner_party(in.owner_party);
  out->mutable_recipient()->set_kind(proto_enum<v1::RecipientKind>(in.recipient_kind));
  out->mutable_recipient()->set_party(in.recipient_party);
  set_time(in.start_time, out->mutable_start_time());
  set_time(in.due_time, out->mutable_due_time());
  set_time(in.legal_due_time, out->mutable_legal_due_time());
  out->set_explanation(in.explanation);
  out->set_explanation_nl(in.explanation_nl);
  out->set_state(proto_enum<v1::ObligationState>(in.state));
  if (in.closed_time) set_time(*in.closed_time, out->mutable_closed_time());
  out->set_evidence(in.evidence);
  out->set_closed_by(in.closed_by);
  out->set_time_zone(zone_of(directory, in.owner_party));
  out->set_notice_state(in.notice_state);
  if (in.next_step_time) set_time(*in.next_step_time, out->mutable_next_step_time());
  out->set_next_step(in.next_step);
  out->set_escalation_level(in.escalation_level);
}

void to_proto(const app::IncidentRecord& in, const app::Directory& directory, v1::Incident* out) {
  const domain::Incident& i = in.incident;
  out->set_name("incidents/" + std::to_string(i.id));
  out->set_party(i.party);
  set_time(i.aware_time, out->mutable_aware_time());
  if (i.occurred_time) set_time(*i.occurred_time, out->mutable_occurred_time());
  out->set_title(i.title);
  out->set_description(i.description);
  for (const auto c : i.categories) out->add_categories(proto_enum<v1::DataCategory>(c));
  for (const auto g : i.subject_groups) out->add_subject_groups(proto_enum<v1::SubjectGroup>(g));
  out->set_subject_count(i.subject_count.value_or(0));
  out->set_risk(proto_enum<v1::Risk>(i.risk));
  out->set_ticket_ref(i.ticket_ref);
  out->set_external_ref(i.ticket_ref);
  out->set_reported_by(i.reported_by);
  if (!withheld(i.create_time)) set_time(i.create_time, out->mutable_create_time());
  for (const auto& o : in.obligations) to_proto(o, directory, out->add_obligations());
  out->set_consequences(i.consequences);
  out->set_measures(i.measures);
  if (i.close_time) set_time(*i.close_time, out->mutable_close_time());
  out->set_closing_summary(i.closing_summary);
  out->set_closed_by(i.closed_by);
}

void to_proto(const app::RequestRecord& in, const app::Directory& directory, v1::Request* out) {
  const domain::Request& r = in.request;
  out->set_name("requests/" + std::to_string(r.id));
  out->set_party(r.party);
  out->set_kind(proto_enum<v1::RequestKind>(r.kind));
  set_time(r.receive_time, out->mutable_receive_time());
  out->set_summary(r.summary);
  if (r.copy) {
    v1::Attachment* copy = out->mutable_copy();
    copy->set_file_name(r.copy->file_name);
    copy->set_media_type(r.copy->media_type);
    copy->set_sha256(r.copy->sha256);
    copy->set_size(r.copy->size);
    copy->set_content(r.copy->bytes);
  }
  out->set_external_ref(r.external_ref);
  out->set_logged_by(r.logged_by);
  if (!withheld(r.create_time)) set_time(r.create_time, out->mutable_create_time());
  for (const auto& o : in.obligations) to_proto(o, directory, out->add_obligations());
  out->set_extension_months(r.extension_months);
  out->set_extension_reason(r.extension_reason);
  if (r.extend_time) set_time(*r.extend_time, out->mutable_extend_time());
  if (r.close_time) set_time(*r.close_time, out->mutable_close_time());
  out->set_closing_summary(r.closing_summary);
  out->set_closed_by(r.closed_by);
  if (r.identification_asked_time) {
    set_time(*r.identification_asked_time, out->mutable_identification_asked_time());
  }
  if (r.identification_time) set_time(*r.identification_time, out->mutable_identification_time());
}

void to_proto(const app::MatterRecord& in, const app::Directory& directory, v1::Matter* out) {
  const domain::Matter& m = in.matter;
  out->set_name("matters/" + std::to_string(m.id));
  out->set_party(m.party);
  out->set_kind(proto_enum<v1::MatterKind>(m.kind));
  set_time(m.event_time, out->mutable_event_time());
  out->set_summary(m.summary);
  out->set_staff_ref(m.staff_ref);
  out->set_reported_by(m.reported_by);
  if (!withheld(m.create_time)) set_time(m.create_time, out->mutable_create_time());
  for (const auto& o : in.obligations) to_proto(o, directory, out->add_obligations());
}

void to_proto(const domain::AuditCheckpoint& c, v1::AuditCheckpoint* out) {
  out->set_seq(c.seq);
  out->set_hash(c.hash);
  out->mutable_time()->set_seconds(c.time.time_since_epoch().count());
  out->set_public_key(c.public_key);
  out->set_signature(c.signature);
  out->set_text(domain::checkpoint_text(c));
}

void to_proto(const app::AuditEvent& in, v1::AuditEvent* out) {
  out->set_seq(in.record.seq);
  if (!in.digest_only) set_time(in.record.time, out->mutable_time());
  out->set_principal(in.record.principal);
  out->set_party(in.record.party);
  out->set_action(in.record.action);
  out->set_subject(in.record.subject);
  out->set_related(in.record.related);
  out->set_details(in.record.details);
  out->set_prev_hash(app::to_hex(in.prev_hash));
  out->set_hash(app::to_hex(in.hash));
  out->set_format(in.format);
  out->set_leaf(app::to_hex(in.leaf));
  out->set_nonce(in.record.nonce);
  out->set_digest_only(in.digest_only);
}

void to_proto(const app::NotificationRecord& in, const app::Directory& directory,
              v1::Notification* out) {
  const domain::Notification& n = in.notification;
  out->set_name("notifications/" + std::to_string(n.id));
  out->set_subject(in.related);
  out->set_kind(std::string(domain::name_of(n.kind)));
  out->set_state(std::string(domain::name_of(n.state)));
  out->set_attempts(n.attempts);
  if (!withheld(n.next_attempt_time)) {
    set_time(n.next_attempt_time, out->mutable_next_attempt_time());
  }
  out->set_last_error(n.last_error);
  out->set_message_id(n.message_id);
  out->set_recipients(n.recipients);
  out->set_server_reply(n.server_reply);
  if (n.sent_time) set_time(*n.sent_time, out->mutable_sent_time());
  if (n.ack_time) set_time(*n.ack_time, out->mutable_ack_time());
  out->set_ack_by(n.ack_by);
  set_time(n.create_time, out->mutable_create_time());
  if (n.obligation_id == 0) {
    // It serves no obligation: it belongs to, and goes to, its recipient party.
    out->set_owner_party(n.recipient_party);
    out->set_recipient_party(n.recipient_party);
    out->set_time_zone(zone_of(directory, n.recipient_party));
    return;
  }
  out->set_obligation("obligations/" + std::to_string(n.obligation_id));
  out->set_owner_party(in.obligation.owner_party);
  out->set_recipient_party(in.obligation.recipient_party);
  out->set_rule(in.obligation.rule);
  out->set_time_zone(zone_of(directory, in.obligation.owner_party));
}

namespace {

v1::Timeliness timeliness_proto(domain::Timeliness t) {
  switch (t) {
    case domain::Timeliness::kOnTime:
      return v1::TIMELINESS_ON_TIME;
    case domain::Timeliness::kLate:
      return v1::TIMELINESS_LATE;
    case domain::Timeliness::kBeyondLegalLimit:
      return v1::TIMELINESS_BEYOND_LEGAL_LIMIT;
    case domain::Timeliness::kOpen:
      return v1::TIMELINESS_OPEN;
    case domain::Timeliness::kOverdue:
      return v1::TIMELINESS_OVERDUE;
    case domain::Timeliness::kOverdueBeyondLegalLimit:
      return v1::TIMELINESS_OVERDUE_BEYOND_LEGAL_LIMIT;
    case domain::Timeliness::kWaived:
      return v1::TIMELINESS_WAIVED;
  }
  return v1::TIMELINESS_UNSPECIFIED;
}

// Moves the record's converted obligations into `duties`, each judged at `as_of`.
template <typename RecordProto, typename Entry>
void move_to_duties(const std::vector<domain::Obligation>& obligations, domain::Instant as_of,
                    RecordProto* record, Entry* out) {
  for (int i = 0; i < record->obligations_size(); ++i) {
    v1::RegisterDuty* duty = out->add_duties();
    duty->mutable_obligation()->Swap(record->mutable_obligations(i));
    duty->set_timeliness(timeliness_proto(domain::timeliness_of(obligations[i], as_of)));
  }
  record->clear_obligations();
}

}  // namespace

void to_proto(const app::IncidentRecord& in, const app::Directory& directory, domain::Instant as_of,
              v1::IncidentRegisterEntry* out) {
  to_proto(in, directory, out->mutable_incident());
  move_to_duties(in.obligations, as_of, out->mutable_incident(), out);
  out->set_time_zone(zone_of(directory, in.incident.party));
}

void to_proto(const app::RequestRecord& in, const app::Directory& directory, domain::Instant as_of,
              v1::RequestRegisterEntry* out) {
  to_proto(in, directory, out->mutable_request());
  move_to_duties(in.obligations, as_of, out->mutable_request(), out);
  out->set_time_zone(zone_of(directory, in.request.party));
  // The answer as planned without the extension: one source for the period and its start.
  const auto party = directory.find(in.request.party, "party");
  for (const domain::Obligation& o : in.obligations) {
    if (o.rule != domain::rule_id::kAnswer || !party.ok()) continue;
    domain::Request unextended = in.request;
    unextended.extension_months = 0;
    set_time(domain::plan_answer(o, unextended, **party).due_time,
             out->mutable_answer_original_due_time());
  }
}

void to_proto(const domain::StreamEvent& in, v1::Event* out) {
  out->set_seq(in.seq);
  out->set_type(in.type);
  set_time(in.time, out->mutable_time());
  out->set_party(in.party);
  out->set_subject(in.subject);
  out->set_related(in.related);
  out->set_principal(in.principal);
  out->set_details_json(in.details);
  out->set_action(in.action);
}

std::string event_json(const domain::StreamEvent& in) {
  v1::Event event;
  to_proto(in, &event);
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(event, &json, options).ok()) return "{}";
  return json;
}

void to_proto(const app::WebhookDelivery& in, v1::WebhookDelivery* out) {
  out->set_delivery_id(in.delivery_id());
  out->set_endpoint(in.endpoint);
  out->set_seq(in.seq);
  out->set_event_type(in.event_type);
  out->set_state(in.state);
  out->set_attempts(in.attempts);
  set_time(in.next_attempt_time, out->mutable_next_attempt_time());
  out->set_last_status(in.last_status);
  out->set_last_error(in.last_error);
  if (in.delivered_time) set_time(*in.delivered_time, out->mutable_delivered_time());
  set_time(in.create_time, out->mutable_create_time());
}

}  // namespace termijn::api
