#include "server/jobs/audit_checkpointer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace termijn::jobs {

namespace {
// Looks again at least this often: another process may have made the latest checkpoint, and a
// database failure is retried.
constexpr std::chrono::milliseconds kMaxSleep = std::chrono::minutes(10);
}  // namespace

std::chrono::milliseconds AuditCheckpointer::run_once() {
  const auto due = checkpoints_.create_if_due(interval_);
  if (!due.ok()) {
    spdlog::error("audit checkpoint: {}", due.status().ToString());
    return kMaxSleep;
  }
  if (due->made) {
    spdlog::info("audit checkpoint signed at seq {} (hash {})", due->made->seq, due->made->hash);
  }
  const auto until_due =
      std::chrono::duration_cast<std::chrono::milliseconds>(due->next_due - clock_.precise_now());
  return std::clamp(until_due, std::chrono::milliseconds(1000), kMaxSleep);
}

void AuditCheckpointer::run(std::stop_token stop) {
  while (!stop.stop_requested()) sleep_(run_once(), stop);
}

}  // namespace termijn::jobs
