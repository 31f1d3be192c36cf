#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <stdexcept>
#include <string>
#include <vector>

#include "server/store/deadline_watch.h"
#include "server/store/pg_wakeups.h"

namespace termijn::store {

/// Limits of a pool and of the sessions it opens.
struct PgPoolOptions {
  int size = 8;
  /// How long a unit of work waits for a free connection before UNAVAILABLE.
  std::chrono::milliseconds acquire_timeout{5000};
  /// Session defaults: no statement runs longer, no lock is waited for longer. The statement of
  /// a call with a sooner deadline is cancelled at that deadline.
  std::chrono::milliseconds statement_timeout{30000};
  std::chrono::milliseconds lock_timeout{10000};
};

/// No connection became free in time (or the call's deadline passed while waiting).
class PoolExhausted : public std::runtime_error {
 public:
  PoolExhausted(const std::string& what, bool deadline_passed)
      : std::runtime_error(what), deadline_passed_(deadline_passed) {}
  bool deadline_passed() const { return deadline_passed_; }

 private:
  bool deadline_passed_;
};

/// A fixed-size pool of PostgreSQL connections, each prepared once when it is opened.
///
/// Every unit of work holds at most one connection and never waits for a second while holding
/// one, so no size deadlocks. Background workers may hold all connections but one: calls always
/// find one within the time the background's short units of work take.
class PgPool {
 public:
  using Prepare = std::function<void(pqxx::connection&)>;
  /// Who asks: calls may take every connection, background workers all but one.
  enum class Use { kCall, kBackground };

  /// The smallest size that leaves one connection to calls while a worker holds one.
  static constexpr int kMinSize = 2;

  /// Connections open lazily; `prepare` runs once on each new connection. Throws
  /// std::invalid_argument for a size below kMinSize or a non-positive timeout.
  PgPool(std::string url, PgPoolOptions options, Prepare prepare);

  /// A connection borrowed until destruction; a broken one is dropped instead of returned.
  class Lease {
   public:
    Lease(PgPool& pool, std::unique_ptr<pqxx::connection> c, Use use, DeadlineWatch::Id watch)
        : pool_(&pool), c_(std::move(c)), use_(use), watch_(watch) {}
    Lease(Lease&&) = default;
    ~Lease();
    pqxx::connection& operator*() { return *c_; }
    pqxx::connection* operator->() { return c_.get(); }

   private:
    PgPool* pool_;
    std::unique_ptr<pqxx::connection> c_;
    Use use_;
    DeadlineWatch::Id watch_;  // the call's deadline, watched; 0: none sooner than the timeout
  };

  /// Waits for a connection up to the acquire timeout, or the current call's deadline if that
  /// is sooner (app::CallDeadline). Throws PoolExhausted when none became free in time,
  /// pqxx::broken_connection if none can be made.
  Lease acquire(Use use = Use::kCall);

  const std::string& url() const { return url_; }
  const PgPoolOptions& options() const { return options_; }
  /// Wakes the workers of a channel after a commit of this pool's connections.
  PgWakeups& wakeups() { return wakeups_; }

 private:
  std::unique_ptr<pqxx::connection> open();
  void release(std::unique_ptr<pqxx::connection> c, Use use, DeadlineWatch::Id watch);
  bool may_take(Use use) const;

  const std::string url_;
  const PgPoolOptions options_;
  const Prepare prepare_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;
  int background_ = 0;  // leases held by background workers
  PgWakeups wakeups_{url_};
  DeadlineWatch deadlines_;
};

}  // namespace termijn::store
