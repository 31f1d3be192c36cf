#include "server/store/pg_wakeups.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <pqxx/pqxx>
#include <random>

namespace termijn::store {

namespace {

std::string random_origin() {
  std::random_device random;
  const uint64_t value = (uint64_t{random()} << 32) ^ random();
  char text[24];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

PgWakeups::PgWakeups(std::string url, std::chrono::milliseconds interval)
    : url_(std::move(url)),
      interval_(interval),
      origin_(random_origin()),
      sender_([this](std::stop_token stop) { send(stop); }) {}

PgWakeups::~PgWakeups() = default;

void PgWakeups::wake(const std::string& channel) {
  std::lock_guard lock(mutex_);
  const auto [begin, end] = local_.equal_range(channel);
  for (auto it = begin; it != end; ++it) {
    const uint64_t one = 1;
    // An eventfd only fails to take this when its counter is full: it is then readable anyway.
    [[maybe_unused]] const auto written = ::write(it->second, &one, sizeof one);
  }
  if (pending_.insert(channel).second) pending_changed_.notify_one();
}

void PgWakeups::subscribe(const std::string& channel, int fd) {
  std::lock_guard lock(mutex_);
  local_.emplace(channel, fd);
}

void PgWakeups::unsubscribe(int fd) {
  std::lock_guard lock(mutex_);
  std::erase_if(local_, [fd](const auto& entry) { return entry.second == fd; });
}

void PgWakeups::send(std::stop_token stop) {
  std::unique_ptr<pqxx::connection> connection;
  std::unique_lock lock(mutex_);
  while (pending_changed_.wait(lock, stop, [this] { return !pending_.empty(); })) {
    const std::set<std::string> channels = std::move(pending_);
    pending_.clear();
    lock.unlock();
    try {
      if (!connection) connection = std::make_unique<pqxx::connection>(url_);
      pqxx::work tx(*connection);  // one commit for every channel
      for (const std::string& channel : channels) {
        tx.exec_params("SELECT pg_notify($1, $2)", channel, origin_);
      }
      tx.commit();
    } catch (const std::exception& e) {
      // Other processes' workers wake on their own timeouts meanwhile.
      spdlog::warn("waking the workers of other processes: {}", e.what());
      connection.reset();
    }
    lock.lock();
    // Wakes that come within the interval share the next notification.
    pending_changed_.wait_for(lock, stop, interval_, [] { return false; });
  }
}

}  // namespace termijn::store
