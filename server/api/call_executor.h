#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace termijn::api {

/// The threads that do the work of calls, so that gRPC's callback threads never block on the
/// database: a handler hands its work here and returns; the work finishes the call. Work runs in
/// the order it was posted.
class CallExecutor {
 public:
  /// Starts `threads` workers; at most `max_queued` pieces of work wait for one.
  CallExecutor(int threads, size_t max_queued);
  ~CallExecutor();
  CallExecutor(const CallExecutor&) = delete;
  CallExecutor& operator=(const CallExecutor&) = delete;

  /// Queues `work`; false (and `work` dropped) when the queue is full or the executor stopped.
  bool post(std::function<void()> work);

  /// Runs what is queued, then stops the workers and waits for them. Idempotent.
  void shutdown();

 private:
  void run();

  const size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace termijn::api
