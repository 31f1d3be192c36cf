#include "server/store/migrate.h"

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "server/store/pg_status.h"

namespace termijn::store {

namespace {

// Any constant shared by all termijnd processes; "termijn" in ASCII.
const std::string kMigrationLock = std::to_string(0x7465726d696a6e);

// Holds the session-level migration lock for its lifetime, also when a migration fails.
class MigrationLock {
 public:
  explicit MigrationLock(pqxx::connection& c) : c_(c) {
    pqxx::nontransaction(c_).exec("SELECT pg_advisory_lock(" + kMigrationLock + ")");
  }
  ~MigrationLock() {
    try {
      pqxx::nontransaction(c_).exec("SELECT pg_advisory_unlock(" + kMigrationLock + ")");
    } catch (const std::exception& e) {
      spdlog::warn("releasing the migration lock: {}", e.what());  // closing releases it too
    }
  }

 private:
  pqxx::connection& c_;
};

}  // namespace

absl::Status migrate(pqxx::connection& connection) {
  return guarded("migrate", [&]() -> absl::Status {
    const MigrationLock lock(connection);
    pqxx::nontransaction(connection)
        .exec(
            "CREATE TABLE IF NOT EXISTS schema_migration (name text PRIMARY KEY, "
            "applied_time timestamptz NOT NULL DEFAULT now())");
    for (const Migration& m : migrations()) {
      pqxx::work tx(connection);
      if (!tx.exec_params("SELECT 1 FROM schema_migration WHERE name = $1", m.name).empty()) {
        continue;
      }
      tx.exec(m.sql);
      tx.exec_params("INSERT INTO schema_migration (name) VALUES ($1)", m.name);
      tx.commit();
      spdlog::info("applied migration {}", m.name);
    }
    return absl::OkStatus();
  });
}

}  // namespace termijn::store
