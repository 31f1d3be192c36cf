#include "server/store/pg_status.h"

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
  if (dynamic_cast<const pqxx::broken_connection*>(&e) ||
      dynamic_cast<const pqxx::in_doubt_error*>(&e)) {
    spdlog::error("{}: database unavailable: {}", context, message);
    return absl::UnavailableError(context + ": database unavailable");
  }
  spdlog::error("{}: {}", context, message);
  return absl::InternalError(context + ": internal error (details in the server log)");
}

}  // namespace termijn::store
