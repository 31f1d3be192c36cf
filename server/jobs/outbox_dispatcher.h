#pragma once

#include <absl/status/statusor.h>

#include <chrono>
#include <functional>
#include <stop_token>
#include <vector>

#include "server/app/clock.h"
#include "server/app/store.h"
#include "server/domain/retry.h"
#include "server/jobs/notice_composer.h"
#include "server/notify/mailer.h"

namespace termijn::jobs {

/// Delivers the outbox, never holding a transaction or a row lock while it talks to a mail
/// server. It works in batches of up to `batch` notifications due now:
///
/// 1. Claim (one short transaction): the due notifications are taken with FOR UPDATE SKIP
///    LOCKED, composed from that transaction's reads, and each attempt is recorded before
///    anything is sent: attempts + 1, the Message-ID and recipients, and a lease
///    (next_attempt_time = now + `lease`) that keeps other dispatchers off it while it is in
///    flight. A message that cannot be composed counts as a failed attempt.
/// 2. Send, one after the other, outside any transaction. After a temporary failure (the server
///    is down or hangs), or once half the lease has passed (a send then started might outlast
///    it), the rest of the batch is not tried: it is released, due at once and its attempt not
///    counted, for whichever dispatcher comes next.
/// 3. Record (one transaction for the results so far, once `record_within` has passed since the
///    first of them, and at the end of the batch): sent and the obligation met with the
///    evidence; or retried with exponential backoff and jitter until the retry limit or the
///    obligation's due time; or failed for good (5xx), which queues an alert to the owner's DPO
///    (for a checkpoint mail: to the recipient party's escalation contacts and deputy, as its
///    DPO's mail failed). Results that cannot be recorded as one are recorded one by one, each
///    tried again for some seconds while the database is away (and its lease leaves time); if
///    one still fails, the rest of the batch is released untried.
///
/// A few commits per batch, not two per notification: under load the outbox shares
/// PostgreSQL's WAL flushes with the calls that fill it, and a backlog drains in batches.
///
/// A crash or a database failure between 1 and 3 leaves the notifications pending until the
/// lease ends; they are then sent again as the same messages (same Message-ID). Because every
/// attempt is recorded before it is made, a notification that keeps failing (or whose result
/// cannot be recorded) backs off and ends failed: it never loops and never holds up the others.
/// Every step is audited as the system.
///
/// Several threads may run() one dispatcher at once (`[mail] connections`): each claims its own
/// notifications (the row locks, then the leases), so that none is sent by two of them and a
/// hung send holds up only its own thread. `random`, `wait` and `more` must then be thread-safe.
/// How the outbox works in batches (see OutboxDispatcher).
struct OutboxBatching {
  /// Twice as long as any send may take (the mailer's connect and transfer timeouts), and then
  /// some: a batch starts sends only in the first half of its lease.
  std::chrono::seconds lease{300};
  /// Notifications claimed together.
  int size = 32;
  /// While a batch is being sent, the results so far are recorded once this much time has passed
  /// since the first of them: a crash can make go out a second time (under the same Message-ID)
  /// only what one sender sent within it.
  std::chrono::milliseconds record_within{20};
};

class OutboxDispatcher {
 public:
  /// Blocks until woken (new pending notifications) or `timeout` passes.
  using Wait = std::function<void(std::chrono::milliseconds)>;
  /// Uniform in [0, 1), for the retry jitter.
  using Random = std::function<double()>;

  /// Called when a batch came back full: more may be due than this thread can send alone.
  using More = std::function<void()>;

  using Batching = OutboxBatching;
  static constexpr std::chrono::seconds kDefaultLease = OutboxBatching{}.lease;

  OutboxDispatcher(const app::Clock& clock, app::Store& store, const NoticeComposer& composer,
                   notify::Mailer& mailer, domain::RetryPolicy retry, Random random, Wait wait,
                   Batching batching = {}, More more = {})
      : clock_(clock),
        store_(store),
        composer_(composer),
        mailer_(mailer),
        retry_(retry),
        random_(std::move(random)),
        wait_(std::move(wait)),
        batching_(batching),
        more_(std::move(more)) {}

  /// Delivers what is due now, until `stop`; returns how many notifications it handled.
  int run_once(std::stop_token stop = {});

  /// Runs until `stop` is requested, sleeping until the next notification is due.
  void run(std::stop_token stop);

  /// Claims, sends and records up to `limit` due notifications (default: the batch's size);
  /// returns how many it handled (sent, retried, failed, cancelled or released), 0 when none
  /// was due.
  absl::StatusOr<int> dispatch(int limit = 0);

 private:
  /// A claimed notification with its attempt counted, and the message to send.
  struct Claimed {
    domain::Notification notification;
    notify::MailMessage message;
  };
  struct Sent {
    Claimed claimed;
    notify::SendResult result;
    domain::Instant at;  ///< when the server answered (or the attempt failed)
  };
  /// Step 1 for up to `limit` notifications: those to send, and how many were handled without
  /// a send (reminders cancelled, or a message that could not be composed).
  struct Claim {
    std::vector<Claimed> to_send;
    int handled = 0;
  };
  absl::StatusOr<Claim> claim(int limit);
  /// Step 2, before a reminder is sent: whether it was cancelled since the claim (its
  /// obligation closed while earlier mails of the batch were sent).
  bool cancelled_since_claim(const domain::Notification& n);
  /// Step 3, for a batch in one transaction; if that fails, for each alone, each tried again
  /// while the database is briefly away and its lease leaves time.
  absl::Status record(const std::vector<Sent>& sent);
  /// Step 3 for `sent` in one transaction.
  absl::Status record_together(const std::vector<Sent>& sent);
  /// Step 3 in `tx`, for one notification; returns the action audited.
  absl::StatusOr<std::string> record_in(app::StoreTransaction& tx, const Sent& sent);
  /// Gives claimed notifications that were not tried back: due now, the attempt not counted.
  absl::Status release(const std::vector<Claimed>& untried);

  const app::Clock& clock_;
  app::Store& store_;
  const NoticeComposer& composer_;
  notify::Mailer& mailer_;
  const domain::RetryPolicy retry_;
  Random random_;
  Wait wait_;
  const Batching batching_;
  const More more_;
};

}  // namespace termijn::jobs
