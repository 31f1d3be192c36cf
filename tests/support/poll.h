#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace termijn::testing {

/// Checks `condition` every 50 ms until it holds (true) or `timeout` passes (false). For
/// asynchronous background work only, never to let a deadline pass.
inline bool poll_until(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling background work
  }
}

}  // namespace termijn::testing
