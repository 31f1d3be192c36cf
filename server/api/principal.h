#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <string>
#include <string_view>
#include <vector>

namespace termijn::api {

/// An authenticated person acting for one party (or, as auditor, reading every party).
struct Principal {
  std::string name;
  std::string party;  ///< empty for an auditor of every party
  bool reporter = false;
  bool dpo = false;
  bool auditor = false;
};

/// Who may do what: the one place the roles are interpreted. Each returns PERMISSION_DENIED with
/// a sentence saying why, or OK.
namespace policy {

/// Report incidents and log requests for `party`: a reporter or DPO of that party.
absl::Status may_record(const Principal& p, std::string_view party);

/// Read a record that concerns `parties` (the reporting party and every party it is notified to):
/// an auditor, or anyone of one of those parties.
absl::Status may_read(const Principal& p, const std::vector<std::string>& parties);

/// Fulfil or waive an obligation owned by `owner_party`: its DPO.
absl::Status may_close(const Principal& p, std::string_view owner_party);

/// Acknowledge a notice sent to `recipient_party`: its DPO.
absl::Status may_acknowledge(const Principal& p, std::string_view recipient_party);

/// Read the audit trail: DPOs and auditors.
absl::Status may_read_audit(const Principal& p);

/// The party filter a list is restricted to: `requested` if allowed; the principal's own party
/// when nothing was requested; PERMISSION_DENIED for another party. Auditors may list any.
absl::StatusOr<std::string> list_scope(const Principal& p, const std::string& requested);

}  // namespace policy

}  // namespace termijn::api
