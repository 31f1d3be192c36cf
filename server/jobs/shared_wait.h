#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace termijn::jobs {

/// Lets several worker threads wait on one source of wake-ups that only one thread may wait on
/// at a time (a LISTEN connection). One of them waits on the source, the others on this object.
/// When the source returns (woken or timed out), only the thread that waited on it returns, and
/// another waiting thread takes the source over: one wake-up sets one worker going, not all of
/// them. A worker that found more than it can take on alone calls wake_one() for help. A thread
/// never waits longer than its own timeout.
class SharedWait {
 public:
  using Wait = std::function<void(std::chrono::milliseconds)>;
  using Wake = std::function<void()>;

  /// `wake_source` makes the thread waiting on `source` return (a wake-up that comes before that
  /// thread waits is kept for its wait).
  SharedWait(Wait source, Wake wake_source)
      : source_(std::move(source)), wake_source_(std::move(wake_source)) {}

  /// Blocks until the source wakes this thread, wake_one() picks it, or `timeout` passes.
  /// Thread-safe.
  void wait(std::chrono::milliseconds timeout);

  /// Lets one thread waiting on this object (not on the source) return; nothing when none waits.
  void wake_one();

  /// At shutdown: every waiting thread returns, also the one on the source (woken after the
  /// stop is marked, so that no thread takes the source over and waits on after it), and later
  /// waits return at once.
  void stop();

 private:
  const Wait source_;
  const Wake wake_source_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool source_taken_ = false;  ///< a thread waits on the source; guarded by mutex_
  int waiting_ = 0;            ///< threads waiting on this object; guarded by mutex_
  int picked_ = 0;             ///< of those, how many wake_one() let go; guarded by mutex_
  bool stopped_ = false;       ///< guarded by mutex_
};

}  // namespace termijn::jobs
