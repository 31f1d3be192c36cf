#include "tests/support/test_database.h"

#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>

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

TestDatabase::TestDatabase() : admin_url_(test_cluster_url()) {
  static std::atomic<int> counter{0};
  name_ = "termijn_t" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  {
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + name_);
    tx.exec("CREATE DATABASE " + name_);
  }
  // A later dbname parameter overrides the one in the URL's path.
  url_ = admin_url_ + (admin_url_.find('?') == std::string::npos ? "?" : "&") + "dbname=" + name_;
  pqxx::connection c(url_);
  const absl::Status migrated = store::migrate(c);
  if (!migrated.ok()) throw std::runtime_error(std::string(migrated.message()));
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception& e) {
    ADD_FAILURE() << "cannot drop test database " << name_ << ": " << e.what();
  }
}

std::string TestDatabase::scalar(const std::string& sql) const {
  pqxx::connection c(url_);
  pqxx::nontransaction tx(c);
  const pqxx::result r = tx.exec(sql);
  if (r.empty() || r[0][0].is_null()) return "";
  return r[0][0].as<std::string>();
}

}  // namespace termijn::testing
