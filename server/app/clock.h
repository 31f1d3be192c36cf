#pragma once

#include <chrono>

#include "server/domain/time.h"

namespace termijn::app {

/// The source of "now". Injected everywhere; tests use FakeClock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual domain::Instant now() const = 0;
};

class SystemClock final : public Clock {
 public:
  domain::Instant now() const override {
    return date::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

}  // namespace termijn::app
