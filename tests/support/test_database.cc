#include "tests/support/test_database.h"

#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <cstdlib>
#include <stdexcept>

#include "server/app/sha256.h"
#include "server/store/migrate.h"

namespace termijn::testing {

std::string test_cluster_url() {
  const char* url = std::getenv("TERMIJN_TEST_DATABASE_URL");
  if (url == nullptr || *url == '\0') {
    throw std::runtime_error(
        "TERMIJN_TEST_DATABASE_URL is not set: this test needs PostgreSQL; run scripts/test");
  }
  return url;
}

namespace {

// A later dbname parameter overrides the one in the URL's path.
std::string with_dbname(const std::string& url, const std::string& name) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "dbname=" + name;
}

// A migrated template named after the migrations' content, made once per cluster: cloning it
// is much faster than migrating every test database.
std::string migrated_template(pqxx::connection& admin, const std::string& admin_url) {
  std::string all;
  for (const store::Migration& m : store::migrations()) all += m.name + m.sql;
  const std::string name = "termijn_tpl_" + app::to_hex(app::sha256({all})).substr(0, 16);
  pqxx::nontransaction tx(admin);
  if (tx.exec("SELECT 1 FROM pg_database WHERE datname = " + tx.quote(name)).empty()) {
    const std::string building = name + "_" + std::to_string(getpid());
    tx.exec("CREATE DATABASE " + building);
    {
      pqxx::connection c(with_dbname(admin_url, building));
      const absl::Status migrated = store::migrate(c);
      if (!migrated.ok()) throw std::runtime_error(std::string(migrated.message()));
    }
    tx.exec("ALTER DATABASE " + building + " RENAME TO " + name);
  }
  return name;
}

}  // namespace

TestDatabase::TestDatabase() : admin_url_(test_cluster_url()) {
  static std::atomic<int> counter{0};
  name_ = "termijn_t" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  pqxx::connection admin(admin_url_);
  // Test processes run in parallel: one at a time builds the template or clones it.
  pqxx::nontransaction(admin).exec("SELECT pg_advisory_lock(20261128)");
  const std::string tpl = migrated_template(admin, admin_url_);
  pqxx::nontransaction tx(admin);
  tx.exec("DROP DATABASE IF EXISTS " + name_);
  tx.exec("CREATE DATABASE " + name_ + " TEMPLATE " + tpl + " STRATEGY FILE_COPY");
  tx.exec("SELECT pg_advisory_unlock(20261128)");
  url_ = with_dbname(admin_url_, name_);
}

TestDatabase::~TestDatabase() {
  // Clean-up, not behaviour under test: a session that is still closing (or an autovacuum
  // worker) can hold the database for a moment, so try a few times and then only warn; the
  // test cluster is removed after the run anyway.
  std::string error;
  for (int attempt = 0; attempt < 10; ++attempt) {
    try {
      pqxx::connection admin(admin_url_);
      pqxx::nontransaction(admin).exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
      return;
    } catch (const std::exception& e) {
      error = e.what();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  std::fprintf(stderr, "warning: test database %s left behind: %s\n", name_.c_str(),
               error.c_str());
}

std::string TestDatabase::scalar(const std::string& sql) const {
  pqxx::connection c(url_);
  pqxx::nontransaction tx(c);
  const pqxx::result r = tx.exec(sql);
  if (r.empty() || r[0][0].is_null()) return "";
  return r[0][0].as<std::string>();
}

}  // namespace termijn::testing
