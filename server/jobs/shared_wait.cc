#include "server/jobs/shared_wait.h"

namespace termijn::jobs {

void SharedWait::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const uint64_t seen = wakes_;
  if (source_taken_) {
    woken_.wait_for(lock, timeout, [&] { return wakes_ != seen; });
    return;
  }
  source_taken_ = true;
  lock.unlock();
  source_(timeout);
  lock.lock();
  source_taken_ = false;
  ++wakes_;
  woken_.notify_all();
}

}  // namespace termijn::jobs
