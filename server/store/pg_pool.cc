#include "server/store/pg_pool.h"

#include <pqxx/nontransaction>
#include <string>

#include "server/app/call_deadline.h"
#include "server/store/statements.h"

namespace termijn::store {

namespace {

using Clock = std::chrono::system_clock;

std::string milliseconds(std::chrono::milliseconds t) { return std::to_string(t.count()); }

}  // namespace

PgPool::PgPool(std::string url, PgPoolOptions options, Prepare prepare)
    : url_(std::move(url)), options_(options), prepare_(std::move(prepare)) {
  if (options_.size < kMinSize) {
    throw std::invalid_argument("database pool size " + std::to_string(options_.size) +
                                " is too small: at least " + std::to_string(kMinSize) +
                                " (the background workers hold one while calls use another)");
  }
  if (options_.acquire_timeout.count() <= 0 || options_.statement_timeout.count() <= 0 ||
      options_.lock_timeout.count() <= 0) {
    throw std::invalid_argument("database pool timeouts must be positive");
  }
}

PgPool::Lease::~Lease() {
  if (c_) pool_->release(std::move(c_), use_, watch_);
}

bool PgPool::may_take(Use use) const {
  const bool free = !idle_.empty() || open_ < options_.size;
  return free && (use == Use::kCall || background_ < options_.size - 1);
}

std::unique_ptr<pqxx::connection> PgPool::open() {
  auto c = std::make_unique<pqxx::connection>(url_);
  prepare_(*c);
  pqxx::nontransaction tx(*c);
  tx.exec_prepared(stmt::kSetSessionLimits, milliseconds(options_.statement_timeout),
                   milliseconds(options_.lock_timeout),
                   // A transaction left idle (a stuck worker) does not hold its locks forever.
                   milliseconds(options_.statement_timeout * 2));
  return c;
}

PgPool::Lease PgPool::acquire(Use use) {
  const auto now = Clock::now();
  const auto deadline = app::CallDeadline::current();
  auto until = now + options_.acquire_timeout;
  const bool bounded_by_call = deadline && *deadline < until;
  if (bounded_by_call) until = *deadline;

  std::unique_lock lock(mutex_);
  if (!available_.wait_until(lock, until, [&] { return may_take(use); })) {
    throw PoolExhausted(bounded_by_call
                            ? "the call's deadline passed while waiting for a database connection"
                            : "no database connection became free within " +
                                  milliseconds(options_.acquire_timeout) + " ms",
                        bounded_by_call);
  }
  if (use == Use::kBackground) ++background_;
  std::unique_ptr<pqxx::connection> c;
  if (!idle_.empty()) {
    c = std::move(idle_.back());
    idle_.pop_back();
  } else {
    ++open_;
  }
  lock.unlock();
  try {
    if (!c) c = open();
    // The statements of a call end by its deadline; the session's timeout bounds the others.
    const bool sooner = deadline && *deadline < Clock::now() + options_.statement_timeout;
    const DeadlineWatch::Id watch = sooner ? deadlines_.watch(*c, *deadline) : 0;
    return Lease(*this, std::move(c), use, watch);
  } catch (...) {
    release(std::move(c), use, 0);
    throw;
  }
}

void PgPool::release(std::unique_ptr<pqxx::connection> c, Use use, DeadlineWatch::Id watch) {
  // A cancel request sent for this call may still arrive: it must not cancel another call's
  // statement, so the session goes.
  if (watch != 0 && deadlines_.unwatch(watch)) c.reset();
  std::lock_guard lock(mutex_);
  if (use == Use::kBackground) --background_;
  if (c && c->is_open()) {
    idle_.push_back(std::move(c));
  } else {
    --open_;
  }
  available_.notify_all();
}

}  // namespace termijn::store
