#pragma once

#include <chrono>
#include <optional>

namespace termijn::app {

/// The deadline of the call the current thread works for. The API layer sets it around a call's
/// work; the store bounds its waits for a connection and its statements by it, so that work for
/// a caller who has given up stops. Scoped: the previous deadline comes back on destruction.
class CallDeadline {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  explicit CallDeadline(std::optional<TimePoint> deadline) : previous_(current_) {
    current_ = deadline;
  }
  ~CallDeadline() { current_ = previous_; }
  CallDeadline(const CallDeadline&) = delete;
  CallDeadline& operator=(const CallDeadline&) = delete;

  /// The deadline of this thread's call; nullopt outside a call or for a call without one.
  static std::optional<TimePoint> current() { return current_; }

 private:
  static inline thread_local std::optional<TimePoint> current_;
  std::optional<TimePoint> previous_;
};

}  // namespace termijn::app
