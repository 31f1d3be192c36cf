#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
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
  /// Starts `threads` workers; at most `max_queued` pieces of work, holding at most
  /// `max_queued_bytes` of requests between them, wait for one (one piece always may, however
  /// large: what the message size limit lets in is served).
  CallExecutor(int threads, size_t max_queued, size_t max_queued_bytes = SIZE_MAX);
  ~CallExecutor();
  CallExecutor(const CallExecutor&) = delete;
  CallExecutor& operator=(const CallExecutor&) = delete;

  /// Queues `work`, which holds a request of `bytes`; false (and `work` dropped) when the queue
  /// is full, by count or by bytes, or the executor stopped.
  bool post(std::function<void()> work, size_t bytes = 0);

  /// Runs what is queued, then stops the workers and waits for them. Idempotent.
  void shutdown();

 private:
  void run();

  struct Queued {
    std::function<void()> work;
    size_t bytes = 0;
  };
  const size_t max_queued_;
  const size_t max_queued_bytes_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Queued> queue_;
  size_t queued_bytes_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace termijn::api
