#include "server/api/call_executor.h"

#include <algorithm>

namespace termijn::api {

CallExecutor::CallExecutor(int threads, size_t max_queued, size_t max_queued_bytes)
    : max_queued_(max_queued), max_queued_bytes_(max_queued_bytes) {
  workers_.reserve(threads);
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { run(); });
}

CallExecutor::~CallExecutor() { shutdown(); }

bool CallExecutor::post(std::function<void()> work, size_t bytes) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    if (!queue_.empty() && bytes > max_queued_bytes_ - std::min(queued_bytes_, max_queued_bytes_)) {
      return false;
    }
    queue_.push_back({std::move(work), bytes});
    queued_bytes_ += bytes;
  }
  ready_.notify_one();
  return true;
}

void CallExecutor::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

void CallExecutor::run() {
  while (true) {
    std::function<void()> work;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left
      work = std::move(queue_.front().work);
      queued_bytes_ -= queue_.front().bytes;
      queue_.pop_front();
    }
    work();
  }
}

}  // namespace termijn::api
