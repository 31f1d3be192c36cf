#include "server/store/pg_webhook_store.h"

#include <pqxx/pqxx>

#include "server/app/audit.h"
#include "server/app/audit_details.h"
#include "server/store/pg_array.h"
#include "server/store/pg_status.h"
#include "server/store/statements.h"

namespace termijn::store {

namespace {

constexpr const char* kPosition = "webhook_position";
constexpr const char* kInitPosition = "webhook_init_position";
constexpr const char* kMovePosition = "webhook_move_position";
constexpr const char* kInsertDelivery = "webhook_insert_delivery";
constexpr const char* kClaimDelivery = "webhook_claim_delivery";
constexpr const char* kRecordDelivery = "webhook_record_delivery";
constexpr const char* kReleaseDelivery = "webhook_release_delivery";
constexpr const char* kListDeliveries = "webhook_list_deliveries";
constexpr const char* kRedeliver = "webhook_redeliver";

const std::string kColumns =
    "id, endpoint, seq, event_type, body, state, attempts, "
    "extract(epoch FROM next_attempt_time)::bigint, last_status, last_error, "
    "extract(epoch FROM delivered_time)::bigint, extract(epoch FROM create_time)::bigint";

long long seconds(domain::Instant t) {
  return static_cast<long long>(t.time_since_epoch().count());
}

domain::Instant instant(const pqxx::field& f) {
  return domain::Instant{std::chrono::seconds{f.as<int64_t>()}};
}

}  // namespace

app::WebhookDelivery webhook_delivery_from(const pqxx::row& r) {
  app::WebhookDelivery d;
  d.id = r[0].as<int64_t>();
  d.endpoint = r[1].as<std::string>();
  d.seq = r[2].as<int64_t>();
  d.event_type = r[3].as<std::string>();
  d.body = r[4].as<std::string>();
  d.state = r[5].as<std::string>();
  d.attempts = r[6].as<int>();
  d.next_attempt_time = instant(r[7]);
  d.last_status = r[8].as<int>();
  d.last_error = r[9].as<std::string>();
  if (!r[10].is_null()) d.delivered_time = instant(r[10]);
  d.create_time = instant(r[11]);
  return d;
}

void prepare_webhook_statements(pqxx::connection& c) {
  c.prepare(kPosition, "SELECT last_seq FROM webhook_position WHERE endpoint = $1");
  c.prepare(kInitPosition,
            "INSERT INTO webhook_position (endpoint, last_seq) VALUES ($1, 0) "
            "ON CONFLICT (endpoint) DO NOTHING");
  c.prepare(kMovePosition,
            "UPDATE webhook_position SET last_seq = $3 WHERE endpoint = $1 AND last_seq = $2 "
            "RETURNING endpoint");
  c.prepare(kInsertDelivery,
            "INSERT INTO webhook_delivery (endpoint, seq, event_type, body, next_attempt_time, "
            "create_time) VALUES ($1, $2, $3, $4, to_timestamp($5), to_timestamp($5)) "
            "ON CONFLICT (endpoint, seq) DO NOTHING");
  // The oldest pending delivery, locked (without SKIP LOCKED: a later one must not overtake
  // it), taken only when it is due and not held by another process's attempt.
  c.prepare(kClaimDelivery,
            "UPDATE webhook_delivery SET attempts = attempts + 1, lease_until = to_timestamp($3) "
            "WHERE id = (SELECT id FROM webhook_delivery WHERE endpoint = $1 AND state = "
            "'pending' ORDER BY seq LIMIT 1 FOR UPDATE) AND next_attempt_time <= to_timestamp($2) "
            "AND (lease_until IS NULL OR lease_until <= to_timestamp($2)) RETURNING " +
                kColumns);
  c.prepare(kRecordDelivery,
            "UPDATE webhook_delivery SET state = $2, next_attempt_time = to_timestamp($3), "
            "last_status = $4, last_error = $5, delivered_time = to_timestamp(NULLIF($6, 0)), "
            "lease_until = NULL WHERE id = $1 AND state = 'pending' RETURNING id");
  c.prepare(kReleaseDelivery,
            "UPDATE webhook_delivery SET attempts = attempts - 1, lease_until = NULL WHERE id = $1 "
            "AND state = 'pending' AND attempts > 0");
  c.prepare(kGetWebhookDelivery, "SELECT " + kColumns + " FROM webhook_delivery WHERE id = $1");
  c.prepare(kListDeliveries, "SELECT " + kColumns +
                                 " FROM webhook_delivery WHERE (cardinality($1::text[]) = 0 OR "
                                 "endpoint = ANY($1::text[])) AND ($2 = '' OR state = $2) ORDER "
                                 "BY id DESC LIMIT $3");
  c.prepare(kRedeliver,
            "UPDATE webhook_delivery SET state = 'pending', attempts = 0, next_attempt_time = "
            "to_timestamp($3), lease_until = NULL, delivered_time = NULL WHERE endpoint = $1 AND "
            "seq = $2 AND state <> 'delivered' RETURNING " +
                kColumns);
}

absl::StatusOr<int64_t> PgWebhookStore::position(const std::string& endpoint) {
  return guarded("webhook position", [&]() -> absl::StatusOr<int64_t> {
    PgPool::Lease lease = pool_.acquire(use_);
    pqxx::work tx(*lease);
    tx.exec_prepared(kInitPosition, endpoint);
    const int64_t seq = tx.exec_prepared1(kPosition, endpoint)[0].as<int64_t>();
    tx.commit();
    return seq;
  });
}

absl::StatusOr<bool> PgWebhookStore::enqueue(const std::string& endpoint, int64_t from, int64_t to,
                                             const std::vector<app::WebhookDelivery>& rows) {
  return guarded("queue webhooks", [&]() -> absl::StatusOr<bool> {
    PgPool::Lease lease = pool_.acquire(use_);
    pqxx::work tx(*lease);
    if (tx.exec_prepared(kMovePosition, endpoint, from, to).empty()) return false;
    for (const app::WebhookDelivery& d : rows) {
      tx.exec_prepared(kInsertDelivery, endpoint, d.seq, d.event_type, d.body,
                       seconds(d.create_time));
    }
    tx.commit();
    return true;
  });
}

absl::StatusOr<std::optional<app::WebhookDelivery>> PgWebhookStore::claim(
    const std::string& endpoint, domain::Instant now, domain::Instant lease_until) {
  return guarded("claim webhook", [&]() -> absl::StatusOr<std::optional<app::WebhookDelivery>> {
    PgPool::Lease lease = pool_.acquire(use_);
    pqxx::work tx(*lease);
    const pqxx::result r =
        tx.exec_prepared(kClaimDelivery, endpoint, seconds(now), seconds(lease_until));
    tx.commit();
    if (r.empty()) return std::nullopt;
    return webhook_delivery_from(r[0]);
  });
}

absl::Status PgWebhookStore::release(const app::WebhookDelivery& d) {
  return guarded("release webhook", [&]() -> absl::Status {
    PgPool::Lease lease = pool_.acquire(use_);
    pqxx::work tx(*lease);
    tx.exec_prepared(kReleaseDelivery, d.id);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::Status PgWebhookStore::record(const app::WebhookDelivery& d,
                                   const std::string& alert_party) {
  return guarded("record webhook", [&]() -> absl::Status {
    PgPool::Lease lease = pool_.acquire(use_);
    pqxx::work tx(*lease);
    const bool recorded =
        !tx.exec_prepared(kRecordDelivery, d.id, d.state, seconds(d.next_attempt_time),
                          d.last_status, d.last_error,
                          d.delivered_time ? seconds(*d.delivered_time) : 0LL)
             .empty();
    const bool alert = recorded && d.state == "failed" && !alert_party.empty();
    if (alert) {
      // The alert is queued with the failure: it cannot be lost between the two.
      domain::Notification n;
      n.kind = domain::NotificationKind::kWebhookAlert;
      n.state = domain::NotificationState::kPending;
      n.next_attempt_time = d.next_attempt_time;
      n.create_time = d.next_attempt_time;
      n.webhook_delivery_id = d.id;
      n.recipient_party = alert_party;
      n.id = insert_notification(tx, n);
      append_audit(tx,
                   {app::audit_record(app::Actor::system(), n.create_time, "notification.queued",
                                      "notifications/" + std::to_string(n.id), d.name(),
                                      app::notification_details(n))});
    }
    tx.commit();
    if (alert) {
      pool_.wakeups().wake(kOutboxChannel);
      pool_.wakeups().wake(kAuditChannel);
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<app::WebhookDelivery>> PgWebhookStore::deliveries(
    const std::vector<std::string>& endpoints, const std::string& state, int limit) {
  PgArray names;
  for (const std::string& e : endpoints) names.add(e);
  return read_only<std::vector<app::WebhookDelivery>>(
      pool_, use_, "webhook deliveries", [&](auto& tx) {
        std::vector<app::WebhookDelivery> out;
        for (const auto& row : tx.exec_prepared(kListDeliveries, names.str(), state, limit)) {
          out.push_back(webhook_delivery_from(row));
        }
        return out;
      });
}

absl::StatusOr<app::WebhookDelivery> PgWebhookStore::redeliver(const std::string& endpoint,
                                                               int64_t seq, domain::Instant now) {
  return guarded("redeliver webhook", [&]() -> absl::StatusOr<app::WebhookDelivery> {
    PgPool::Lease lease = pool_.acquire(use_);
    pqxx::work tx(*lease);
    const pqxx::result r = tx.exec_prepared(kRedeliver, endpoint, seq, seconds(now));
    if (r.empty()) {
      return absl::NotFoundError("webhook delivery " + endpoint + "/" + std::to_string(seq) +
                                 " does not exist or was delivered");
    }
    tx.commit();
    return webhook_delivery_from(r[0]);
  });
}

}  // namespace termijn::store
