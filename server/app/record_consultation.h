#pragma once

#include <absl/status/statusor.h>

#include <string>

#include "server/app/actor.h"
#include "server/app/clock.h"
#include "server/app/directory.h"
#include "server/app/records.h"
#include "server/app/store.h"

namespace termijn::app {

/// What the parties to an incident consulted on (protocol art. 13, second paragraph).
struct ConsultationInput {
  std::string consult_time;  ///< RFC 3339, or local time in the acting party's zone; empty: now
  std::string party;         ///< the other party consulted; empty: every party still to consult
  std::string participants;  ///< who took part
  std::string agreed;        ///< what was agreed
};

/// Records the joint consultation on a breach that protocol art. 13 (second paragraph) demands,
/// in one transaction: it fulfils the open consultation obligation between the acting party and
/// each party consulted (met, or met late when it was held after the target) with the
/// consultation as evidence, and audits it. Either party of a pair may record it.
class RecordConsultation {
 public:
  RecordConsultation(const Clock& clock, Store& store, const Directory& directory)
      : clock_(clock), store_(store), directory_(directory) {}

  /// INVALID_ARGUMENT for a missing participant list or agreement, or a consultation time that
  /// is not a time, lies in the future or before the awareness; FAILED_PRECONDITION for a closed
  /// incident or when no consultation between these parties is open.
  absl::StatusOr<IncidentRecord> run(const Actor& actor, int64_t incident_id,
                                     const ConsultationInput& input);

 private:
  const Clock& clock_;
  Store& store_;
  const Directory& directory_;
};

}  // namespace termijn::app
