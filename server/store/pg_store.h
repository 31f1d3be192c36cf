#pragma once

#include <memory>
#include <string>

#include "server/app/store.h"
#include "server/store/pg_pool.h"
#include "server/store/pg_reads.h"
#include "server/store/pg_status.h"

namespace termijn::store {

/// The system of record in PostgreSQL (libpqxx), through a pool of prepared connections.
/// Reads outside a transaction are one statement each, without BEGIN/COMMIT.
class PgStore final : public PgReads<PgStore, app::Store> {
 public:
  /// Owns a pool of `pool_size` connections to `url`.
  PgStore(std::string url, int pool_size);
  /// Shares `pool`, taking connections as `use`.
  PgStore(PgPool& pool, PgPool::Use use) : pool_(pool), use_(use) {}

  absl::StatusOr<std::unique_ptr<app::StoreTransaction>> begin() override;
  absl::StatusOr<app::RecordParties> parties_of(std::string_view collection,
                                                int64_t id) override;
  absl::StatusOr<std::optional<domain::Instant>> next_notification_time() override;
  absl::StatusOr<std::optional<domain::Instant>> next_step_time() override;

  PgPool& pool() { return pool_; }

  /// PgReads' hook: `body(tx)` on a pooled connection, exceptions as statuses.
  template <typename Result, typename Body>
  absl::StatusOr<Result> run_read(std::string_view what, Body&& body) {
    return guarded(what, [&]() -> absl::StatusOr<Result> {
      auto lease = pool_.acquire(use_);
      pqxx::nontransaction tx(*lease);
      return body(tx);
    });
  }

 private:
  std::unique_ptr<PgPool> owned_pool_;
  PgPool& pool_;
  const PgPool::Use use_ = PgPool::Use::kCall;
};

}  // namespace termijn::store
