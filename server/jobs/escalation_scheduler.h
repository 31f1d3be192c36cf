#pragma once

#include <absl/status/statusor.h>

#include <chrono>
#include <functional>
#include <stop_token>

#include "server/app/clock.h"
#include "server/app/directory.h"
#include "server/app/rule_policies.h"
#include "server/app/store.h"

namespace termijn::jobs {

/// Fires reminder and escalation steps at their time, exactly once across processes and
/// restarts. A step is claimed with FOR UPDATE SKIP LOCKED; firing queues its mail in the outbox
/// and marks it fired in one transaction, so a crash before commit fires it again later and a
/// commit never fires it twice.
///
/// Of an obligation's steps already due only the latest fires (an event recorded late gets the
/// reminder that fits now, not a burst). A closed obligation's steps are cancelled. A protocol
/// notice on its way (pending, not failing) does not escalate: Termijn is delivering it.
class EscalationScheduler {
 public:
  /// Blocks until woken (steps added) or `timeout` passes.
  using Wait = std::function<void(std::chrono::milliseconds)>;

  /// Repetitions counted in days keep the wall clock of the obligation owner's zone, which
  /// `directory` knows.
  EscalationScheduler(const app::Clock& clock, app::Store& store, const app::Directory& directory,
                      const app::RulePolicies& policies, Wait wait)
      : clock_(clock),
        store_(store),
        directory_(directory),
        policies_(policies),
        wait_(std::move(wait)) {}

  /// Handles one due step; false when none is due.
  absl::StatusOr<bool> fire_one();

  /// Handles everything due now, until `stop`; returns how many steps it handled.
  int run_once(std::stop_token stop = {});

  /// Runs until `stop`, sleeping until the earliest pending step.
  void run(std::stop_token stop);

 private:
  const app::Clock& clock_;
  app::Store& store_;
  const app::Directory& directory_;
  const app::RulePolicies& policies_;
  Wait wait_;
};

}  // namespace termijn::jobs
