#include "server/web/connection_threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace termijn::web {
namespace {

using std::chrono::milliseconds;

// Connections that stay open until released, as a browser's idle keep-alive connections do.
class HeldConnections {
 public:
  std::function<void()> connection() {
    return [this] {
      std::unique_lock lock(mutex_);
      ++open_;
      changed_.notify_all();
      changed_.wait(lock, [this] { return released_; });
      --open_;
      ++served_;
      changed_.notify_all();
    };
  }
  // Blocks until `n` connections are open at once.
  void wait_until_open(int n) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return open_ >= n; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  int open() {
    std::lock_guard lock(mutex_);
    return open_;
  }
  int served() {
    std::lock_guard lock(mutex_);
    return served_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int open_ = 0;
  int served_ = 0;
  bool released_ = false;
};

TEST(ConnectionThreadsTest, IdleConnectionsHoldUpNoOtherConnection) {
  // cpp-httplib's own pool had eight threads: a ninth connection waited for one of the eight
  // to close.
  ConnectionThreads threads(256);
  HeldConnections idle;
  for (int i = 0; i < 64; ++i) threads.enqueue(idle.connection());
  idle.wait_until_open(64);
  std::mutex mutex;
  std::condition_variable done;
  bool answered = false;
  threads.enqueue([&] {
    std::lock_guard lock(mutex);
    answered = true;
    done.notify_all();
  });
  {
    std::unique_lock lock(mutex);
    done.wait(lock, [&] { return answered; });
  }
  EXPECT_EQ(idle.open(), 64);  // answered while every idle connection was still open
  idle.release();
  threads.shutdown();
  EXPECT_EQ(idle.served(), 64);
}

TEST(ConnectionThreadsTest, BeyondTheLimitAConnectionWaitsForAThread) {
  ConnectionThreads threads(3);
  HeldConnections held;
  for (int i = 0; i < 5; ++i) threads.enqueue(held.connection());
  held.wait_until_open(3);
  EXPECT_EQ(threads.threads(), 3u);
  EXPECT_EQ(held.open(), 3);  // two wait, and none is lost:
  held.release();
  threads.shutdown();
  EXPECT_EQ(held.served(), 5);
  EXPECT_EQ(threads.threads(), 0u);
}

TEST(ConnectionThreadsTest, ThreadsEndWhenNoConnectionComesAndNewOnesStartLater) {
  ConnectionThreads threads(8, milliseconds(1));
  std::atomic<int> served = 0;
  threads.enqueue([&] { ++served; });
  // The thread lingers for a millisecond, then returns: an idle console holds no thread.
  while (threads.threads() != 0) std::this_thread::yield();
  threads.enqueue([&] { ++served; });
  threads.shutdown();
  EXPECT_EQ(served, 2);
  EXPECT_EQ(threads.threads(), 0u);
}

TEST(ConnectionThreadsTest, ShutdownServesWhatWasAcceptedAndIsIdempotent) {
  ConnectionThreads threads(1);
  std::atomic<int> served = 0;
  for (int i = 0; i < 10; ++i) threads.enqueue([&] { ++served; });
  threads.shutdown();
  threads.shutdown();
  EXPECT_EQ(served, 10);
}

}  // namespace
}  // namespace termijn::web
