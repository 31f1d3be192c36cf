#include "server/store/pg_audit_store.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <pqxx/pqxx>
#include <sstream>
#include <system_error>
#include <thread>

#include "server/app/audit_details.h"
#include "server/app/sha256.h"
#include "server/store/pg_rows.h"
#include "server/store/pg_status.h"
#include "server/store/statements.h"

namespace termijn::store {

namespace {

domain::Instant instant(const pqxx::field& f) {
  return domain::Instant{std::chrono::seconds{f.as<int64_t>()}};
}

// Columns 1-7 of both audit_queue and audit_event rows: time, principal, party, action,
// subject, related, details. Column 0 is the queue id or the sequence number.
domain::AuditRecord record_from(const pqxx::row& r) {
  domain::AuditRecord record;
  record.time = instant(r[1]);
  record.principal = r[2].as<std::string>();
  record.party = r[3].as<std::string>();
  record.action = r[4].as<std::string>();
  record.subject = r[5].as<std::string>();
  record.related = r[6].as<std::string>();
  record.details = r[7].as<std::string>();
  return record;
}

app::AuditEvent event_from(const pqxx::row& r) {
  app::AuditEvent e;
  e.record = record_from(r);
  e.record.seq = r[0].as<int64_t>();
  e.prev_hash = pqxx::binarystring(r[8]).str();
  e.hash = pqxx::binarystring(r[9]).str();
  e.format = r[10].as<int>();
  e.leaf = pqxx::binarystring(r[11]).str();
  e.record.nonce = r[12].as<std::string>();
  std::istringstream parties(r[13].as<std::string>());  // "herent,kortenberg"
  for (std::string party; std::getline(parties, party, ',');) e.parties.push_back(party);
  return e;
}

}  // namespace

absl::StatusOr<int> PgAuditStore::sequence(int max, bool wait) {
  return guarded("sequence audit", [&]() -> absl::StatusOr<int> {
    PgPool::Lease lease = pool_.acquire(use_);
    // One statement, so its own (durable) transaction: one round trip instead of three.
    pqxx::nontransaction tx(*lease);
    return tx.exec_prepared1(stmt::kAuditSequence, max, wait)[0].as<int>();
  });
}

absl::StatusOr<std::vector<app::AuditEvent>> PgAuditStore::events(const app::AuditFilter& f) {
  return read_only<std::vector<app::AuditEvent>>(pool_, use_, "audit events", [&](auto& tx) {
    std::vector<app::AuditEvent> out;
    for (const auto& row :
         tx.exec_prepared(stmt::kAuditEvents, f.subject, f.after_seq, f.limit, f.viewer)) {
      out.push_back(event_from(row));
    }
    return out;
  });
}

absl::StatusOr<app::AuditEvent> PgAuditStore::event(int64_t seq) {
  return read_only<app::AuditEvent>(
      pool_, use_, "audit event", [&](auto& tx) -> absl::StatusOr<app::AuditEvent> {
        const pqxx::result rows = tx.exec_prepared(stmt::kAuditEvent, seq);
        if (rows.empty())
          return absl::NotFoundError("audit event " + std::to_string(seq) + " does not exist");
        return event_from(rows[0]);
      });
}

absl::StatusOr<std::pair<int64_t, std::string>> PgAuditStore::head() {
  return read_only<std::pair<int64_t, std::string>>(pool_, use_, "audit head", [&](auto& tx) {
    const pqxx::result rows = tx.exec_prepared(stmt::kAuditHead);
    if (rows.empty()) return std::pair<int64_t, std::string>{0, app::genesis_hash()};
    return std::pair<int64_t, std::string>{rows[0][0].as<int64_t>(),
                                           pqxx::binarystring(rows[0][1]).str()};
  });
}

namespace {

long long seconds(domain::Instant t) {
  return static_cast<long long>(t.time_since_epoch().count());
}

// The newest checkpoint later than `after` that `public_key` signed, reading the rows that name
// the key page by page: one that does not verify is a forgery, logged and passed over.
template <typename Transaction>
std::optional<domain::AuditCheckpoint> newest_signed(
    Transaction& tx, const std::string& public_key, domain::Instant after,
    domain::Instant not_after = domain::Instant::max()) {
  constexpr int kPage = 100;
  for (int offset = 0;; offset += kPage) {
    const pqxx::result rows =
        tx.exec_prepared(stmt::kCheckpointsOfKey, public_key, seconds(after), kPage, offset);
    for (const pqxx::row& row : rows) {
      domain::AuditCheckpoint c = rows::checkpoint_from(row);
      if (c.time > not_after) continue;
      if (app::signed_by(c, public_key)) return c;
      spdlog::error(
          "audit checkpoint {} (seq {}, {}) names this service's key but its signature "
          "does not verify: someone who can write the database added or altered it",
          app::checkpoint_name(row[5].as<int64_t>()), c.seq, domain::format_utc(c.time));
    }
    if (static_cast<int>(rows.size()) < kPage) return std::nullopt;
  }
}

// The latest trusted checkpoint after `after` (see AuditStore::latest_checkpoint).
template <typename Transaction>
std::optional<domain::AuditCheckpoint> latest_trusted(Transaction& tx,
                                                      const std::vector<std::string>& keys,
                                                      domain::Instant after, domain::Instant now) {
  if (keys.empty()) return std::nullopt;
  if (auto own = newest_signed(tx, keys.front(), after)) return own;
  std::optional<domain::AuditCheckpoint> latest;
  for (size_t i = 1; i < keys.size(); ++i) {
    auto c = newest_signed(tx, keys[i], after, now);
    if (c && (!latest || c->time > latest->time)) latest = std::move(c);
  }
  return latest;
}

}  // namespace

absl::StatusOr<bool> PgAuditStore::insert_checkpoint(
    const domain::AuditCheckpoint& c, std::optional<domain::Instant> unless_made_after,
    const std::vector<std::string>& trusted_keys, const std::vector<std::string>& mail_to) {
  return guarded("insert audit checkpoint", [&]() -> absl::StatusOr<bool> {
    PgPool::Lease lease = pool_.acquire(use_);
    pqxx::work tx(*lease);
    tx.exec_prepared(stmt::kCheckpointLock);
    if (unless_made_after && latest_trusted(tx, trusted_keys, *unless_made_after, c.time)) {
      return false;
    }
    const pqxx::result kept = tx.exec_prepared(stmt::kInsertCheckpoint, c.seq, c.hash,
                                               seconds(c.time), c.public_key, c.signature);
    const int64_t id = kept[0][0].as<int64_t>();
    // Its mail to each DPO, queued with it: a kept checkpoint is always mailed.
    std::vector<domain::AuditRecord> queued;
    for (const std::string& recipient : mail_to) {
      domain::Notification n;
      n.kind = domain::NotificationKind::kCheckpoint;
      n.state = domain::NotificationState::kPending;
      n.next_attempt_time = c.time;
      n.create_time = c.time;
      n.audit_checkpoint_id = id;
      n.recipient_party = recipient;
      n.id = insert_notification(tx, n);
      queued.push_back(app::audit_record(app::Actor::system(), c.time, "notification.queued",
                                         "notifications/" + std::to_string(n.id),
                                         app::checkpoint_name(id), app::notification_details(n)));
    }
    append_audit(tx, queued);
    tx.commit();
    if (!mail_to.empty()) {
      pool_.wakeups().wake(kOutboxChannel);
      pool_.wakeups().wake(kAuditChannel);
    }
    return true;
  });
}

absl::StatusOr<std::optional<domain::AuditCheckpoint>> PgAuditStore::latest_checkpoint(
    const std::vector<std::string>& public_keys, domain::Instant now) {
  return read_only<std::optional<domain::AuditCheckpoint>>(
      pool_, use_, "latest audit checkpoint",
      [&](auto& tx) { return latest_trusted(tx, public_keys, domain::Instant{}, now); });
}

absl::Status check_service_role(PgPool& pool) {
  return guarded("checking the service's database role", [&]() -> absl::Status {
    PgPool::Lease lease = pool.acquire();
    pqxx::read_transaction tx(*lease);
    const pqxx::row r = tx.exec_prepared1(stmt::kServiceRoleRights);
    const std::string role = r[0].as<std::string>();
    std::vector<std::string> problems;
    if (r[1].as<bool>()) problems.push_back("is a superuser");
    if (!r[2].is_null()) problems.push_back("owns " + r[2].as<std::string>());
    if (r[5].as<bool>()) problems.push_back("may create roles, and so grant itself the owner's");
    if (!r[3].is_null()) problems.push_back("owns the functions " + r[3].as<std::string>());
    if (!r[4].is_null()) problems.push_back("holds " + r[4].as<std::string>());
    if (problems.empty()) return absl::OkStatus();
    std::string joined;
    for (const std::string& p : problems) joined += (joined.empty() ? "" : "; ") + p;
    return absl::FailedPreconditionError(
        "database role " + role + " could rewrite the audit trail (it " + joined +
        "): run termijnd as a role that is a member of termijn_service only, and apply "
        "migrations as the schema owner with --migration-database-url");
  });
}

struct PgListener::Connection {
  class Receiver final : public pqxx::notification_receiver {
   public:
    Receiver(pqxx::connection_base& c, const std::string& channel, std::string ignored)
        : pqxx::notification_receiver(c, channel), ignored_(std::move(ignored)) {}
    void operator()(const std::string& payload, int) override {
      woken |= ignored_.empty() || payload != ignored_;
    }
    bool woken = false;

