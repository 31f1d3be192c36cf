#pragma once

#include <string>
#include <vector>

namespace termijn::store {

/// Builds a PostgreSQL array literal, element by element, for one bound parameter
/// (`$1::text[]`, `$1::bigint[]`): many rows in one statement without building SQL from values.
class PgArray {
 public:
  PgArray& add(const std::string& text);
  PgArray& add(long long number);
  std::string str() const { return "{" + body_ + "}"; }
  bool empty() const { return body_.empty(); }

 private:
  std::string body_;
};

}  // namespace termijn::store
