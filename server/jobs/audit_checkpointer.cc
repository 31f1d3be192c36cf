#include "server/jobs/audit_checkpointer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace termijn::jobs {

namespace {
// Looks again at least this often: another process may have made the latest checkpoint.
constexpr std::chrono::milliseconds kMaxSleep = std::chrono::minutes(10);
// After a failure (the database away, say), tried again this soon: a checkpoint due meanwhile
// is made, and mailed, once the database is back, not up to kMaxSleep later.
constexpr std::chrono::milliseconds kRetryAfterFailure = std::chrono::seconds(15);
}  // namespace

std::chrono::milliseconds AuditCheckpointer::run_once() {
  const auto due = checkpoints_.create_if_due(interval_);
  if (!due.ok()) {
    // A trail that no longer extends the latest checkpoint stays so until someone looks: said
    // every ten minutes, not every 15 s.
    const auto again = absl::IsDataLoss(due.status()) ? kMaxSleep : kRetryAfterFailure;
    spdlog::error("audit checkpoint: {}; trying again in {} s", due.status().ToString(),
                  std::chrono::duration_cast<std::chrono::seconds>(again).count());
    if (absl::IsDataLoss(due.status()) && alarm_) alarm_(std::string(due.status().message()));
    return again;
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
