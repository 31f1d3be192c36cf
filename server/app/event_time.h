#pragma once

#include <absl/status/statusor.h>

#include <string_view>

#include "server/domain/model.h"

namespace termijn::app {

/// Reads a user-supplied event time in `party`'s zone. Empty text means `now`. Refuses, naming
/// `field`, text that is not a time, an ambiguous or nonexistent local time, a time outside
/// domain::in_supported_range, and (unless `allow_future`) a time after `now`.
absl::StatusOr<domain::Instant> read_event_time(std::string_view text, std::string_view field,
                                                const domain::Party& party, domain::Instant now,
                                                bool allow_future);

}  // namespace termijn::app
