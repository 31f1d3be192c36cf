#include "server/store/pg_status.h"

#include "server/store/pg_pool.h"

#include <pqxx/except>
#include <spdlog/spdlog.h>

#include <string>

namespace termijn::store {

namespace {

// The first line only: PostgreSQL's DETAIL lines may quote row values, i.e. personal data.
std::string first_line(const char* message) {
  const std::string text(message);
  return text.substr(0, text.find('\n'));
}

}  // namespace

absl::Status to_status(const std::exception& e, std::string_view what) {
  const std::string context(what);
  const std::string message = first_line(e.what());
  if (dynamic_cast<const pqxx::unique_violation*>(&e)) {
    spdlog::warn("{}: unique violation: {}", context, message);
    return absl::AlreadyExistsError(context + ": already exists");
  }
  if (dynamic_cast<const pqxx::serialization_failure*>(&e) ||
      dynamic_cast<const pqxx::deadlock_detected*>(&e)) {
    return absl::AbortedError(context + ": concurrent change, retry");
  }
  if (const auto* busy = dynamic_cast<const PoolExhausted*>(&e)) {
    spdlog::warn("{}: {}", context, busy->what());
    if (busy->deadline_passed()) return absl::DeadlineExceededError(context + ": " + busy->what());
    return absl::UnavailableError(context + ": database busy, retry");
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    // 57014: statement_timeout (the session's, or the call's deadline); 55P03: lock_timeout.
    if (sql->sqlstate() == "57014") {
      spdlog::warn("{}: statement cancelled: {}", context, message);
      return absl::DeadlineExceededError(context + ": took too long and was cancelled");
    }
    if (sql->sqlstate() == "55P03") {
      spdlog::warn("{}: lock wait timed out: {}", context, message);
      return absl::AbortedError(context + ": the record is busy, retry");
    }
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) ||
      dynamic_cast<const pqxx::in_doubt_error*>(&e)) {
    spdlog::error("{}: database unavailable: {}", context, message);
    return absl::UnavailableError(context + ": database unavailable");
  }
  spdlog::error("{}: {}", context, message);
  return absl::InternalError(context + ": internal error (details in the server log)");
}

}  // namespace termijn::store
