#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pqxx/connection>

namespace termijn::store {

/// A fixed-size pool of PostgreSQL connections, each prepared once when it is opened.
class PgPool {
 public:
  using Prepare = std::function<void(pqxx::connection&)>;

  /// Connections open lazily; `prepare` runs once on each new connection.
  PgPool(std::string url, int size, Prepare prepare);

  /// A connection borrowed until destruction; a broken one is dropped instead of returned.
  class Lease {
   public:
    Lease(PgPool& pool, std::unique_ptr<pqxx::connection> c) : pool_(&pool), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    ~Lease();
    pqxx::connection& operator*() { return *c_; }
    pqxx::connection* operator->() { return c_.get(); }

   private:
    PgPool* pool_;
    std::unique_ptr<pqxx::connection> c_;
  };

  /// Blocks while all connections are in use. Throws pqxx::broken_connection if none can be made.
  Lease acquire();

  const std::string& url() const { return url_; }

 private:
  void release(std::unique_ptr<pqxx::connection> c);

  const std::string url_;
  const int size_;
  const Prepare prepare_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;
};

}  // namespace termijn::store
