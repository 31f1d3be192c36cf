// SharedWait: one wake-up of the source sets one waiting worker going, wake_one() another.
#include "server/jobs/shared_wait.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace termijn::jobs {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A source of wake-ups the test fires by hand; counts the threads that came to wait on it.
class Source {
 public:
  void wait(milliseconds timeout) {
    std::unique_lock lock(mutex_);
    ++entered_;
    const int seen = fired_;
    fired_changed_.wait_for(lock, timeout, [&] { return fired_ != seen; });
  }
  void fire() {
    std::lock_guard lock(mutex_);
    ++fired_;
    fired_changed_.notify_all();
  }
  int entered() {
    std::lock_guard lock(mutex_);
    return entered_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable fired_changed_;
  int fired_ = 0;
  int entered_ = 0;
};

// Spins (without sleeping for a deadline) until `done` holds, for at most ten seconds.
template <typename Done>
bool eventually(Done done) {
  const auto until = std::chrono::steady_clock::now() + seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::yield();
  }
  return true;
}

// Three workers waiting on one SharedWait, one of them on the source.
class SharedWaitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 3; ++i) {
      workers_.emplace_back([this] {
        shared_.wait(seconds(30));
        ++returned_;
      });
    }
    ASSERT_TRUE(eventually([&] { return source_.entered() == 1; }));
  }

  Source source_;
  SharedWait shared_{[this](milliseconds t) { source_.wait(t); }, [this] { source_.fire(); }};
  std::atomic<int> returned_{0};
  std::vector<std::jthread> workers_;  // last: joined before the rest goes
};

TEST_F(SharedWaitTest, OneWakeOfTheSourceSetsOneWorkerGoingAndWakeOneAnother) {
  // Before: every waiting thread returned when the source did; four outbox senders each claimed
  // (nothing, mostly) on every notice, and ReportIncident ran at half speed.
  source_.fire();

  // The thread that waited on the source returns; another takes the source over.
  ASSERT_TRUE(eventually([&] { return returned_ == 1 && source_.entered() == 2; }));
  EXPECT_EQ(returned_, 1);

  // The third waits on the object, not on the source (once its thread got that far: until then
  // wake_one() finds nobody waiting and does nothing).
  ASSERT_TRUE(eventually([&] {
    shared_.wake_one();
    return returned_ == 2;
  }));
  EXPECT_EQ(source_.entered(), 2);
  source_.fire();
  ASSERT_TRUE(eventually([&] { return returned_ == 3; }));
}

TEST(SharedWaitAloneTest, WakeOneWithNobodyWaitingIsNotKeptForLater) {
  Source source;
  SharedWait shared([&](milliseconds t) { source.wait(t); }, [&] { source.fire(); });
  shared.wake_one();
  std::atomic<int> returned{0};
  std::jthread on_source([&] {
    shared.wait(seconds(30));
    ++returned;
  });
  ASSERT_TRUE(eventually([&] { return source.entered() == 1; }));
  const auto start = std::chrono::steady_clock::now();
  shared.wait(milliseconds(50));  // waits on the object its whole timeout: no stale wake
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(50));
  source.fire();
  ASSERT_TRUE(eventually([&] { return returned == 1; }));
}

TEST_F(SharedWaitTest, StopLetsEveryWaiterGoAndLaterWaitsReturnAtOnce) {
  // Before: at shutdown only the sender on the listener was woken; the others slept out their
  // timeout (up to 5 s), and termijnd took that long to stop.
  shared_.stop();

  ASSERT_TRUE(eventually([&] { return returned_ == 3; }));
  shared_.wait(seconds(30));  // returns at once: it does not take the (free) source again
  EXPECT_EQ(source_.entered(), 1);
}

TEST_F(SharedWaitTest, StopRightAfterAWakeOfTheSourceLeavesNobodyOnTheSource) {
  // A wake-up of the source (a notice queued) comes just before the stop. The thread on the
  // source returns, and another takes the source over.
  //
  // Before: termijnd woke the source at shutdown and then stopped the SharedWait; when a
  // sender took the source over between the two, nothing woke it again, and termijnd took as
  // long as that sender's timeout (the next retry of a notice: seconds) to stop.
  source_.fire();
  ASSERT_TRUE(eventually([&] { return returned_ == 1 && source_.entered() == 2; }));

  shared_.stop();
  ASSERT_TRUE(eventually([&] { return returned_ == 3; }));
  EXPECT_EQ(source_.entered(), 2) << "after the stop, nobody takes the source";
}

}  // namespace
}  // namespace termijn::jobs
