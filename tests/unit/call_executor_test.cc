// The executor that runs calls' work: what may wait for a thread, by count and by bytes.
#include "server/api/call_executor.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

namespace termijn::api {
namespace {

// Holds the executor's one thread until open() is called.
class Gate {
 public:
  void wait() {
    std::unique_lock lock(mutex_);
    started_ = true;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
  }
  void until_started() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return started_; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool started_ = false;
  bool open_ = false;
};

TEST(CallExecutorTest, RequestsWaitingAreBoundedByTheirBytesAsWellAsTheirNumber) {
  // Large requests (a request with its copy) fill the bytes a queue may hold before its count:
  // the next is refused, and accepted again once one of them has left the queue. Before: only
  // the count bounded it, 10 000 requests of up to 11 MiB each.
  constexpr size_t kMiB = size_t{1} << 20;
  CallExecutor executor(1, 100, 25 * kMiB);
  Gate gate;
  ASSERT_TRUE(executor.post([&] { gate.wait(); }));
  gate.until_started();  // the thread is busy: what follows waits
  int ran = 0;
  EXPECT_TRUE(executor.post([&] { ++ran; }, 11 * kMiB));
  EXPECT_TRUE(executor.post([&] { ++ran; }, 11 * kMiB));
  EXPECT_FALSE(executor.post([&] { ++ran; }, 11 * kMiB)) << "33 MiB would wait, beyond 25";
  EXPECT_TRUE(executor.post([&] { ++ran; }, 1 * kMiB)) << "small calls still fit";
  gate.open();
  executor.shutdown();
  EXPECT_EQ(ran, 3);

  CallExecutor idle(1, 100, 1 * kMiB);
  Gate busy;
  ASSERT_TRUE(idle.post([&] { busy.wait(); }));
  busy.until_started();
  EXPECT_TRUE(idle.post([] {}, 11 * kMiB)) << "one request is served however large";
  busy.open();
}

}  // namespace
}  // namespace termijn::api
