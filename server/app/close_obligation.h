#pragma once

#include <absl/status/statusor.h>

#include <string>

#include "server/app/actor.h"
#include "server/app/clock.h"
#include "server/app/store.h"

namespace termijn::app {

/// Closes an open obligation: fulfilled (met, or met-late after due_time) with evidence, or
/// waived with a reason (e.g. GDPR art. 33: unlikely to result in a risk).
class CloseObligation {
 public:
  CloseObligation(const Clock& clock, Store& store) : clock_(clock), store_(store) {}

  absl::StatusOr<domain::Obligation> fulfil(const Actor& actor, int64_t id,
                                            const std::string& evidence);
  /// A rule with waiver grounds (GDPR art. 34(3)) takes one of them as `ground` ("a"); the
  /// others take none. The ground's text is recorded before the reason.
  absl::StatusOr<domain::Obligation> waive(const Actor& actor, int64_t id,
                                           const std::string& reason,
                                           const std::string& ground = "");

 private:
  absl::StatusOr<domain::Obligation> close(const Actor& actor, int64_t id, bool fulfilled,
                                           const std::string& text, const std::string& ground);
  const Clock& clock_;
  Store& store_;
};

}  // namespace termijn::app
