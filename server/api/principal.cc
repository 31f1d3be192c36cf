#include "server/api/principal.h"

#include <absl/status/statusor.h>

#include <algorithm>

namespace termijn::api::policy {

namespace {

absl::Status denied(const Principal& p, const std::string& what) {
  return absl::PermissionDeniedError(p.name + " may not " + what);
}

}  // namespace

absl::Status may_record(const Principal& p, std::string_view party) {
  if ((p.reporter || p.dpo) && p.party == party) return absl::OkStatus();
  return denied(p, "record incidents or requests for party '" + std::string(party) + "'");
}

absl::Status may_read(const Principal& p, const std::vector<std::string>& parties) {
  if (p.auditor) return absl::OkStatus();
  if ((p.reporter || p.dpo) && std::find(parties.begin(), parties.end(), p.party) != parties.end()) {
    return absl::OkStatus();
  }
  return denied(p, "read a record that does not concern party '" + p.party + "'");
}

absl::Status may_close(const Principal& p, std::string_view owner_party) {
  if (p.dpo && p.party == owner_party) return absl::OkStatus();
  if (!p.dpo) return denied(p, "fulfil or waive obligations: that takes the dpo role");
  return denied(p, "fulfil or waive an obligation of party '" + std::string(owner_party) + "'");
}

absl::Status may_acknowledge(const Principal& p, std::string_view recipient_party) {
  if (p.dpo && p.party == recipient_party) return absl::OkStatus();
  return denied(p, "acknowledge a notice addressed to party '" + std::string(recipient_party) +
                       "': that takes its dpo role");
}

absl::Status may_read_audit(const Principal& p) {
  if (p.dpo || p.auditor) return absl::OkStatus();
  return denied(p, "read the audit trail: that takes the dpo or auditor role");
}

absl::StatusOr<std::string> list_scope(const Principal& p, const std::string& requested) {
  if (p.auditor) return requested;
  if (!p.reporter && !p.dpo) return denied(p, "list records");
  if (requested.empty() || requested == p.party) return p.party;
  return denied(p, "list records of party '" + requested + "'");
}

}  // namespace termijn::api::policy
