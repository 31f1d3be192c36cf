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

/// Delivers the outbox, never holding a transaction or a row lock while it talks to a mail
/// server:
///
/// 1. Claim (one short transaction): the due notification is taken with FOR UPDATE SKIP LOCKED,
///    composed from that transaction's reads, and the attempt is recorded before anything is
///    sent: attempts + 1, the Message-ID and recipients, and a lease (next_attempt_time = now +
///    `lease`) that keeps other dispatchers off it while it is in flight. A message that cannot
///    be composed counts as a failed attempt.
/// 2. Send, outside any transaction.
/// 3. Record (a second transaction): sent and the obligation met with the evidence; or retried
///    with exponential backoff and jitter until the retry limit or the obligation's due time; or
///    failed for good (5xx), which queues an alert to the owner's DPO (for a checkpoint mail: to
///    the recipient party's escalation contacts and deputy, as its DPO's mail failed).
///
/// A crash or a database failure between 1 and 3 leaves the notification pending until the lease
/// ends; it is then sent again as the same message (same Message-ID). Because every attempt is
/// recorded before it is made, a notification that keeps failing (or whose result cannot be
/// recorded) backs off and ends failed: it never loops and never holds up the others. Every step
/// is audited as the system.
///
/// Several threads may run() one dispatcher at once (`[mail] connections`): each claims its own
/// notification (the row lock, then the lease), so that none is sent by two of them and a hung
/// send holds up only its own thread. `random` and `wait` must then be thread-safe.
class OutboxDispatcher {
 public:
  /// Blocks until woken (new pending notifications) or `timeout` passes.
  using Wait = std::function<void(std::chrono::milliseconds)>;
  /// Uniform in [0, 1), for the retry jitter.
  using Random = std::function<double()>;

  /// Long enough for any send to end (the mailer's connect and transfer timeouts, and then some).
  static constexpr std::chrono::seconds kDefaultLease{300};

  OutboxDispatcher(const app::Clock& clock, app::Store& store, const NoticeComposer& composer,
                   notify::Mailer& mailer, domain::RetryPolicy retry, Random random, Wait wait,
                   std::chrono::seconds lease = kDefaultLease)
      : clock_(clock),
        store_(store),
        composer_(composer),
        mailer_(mailer),
        retry_(retry),
        random_(std::move(random)),
        wait_(std::move(wait)),
        lease_(lease) {}

  /// Delivers what is due now, until `stop`; returns how many notifications it handled.
  int run_once(std::stop_token stop = {});

  /// Runs until `stop` is requested, sleeping until the next notification is due.
  void run(std::stop_token stop);

  /// Claims, sends and records one due notification; false when none is due.
  absl::StatusOr<bool> dispatch_one();

 private:
  /// Step 1: the claimed notification with its attempt recorded and the message to send;
  /// nullopt when nothing is due or nothing is to be sent (cancelled, or failed to compose).
  struct Claimed;
  absl::StatusOr<std::optional<Claimed>> claim();
  /// Step 3.
  absl::Status record(const Claimed& claimed, const notify::SendResult& result);

  const app::Clock& clock_;
  app::Store& store_;
  const NoticeComposer& composer_;
  notify::Mailer& mailer_;
  const domain::RetryPolicy retry_;
  Random random_;
  Wait wait_;
  const std::chrono::seconds lease_;
};

}  // namespace termijn::jobs
