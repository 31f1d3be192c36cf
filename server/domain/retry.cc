#include "server/domain/retry.h"

#include <algorithm>
#include <cmath>

namespace termijn::domain {

std::chrono::seconds retry_delay(const RetryPolicy& policy, int failed_attempts,
                                 double random01) {
  const double doublings = std::min(std::max(failed_attempts - 1, 0), 30);
  const double full = std::min(policy.initial_delay.count() * std::pow(2.0, doublings),
                               static_cast<double>(policy.max_delay.count()));
  const double jitter = 0.5 + 0.5 * std::clamp(random01, 0.0, 1.0);
  return std::chrono::seconds{std::max<long long>(1, std::llround(full * jitter))};
}

}  // namespace termijn::domain
