#pragma once

#include <absl/status/statusor.h>

#include <chrono>
#include <functional>
#include <optional>
#include <stop_token>
#include <string_view>

#include "server/app/clock.h"

namespace termijn::jobs {

/// Calls `some` until it reports nothing more to do (0 items handled), fails (logged as
/// `worker`), or `stop` is requested; returns how many items it handled in all.
int drain(std::string_view worker, std::stop_token stop,
          const std::function<absl::StatusOr<int>()>& some);

/// How long a worker sleeps before the item due at `next`: to the millisecond, at most 5 s (it
/// is also woken by LISTEN/NOTIFY); 200 ms when something is due but none was handled (held by
/// another process, or the database failing), so that it does not spin.
std::chrono::milliseconds sleep_before(const app::Clock& clock,
                                       const absl::StatusOr<std::optional<domain::Instant>>& next,
                                       int handled);

}  // namespace termijn::jobs
