#include "server/web/connection_threads.h"

#include <spdlog/spdlog.h>

#include <system_error>

namespace termijn::web {

ConnectionThreads::ConnectionThreads(size_t limit, std::chrono::milliseconds linger)
    : limit_(limit > 0 ? limit : 1), linger_(linger) {}

ConnectionThreads::~ConnectionThreads() { shutdown(); }

void ConnectionThreads::enqueue(std::function<void()> connection) {
  std::lock_guard lock(mutex_);
  join_finished();
  connections_.push_back(std::move(connection));
  // Each waiting connection has an idle thread that will take it, or gets a new one.
  if (connections_.size() > idle_ && running_ < limit_) {
    try {
      std::thread thread([this] { work(); });
      const std::thread::id id = thread.get_id();
      threads_.emplace(id, std::move(thread));
      ++running_;
    } catch (const std::system_error& e) {
      // The connection waits for one of the running threads.
      spdlog::warn("web: cannot start a thread for a connection ({} running): {}", running_,
                   e.what());
    }
  }
  work_.notify_one();
}

void ConnectionThreads::work() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (connections_.empty()) {
      if (stopping_) break;
      ++idle_;
      const bool woken =
          work_.wait_for(lock, linger_, [this] { return !connections_.empty() || stopping_; });
      --idle_;
      if (!woken) break;
      continue;
    }
    std::function<void()> connection = std::move(connections_.front());
    connections_.pop_front();
    lock.unlock();
    connection();
    lock.lock();
  }
  --running_;
  finished_.push_back(std::this_thread::get_id());
}

void ConnectionThreads::join_finished() {
  for (const std::thread::id id : finished_) {
    if (const auto it = threads_.find(id); it != threads_.end()) {
      it->second.join();  // it has returned from work() or is about to
      threads_.erase(it);
    }
  }
  finished_.clear();
}

void ConnectionThreads::shutdown() {
  std::map<std::thread::id, std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    threads.swap(threads_);
    finished_.clear();
  }
  work_.notify_all();
  for (auto& [id, thread] : threads) thread.join();
}

size_t ConnectionThreads::threads() const {
  std::lock_guard lock(mutex_);
  return running_;
}

}  // namespace termijn::web
