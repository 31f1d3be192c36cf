#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

namespace termijn::jobs {

/// Lets several worker threads wait on one source of wake-ups that only one thread may wait on
/// at a time (a LISTEN connection): one of them waits on the source, the others on this object;
/// when the source returns (woken or timed out), every waiting thread wakes. A thread never
/// waits longer than its own timeout.
class SharedWait {
 public:
  using Wait = std::function<void(std::chrono::milliseconds)>;

  explicit SharedWait(Wait source) : source_(std::move(source)) {}

  /// Blocks until the source wakes, or `timeout` passes. Thread-safe.
  void wait(std::chrono::milliseconds timeout);

 private:
  const Wait source_;
  std::mutex mutex_;
  std::condition_variable woken_;
  bool source_taken_ = false;  ///< a thread waits on the source; guarded by mutex_
  uint64_t wakes_ = 0;         ///< how often the source returned; guarded by mutex_
};

}  // namespace termijn::jobs
