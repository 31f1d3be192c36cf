#pragma once

#include <absl/status/statusor.h>

#include <string>
#include <vector>

#include "server/app/actor.h"
#include "server/app/clock.h"
#include "server/app/directory.h"
#include "server/app/records.h"
#include "server/app/rule_policies.h"
#include "server/app/store.h"

namespace termijn::app {

/// A change to an incident in the manner of AIP-134: only the fields named in `paths` (the
/// update mask) change; the others in this struct are ignored.
struct IncidentChange {
  std::vector<std::string> paths;  ///< "description", "occurred_time", "categories", ...
  std::string occurred_time;       ///< RFC 3339 or local; empty: unknown
  std::string description;
  std::vector<domain::DataCategory> categories;
  std::vector<domain::SubjectGroup> subject_groups;
  int64_t subject_count = 0;  ///< 0: unknown
  domain::Risk risk = domain::Risk::kUnknown;
  std::string consequences;
  std::string measures;
  std::string ticket_ref;
};

/// The paths an IncidentChange may name, in the order changes are reported.
const std::vector<std::string>& incident_update_paths();

/// Changes what is known of an incident, in one transaction: the fields before and after are
/// audited ("incident.updated"); a risk newly assessed as high starts GDPR art. 34 (inform the
/// data subjects); and each other party whose breach notice went out already gets a follow-up
/// notice saying what changed (protocol art. 13, third paragraph; GDPR art. 33(4)). A change
/// that changes nothing writes nothing.
class UpdateIncident {
 public:
  UpdateIncident(const Clock& clock, Store& store, const Directory& directory,
                 RulePolicies policy = {})
      : clock_(clock), store_(store), directory_(directory), policy_(std::move(policy)) {}

  /// INVALID_ARGUMENT for an empty or unknown path or a bad value (naming the field),
  /// NOT_FOUND for no such incident, FAILED_PRECONDITION for a closed one.
  absl::StatusOr<IncidentRecord> run(const Actor& actor, int64_t id, const IncidentChange& change);

 private:
  const Clock& clock_;
  Store& store_;
  const Directory& directory_;
  const RulePolicies policy_;
};

}  // namespace termijn::app
