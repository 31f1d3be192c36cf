#pragma once

#include <chrono>
#include <functional>
#include <stop_token>
#include <string>

#include "server/app/audit.h"

namespace termijn::jobs {

/// Makes a signed checkpoint of the audit trail once per interval (daily by default), so that
/// every party's DPO regularly receives proof of the trail's state.
class AuditCheckpointer {
 public:
  /// `sleep(duration, stop)` waits for the duration or until stop is requested.
  using Sleep = std::function<void(std::chrono::milliseconds, std::stop_token)>;

  /// `alarm(reason)` is raised at each check that finds the trail no longer extending the last
  /// checkpoint (jobs::TamperAlarm tells the DPOs).
  using Alarm = std::function<void(const std::string& reason)>;

  AuditCheckpointer(const app::Clock& clock, app::AuditCheckpoints& checkpoints,
                    std::chrono::seconds interval, Sleep sleep, Alarm alarm = {})
      : clock_(clock),
        checkpoints_(checkpoints),
        interval_(interval),
        sleep_(std::move(sleep)),
        alarm_(std::move(alarm)) {}

  /// Makes a checkpoint when one is due; returns how long until the next is due.
  std::chrono::milliseconds run_once();

  /// Runs until `stop` is requested.
  void run(std::stop_token stop);

 private:
  const app::Clock& clock_;
  app::AuditCheckpoints& checkpoints_;
  std::chrono::seconds interval_;
  Sleep sleep_;
  Alarm alarm_;
};

}  // namespace termijn::jobs
