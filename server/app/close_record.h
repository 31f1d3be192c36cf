#pragma once

#include <absl/status/statusor.h>

#include <string>

#include "server/app/actor.h"
#include "server/app/clock.h"
#include "server/app/records.h"
#include "server/app/store.h"

namespace termijn::app {

/// Closes an incident with a closing summary. FAILED_PRECONDITION, naming them, while any of its
/// obligations is open, and for an incident closed already; a closed incident does not change.
class CloseIncident {
 public:
  CloseIncident(const Clock& clock, Store& store) : clock_(clock), store_(store) {}
  absl::StatusOr<IncidentRecord> run(const Actor& actor, int64_t id, const std::string& summary);

 private:
  const Clock& clock_;
  Store& store_;
};

/// Closes a request as CloseIncident closes an incident.
class CloseRequest {
 public:
  CloseRequest(const Clock& clock, Store& store) : clock_(clock), store_(store) {}
  absl::StatusOr<RequestRecord> run(const Actor& actor, int64_t id, const std::string& summary);

 private:
  const Clock& clock_;
  Store& store_;
};

}  // namespace termijn::app
