#include "server/store/migrate.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <latch>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "server/app/audit.h"
#include "server/store/pg_audit_store.h"
#include "server/store/pg_store.h"
#include "tests/integration/pg_test.h"

namespace termijn::testing {
namespace {

// The advisory lock key of server/store/migrate.cc ("termijn" in ASCII).
constexpr int64_t kMigrationLock = 0x7465726d696a6e;

/// An empty database (no migrations applied) on the test cluster, dropped on destruction.
class EmptyDatabase {
 public:
  EmptyDatabase() : admin_url_(test_cluster_url()) {
    static std::atomic<int> counter{0};
    name_ = "termijn_m" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + name_);
    tx.exec("CREATE DATABASE " + name_);
    url_ = admin_url_ + (admin_url_.find('?') == std::string::npos ? "?" : "&") + "dbname=" + name_;
  }
  ~EmptyDatabase() {
    try {
      pqxx::connection admin(admin_url_);
      pqxx::nontransaction tx(admin);
      tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "cannot drop " << name_ << ": " << e.what();
    }
  }
  const std::string& url() const { return url_; }

 private:
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

std::string query(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  const pqxx::result r = tx.exec(sql);
  return r.empty() || r[0][0].is_null() ? "" : r[0][0].as<std::string>();
}

std::string applied(const std::string& url) {
  return query(url, "SELECT string_agg(name, ',' ORDER BY name) FROM schema_migration");
}

std::string expected_names() {
  std::string names;
  for (const store::Migration& m : store::migrations()) {
    names += (names.empty() ? "" : ",") + m.name;
  }
  return names;
}

// Events chained before migration 0011 keep chain format 1; those after are in format 2; the
// mixed chain verifies, and the C++ verifier catches a change on either side of the boundary.
TEST(Migrations, EventsChainedBeforeFormatTwoStayVerifiableInAMixedChain) {
  EmptyDatabase db;
  {
    pqxx::connection c(db.url());
    pqxx::nontransaction(c).exec(
        "CREATE TABLE IF NOT EXISTS schema_migration (name text PRIMARY KEY, "
        "applied_time timestamptz NOT NULL DEFAULT now())");
    for (const store::Migration& m : store::migrations()) {
      if (m.name >= "0011") break;
      pqxx::work tx(c);
      tx.exec(m.sql);
      tx.exec_params("INSERT INTO schema_migration (name) VALUES ($1)", m.name);
      tx.commit();
    }
  }
  const auto queue_and_sequence = [&](const std::string& subject) {
    query(db.url(),
          "INSERT INTO audit_queue (time, principal, party, action, subject, details) VALUES "
          "(now(), 'herent-dpo', 'herent', 'incident.reported', '" + subject +
              "', '{\"title\":\"café\"}')");
    query(db.url(), "SELECT audit_sequence(100, true)");
  };
  queue_and_sequence("incidents/1");
  queue_and_sequence("incidents/2");
  EXPECT_EQ(query(db.url(), "SELECT count(*) FROM audit_event"), "2");
  pqxx::connection c(db.url());
  ASSERT_TRUE(store::migrate(c).ok());
  queue_and_sequence("incidents/3");
  queue_and_sequence("incidents/4");
  EXPECT_EQ(query(db.url(), "SELECT string_agg(format::text, ',' ORDER BY seq) FROM audit_event"),
            "1,1,2,2");

  store::PgStore owner(db.url(), 2);
  store::PgAuditStore audit_store(owner.pool());
  app::AuditTrail trail(audit_store);
  const auto verified = trail.verify();
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->verified) << verified->first_bad_seq << ": " << verified->reason;
  EXPECT_EQ(verified->event_count, 4);

  for (const int seq : {2, 3}) {
    auto events = audit_store.events({"", 0, 10});
    ASSERT_TRUE(events.ok()) << events.status();
    (*events)[seq - 1].record.details = "{}";
    app::ChainVerifier chain;
    for (const app::AuditEvent& e : *events) {
      if (!chain.add(e)) break;
    }
    EXPECT_EQ(chain.result().first_bad_seq, seq);
  }
}

// The embedded migrations are numbered, ordered and include the initial schema.
TEST(Migrations, AreEmbeddedInOrder) {
  const auto& all = store::migrations();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front().name, "0001_init");
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].name, all[i].name);
}

// Migrating an already migrated database changes nothing: same rows, same applied times.
TEST(Migrations, ApplyingTwiceIsANoOp) {
  EmptyDatabase db;
  pqxx::connection c(db.url());
  ASSERT_TRUE(store::migrate(c).ok());
  const std::string before =
      query(db.url(),
            "SELECT string_agg(name || '@' || applied_time::text, ',' ORDER BY name) "
            "FROM schema_migration");
  const std::string tables =
      query(db.url(), "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");

  const absl::Status again = store::migrate(c);

  EXPECT_TRUE(again.ok()) << again;
  EXPECT_EQ(query(db.url(),
                  "SELECT string_agg(name || '@' || applied_time::text, ',' ORDER BY name) "
                  "FROM schema_migration"),
            before);
  EXPECT_EQ(query(db.url(), "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), tables);
  EXPECT_EQ(applied(db.url()), expected_names());
}

// Two processes starting at once on a fresh database both succeed; each migration runs once.
TEST(Migrations, ConcurrentMigratorsBothSucceedAndApplyEachOnce) {
  EmptyDatabase db;
  // Connections open before the start line, so that both threads call migrate() together.
  pqxx::connection first(db.url());
  pqxx::connection second(db.url());
  std::latch start(2);
  absl::Status results[2];
  auto migrate_with = [&](pqxx::connection& c, absl::Status& result) {
    start.arrive_and_wait();
    result = store::migrate(c);
    // Ends the session, as termijnd does after migrating; a session-level advisory lock dies
    // with it.
    c.disconnect();
  };
  std::thread a(migrate_with, std::ref(first), std::ref(results[0]));
  std::thread b(migrate_with, std::ref(second), std::ref(results[1]));
  a.join();
  b.join();

  EXPECT_TRUE(results[0].ok()) << results[0];
  EXPECT_TRUE(results[1].ok()) << results[1];
  EXPECT_EQ(applied(db.url()), expected_names());
  EXPECT_EQ(query(db.url(), "SELECT count(*) FROM schema_migration"),
            std::to_string(store::migrations().size()));
  EXPECT_EQ(query(db.url(),
                  "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND "
                  "tablename IN ('incident', 'request', 'obligation')"),
            "3");
}

// migrate() releases its advisory lock when it returns, so that a second process whose
// migrating connection is still open is not blocked.
TEST(Migrations, ReleasesTheAdvisoryLockWhenDone) {
  EmptyDatabase db;
  pqxx::connection c(db.url());
  ASSERT_TRUE(store::migrate(c).ok());

  EXPECT_EQ(query(db.url(), "SELECT pg_try_advisory_lock(" + std::to_string(kMigrationLock) + ")"),
            "t");
}

}  // namespace
}  // namespace termijn::testing
