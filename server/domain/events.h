#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/domain/audit.h"

namespace termijn::domain {

/// Something that happened, as the event stream and webhooks carry it: one audit event, named
/// for what it means to a ticketing system.
struct StreamEvent {
  int64_t seq = 0;
  std::string type;  ///< "incident.reported", "reminder.sent", "obligation.overdue", ...
  Instant time{};
  std::string party;  ///< the party whose record it is
  std::string subject;
  std::string related;
  std::string principal;
  std::string details;  ///< the audit details (JSON text)
  std::string action;   ///< the audit action it comes from
};

/// The event type of an audit action: the action itself, except that a fired escalation step
/// is "reminder.sent" before the due time and "obligation.overdue" at and after it (steps "0"
/// and "+..."), and a skipped one "reminder.skipped".
std::string event_type(const AuditRecord& record);

/// The event of `record`, owned by `party`.
StreamEvent event_of(const AuditRecord& record, std::string party);

/// Which events a subscriber wants.
struct EventFilter {
  std::vector<std::string> types;  ///< exact types, or prefixes ending in "."; empty: all
  std::string subject;             ///< a record: its events and those of what belongs to it
};

/// Empty when `filter` is well-formed; otherwise what is wrong, naming the field.
std::string filter_error(const EventFilter& filter);

bool matches(const EventFilter& filter, const StreamEvent& event);

/// The record an audit subject names, split: "incidents/4" is {"incidents", 4}; {"", 0} for a
/// subject that is not a record.
struct RecordName {
  std::string collection;
  int64_t id = 0;
};
RecordName record_name(std::string_view subject);

/// Whether a party that a record was notified to (not its owner) learns of `event` on the
/// stream, given that it may see the event's subject: of the incident or request itself only
/// that it was reported, logged or updated (what the notice and its follow-ups told), and of
/// the notice obligations and notices towards it how they were delivered and acknowledged.
/// The owner's own case (closing, extending, reminders, failures) stays with the owner.
bool notified_party_sees(const StreamEvent& event);

/// The event as a notified party receives it: without the details and, except for the report
/// itself (the notice names the reporter), without the acting principal. It reads the record
/// itself, in its view, with GetIncident / GetRequest.
StreamEvent notified_view(StreamEvent event);

}  // namespace termijn::domain
