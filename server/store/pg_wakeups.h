#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <stop_token>
#include <string>
#include <thread>

namespace termijn::store {

/// Wakes background workers after a commit that gave them work, without a NOTIFY in the
/// writing transaction: PostgreSQL serialises the commits of notifying transactions on one lock
/// held through their WAL flush (PreCommit_Notify), so a NOTIFY in every write caps the write
/// rate of the whole database.
///
/// Workers of this process (a PgListener made with this object) are woken at once. Workers of
/// other processes on the same database hear of it by NOTIFY, sent after the commit from a
/// connection of this object's own: at most one transaction per `interval`, one notification
/// per channel, with origin() as payload so that this process's listeners ignore it.
class PgWakeups {
 public:
  static constexpr std::chrono::milliseconds kInterval{100};

  explicit PgWakeups(std::string url, std::chrono::milliseconds interval = kInterval);
  ~PgWakeups();
  PgWakeups(const PgWakeups&) = delete;
  PgWakeups& operator=(const PgWakeups&) = delete;

  /// Call after the commit that gave the workers of `channel` something to do.
  void wake(const std::string& channel);

  /// The payload of this object's notifications; unique to it.
  const std::string& origin() const { return origin_; }

  /// `fd` (an eventfd) is written to on every wake() of `channel`, until unsubscribed.
  void subscribe(const std::string& channel, int fd);
  void unsubscribe(int fd);

 private:
  void send(std::stop_token stop);

  const std::string url_;
  const std::chrono::milliseconds interval_;
  const std::string origin_;
  std::mutex mutex_;
  std::condition_variable_any pending_changed_;
  std::set<std::string> pending_;            // channels to announce to other processes
  std::multimap<std::string, int> local_;    // channel -> eventfd of a listener in this process
  std::jthread sender_;                      // last: stopped and joined before the rest goes
};

}  // namespace termijn::store
