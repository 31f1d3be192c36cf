#pragma once

#include <absl/status/statusor.h>

#include "server/app/audit.h"
#include "server/app/directory.h"
#include "server/app/log_request.h"
#include "server/app/notifications.h"
#include "server/app/records.h"
#include "server/app/report_incident.h"
#include "server/app/report_matter.h"
#include "server/app/update_incident.h"
#include "server/app/webhooks.h"
#include "server/domain/events.h"
#include "termijn/v1/termijn.pb.h"

namespace termijn::api {

/// Proto <-> domain. Inputs are checked: an UNSPECIFIED or unknown enum value, an invalid
/// Timestamp, is INVALID_ARGUMENT naming the field.

/// `t` as an instant, its fraction of a second dropped; INVALID_ARGUMENT naming `field` unless it
/// is a valid Timestamp (nanos 0 to 999999999) in the supported range.
absl::StatusOr<domain::Instant> instant_from_proto(const google::protobuf::Timestamp& t,
                                                   std::string_view field);

absl::StatusOr<app::ReportIncidentInput> from_proto(const v1::ReportIncidentRequest& in);
absl::StatusOr<app::LogRequestInput> from_proto(const v1::LogRequestRequest& in);
absl::StatusOr<app::ReportMatterInput> from_proto(const v1::ReportMatterRequest& in);
/// The change only; the incident's name is parsed by the caller.
absl::StatusOr<app::IncidentChange> from_proto(const v1::UpdateIncidentRequest& in);
absl::StatusOr<domain::RequestKind> request_kind_from_proto(v1::RequestKind kind,
                                                            std::string_view field);

void to_proto(const domain::Party& in, v1::Party* out);
void to_proto(const domain::Obligation& in, const app::Directory& directory, v1::Obligation* out);
void to_proto(const app::IncidentRecord& in, const app::Directory& directory, v1::Incident* out);
void to_proto(const app::RequestRecord& in, const app::Directory& directory, v1::Request* out);
void to_proto(const app::MatterRecord& in, const app::Directory& directory, v1::Matter* out);
void to_proto(const domain::AuditCheckpoint& checkpoint, v1::AuditCheckpoint* out);
/// A register entry: the record in full, each obligation as a duty judged at `as_of`.
void to_proto(const app::IncidentRecord& in, const app::Directory& directory, domain::Instant as_of,
              v1::IncidentRegisterEntry* out);
void to_proto(const app::RequestRecord& in, const app::Directory& directory, domain::Instant as_of,
              v1::RequestRegisterEntry* out);
void to_proto(const app::AuditEvent& in, v1::AuditEvent* out);
void to_proto(const app::NotificationRecord& in, const app::Directory& directory,
              v1::Notification* out);
void to_proto(const domain::StreamEvent& in, v1::Event* out);
void to_proto(const app::WebhookDelivery& in, v1::WebhookDelivery* out);
/// The proto3 JSON of the event on one line, every field present: a webhook's body.
std::string event_json(const domain::StreamEvent& in);

}  // namespace termijn::api
