#pragma once

#include <absl/status/status.h>

#include <string>
#include <vector>

#include <pqxx/connection>

namespace termijn::store {

struct Migration {
  std::string name;  ///< "0001_init": the number orders, the whole name is recorded
  std::string sql;
};

/// Every migration in sql/migrations, in order (embedded at build time).
const std::vector<Migration>& migrations();

/// Applies the migrations not yet applied, each in its own transaction, under an advisory lock so
/// that several termijnd processes starting at once apply each exactly once.
absl::Status migrate(pqxx::connection& connection);

}  // namespace termijn::store
