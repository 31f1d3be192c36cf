#pragma once

#include <cstdint>
#include <string>

#include "server/domain/time.h"

namespace termijn::domain {

/// One change, as the audit trail records it.
struct AuditRecord {
  int64_t seq = 0;  ///< 0 until the sequencer assigns it
  Instant time{};
  std::string principal;  ///< "system" for the service's own workers
  std::string party;
  std::string action;   ///< "incident.reported", "obligation.fulfilled", ...
  std::string subject;  ///< resource name: "incidents/4", "obligations/17"
  std::string related;  ///< the record a subject belongs to ("incidents/4"), or empty
  std::string details;  ///< JSON object text: the fields that changed
};

/// "2026-11-28T18:40:00Z".
std::string format_utc(Instant t);

/// The bytes an event's hash covers: the netstrings ("<length>:<bytes>,", length in bytes) of
/// seq (decimal), time (format_utc), principal, party, action, subject, related and details, in
/// that order. Unambiguous for any content; documented in the README for outside verification.
std::string canonical_bytes(const AuditRecord& record);

}  // namespace termijn::domain
