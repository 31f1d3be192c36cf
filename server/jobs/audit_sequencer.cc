#include "server/jobs/audit_sequencer.h"

#include <spdlog/spdlog.h>

#include <thread>

namespace termijn::jobs {

namespace {
constexpr int kBatch = 500;
// Also catches up without a notification, e.g. after another process's sequencer stopped.
constexpr std::chrono::milliseconds kIdle{1000};
// Lets entries accumulate into batches: one chaining transaction per write transaction would
// double the commits. Reads of the trail do not wait for this (AuditTrail flushes first).
constexpr std::chrono::milliseconds kBatchWindow{200};
}  // namespace

int AuditSequencer::run_once() {
  int total = 0;
  while (true) {
    const auto moved = store_.sequence(kBatch, /*wait=*/false);
    if (!moved.ok()) {
      spdlog::error("audit sequencer: {}", moved.status().ToString());
      return total;
    }
    total += *moved;
    if (*moved < kBatch) return total;
  }
}

void AuditSequencer::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    run_once();
    wait_(kIdle);
    std::this_thread::sleep_for(kBatchWindow);
  }
}

}  // namespace termijn::jobs
