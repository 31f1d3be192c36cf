#pragma once

#include <absl/status/statusor.h>

#include <string>
#include <vector>

#include "server/app/actor.h"
#include "server/app/clock.h"
#include "server/app/directory.h"
#include "server/app/idempotency.h"
#include "server/app/records.h"
#include "server/app/rule_policies.h"
#include "server/app/store.h"

namespace termijn::app {

struct ReportIncidentInput {
  std::string party;
  std::string aware_time;     ///< RFC 3339 or local; empty: now
  std::string occurred_time;  ///< optional
  std::string title;
  std::string description;
  std::vector<domain::DataCategory> categories;
  std::vector<domain::SubjectGroup> subject_groups;
  int64_t subject_count = 0;
  domain::Risk risk = domain::Risk::kUnknown;
  std::string ticket_ref;  ///< the API's external_ref
  CreateRequestId create_id;  ///< makes a retried report return the first one
};

/// Records a (possible) personal-data breach and, in the same transaction, the obligations it
/// starts: protocol art. 13 towards every other party's DPO, GDPR art. 33 towards the authority,
/// and, when it is reported as a high risk, GDPR art. 34 towards the data subjects.
class ReportIncident {
 public:
  ReportIncident(const Clock& clock, Store& store, const Directory& directory,
                 RulePolicies policy = {})
      : clock_(clock), store_(store), directory_(directory), policy_(std::move(policy)) {}

  absl::StatusOr<IncidentRecord> run(const Actor& actor, const ReportIncidentInput& input);

 private:
  const Clock& clock_;
  Store& store_;
  const Directory& directory_;
  const RulePolicies policy_;
};

}  // namespace termijn::app
