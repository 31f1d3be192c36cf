#include "server/jobs/outbox_dispatcher.h"

#include <spdlog/spdlog.h>

#include "server/app/audit.h"
#include "server/app/audit_details.h"
#include "server/app/limits.h"
#include "server/jobs/worker_loop.h"

namespace termijn::jobs {

namespace {

using domain::NotificationKind;
using domain::NotificationState;

const app::Actor kSystem{"system", ""};

// Enough for any SMTP reply worth reading; the rest of a longer one is dropped.
constexpr size_t kMaxReplyBytes = 1000;

std::string notification_name(int64_t id) { return "notifications/" + std::to_string(id); }

// A database that is briefly away, as opposed to a message that cannot be made. An internal
// error is not: it may repeat on every claim of the same row, so it counts as an attempt.
bool transient(const absl::Status& s) {
  return s.code() == absl::StatusCode::kUnavailable || s.code() == absl::StatusCode::kAborted ||
         s.code() == absl::StatusCode::kDeadlineExceeded;
}

// Records the notice's evidence on its obligation, if nobody closed it in the meantime.
absl::Status fulfil_with_evidence(app::StoreTransaction& tx, const domain::Notification& n,
                                  domain::Instant now) {
  auto o = tx.lock_obligation(n.obligation_id);
  if (!o.ok()) return o.status();
  if (o->state != domain::ObligationState::kOpen) return absl::OkStatus();
  return app::close_open_obligation(tx, *o, kSystem, now, /*fulfilled=*/true,
                                    "Mail <" + n.message_id + "> to " + n.recipients +
                                        " accepted by the mail server at " +
                                        domain::format_utc(now) + ": " + n.server_reply);
}

// The owner's DPO hears of a notice that failed for good, by mail if mail works at all; the
// party whose DPO a checkpoint mail did not reach hears of it through its other contacts.
absl::Status queue_alert(app::StoreTransaction& tx, const domain::Notification& notice,
                         const std::string& related, domain::Instant now) {
  domain::Notification alert;
  alert.obligation_id = notice.obligation_id;
  alert.audit_checkpoint_id = notice.audit_checkpoint_id;
  alert.recipient_party = notice.recipient_party;
  alert.kind = NotificationKind::kFailureAlert;
  alert.state = NotificationState::kPending;
  alert.next_attempt_time = now;
  alert.create_time = now;
  const auto id = tx.insert_notification(alert);
  if (!id.ok()) return id.status();
  alert.id = *id;
  return tx.append_audit(app::audit_record(kSystem, now, "notification.queued",
                                           notification_name(alert.id), related,
                                           app::notification_details(alert)));
}

}  // namespace

struct OutboxDispatcher::Claimed {
  domain::Notification notification;  ///< with this attempt counted
  notify::MailMessage message;
};

absl::StatusOr<bool> OutboxDispatcher::dispatch_one() {
  std::optional<Claimed> claimed;
  {
    auto tx = store_.begin();
    if (!tx.ok()) return tx.status();
    const domain::Instant now = clock_.now();
    auto found = (*tx)->claim_notification(now);
    if (!found.ok()) return found.status();
    if (!*found) return false;
    domain::Notification n = **found;
    // A reminder locks its obligation (briefly: no mail is sent in this transaction), so that a
    // close either comes first and is seen here, or comes after and cancels the reminder.
    const auto obligation = n.kind == NotificationKind::kReminder
                                ? (*tx)->lock_obligation(n.obligation_id)
                                : absl::StatusOr<domain::Obligation>(domain::Obligation{});
    if (!obligation.ok()) return obligation.status();
    if (n.kind == NotificationKind::kReminder &&
        obligation->state != domain::ObligationState::kOpen) {
      n.state = NotificationState::kCancelled;
      if (auto s = (*tx)->update_notification(n); !s.ok()) return s;
      if (auto s = (*tx)->append_audit(
              app::audit_record(kSystem, now, "notification.cancelled", notification_name(n.id),
                                obligation->subject(), app::notification_details(n)));
          !s.ok()) {
        return s;
      }
      if (auto s = (*tx)->commit(); !s.ok()) return s;
      return true;
    }
    ++n.attempts;
    auto message = composer_.compose(**tx, n);
    if (!message.ok()) {
      if (transient(message.status())) return message.status();  // the database: retry later
      // Counted and recorded like any failed attempt, in a transaction of its own (this one
      // may have failed with the composition). An internal error may pass; bad content won't.
      tx->reset();
      const bool permanent = message.status().code() != absl::StatusCode::kInternal;
      const notify::SendResult failed{
          permanent ? notify::SendResult::Outcome::kPermanentFailure
                    : notify::SendResult::Outcome::kTemporaryFailure,
          "cannot compose the message: " + std::string(message.status().message())};
      if (auto s = record(Claimed{n, {}}, failed); !s.ok()) return s;
      return true;
    }
    // The attempt is on record before the message leaves: a crash from here on resends the
    // same message when the lease ends, and never resends in a loop.
    n.message_id = message->message_id;
    n.recipients = recipients_of(*message);
    n.next_attempt_time = now + lease_;
    if (auto s = (*tx)->update_notification(n); !s.ok()) return s;
    if (auto s = (*tx)->commit(); !s.ok()) return s;
    claimed = Claimed{std::move(n), std::move(*message)};
  }
  const notify::SendResult result = mailer_.send(claimed->message);
  if (auto s = record(*claimed, result); !s.ok()) {
    // Sent, or not, but not recorded: the lease brings it back, as the same message.
    spdlog::error(
        "{}: the result of attempt {} could not be recorded ({}); it is retried "
        "when its lease ends",
        notification_name(claimed->notification.id), claimed->notification.attempts, s.ToString());
    return s;
  }
  return true;
}

absl::Status OutboxDispatcher::record(const Claimed& claimed, const notify::SendResult& result) {
  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  auto locked = (*tx)->lock_notification(claimed.notification.id);
  if (!locked.ok()) return locked.status();
  domain::Notification n = *locked;
  // A checkpoint mail and a webhook alert have no obligation.
  std::optional<domain::Obligation> obligation;
  if (n.obligation_id != 0) {
    auto o = (*tx)->get_obligation(n.obligation_id);
    if (!o.ok()) return o.status();
    obligation = std::move(*o);
  }
  std::string related;
  if (obligation) {
    related = obligation->subject();
  } else if (n.webhook_delivery_id != 0) {
    const auto d = (*tx)->get_webhook_delivery(n.webhook_delivery_id);
    if (!d.ok()) return d.status();
    related = d->name();
  } else {
    related = app::checkpoint_name(n.audit_checkpoint_id);
  }
  n.attempts = claimed.notification.attempts;
  n.message_id = claimed.notification.message_id;
  n.recipients = claimed.notification.recipients;
  // What the server said happened now, after the send, not when the notification was claimed.
  const domain::Instant now = clock_.now();
  // Server replies are whatever bytes a server sent: stored as short, valid, printable text.
  const std::string reply = app::printable_prefix(result.server_reply, kMaxReplyBytes);

  std::string action;
  switch (result.outcome) {
    case notify::SendResult::Outcome::kAccepted:
      n.state = NotificationState::kSent;
      n.sent_time = now;
      n.server_reply = reply;
      n.last_error.clear();
      action = "notification.sent";
      break;
    case notify::SendResult::Outcome::kTemporaryFailure: {
      n.last_error = reply;
      const auto next = now + domain::retry_delay(retry_, n.attempts, random_());
      // A notice of an open obligation retried after its due time is late anyway: a DPO must
      // act now. Once the obligation is met (e.g. by phone), the mail just keeps trying.
      const bool give_up =
          n.attempts >= retry_.max_attempts ||
          (n.kind == NotificationKind::kNotice && obligation &&
           obligation->state == domain::ObligationState::kOpen && next > obligation->due_time);
      n.state = give_up ? NotificationState::kFailed : NotificationState::kPending;
      n.next_attempt_time = next;
      action = give_up ? "notification.failed" : "notification.retry";
      break;
    }
    case notify::SendResult::Outcome::kPermanentFailure:
      n.last_error = reply;
      n.state = NotificationState::kFailed;
      action = "notification.failed";
      break;
  }
  if (auto s = (*tx)->update_notification(n); !s.ok()) return s;
  if (auto s = (*tx)->append_audit(app::audit_record(kSystem, now, action, notification_name(n.id),
                                                     related, app::notification_details(n)));
      !s.ok()) {
    return s;
  }
  if (n.state == NotificationState::kSent && n.kind == NotificationKind::kNotice) {
    if (auto s = fulfil_with_evidence(**tx, n, now); !s.ok()) return s;
  }
  if (n.state == NotificationState::kFailed) {
    spdlog::warn("{} ({} of {}) failed after {} attempt(s): {}", notification_name(n.id),
                 domain::name_of(n.kind),
                 obligation ? "obligations/" + std::to_string(n.obligation_id) : related,
                 n.attempts, n.last_error);
    if (n.kind == NotificationKind::kNotice || n.kind == NotificationKind::kCheckpoint) {
      if (auto s = queue_alert(**tx, n, related, now); !s.ok()) return s;
    }
  }
  if (auto s = (*tx)->commit(); !s.ok()) return s;
  spdlog::info("{}: {} (attempt {})", notification_name(n.id), action, n.attempts);
  return absl::OkStatus();
}

int OutboxDispatcher::run_once(std::stop_token stop) {
  return drain("outbox", stop, [this] { return dispatch_one(); });
}

void OutboxDispatcher::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    const int handled = run_once(stop);
    const auto sleep = sleep_before(clock_, store_.next_notification_time(), handled);
    if (sleep.count() > 0) wait_(sleep);
  }
}

}  // namespace termijn::jobs
