#include "server/jobs/shared_wait.h"

#include <algorithm>

namespace termijn::jobs {

void SharedWait::wait(std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point until = Clock::now() + timeout;
  std::unique_lock lock(mutex_);
  while (!stopped_) {
    if (!source_taken_) {
      source_taken_ = true;
      lock.unlock();
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now());
      source_(std::max(left, std::chrono::milliseconds{0}));
      lock.lock();
      source_taken_ = false;
      changed_.notify_all();  // a waiting thread takes the source over
      return;
    }
    ++waiting_;
    const bool timed_out = changed_.wait_until(lock, until) == std::cv_status::timeout;
    --waiting_;
    if (picked_ > 0) {
      --picked_;
      return;
    }
    if (timed_out) return;
  }
}

void SharedWait::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    changed_.notify_all();
  }
  // Only now: a wake-up of the source before stopped_ was set let the thread on it return, and
  // another took the source over and waited on, for its whole timeout.
  wake_source_();
}

void SharedWait::wake_one() {
  std::lock_guard lock(mutex_);
  if (picked_ >= waiting_) return;
  ++picked_;
  changed_.notify_all();
}

}  // namespace termijn::jobs
