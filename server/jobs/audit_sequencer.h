#pragma once

#include <chrono>
#include <functional>
#include <stop_token>

#include "server/app/audit.h"

namespace termijn::jobs {

/// Chains queued audit entries in batches. Several termijnd processes may each run one: the
/// store's sequencer lock lets one at a time work, the others skip.
class AuditSequencer {
 public:
  /// `wait(timeout)` blocks until new entries are announced or the timeout passes.
  using Wait = std::function<void(std::chrono::milliseconds)>;

  AuditSequencer(app::AuditStore& store, Wait wait) : store_(store), wait_(std::move(wait)) {}

  /// Sequences everything queued now; returns how many entries it chained.
  int run_once();

  /// Runs until `stop` is requested.
  void run(std::stop_token stop);

 private:
  app::AuditStore& store_;
  Wait wait_;
};

}  // namespace termijn::jobs
