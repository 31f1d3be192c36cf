#pragma once

#include <absl/status/statusor.h>

#include <string>

#include "server/app/actor.h"
#include "server/app/clock.h"
#include "server/app/directory.h"
#include "server/app/records.h"
#include "server/app/rule_policies.h"
#include "server/app/store.h"

namespace termijn::app {

/// Refuses to act on a data-subject request (GDPR art. 12(5)), in one transaction: the open
/// answer obligation closes as waived, its evidence the refusal ground and the reason, and the
/// duty to tell the subject why and of the right to complain (GDPR art. 12(4)) starts, due when
/// the answer was.
class RefuseRequest {
 public:
  RefuseRequest(const Clock& clock, Store& store, const Directory& directory,
                RulePolicies policy = {})
      : clock_(clock), store_(store), directory_(directory), policy_(std::move(policy)) {}

  /// INVALID_ARGUMENT for a ground that is not one of the answer rule's refusal grounds or a
  /// missing reason; NOT_FOUND for no such request; FAILED_PRECONDITION for a closed request or
  /// one without an open answer obligation.
  absl::StatusOr<RequestRecord> run(const Actor& actor, int64_t id, const std::string& ground,
                                    const std::string& reason);

 private:
  const Clock& clock_;
  Store& store_;
  const Directory& directory_;
  const RulePolicies policy_;
};

}  // namespace termijn::app
