#pragma once

#include <chrono>

namespace termijn::domain {

/// How often and how patiently a notification is retried after temporary failures.
struct RetryPolicy {
  int max_attempts = 8;
  std::chrono::seconds initial_delay{30};
  std::chrono::seconds max_delay{1800};
};

/// The wait after `failed_attempts` (>= 1) failures: initial_delay doubled per further failure,
/// capped at max_delay, then scaled by a jitter factor in [0.5, 1.0] from `random01` in [0, 1)
/// so that many failures do not retry in step.
std::chrono::seconds retry_delay(const RetryPolicy& policy, int failed_attempts, double random01);

}  // namespace termijn::domain
