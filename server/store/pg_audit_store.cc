#include "server/store/pg_audit_store.h"

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include <thread>

#include "server/app/sha256.h"
#include "server/store/pg_array.h"
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
  return e;
}

}  // namespace

absl::StatusOr<int> PgAuditStore::sequence(int max, bool wait) {
  return guarded("sequence audit", [&]() -> absl::StatusOr<int> {
    PgPool::Lease lease = pool_.acquire(use_);
    pqxx::work tx(*lease);
    if (wait) {
      tx.exec_prepared(stmt::kAuditLockWait);
    } else if (!tx.exec_prepared1(stmt::kAuditLockTry)[0].as<bool>()) {
      return 0;  // another sequencer is at work; it will take these entries too
    }
    int64_t seq = 0;
    std::string prev = app::genesis_hash();
    if (const pqxx::result head = tx.exec_prepared(stmt::kAuditHead); !head.empty()) {
      seq = head[0][0].as<int64_t>();
      prev = pqxx::binarystring(head[0][1]).str();
    }
    const pqxx::result queued = tx.exec_prepared(stmt::kAuditQueued, max);
    if (queued.empty()) return 0;
    PgArray ids, seqs, times, principals, parties, actions, subjects, relateds, details, prevs,
        hashes;
    for (const auto& row : queued) {
      domain::AuditRecord r = record_from(row);
      r.seq = ++seq;
      const std::string hash = app::chain_hash(prev, r);
      ids.add(row[0].as<long long>());
      seqs.add(r.seq);
      times.add(static_cast<long long>(r.time.time_since_epoch().count()));
      principals.add(r.principal);
      parties.add(r.party);
      actions.add(r.action);
      subjects.add(r.subject);
      relateds.add(r.related);
      details.add(r.details);
      prevs.add(app::to_hex(prev));
      hashes.add(app::to_hex(hash));
      prev = hash;
    }
    tx.exec_prepared(stmt::kAuditInsert, seqs.str(), times.str(), principals.str(), parties.str(),
                     actions.str(), subjects.str(), relateds.str(), details.str(), prevs.str(),
                     hashes.str());
    tx.exec_prepared(stmt::kAuditDequeue, ids.str());
    tx.commit();
    return static_cast<int>(queued.size());
  });
}

absl::StatusOr<std::vector<app::AuditEvent>> PgAuditStore::events(const app::AuditFilter& f) {
  return read_only<std::vector<app::AuditEvent>>(pool_, "audit events", [&](auto& tx) {
    std::vector<app::AuditEvent> out;
    for (const auto& row : tx.exec_prepared(stmt::kAuditEvents, f.subject, f.after_seq, f.limit)) {
      out.push_back(event_from(row));
    }
    return out;
  });
}

absl::StatusOr<app::AuditEvent> PgAuditStore::event(int64_t seq) {
  return read_only<app::AuditEvent>(pool_, "audit event", [&](auto& tx)
                                                               -> absl::StatusOr<app::AuditEvent> {
    const pqxx::result rows = tx.exec_prepared(stmt::kAuditEvent, seq);
    if (rows.empty()) return absl::NotFoundError("audit event " + std::to_string(seq) + " does not exist");
    return event_from(rows[0]);
  });
}

struct PgListener::Connection {
  class Receiver final : public pqxx::notification_receiver {
   public:
    using pqxx::notification_receiver::notification_receiver;
    void operator()(const std::string&, int) override {}
  };
  explicit Connection(const std::string& url, const std::string& channel)
      : c(url), receiver(c, channel) {}
  pqxx::connection c;
  Receiver receiver;
};

PgListener::PgListener(std::string url, std::string channel)
    : url_(std::move(url)), channel_(std::move(channel)) {
  // Listening from construction on: a notification sent before the first wait() is not lost.
  try {
    connection_ = std::make_unique<Connection>(url_, channel_);
  } catch (const std::exception& e) {
    spdlog::warn("listening on {}: {}; retrying on first wait", channel_, e.what());
  }
}

PgListener::~PgListener() = default;

bool PgListener::wait(std::chrono::milliseconds timeout) {
  try {
    if (!connection_) connection_ = std::make_unique<Connection>(url_, channel_);
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout - seconds);
    return connection_->c.await_notification(seconds.count(), micros.count()) > 0;
  } catch (const std::exception& e) {
    spdlog::warn("listening on {}: {}; reconnecting", channel_, e.what());
    connection_.reset();
    std::this_thread::sleep_for(timeout);  // back off before reconnecting
    return false;
  }
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
