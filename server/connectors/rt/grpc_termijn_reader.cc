#include "server/connectors/rt/grpc_termijn_reader.h"

#include <chrono>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "proto/enum_names.h"

namespace termijn::rt {
namespace {

std::unique_ptr<grpc::ClientContext> call_context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return context;
}

std::string utc(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", from_proto(t), absl::UTCTimeZone());
}

// The first line of `text`, at most `limit` bytes (cut at a UTF-8 character boundary).
std::string headline(const std::string& text, size_t limit) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() <= limit) return line;
  size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xc0) == 0x80) --cut;
  return line.substr(0, cut) + "...";
}

template <typename E>
std::string spellings(const google::protobuf::RepeatedField<int>& values) {
  std::vector<std::string> names;
  for (int v : values) names.push_back(v1::spelling(static_cast<E>(v)));
  return names.empty() ? "unknown" : absl::StrJoin(names, ", ");
}

}  // namespace

absl::Status from_grpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  // PERMISSION_DENIED: a record of another party the principal may no longer see.
  if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    return absl::NotFoundError(status.error_message());
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      "termijnd: " + status.error_message());
}

absl::Time from_proto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

ObligationView obligation_view(const v1::Obligation& o) {
  ObligationView view;
  view.name = o.name();
  view.subject = o.subject();
  view.rule = o.rule();
  view.legal_basis = o.legal_basis();
  switch (o.recipient().kind()) {
    case v1::RECIPIENT_KIND_PARTY_DPO:
      view.recipient = "the DPO of " + o.recipient().party();
      break;
    case v1::RECIPIENT_KIND_AUTHORITY:
      view.recipient = "the supervisory authority";
      break;
    case v1::RECIPIENT_KIND_DATA_SUBJECT:
      view.recipient = "the data subjects";
      break;
    default:
      view.recipient = "unknown";
  }
  view.state = v1::spelling(o.state());
  view.due = from_proto(o.due_time());
  view.open = o.state() == v1::OBLIGATION_STATE_OPEN;
  return view;
}

RecordView record_view(const v1::Incident& incident) {
  RecordView view;
  view.name = incident.name();
  view.party = incident.party();
  view.external_ref = incident.external_ref();
  view.title = absl::StrCat("Breach at ", incident.party(), ": ", headline(incident.title(), 120),
                            " [Termijn ", incident.name(), "]");
  view.text = absl::StrCat(
      "Termijn ", incident.name(), ", reported by ", incident.reported_by(), "\n\n",
      "Aware since: ", utc(incident.aware_time()), "\n",
      incident.has_occurred_time() ? "Occurred: " + utc(incident.occurred_time()) + "\n" : "",
      "Risk: ",
      incident.risk() == v1::RISK_UNSPECIFIED ? "not yet assessed" : v1::spelling(incident.risk()),
      "\n", "Data categories: ", spellings<v1::DataCategory>(incident.categories()), "\n",
      "Data subjects: ", spellings<v1::SubjectGroup>(incident.subject_groups()),
      incident.subject_count() > 0 ? absl::StrCat(" (about ", incident.subject_count(), ")") : "",
      "\n\n", incident.description(), "\n");
  for (const v1::Obligation& o : incident.obligations()) {
    view.obligations.push_back(obligation_view(o));
  }
  return view;
}

RecordView record_view(const v1::Request& request) {
  RecordView view;
  view.name = request.name();
  view.party = request.party();
  view.external_ref = request.external_ref();
  const std::string kind = v1::spelling(request.kind());
  view.title = absl::StrCat("Request (", kind, ") at ", request.party(), ": ",
                            headline(request.summary(), 120), " [Termijn ", request.name(), "]");
  view.text = absl::StrCat("Termijn ", request.name(), ", logged by ", request.logged_by(), "\n\n",
                           "Kind: ", kind, "\n", "Received: ", utc(request.receive_time()), "\n\n",
                           request.summary(), "\n");
  for (const v1::Obligation& o : request.obligations()) {
    view.obligations.push_back(obligation_view(o));
  }
  return view;
}

absl::StatusOr<RecordView> GrpcTermijnReader::record(const std::string& name) {
  if (absl::StartsWith(name, "incidents/")) {
    v1::GetIncidentRequest request;
    request.set_name(name);
    v1::Incident incident;
    const auto status = stub_.GetIncident(call_context().get(), request, &incident);
    if (!status.ok()) return from_grpc(status);
    return record_view(incident);
  }
  v1::GetRequestRequest request;
  request.set_name(name);
  v1::Request found;
  const auto status = stub_.GetRequest(call_context().get(), request, &found);
  if (!status.ok()) return from_grpc(status);
  return record_view(found);
}

absl::StatusOr<ObligationView> GrpcTermijnReader::obligation(const std::string& name) {
  v1::GetObligationRequest request;
  request.set_name(name);
  v1::Obligation found;
  const auto status = stub_.GetObligation(call_context().get(), request, &found);
  if (!status.ok()) return from_grpc(status);
  return obligation_view(found);
}

}  // namespace termijn::rt
