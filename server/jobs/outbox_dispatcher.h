#pragma once

#include <absl/status/statusor.h>

#include <chrono>
#include <functional>
#include <stop_token>

#include "server/app/clock.h"
#include "server/app/store.h"
#include "server/domain/retry.h"
#include "server/jobs/notice_composer.h"
#include "server/notify/mailer.h"

namespace termijn::jobs {

/// Delivers the outbox. Each notification is claimed with FOR UPDATE SKIP LOCKED and stays
/// locked while it is sent and its result recorded, in one transaction: several dispatchers (in
/// several processes) never send one twice at once, and a crash before the record rolls the
/// claim back, so the notification is sent again later as the same message (same Message-ID).
///
/// Accepted: the notification is sent and its obligation met (or met-late) with the evidence.
/// Temporary failure: retried with exponential backoff and jitter, until the retry limit or the
/// obligation's due time; permanent failure (5xx): not retried. A notice that fails for good
/// queues an alert to the owner's DPO. Every step is audited as the system.
class OutboxDispatcher {
 public:
  /// Blocks until woken (new pending notifications) or `timeout` passes.
  using Wait = std::function<void(std::chrono::milliseconds)>;
  /// Uniform in [0, 1), for the retry jitter.
  using Random = std::function<double()>;

  OutboxDispatcher(const app::Clock& clock, app::Store& store, const NoticeComposer& composer,
                   notify::Mailer& mailer, domain::RetryPolicy retry, Random random, Wait wait)
      : clock_(clock),
        store_(store),
        composer_(composer),
        mailer_(mailer),
        retry_(retry),
        random_(std::move(random)),
        wait_(std::move(wait)) {}

  /// Delivers what is due now; returns how many notifications it handled.
  int run_once();

  /// Runs until `stop` is requested, sleeping until the next notification is due.
  void run(std::stop_token stop);

  /// Claims, sends and records one due notification; false when none is due.
  absl::StatusOr<bool> dispatch_one();

 private:
  const app::Clock& clock_;
  app::Store& store_;
  const NoticeComposer& composer_;
  notify::Mailer& mailer_;
  const domain::RetryPolicy retry_;
  Random random_;
  Wait wait_;
};

}  // namespace termijn::jobs
