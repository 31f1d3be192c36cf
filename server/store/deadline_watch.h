#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <pqxx/connection>
#include <set>
#include <thread>
#include <utility>

namespace termijn::store {

/// Cancels the statement a session is running when the deadline of the call it works for
/// passes (libpq's cancel request, sent from a thread of its own), so that a call's deadline
/// bounds its statements without a statement of its own: no SET statement_timeout before and
/// after every call.
class DeadlineWatch {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  /// Names one watch; 0 is no watch.
  using Id = uint64_t;

  DeadlineWatch();
  ~DeadlineWatch();
  DeadlineWatch(const DeadlineWatch&) = delete;
  DeadlineWatch& operator=(const DeadlineWatch&) = delete;

  /// Cancels what `session` runs at `deadline`, until unwatch(). `session` must outlive the watch.
  Id watch(pqxx::connection& session, TimePoint deadline);

  /// Ends the watch; after it returns, `session` is not touched again. True when a cancel
  /// request was sent: it may still be on its way, so the session must not run another call's
  /// statements (close it).
  bool unwatch(Id id);

 private:
  void run(std::stop_token stop);

  std::mutex mutex_;
  std::condition_variable_any changed_;
  std::map<std::pair<TimePoint, Id>, pqxx::connection*> pending_;  ///< soonest deadline first
  std::map<Id, TimePoint> deadline_of_;
  std::set<Id> cancelled_;
  Id next_id_ = 1;
  uint64_t soonest_changes_ = 0;  ///< a watch with a sooner deadline than all others came
  std::jthread thread_;  ///< last: stopped and joined before the members above go
};

}  // namespace termijn::store
