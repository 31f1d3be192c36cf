#include "server/store/pg_array.h"

namespace termijn::store {

PgArray& PgArray::add(const std::string& text) {
  if (!body_.empty()) body_ += ',';
  body_ += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') body_ += '\\';
    body_ += c;
  }
  body_ += '"';
  return *this;
}

PgArray& PgArray::add(long long number) {
  if (!body_.empty()) body_ += ',';
  body_ += std::to_string(number);
  return *this;
}

}  // namespace termijn::store
