#include "server/store/migrate.h"

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "server/store/pg_status.h"

namespace termijn::store {

namespace {
// Any constant shared by all termijnd processes; "termijn" in ASCII.
constexpr int64_t kMigrationLock = 0x7465726d696a6e;
}  // namespace

absl::Status migrate(pqxx::connection& connection) {
  return guarded("migrate", [&]() -> absl::Status {
    pqxx::nontransaction session(connection);
    session.exec("SELECT pg_advisory_lock(" + std::to_string(kMigrationLock) + ")");
    struct Unlock {
      pqxx::nontransaction& s;
      ~Unlock() {
        try {
          s.exec("SELECT pg_advisory_unlock(" + std::to_string(kMigrationLock) + ")");
        } catch (...) {
        }
      }
    } unlock{session};
    session.exec(
        "CREATE TABLE IF NOT EXISTS schema_migration (name text PRIMARY KEY, "
        "applied_time timestamptz NOT NULL DEFAULT now())");
    session.commit();
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
