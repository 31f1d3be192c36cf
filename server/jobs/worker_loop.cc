#include "server/jobs/worker_loop.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace termijn::jobs {

namespace {
constexpr std::chrono::milliseconds kMaxSleep{5000};
constexpr std::chrono::milliseconds kRetryPause{200};
}  // namespace

int drain(std::string_view worker, std::stop_token stop,
          const std::function<absl::StatusOr<int>()>& some) {
  int handled = 0;
  while (!stop.stop_requested()) {
    const auto result = some();
    if (!result.ok()) {
      spdlog::error("{}: {}", worker, result.status().ToString());
      return handled;
    }
    if (*result == 0) return handled;
    handled += *result;
  }
  return handled;
}

std::chrono::milliseconds sleep_before(const app::Clock& clock,
                                       const absl::StatusOr<std::optional<domain::Instant>>& next,
                                       int handled) {
  if (!next.ok() || !*next) return kMaxSleep;
  const auto until = std::chrono::ceil<std::chrono::milliseconds>(**next - clock.precise_now());
  const auto sleep = std::clamp(until, std::chrono::milliseconds{0}, kMaxSleep);
  return sleep.count() == 0 && handled == 0 ? kRetryPause : sleep;
}

}  // namespace termijn::jobs
