#include "server/jobs/outbox_dispatcher.h"

#include <spdlog/spdlog.h>

#include "server/app/audit.h"
#include "server/app/audit_details.h"
#include "server/app/limits.h"
#include "server/app/notifications.h"
#include "server/jobs/worker_loop.h"

namespace termijn::jobs {

namespace {

using domain::NotificationKind;
using domain::NotificationState;

const app::Actor kSystem = app::Actor::system();

// Enough for any SMTP reply worth reading; the rest of a longer one is dropped.
constexpr size_t kMaxReplyBytes = 1000;

// A result that cannot be recorded is tried this often in all, the pauses doubling from the
// first: some 6 s, for a database that restarts or a lock held past the lock timeout.
constexpr int kRecordTries = 7;
constexpr std::chrono::milliseconds kFirstRecordPause{100};

std::string notification_name(int64_t id) { return "notifications/" + std::to_string(id); }

// A database that is briefly away, as opposed to a message that cannot be made. An internal
// error is not: it may repeat on every claim of the same row, so it counts as an attempt.
bool transient(const absl::Status& s) {
  return s.code() == absl::StatusCode::kUnavailable || s.code() == absl::StatusCode::kAborted ||
         s.code() == absl::StatusCode::kDeadlineExceeded;
}

// Records the notice's evidence on its obligation (locked), if nobody closed it in the meantime.
absl::Status fulfil_with_evidence(app::StoreTransaction& tx, const domain::Notification& n,
                                  domain::Obligation& o, domain::Instant now) {
  if (o.state != domain::ObligationState::kOpen) return absl::OkStatus();
  return app::close_open_obligation(tx, o, kSystem, now, /*fulfilled=*/true,
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
  alert.failed_notification_id = notice.id;
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

absl::StatusOr<int> OutboxDispatcher::dispatch(int limit) {
  if (limit <= 0) limit = batching_.size;
  auto claimed = claim(limit);
  if (!claimed.ok()) return claimed.status();
  std::vector<Claimed>& to_send = claimed->to_send;
  if (limit > 1 && static_cast<int>(to_send.size()) + claimed->handled == limit && more_) more_();

  int handled = claimed->handled;
  std::vector<Sent> sent;  // not recorded yet
  std::chrono::steady_clock::time_point first_sent;
  size_t tried = 0;
  absl::Status recorded;
  // Records what was sent so far; false when that failed (the error in `recorded`).
  const auto record_sent = [&] {
    recorded = record(sent);
    if (!recorded.ok()) return false;
    handled += static_cast<int>(sent.size());
    sent.clear();
    return true;
  };
  while (tried < to_send.size()) {
    Claimed& next = to_send[tried];
    // The lease is twice as long as any send may take: a send started in its first half ends
    // before it does. Later ones could still be under way when another dispatcher takes the
    // notification over, and the mail would go out twice.
    if (tried > 0 && clock_.now() + batching_.lease / 2 >= next.notification.next_attempt_time) {
      break;
    }
    ++tried;
    if (cancelled_since_claim(next.notification)) {
      ++handled;
      continue;
    }
    notify::SendResult result = mailer_.send(next.message);
    if (result.outcome == notify::SendResult::Outcome::kStopped) {
      // No attempt: given back with the untried ones below, due at once for the next start.
      spdlog::info("{}: not sent, termijnd is stopping; it goes out after the restart",
                   notification_name(next.notification.id));
      --tried;
      break;
    }
    // When the server accepted it (or refused it): the evidence, and the time a retry counts from.
    const domain::Instant at = clock_.now();
    const bool temporary = result.outcome == notify::SendResult::Outcome::kTemporaryFailure;
    if (sent.empty()) first_sent = std::chrono::steady_clock::now();
    sent.push_back(Sent{std::move(next), std::move(result), at});
    // The server is down or hangs: the others of this batch would only wait for it too.
    if (temporary) break;
    if (tried < to_send.size() &&
        std::chrono::steady_clock::now() - first_sent >= batching_.record_within &&
        !record_sent()) {
      break;
    }
  }
  if (recorded.ok()) record_sent();
  const std::vector<Claimed> untried(std::make_move_iterator(to_send.begin() + tried),
                                     std::make_move_iterator(to_send.end()));
  if (!untried.empty()) {
    if (auto s = release(untried); !s.ok()) {
      spdlog::warn(
          "outbox: {} notification(s) not tried could not be released ({}); they are "
          "tried when their lease ends",
          untried.size(), s.ToString());
    }
  }
  if (!recorded.ok()) return recorded;
  return handled;
}

bool OutboxDispatcher::cancelled_since_claim(const domain::Notification& n) {
  // Only a reminder is cancelled when its obligation closes; a notice still goes out.
  if (n.kind != NotificationKind::kReminder) return false;
  const auto now = store_.get_notification(n.id);
  // Unreadable: better a reminder too many than one missing.
  if (!now.ok() || now->state != NotificationState::kCancelled) return false;
  spdlog::info("{}: not sent, cancelled since it was claimed (its obligation closed)",
               notification_name(n.id));
  return true;
}

absl::StatusOr<OutboxDispatcher::Claim> OutboxDispatcher::claim(int limit) {
  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  const domain::Instant now = clock_.now();
  auto found = (*tx)->claim_notifications(now, limit);
  if (!found.ok()) return found.status();
  // A notification whose message cannot be made (`why`): the claim is rolled back (the failure
  // may have failed the transaction), and claimed one at a time until it comes first and is
  // recorded on its own, counted like any failed attempt. An internal error may pass; bad
  // content won't.
  const auto cannot_compose = [&](domain::Notification n,
                                  const absl::Status& why) -> absl::StatusOr<Claim> {
    if (transient(why)) return why;  // the database: retry later
    tx->reset();
    if (found->size() > 1) return claim(1);
    const bool permanent = why.code() != absl::StatusCode::kInternal;
    const notify::SendResult failed{permanent ? notify::SendResult::Outcome::kPermanentFailure
                                              : notify::SendResult::Outcome::kTemporaryFailure,
                                    "cannot compose the message: " + std::string(why.message())};
    if (auto s = record({Sent{Claimed{std::move(n), {}}, failed, now}}); !s.ok()) return s;
    return Claim{{}, 1};
  };
  // The notices' rows in a few reads for the whole batch, not three for each.
  const auto sources = (*tx)->notice_sources(*found);
  if (!sources.ok()) {
    domain::Notification first = found->front();
    ++first.attempts;
    return cannot_compose(std::move(first), sources.status());
  }
  // The reminders' obligations, locked in the order every transaction that locks several keeps.
  std::vector<int64_t> reminded;
  for (const domain::Notification& n : *found) {
    if (n.kind == NotificationKind::kReminder) reminded.push_back(n.obligation_id);
  }
  if (auto s = (*tx)->lock_in_id_order({}, reminded); !s.ok()) return s;
  Claim batch;
  std::vector<domain::Notification> leased;
  for (domain::Notification& n : *found) {
    // A reminder locks its obligation (briefly: no mail is sent in this transaction), so that a
    // close either comes first and is seen here, or comes after and cancels the reminder.
    if (n.kind == NotificationKind::kReminder) {
      const auto obligation = (*tx)->lock_obligation(n.obligation_id);
      if (!obligation.ok()) return obligation.status();
      if (obligation->state != domain::ObligationState::kOpen) {
        n.state = NotificationState::kCancelled;
        if (auto s = (*tx)->update_notification(n); !s.ok()) return s;
        if (auto s = (*tx)->append_audit(
                app::audit_record(kSystem, now, "notification.cancelled", notification_name(n.id),
                                  obligation->subject(), app::notification_details(n)));
            !s.ok()) {
          return s;
        }
        ++batch.handled;
        continue;
      }
    }
    ++n.attempts;
    auto message = composer_.compose(**tx, n, *sources);
    if (!message.ok()) return cannot_compose(std::move(n), message.status());
    // The attempt is on record before the message leaves: a crash from here on resends the
    // same message when the lease ends, and never resends in a loop.
    n.message_id = message->message_id;
    n.recipients = recipients_of(*message);
    n.next_attempt_time = now + batching_.lease;
    leased.push_back(n);
    batch.to_send.push_back(Claimed{std::move(n), std::move(*message)});
  }
  if (auto s = (*tx)->lease_notifications(leased); !s.ok()) return s;
  if (auto s = (*tx)->commit(); !s.ok()) return s;
  return batch;
}

absl::Status OutboxDispatcher::record(const std::vector<Sent>& sent) {
  if (sent.empty()) return absl::OkStatus();
  absl::Status failed = record_together(sent);
  if (failed.ok()) return failed;
  if (sent.size() > 1) {
    // One result that cannot be recorded must not keep the others from their record.
    spdlog::warn(
        "outbox: the results of {} notifications could not be recorded together ({}); "
        "recording each alone",
        sent.size(), failed.ToString());
    absl::Status first;
    for (const Sent& one : sent) {
      if (auto s = record({one}); !s.ok() && first.ok()) first = s;
    }
    return first;
  }
  // What the server said must not be lost to a database that is briefly away (a restart, a
  // dropped session, a lock held too long): the mail would go out again when the lease ends,
  // and its obligation count as met only then, perhaps late. So it is tried again, a few times
  // with growing pauses, while the lease keeps the notification this dispatcher's (a result
  // recorded after it could cross another dispatcher's resend).
  const domain::Instant lease_end = sent.front().claimed.notification.next_attempt_time;
  std::chrono::milliseconds pause = kFirstRecordPause;
  for (int tries = 1; tries < kRecordTries && transient(failed) &&
                      clock_.now() + pause + batching_.lease / 8 < lease_end;
       ++tries, pause *= 2) {
    wait_(pause);
    failed = record_together(sent);
  }
  if (failed.ok()) return failed;
  // Sent, or not, but not recorded: the lease brings it back, as the same message.
  spdlog::error(
      "{}: the result of attempt {} could not be recorded ({}); it is retried when its lease "
      "ends",
      notification_name(sent[0].claimed.notification.id), sent[0].claimed.notification.attempts,
      failed.ToString());
  return failed;
}

absl::Status OutboxDispatcher::record_together(const std::vector<Sent>& sent) {
  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  // The notifications and their obligations are locked first, in the order every transaction
  // that locks several keeps, then recorded one by one.
  std::vector<int64_t> notifications, obligations;
  for (const Sent& one : sent) {
    notifications.push_back(one.claimed.notification.id);
    if (one.claimed.notification.obligation_id != 0) {
      obligations.push_back(one.claimed.notification.obligation_id);
    }
  }
  if (auto s = (*tx)->lock_in_id_order(notifications, obligations); !s.ok()) return s;
  std::vector<std::string> actions;
  for (const Sent& one : sent) {
    auto action = record_in(**tx, one);
    if (!action.ok()) return action.status();
    actions.push_back(*action);
  }
  if (auto s = (*tx)->commit(); !s.ok()) return s;
  for (size_t i = 0; i < sent.size(); ++i) {
    spdlog::info("{}: {} (attempt {})", notification_name(sent[i].claimed.notification.id),
                 actions[i], sent[i].claimed.notification.attempts);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> OutboxDispatcher::record_in(app::StoreTransaction& tx,
                                                        const Sent& sent) {
  const domain::Notification& claimed = sent.claimed.notification;
  const notify::SendResult& result = sent.result;
  auto locked = tx.lock_notification(claimed.id);
  if (!locked.ok()) return locked.status();
  domain::Notification n = *locked;
  // A checkpoint mail and a webhook alert have no obligation. A notice that was accepted meets
  // its obligation: locked now, not read now and locked later.
  std::optional<domain::Obligation> obligation;
  if (n.kind == NotificationKind::kNotice && n.obligation_id != 0) {
    auto o = tx.lock_obligation(n.obligation_id);
    if (!o.ok()) return o.status();
    obligation = std::move(*o);
  }
  auto about = app::notification_record(tx, n, obligation);
  if (!about.ok()) return about.status();
  if (n.obligation_id != 0) obligation = std::move(about->obligation);
  const std::string& related = about->related;
  n.attempts = claimed.attempts;
  n.message_id = claimed.message_id;
  n.recipients = claimed.recipients;
  // What the server said happened after the send, not when the notification was claimed.
  const domain::Instant now = sent.at;
  // Server replies are whatever bytes a server sent: stored as short, valid, printable text.
  const std::string reply = app::printable_prefix(result.server_reply, kMaxReplyBytes);
  if (n.state == NotificationState::kCancelled && !result.accepted()) {
    // Cancelled while on its way (its obligation closed), and it did not go out: it stays
    // cancelled, neither retried nor alerted about. One that went out is recorded as sent.
    n.last_error = reply;
    if (auto s = tx.update_notification(n); !s.ok()) return s;
    return std::string("not sent, and cancelled meanwhile");
  }

  std::string action;
  switch (result.outcome) {
    case notify::SendResult::Outcome::kAccepted:
      n.state = NotificationState::kSent;
      n.sent_time = now;
      n.server_reply = reply;
      n.last_error.clear();
      action = "notification.sent";
      break;
    case notify::SendResult::Outcome::kStopped:  // given back by dispatch(), never recorded
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
  if (auto s = tx.update_notification(n); !s.ok()) return s;
  if (auto s = tx.append_audit(app::audit_record(kSystem, now, action, notification_name(n.id),
                                                 related, app::notification_details(n)));
      !s.ok()) {
    return s;
  }
  if (n.state == NotificationState::kSent && n.kind == NotificationKind::kNotice) {
    if (auto s = fulfil_with_evidence(tx, n, *obligation, now); !s.ok()) return s;
  }
  if (n.state == NotificationState::kFailed) {
    spdlog::warn("{} ({} of {}) failed after {} attempt(s): {}", notification_name(n.id),
                 domain::name_of(n.kind),
                 obligation ? "obligations/" + std::to_string(n.obligation_id) : related,
                 n.attempts, n.last_error);
    if (n.kind == NotificationKind::kNotice || n.kind == NotificationKind::kCheckpoint) {
      if (auto s = queue_alert(tx, n, related, now); !s.ok()) return s;
    }
  }
  return action;
}

absl::Status OutboxDispatcher::release(const std::vector<Claimed>& untried) {
  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  const domain::Instant now = clock_.now();
  std::vector<domain::Notification> back;
  for (const Claimed& c : untried) {
    domain::Notification n = c.notification;
    --n.attempts;
    n.next_attempt_time = now;
    back.push_back(std::move(n));
  }
  if (auto s = (*tx)->lease_notifications(back); !s.ok()) return s;
  return (*tx)->commit();
}

int OutboxDispatcher::run_once(std::stop_token stop) {
  return drain("outbox", stop, [this] { return dispatch(); });
}

void OutboxDispatcher::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    const int handled = run_once(stop);
    const auto sleep = sleep_before(clock_, store_.next_notification_time(), handled);
    if (sleep.count() > 0 && !stop.stop_requested()) wait_(sleep);
  }
}

}  // namespace termijn::jobs
