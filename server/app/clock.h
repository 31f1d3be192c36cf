#pragma once

#include <chrono>

#include "server/domain/time.h"

namespace termijn::app {

/// The source of "now". Injected everywhere; tests use FakeClock.
class Clock {
 public:
  virtual ~Clock() = default;
  /// Now, to the second: what is recorded and compared.
  virtual domain::Instant now() const = 0;
  /// Now, as precisely as the clock knows: for workers that sleep until an instant.
  virtual std::chrono::system_clock::time_point precise_now() const { return now(); }
};

class SystemClock final : public Clock {
 public:
  domain::Instant now() const override {
    return date::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
  std::chrono::system_clock::time_point precise_now() const override {
    return std::chrono::system_clock::now();
  }
};

}  // namespace termijn::app
