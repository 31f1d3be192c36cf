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

/// Extends the answer period of a data-subject request by one or two months (GDPR art. 12(3)),
/// once, within one month of its receipt, in one transaction: the answer obligation moves to 2
/// or 3 months after its start (the receipt, or the identification when the owner counts from
/// it) with its reminders, and the duty to tell the subject of the extension and its reasons
/// starts, due one month after the receipt (Reg. 1182/71).
class ExtendRequest {
 public:
  ExtendRequest(const Clock& clock, Store& store, const Directory& directory,
                RulePolicies policy = {})
      : clock_(clock), store_(store), directory_(directory), policy_(std::move(policy)) {}

  /// INVALID_ARGUMENT for months other than 1 or 2 or a missing reason; NOT_FOUND for no such
  /// request; FAILED_PRECONDITION when it was extended or closed already, has no open answer
  /// obligation, or the month from its receipt has passed.
  absl::StatusOr<RequestRecord> run(const Actor& actor, int64_t id, int months,
                                    const std::string& reason);

 private:
  const Clock& clock_;
  Store& store_;
  const Directory& directory_;
  const RulePolicies policy_;
};

}  // namespace termijn::app
