#pragma once

#include <absl/status/statusor.h>

#include <optional>
#include <string>

#include "server/app/actor.h"
#include "server/app/clock.h"
#include "server/app/queries.h"
#include "server/app/store.h"

namespace termijn::app {

/// A notification with the obligation it serves, if any.
struct NotificationRecord {
  domain::Notification notification;
  /// Empty (id 0) for a checkpoint mail, its failure alert and a webhook alert.
  domain::Obligation obligation;
  /// What it is about: the obligation's subject ("incidents/3"), else the audit checkpoint
  /// ("auditCheckpoints/2") or the webhook delivery ("webhooks/ticketing/7"), as its audit
  /// entries name it.
  std::string related;
};

/// `n` with what it is about, read through `reader`; `obligation` is its obligation when the
/// caller has it already (e.g. locked).
absl::StatusOr<NotificationRecord> notification_record(
    StoreReader& reader, domain::Notification n,
    std::optional<domain::Obligation> obligation = std::nullopt);

/// OK when `n` serves an obligation; FAILED_PRECONDITION naming why not otherwise: only such a
/// notification is released or acknowledged by a DPO.
absl::Status serves_obligation(const domain::Notification& n);

struct NotificationQuery {
  std::string party;
  std::optional<domain::NotificationState> state;
  int page_size = 0;
  std::string page_token;
  std::string viewer;         ///< see NotificationFilter::viewer
  int64_t obligation_id = 0;  ///< only the notifications of this obligation; 0: any
};

/// The outbox as DPOs see it: review and release held notices, acknowledge received ones.
class Notifications {
 public:
  Notifications(const Clock& clock, Store& store) : clock_(clock), store_(store) {}

  absl::StatusOr<NotificationRecord> get(int64_t id);
  absl::StatusOr<Page<NotificationRecord>> list(const NotificationQuery& q);
  /// Sends a held notification (after review) or retries a failed one, now.
  /// FAILED_PRECONDITION when it is pending or already sent.
  absl::StatusOr<NotificationRecord> release(const Actor& actor, int64_t id);
  /// Records that the recipient received a sent notification. FAILED_PRECONDITION when it was
  /// not sent or was acknowledged already.
  absl::StatusOr<NotificationRecord> acknowledge(const Actor& actor, int64_t id);

 private:
  template <typename Change>
  absl::StatusOr<NotificationRecord> change(const Actor& actor, int64_t id, const char* action,
                                            Change&& change);
  const Clock& clock_;
  Store& store_;
};

}  // namespace termijn::app
