#pragma once

#include <absl/status/statusor.h>

#include <optional>
#include <string>

#include "server/app/actor.h"
#include "server/app/clock.h"
#include "server/app/directory.h"
#include "server/app/idempotency.h"
#include "server/app/records.h"
#include "server/app/rule_policies.h"
#include "server/app/store.h"

namespace termijn::app {

struct LogRequestInput {
  std::string party;
  std::optional<domain::RequestKind> kind;
  std::string receive_time;  ///< RFC 3339 or local; empty: now
  std::string summary;
  std::optional<domain::Attachment> copy;  ///< bytes, file name, media type; sha256 optional
  std::string external_ref;                ///< the id of its ticket elsewhere; optional
  CreateRequestId create_id;               ///< makes a retried log return the first one
};

/// Records a data-subject request or a supervisory-authority message and, in the same
/// transaction, its obligations: protocol art. 14 towards every other party's DPO and, for
/// data-subject requests, the GDPR art. 12(3) answer.
class LogRequest {
 public:
  LogRequest(const Clock& clock, Store& store, const Directory& directory, int64_t max_copy_bytes,
             RulePolicies policy = {})
      : clock_(clock),
        store_(store),
        directory_(directory),
        max_copy_bytes_(max_copy_bytes),
        policy_(std::move(policy)) {}

  absl::StatusOr<RequestRecord> run(const Actor& actor, const LogRequestInput& input);

 private:
  const Clock& clock_;
  Store& store_;
  const Directory& directory_;
  int64_t max_copy_bytes_;
  const RulePolicies policy_;
};

}  // namespace termijn::app
