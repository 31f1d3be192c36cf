#pragma once

#include <absl/status/statusor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/app/clock.h"
#include "server/app/directory.h"
#include "server/app/records.h"
#include "server/app/store.h"

namespace termijn::app {

/// The records a register holds: a party's own, of one calendar year in its time zone or of
/// every year.
struct RegisterScope {
  std::string party;
  domain::Instant from{};  ///< the first instant of the year
  domain::Instant to{};    ///< the first instant of the next year
};

/// A page of a register and where the next one starts; `more` false on the last page.
template <typename Record>
struct RegisterPage {
  std::vector<Record> records;
  domain::Instant as_of{};  ///< when it was read: open duties are judged at this instant
  bool more = false;
  std::optional<std::pair<domain::Instant, int64_t>> next;
};

/// The registers: the breach register (GDPR art. 33(5): every incident, notified or not, with
/// its facts, effects, measures and each decision with its reason) and the register of requests.
/// They are read page by page, each page a short read of its own, oldest first: a register of any
/// size is exported with one page in memory and no connection held between pages.
class Registers {
 public:
  Registers(const Clock& clock, Store& store, const Directory& directory)
      : clock_(clock), store_(store), directory_(directory) {}

  /// The scope of the register of `party` for `year` (0: every year); INVALID_ARGUMENT naming
  /// `party` for an unknown party, `year` for one outside 1970-2100.
  absl::StatusOr<RegisterScope> scope(const std::string& party, int year) const;

  /// Up to `limit` incidents (requests) of `scope` from `after` on (nullopt: the first), each with
  /// its obligations, oldest first by awareness (receipt).
  absl::StatusOr<RegisterPage<IncidentRecord>> incidents(
      const RegisterScope& scope, std::optional<std::pair<domain::Instant, int64_t>> after,
      int limit);
  absl::StatusOr<RegisterPage<RequestRecord>> requests(
      const RegisterScope& scope, std::optional<std::pair<domain::Instant, int64_t>> after,
      int limit);

 private:
  const Clock& clock_;
  Store& store_;
  const Directory& directory_;
};

}  // namespace termijn::app