   private:
    const std::string ignored_;  // the payload of this process's own notifications
  };
  Connection(const std::string& url, const std::string& channel, std::string ignored)
      : c(url), receiver(c, channel, std::move(ignored)) {}
  pqxx::connection c;
  Receiver receiver;
};

PgListener::PgListener(std::string url, std::string channel, PgWakeups* local)
    : url_(std::move(url)), channel_(std::move(channel)), local_(local) {
  if (local_) {
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    local_->subscribe(channel_, wake_fd_);
  }
  // Listening from construction on: a notification sent before the first wait() is not lost.
  try {
    connection_ = std::make_unique<Connection>(url_, channel_, local_ ? local_->origin() : "");
  } catch (const std::exception& e) {
    spdlog::warn("listening on {}: {}; retrying on first wait", channel_, e.what());
  }
}

PgListener::~PgListener() {
  if (local_) {
    local_->unsubscribe(wake_fd_);
    close(wake_fd_);
  }
}

bool PgListener::wait(std::chrono::milliseconds timeout) {
  bool broken = false;
  try {
    if (!connection_) {
      connection_ = std::make_unique<Connection>(url_, channel_, local_ ? local_->origin() : "");
    }
    connection_->receiver.woken = false;
    connection_->c.get_notifs();  // what arrived since the last wait
    if (connection_->receiver.woken) return true;
  } catch (const std::exception& e) {
    spdlog::warn("listening on {}: {}; reconnecting", channel_, e.what());
    connection_.reset();
    broken = true;
  }
  pollfd fds[2];
  nfds_t count = 0;
  if (wake_fd_ >= 0) fds[count++] = {wake_fd_, POLLIN, 0};
  if (connection_) fds[count++] = {connection_->c.sock(), POLLIN, 0};
  // Without a connection, the whole timeout is the back-off before reconnecting.
  const int ready = poll(fds, count, static_cast<int>(timeout.count()));
  if (ready <= 0) return false;
  bool woken = false;
  if (wake_fd_ >= 0 && (fds[0].revents & POLLIN)) {
    uint64_t wakes = 0;
    [[maybe_unused]] const auto read = ::read(wake_fd_, &wakes, sizeof wakes);
    woken = true;
  }
  if (connection_ && !broken) {
    try {
      connection_->c.get_notifs();
      woken |= connection_->receiver.woken;
    } catch (const std::exception& e) {
      spdlog::warn("listening on {}: {}; reconnecting", channel_, e.what());
      connection_.reset();
    }
  }
  return woken;
}

void notify_channels(PgPool& pool, const std::vector<std::string>& channels) {
  try {
    PgPool::Lease lease = pool.acquire();
    pqxx::nontransaction tx(*lease);
    for (const std::string& channel : channels) {
      tx.exec_params("SELECT pg_notify($1, '')", channel);
    }
  } catch (const std::exception& e) {
    spdlog::warn("waking workers: {}", e.what());  // they wake on their own timeout
  }
}

}  // namespace termijn::store
