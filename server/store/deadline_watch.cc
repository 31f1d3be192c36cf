#include "server/store/deadline_watch.h"

#include <spdlog/spdlog.h>

namespace termijn::store {

DeadlineWatch::DeadlineWatch() : thread_([this](std::stop_token stop) { run(stop); }) {}

DeadlineWatch::~DeadlineWatch() {
  thread_.request_stop();
  changed_.notify_all();
}

DeadlineWatch::Id DeadlineWatch::watch(pqxx::connection& session, TimePoint deadline) {
  std::lock_guard lock(mutex_);
  const Id id = next_id_++;
  const bool soonest = pending_.empty() || deadline < pending_.begin()->first.first;
  pending_.emplace(std::pair{deadline, id}, &session);
  deadline_of_.emplace(id, deadline);
  if (soonest) {
    ++soonest_changes_;
    changed_.notify_all();
  }
  return id;
}

bool DeadlineWatch::unwatch(Id id) {
  // Under the mutex that run() holds while it cancels: once this returns, the session is free.
  std::lock_guard lock(mutex_);
  if (cancelled_.erase(id) > 0) return true;
  const auto deadline = deadline_of_.find(id);
  if (deadline != deadline_of_.end()) {
    pending_.erase({deadline->second, id});
    deadline_of_.erase(deadline);
  }
  return false;
}

void DeadlineWatch::run(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    if (pending_.empty()) {
      changed_.wait(lock, stop, [&] { return !pending_.empty(); });
      continue;
    }
    const auto [deadline, id] = pending_.begin()->first;
    if (std::chrono::system_clock::now() < deadline) {
      const uint64_t seen = soonest_changes_;
      changed_.wait_until(lock, stop, deadline, [&] { return soonest_changes_ != seen; });
      continue;
    }
    pqxx::connection* session = pending_.begin()->second;
    pending_.erase(pending_.begin());
    deadline_of_.erase(id);
    cancelled_.insert(id);
    try {
      session->cancel_query();
    } catch (const std::exception& e) {
      // The statement then ends by the session's own statement timeout.
      spdlog::warn("cannot cancel a statement past its call's deadline: {}", e.what());
    }
  }
}

}  // namespace termijn::store
