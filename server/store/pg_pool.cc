#include "server/store/pg_pool.h"

namespace termijn::store {

PgPool::PgPool(std::string url, int size, Prepare prepare)
    : url_(std::move(url)), size_(size), prepare_(std::move(prepare)) {}

PgPool::Lease::~Lease() {
  if (c_) pool_->release(std::move(c_));
}

PgPool::Lease PgPool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(c));
  }
  ++open_;
  lock.unlock();
  try {
    auto c = std::make_unique<pqxx::connection>(url_);
    prepare_(*c);
    return Lease(*this, std::move(c));
  } catch (...) {
    lock.lock();
    --open_;
    available_.notify_one();
    throw;
  }
}

void PgPool::release(std::unique_ptr<pqxx::connection> c) {
  std::lock_guard lock(mutex_);
  if (c->is_open()) {
    idle_.push_back(std::move(c));
  } else {
    --open_;
  }
  available_.notify_one();
}

}  // namespace termijn::store
