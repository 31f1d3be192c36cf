#include "server/jobs/outbox_dispatcher.h"

#include <spdlog/spdlog.h>

#include "server/jobs/worker_loop.h"

#include "server/app/audit.h"
#include "server/app/audit_details.h"

namespace termijn::jobs {

namespace {

using domain::NotificationKind;
using domain::NotificationState;

const app::Actor kSystem{"system", ""};

std::string notification_name(int64_t id) { return "notifications/" + std::to_string(id); }

// A database that is briefly away, as opposed to a message that cannot be made.
bool transient(const absl::Status& s) {
  return s.code() == absl::StatusCode::kUnavailable || s.code() == absl::StatusCode::kAborted ||
         s.code() == absl::StatusCode::kInternal || s.code() == absl::StatusCode::kDeadlineExceeded;
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

// The owner's DPO hears of a notice that failed for good, by mail if mail works at all.
absl::Status queue_alert(app::StoreTransaction& tx, const domain::Notification& notice,
                         const std::string& related, domain::Instant now) {
  domain::Notification alert;
  alert.obligation_id = notice.obligation_id;
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

absl::StatusOr<bool> OutboxDispatcher::dispatch_one() {
  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  domain::Instant now = clock_.now();
  auto claimed = (*tx)->claim_notification(now);
  if (!claimed.ok()) return claimed.status();
  if (!*claimed) return false;
  domain::Notification n = **claimed;
  // A reminder locks its obligation: closing it (which locks it first) cannot slip in between.
  const auto obligation = n.kind == NotificationKind::kReminder
                              ? (*tx)->lock_obligation(n.obligation_id)
                              : store_.get_obligation(n.obligation_id);
  if (!obligation.ok()) return obligation.status();
  if (n.kind == NotificationKind::kReminder &&
      obligation->state != domain::ObligationState::kOpen) {
    n.state = NotificationState::kCancelled;
    if (auto s = (*tx)->update_notification(n); !s.ok()) return s;
    if (auto s = (*tx)->append_audit(app::audit_record(kSystem, now, "notification.cancelled",
                                                       notification_name(n.id),
                                                       obligation->subject(),
                                                       app::notification_details(n)));
        !s.ok()) {
      return s;
    }
    if (auto s = (*tx)->commit(); !s.ok()) return s;
    return true;
  }

  const auto message = composer_.compose(n);
  if (!message.ok() && transient(message.status())) {
    return message.status();  // the claim rolls back; the notification is tried again later
  }
  notify::SendResult result;
  if (message.ok()) {
    n.message_id = message->message_id;
    n.recipients = recipients_of(*message);
    result = mailer_.send(*message);
  } else {
    result = {notify::SendResult::Outcome::kPermanentFailure,
              "cannot compose the message: " + std::string(message.status().message())};
  }
  n.attempts++;
  // What the server said happened now, after the send, not when the notification was claimed.
  now = clock_.now();

  std::string action;
  switch (result.outcome) {
    case notify::SendResult::Outcome::kAccepted:
      n.state = NotificationState::kSent;
      n.sent_time = now;
      n.server_reply = result.server_reply;
      n.last_error.clear();
      action = "notification.sent";
      break;
    case notify::SendResult::Outcome::kTemporaryFailure: {
      n.last_error = result.server_reply;
      const auto next = now + domain::retry_delay(retry_, n.attempts, random_());
      // A notice retried after its due time is late anyway: a DPO must act now.
      const bool give_up = n.attempts >= retry_.max_attempts ||
                           (n.kind == NotificationKind::kNotice && next > obligation->due_time);
      n.state = give_up ? NotificationState::kFailed : NotificationState::kPending;
      n.next_attempt_time = next;
      action = give_up ? "notification.failed" : "notification.retry";
      break;
    }
    case notify::SendResult::Outcome::kPermanentFailure:
      n.last_error = result.server_reply;
      n.state = NotificationState::kFailed;
      action = "notification.failed";
      break;
  }
  if (auto s = (*tx)->update_notification(n); !s.ok()) return s;
  const std::string related = obligation->subject();
  if (auto s = (*tx)->append_audit(app::audit_record(kSystem, now, action,
                                                     notification_name(n.id), related,
                                                     app::notification_details(n)));
      !s.ok()) {
    return s;
  }
  if (n.state == NotificationState::kSent && n.kind == NotificationKind::kNotice) {
    if (auto s = fulfil_with_evidence(**tx, n, now); !s.ok()) return s;
  }
  if (n.state == NotificationState::kFailed) {
    spdlog::warn("{} ({} of obligations/{}) failed after {} attempt(s): {}",
                 notification_name(n.id), domain::name_of(n.kind), n.obligation_id, n.attempts,
                 n.last_error);
    if (n.kind == NotificationKind::kNotice) {
      if (auto s = queue_alert(**tx, n, related, now); !s.ok()) return s;
    }
  }
  if (auto s = (*tx)->commit(); !s.ok()) return s;
  spdlog::info("{}: {} (attempt {})", notification_name(n.id), action, n.attempts);
  return true;
}

int OutboxDispatcher::run_once() {
  return drain("outbox", [this] { return dispatch_one(); });
}

void OutboxDispatcher::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    const int handled = run_once();
    const auto sleep = sleep_before(clock_, store_.next_notification_time(), handled);
    if (sleep.count() > 0) wait_(sleep);
  }
}

}  // namespace termijn::jobs
