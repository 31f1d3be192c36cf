#pragma once

#include <string>
#include <vector>

#include "server/app/notifications.h"
#include "server/app/records.h"

namespace termijn::app {

/// How much of a record a reader sees (decided by api::policy::view_of).
enum class View {
  kFull,      ///< auditors: everything
  kOwner,     ///< the party the record belongs to: all of it but other parties' own duties
  kNotified,  ///< a party the record was notified to: what its notice carried
};

RecordParties parties_of(const IncidentRecord& record);
RecordParties parties_of(const RequestRecord& record);
RecordParties parties_of(const MatterRecord& record);
RecordParties parties_of(const domain::Obligation& obligation);
RecordParties parties_of(const NotificationRecord& record);

/// The record as it was notified to `party` (protocol art. 13 and 14 notices): the fields the
/// notice carries and the notice obligations towards `party` (with the proof of delivery, if
/// met). The owner's own duties (GDPR art. 33, 12(3), 34 ...), waiver reasons, who closed an
/// obligation and the owner's reminder schedule are withheld. Withheld instants are left at zero.
IncidentRecord notified_view(IncidentRecord record, const std::string& party);
RequestRecord notified_view(RequestRecord record, const std::string& party);
MatterRecord notified_view(MatterRecord record, const std::string& party);
domain::Obligation notified_view(domain::Obligation obligation, const std::string& party);
NotificationRecord notified_view(NotificationRecord record, const std::string& party);

/// Keeps the obligations `party` owns or is owed.
void keep_those_of(const std::string& party, std::vector<domain::Obligation>& obligations);

/// The record (an incident, request or matter) as its own party `party` sees it: whole, but
/// without the obligations another party owes itself (a duty of every party, on a matter): those
/// are that party's, as its obligation reads are (GetObligation, the event stream, the audit
/// trail).
template <typename Record>
Record owner_view(Record record, const std::string& party) {
  keep_those_of(party, record.obligations);
  return record;
}
inline domain::Obligation owner_view(domain::Obligation o, const std::string&) { return o; }
inline NotificationRecord owner_view(NotificationRecord r, const std::string&) { return r; }

/// `record` in `view` for a reader of `party`.
template <typename Record>
Record as_viewed(Record record, View view, const std::string& party) {
  switch (view) {
    case View::kOwner:
      return owner_view(std::move(record), party);
    case View::kNotified:
      return notified_view(std::move(record), party);
    case View::kFull:
      break;
  }
  return record;
}

}  // namespace termijn::app
