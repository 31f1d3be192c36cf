#include "server/api/principal.h"

#include <absl/status/statusor.h>

#include <algorithm>

namespace termijn::api::policy {

namespace {

absl::Status denied(const Principal& p, const std::string& what) {
  return absl::PermissionDeniedError(p.name + " may not " + what);
}

}  // namespace

absl::Status may_record_anything(const Principal& p) {
  if (p.reporter || p.dpo) return absl::OkStatus();
  return denied(p, "record incidents, requests or matters: that takes the reporter or dpo role");
}

absl::Status may_record(const Principal& p, std::string_view party) {
  if ((p.reporter || p.dpo) && p.party == party) return absl::OkStatus();
  return denied(p, "record incidents or requests for party '" + std::string(party) + "'");
}

absl::Status may_report_matter(const Principal& p, std::string_view party,
                               domain::MatterKind kind) {
  if (auto s = may_record(p, party); !s.ok()) return s;
  const bool termination = kind == domain::MatterKind::kTerminationArt10 ||
                           kind == domain::MatterKind::kTerminationArt18;
  if (termination && !p.dpo) {
    return denied(p, "record a termination of the protocol for party '" + std::string(party) +
                         "': that takes its dpo role");
  }
  return absl::OkStatus();
}

absl::StatusOr<app::View> view_of(const Principal& p,
                                  const absl::StatusOr<app::RecordParties>& parties,
                                  std::string_view name) {
  if (!p.auditor && !p.reporter && !p.dpo) return denied(p, "read records");
  const auto not_found = [&] { return absl::NotFoundError(std::string(name) + " does not exist"); };
  if (!parties.ok()) {
    return parties.status().code() == absl::StatusCode::kNotFound ? not_found() : parties.status();
  }
  if (p.auditor) return app::View::kFull;
  if (parties->owner == p.party) return app::View::kOwner;
  const auto& notified = parties->notified;
  if (std::find(notified.begin(), notified.end(), p.party) != notified.end()) {
    return app::View::kNotified;
  }
  return not_found();
}

absl::Status may_close(const Principal& p, std::string_view owner_party) {
  if (p.dpo && p.party == owner_party) return absl::OkStatus();
  if (!p.dpo) return denied(p, "fulfil or waive obligations: that takes the dpo role");
  return denied(p, "fulfil or waive an obligation of party '" + std::string(owner_party) + "'");
}

absl::Status may_change(const Principal& p, std::string_view owner_party) {
  if (p.dpo && p.party == owner_party) return absl::OkStatus();
  return denied(p, "change or close a record of party '" + std::string(owner_party) +
                       "': that takes its dpo role");
}

absl::Status may_consult(const Principal& p, const app::RecordParties& parties) {
  const bool concerned = p.party == parties.owner ||
                         std::find(parties.notified.begin(), parties.notified.end(), p.party) !=
                             parties.notified.end();
  if (p.dpo && concerned) return absl::OkStatus();
  return denied(p,
                "record a consultation on a breach: that takes the dpo role of a party it "
                "concerns");
}

absl::Status may_acknowledge(const Principal& p, std::string_view recipient_party) {
  if (p.dpo && p.party == recipient_party) return absl::OkStatus();
  return denied(p, "acknowledge a notice addressed to party '" + std::string(recipient_party) +
                       "': that takes its dpo role");
}

absl::Status may_read_webhooks(const Principal& p, std::string_view party) {
  if (p.auditor || (p.dpo && p.party == party)) return absl::OkStatus();
  return denied(p,
                "read the webhooks of party '" + std::string(party) + "': that takes its dpo role");
}

absl::Status may_change_webhooks(const Principal& p, std::string_view party) {
  if (p.dpo && p.party == party) return absl::OkStatus();
  return denied(p, "redeliver or test the webhooks of party '" + std::string(party) +
                       "': that takes its dpo role");
}

absl::Status may_read_audit(const Principal& p) {
  if (p.dpo || p.auditor) return absl::OkStatus();
  return denied(p, "read the audit trail: that takes the dpo or auditor role");
}

std::string audit_viewer(const Principal& p) { return p.auditor ? "" : p.party; }
absl::Status may_read_register(const Principal& p, std::string_view party) {
  if (p.auditor || (p.dpo && p.party == party)) return absl::OkStatus();
  if (!p.dpo) return denied(p, "read a register: that takes the dpo or auditor role");
  return denied(p, "read the register of party '" + std::string(party) +
                       "': that takes its dpo role or the auditor role");
}

absl::StatusOr<ListScope> list_scope(const Principal& p, const std::string& requested,
                                     const app::Directory& directory) {
  if (!p.auditor && !p.reporter && !p.dpo) return denied(p, "list records");
  if (!requested.empty()) {
    if (const auto known = directory.find(requested, "party"); !known.ok()) return known.status();
  }
  if (p.auditor) return ListScope{requested, ""};
  return ListScope{requested.empty() ? p.party : requested, p.party};
}

}  // namespace termijn::api::policy
