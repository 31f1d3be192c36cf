#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace termijn::web {

/// The console's connections, each served on a thread of its own, up to `limit` at once; beyond
/// that, a connection waits for a thread. cpp-httplib serves a connection on one thread from its
/// TLS handshake to its close, also while it idles between requests (a browser keeps several
/// open after each page) or never sends anything at all: with its fixed pool of eight threads,
/// eight such connections kept every other user waiting until the server gave up on them.
///
/// Threads are started as connections come and end after `linger` without one, so an idle
/// console holds none of them. shutdown() lets the connections that were accepted finish and
/// joins every thread. The shape of cpp-httplib's TaskQueue, without its header.
class ConnectionThreads {
 public:
  explicit ConnectionThreads(size_t limit,
                             std::chrono::milliseconds linger = std::chrono::seconds(30));
  ~ConnectionThreads();
  ConnectionThreads(const ConnectionThreads&) = delete;
  ConnectionThreads& operator=(const ConnectionThreads&) = delete;

  /// Runs `connection` on an idle thread, on a new one while fewer than `limit` run, or else
  /// as soon as a thread is free. Thread-safe.
  void enqueue(std::function<void()> connection);
  /// Runs what was enqueued, then joins every thread. Idempotent.
  void shutdown();

  /// Threads running now (serving a connection or idle): for tests.
  size_t threads() const;

 private:
  void work();
  void join_finished();  // with mutex_ held

  const size_t limit_;
  const std::chrono::milliseconds linger_;
  mutable std::mutex mutex_;
  std::condition_variable work_;
  std::deque<std::function<void()>> connections_;
  std::map<std::thread::id, std::thread> threads_;
  std::vector<std::thread::id> finished_;  // threads that returned and are still to be joined
  size_t running_ = 0;                     // threads started and not yet returning
  size_t idle_ = 0;                        // of those, the ones waiting for a connection
  bool stopping_ = false;
};

}  // namespace termijn::web
