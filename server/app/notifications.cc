#include "server/app/notifications.h"

#include <absl/strings/numbers.h>

#include "server/app/audit.h"
#include "server/app/audit_details.h"

namespace termijn::app {

namespace {

std::string name_of_notification(int64_t id) { return "notifications/" + std::to_string(id); }

}  // namespace

absl::StatusOr<NotificationRecord> notification_record(
    StoreReader& reader, domain::Notification n, std::optional<domain::Obligation> obligation) {
  NotificationRecord record{std::move(n), {}, {}};
  const domain::Notification& about = record.notification;
  if (about.obligation_id != 0) {
    if (!obligation) {
      auto o = reader.get_obligation(about.obligation_id);
      if (!o.ok()) return o.status();
      obligation = std::move(*o);
    }
    record.obligation = std::move(*obligation);
    record.related = record.obligation.subject();
  } else if (about.webhook_delivery_id != 0) {
    const auto d = reader.get_webhook_delivery(about.webhook_delivery_id);
    if (!d.ok()) return d.status();
    record.related = d->name();
  } else {
    record.related = checkpoint_name(about.audit_checkpoint_id);
  }
  return record;
}

absl::Status serves_obligation(const domain::Notification& n) {
  if (n.obligation_id != 0) return absl::OkStatus();
  return absl::FailedPreconditionError(
      name_of_notification(n.id) + " is a " + std::string(domain::name_of(n.kind)) +
      " that serves no obligation; only a notification of an obligation can be sent again or "
      "acknowledged");
}

absl::StatusOr<NotificationRecord> Notifications::get(int64_t id) {
  auto n = store_.get_notification(id);
  if (!n.ok()) return n.status();
  return notification_record(store_, std::move(*n));
}

absl::StatusOr<Page<NotificationRecord>> Notifications::list(const NotificationQuery& q) {
  if (q.page_size < 0) return absl::InvalidArgumentError("page_size: must not be negative");
  const int size = q.page_size == 0 ? 50 : std::min(q.page_size, 500);
  NotificationFilter filter{q.party, q.state, q.obligation_id, 0, size + 1, q.viewer};
  if (!q.page_token.empty() &&
      (!absl::SimpleAtoi(q.page_token, &filter.before_id) || filter.before_id <= 0)) {
    return absl::InvalidArgumentError("page_token: not a token this service issued");
  }
  auto found = store_.list_notifications(filter);
  if (!found.ok()) return found.status();
  Page<NotificationRecord> page;
  for (auto& n : *found) {
    if (static_cast<int>(page.items.size()) == size) {
      page.next_token = std::to_string(page.items.back().notification.id);
      break;
    }
    auto record = notification_record(store_, std::move(n));
    if (!record.ok()) return record.status();
    page.items.push_back(std::move(*record));
  }
  return page;
}

template <typename Change>
absl::StatusOr<NotificationRecord> Notifications::change(const Actor& actor, int64_t id,
                                                         const char* action, Change&& change) {
  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  auto n = (*tx)->lock_notification(id);
  if (!n.ok()) return n.status();
  if (auto s = serves_obligation(*n); !s.ok()) return s;
  const domain::Instant now = clock_.now();
  if (auto s = change(*n, now); !s.ok()) return s;
  if (auto s = (*tx)->update_notification(*n); !s.ok()) return s;
  auto record = notification_record(**tx, std::move(*n));
  if (!record.ok()) return record.status();
  if (auto s = (*tx)->append_audit(audit_record(actor, now, action, name_of_notification(id),
                                                record->related,
                                                notification_details(record->notification)));
      !s.ok()) {
    return s;
  }
  if (auto s = (*tx)->commit(); !s.ok()) return s;
  return std::move(*record);
}

absl::StatusOr<NotificationRecord> Notifications::release(const Actor& actor, int64_t id) {
  return change(actor, id, "notification.released",
                [&](domain::Notification& n, domain::Instant now) -> absl::Status {
                  using State = domain::NotificationState;
                  if (n.state != State::kHeld && n.state != State::kFailed) {
                    return absl::FailedPreconditionError(
                        name_of_notification(id) + " is " + std::string(domain::name_of(n.state)) +
                        "; only held or failed notifications can be sent");
                  }
                  n.state = State::kPending;
                  n.next_attempt_time = now;
                  n.attempts = 0;
                  n.last_error.clear();
                  return absl::OkStatus();
                });
}

absl::StatusOr<NotificationRecord> Notifications::acknowledge(const Actor& actor, int64_t id) {
  return change(actor, id, "notification.acknowledged",
                [&](domain::Notification& n, domain::Instant now) -> absl::Status {
                  if (n.kind != domain::NotificationKind::kNotice) {
                    return absl::FailedPreconditionError(
                        name_of_notification(id) + " is a " + std::string(domain::name_of(n.kind)) +
                        " to the owner's own DPO; only a notice is acknowledged by its recipient");
                  }
                  if (n.state != domain::NotificationState::kSent) {
                    return absl::FailedPreconditionError(
                        name_of_notification(id) + " is " + std::string(domain::name_of(n.state)) +
                        "; only a sent notification can be acknowledged");
                  }
                  if (n.ack_time) {
                    return absl::FailedPreconditionError(
                        name_of_notification(id) + " was acknowledged already by " + n.ack_by);
                  }
                  n.ack_time = now;
                  n.ack_by = actor.principal;
                  return absl::OkStatus();
                });
}

}  // namespace termijn::app
