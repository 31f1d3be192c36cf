#pragma once

#include <absl/status/statusor.h>

#include <optional>
#include <string>
#include <vector>

#include "server/app/clock.h"
#include "server/app/directory.h"
#include "server/domain/planner.h"

namespace termijn::app {

/// What an event at a given instant would create. Nothing is stored; the instant may lie in the
/// future.
class PreviewObligations {
 public:
  PreviewObligations(const Clock& clock, const Directory& directory,
                     domain::PolicyTargets targets = {})
      : clock_(clock), directory_(directory), targets_(std::move(targets)) {}

  /// For Trigger::kExtension, `time` is the receipt of the request and the result the extended
  /// answer and the duty to tell the subject; `extension_months` must then be 1 or 2.
  absl::StatusOr<std::vector<domain::Obligation>> run(
      domain::Trigger trigger, const std::string& party, const std::string& time,
      std::optional<domain::RequestKind> request_kind, int extension_months = 0) const;

 private:
  const Clock& clock_;
  const Directory& directory_;
  const domain::PolicyTargets targets_;
};

}  // namespace termijn::app
