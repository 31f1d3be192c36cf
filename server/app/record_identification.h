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

/// Records, in one transaction, that more information to identify the subject of a data-subject
/// request was asked or came (GDPR art. 12(6)). The open answer obligation (GDPR art. 12(3)) is
/// planned anew: when the owner party counts the period from the identification, it moves to
/// one month (plus an extension) after the information came, with its reminders; either way its
/// explanation says which start the party's policy takes.
class RecordIdentification {
 public:
  RecordIdentification(const Clock& clock, Store& store, const Directory& directory,
                       RulePolicies policy = {})
      : clock_(clock), store_(store), directory_(directory), policy_(std::move(policy)) {}

  /// Exactly one of `asked_time` and `received_time` (RFC 3339, or local time in the owner's
  /// zone). INVALID_ARGUMENT for both or neither, a time that is not one, lies in the future,
  /// before the receipt of the request or (received) before the question; NOT_FOUND for no such
  /// request; FAILED_PRECONDITION for a closed request, one without an answer to the subject, a
  /// question asked already, information received already, or received before it was asked.
  absl::StatusOr<RequestRecord> run(const Actor& actor, int64_t id, const std::string& asked_time,
                                    const std::string& received_time);

 private:
  const Clock& clock_;
  Store& store_;
  const Directory& directory_;
  const RulePolicies policy_;
};

}  // namespace termijn::app
