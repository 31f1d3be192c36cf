#pragma once

#include <absl/status/status.h>

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "server/domain/audit.h"
#include "server/domain/escalation.h"
#include "server/domain/model.h"

/// Rows to domain values and back: the one mapping of the columns statements.cc selects.
namespace termijn::store::rows {

using domain::Instant;

/// Instants cross the boundary as whole seconds since the epoch.
inline int64_t seconds(Instant t) { return t.time_since_epoch().count(); }
inline Instant instant(const pqxx::field& f) {
  return Instant{std::chrono::seconds{f.as<int64_t>()}};
}
std::optional<Instant> optional_instant(const pqxx::field& f);
/// "" for none, the seconds otherwise (statements turn '' into NULL).
std::string optional_seconds(const std::optional<Instant>& t);

template <typename Enum>
std::string join_names(const std::vector<Enum>& values) {
  std::string joined;
  for (const Enum v : values) {
    if (!joined.empty()) joined += ',';
    joined += domain::name_of(v);
  }
  return joined;
}

domain::Incident incident_from(const pqxx::row& r);
domain::Request request_from(const pqxx::row& r, bool with_copy);
domain::Matter matter_from(const pqxx::row& r);
domain::Obligation obligation_from(const pqxx::row& r);
domain::ScheduledStep step_from(const pqxx::row& r);
domain::Notification notification_from(const pqxx::row& r);
/// seq, hash, time (epoch seconds), public_key, signature.
domain::AuditCheckpoint checkpoint_from(const pqxx::row& r);

template <typename T, typename Map>
std::vector<T> map_rows(const pqxx::result& result, Map map) {
  std::vector<T> out;
  out.reserve(result.size());
  for (const auto& row : result) out.push_back(map(row));
  return out;
}

absl::Status not_found(const std::string& name);

}  // namespace termijn::store::rows
