#pragma once

#include <absl/status/statusor.h>

#include <string>

#include "server/app/actor.h"
#include "server/app/clock.h"
#include "server/app/directory.h"
#include "server/app/idempotency.h"
#include "server/app/records.h"
#include "server/app/rule_policies.h"
#include "server/app/store.h"

namespace termijn::app {

struct ReportMatterInput {
  std::string party;
  domain::MatterKind kind = domain::MatterKind::kDataQuality;
  std::string event_time;  ///< RFC 3339 or local; empty: now
  std::string summary;
  std::string staff_ref;  ///< required for a staff departure, refused otherwise
  CreateRequestId create_id;
};

/// Records a protocol matter and, in the same transaction, the obligations its rules start: a
/// notice to every other party and the measures (art. 12, 15), the erasure at every party (art.
/// 9), the end of the exchange at every party when a termination takes effect (art. 10, 18).
class ReportMatter {
 public:
  ReportMatter(const Clock& clock, Store& store, const Directory& directory,
               RulePolicies policy = {})
      : clock_(clock), store_(store), directory_(directory), policy_(std::move(policy)) {}

  absl::StatusOr<MatterRecord> run(const Actor& actor, const ReportMatterInput& input);

 private:
  const Clock& clock_;
  Store& store_;
  const Directory& directory_;
  const RulePolicies policy_;
};

}  // namespace termijn::app
