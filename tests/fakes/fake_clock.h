#pragma once

#include "server/app/clock.h"

namespace termijn::testing {

/// A clock that moves only when told to.
class FakeClock final : public app::Clock {
 public:
  explicit FakeClock(domain::Instant now) : now_(now) {}
  domain::Instant now() const override { return now_; }
  void set(domain::Instant t) { now_ = t; }
  void advance(std::chrono::seconds d) { now_ += d; }

 private:
  domain::Instant now_;
};

}  // namespace termijn::testing
