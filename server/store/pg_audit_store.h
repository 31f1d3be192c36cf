#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "server/app/audit.h"
#include "server/store/pg_pool.h"
#include "server/store/pg_wakeups.h"

namespace termijn::store {

/// The audit trail in PostgreSQL: audit_queue (written by use cases) and audit_event (the chain).
class PgAuditStore final : public app::AuditStore {
 public:
  explicit PgAuditStore(PgPool& pool, PgPool::Use use = PgPool::Use::kCall)
      : pool_(pool), use_(use) {}

  absl::StatusOr<int> sequence(int max, bool wait) override;
  absl::StatusOr<std::vector<app::AuditEvent>> events(const app::AuditFilter& filter) override;
  absl::StatusOr<app::AuditEvent> event(int64_t seq) override;
  absl::StatusOr<std::pair<int64_t, std::string>> head() override;
  absl::StatusOr<bool> insert_checkpoint(const domain::AuditCheckpoint& checkpoint,
                                         std::optional<domain::Instant> unless_made_after,
                                         const std::vector<std::string>& trusted_keys,
                                         const std::vector<std::string>& mail_to) override;
  absl::StatusOr<std::optional<domain::AuditCheckpoint>> latest_checkpoint(
      const std::vector<std::string>& public_keys, domain::Instant now) override;

 private:
  PgPool& pool_;
  const PgPool::Use use_;
};

/// OK when the pool's role cannot change the audit trail other than through the queue and the
/// sequencing function; FAILED_PRECONDITION naming what it could do otherwise (superuser,
/// owner of the audit tables or of audit_sequence, a privilege that alters them).
absl::Status check_service_role(PgPool& pool);

/// Blocks until a notification arrives on a channel or a timeout passes (LISTEN on its own
/// connection, reconnecting after failures). With `local`, also woken at once by that object's
/// wake() of the channel (this process's commits); its own NOTIFYs to other processes are then
/// not counted twice.
class PgListener {
 public:
  PgListener(std::string url, std::string channel, PgWakeups* local = nullptr);
  ~PgListener();
  PgListener(const PgListener&) = delete;
  PgListener& operator=(const PgListener&) = delete;
  /// Returns true when woken by a notification or a local wake-up.
  bool wait(std::chrono::milliseconds timeout);

 private:
  struct Connection;
  std::string url_;
  std::string channel_;
  PgWakeups* local_;
  int wake_fd_ = -1;  // eventfd written by local_->wake()
  std::unique_ptr<Connection> connection_;
};

/// Sends a notification on each channel, e.g. to wake waiting workers at shutdown.
void notify_channels(PgPool& pool, const std::vector<std::string>& channels);

}  // namespace termijn::store
