#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <string>
#include <string_view>
#include <vector>

#include "server/app/directory.h"
#include "server/app/views.h"
#include "server/domain/model.h"

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

/// Record anything at all (an incident, a request, a matter): a reporter or DPO. Checked before
/// the input is read, so that a caller who may record nothing (an auditor, who has no party of its
/// own) is denied whatever it sent.
absl::Status may_record_anything(const Principal& p);

/// Report incidents and log requests for `party`: a reporter or DPO of that party.
absl::Status may_record(const Principal& p, std::string_view party);

/// Report a protocol matter of `kind` for `party`: as `may_record`, except that a termination
/// of the protocol (art. 10 or 18) is the party's decision and takes its dpo role.
absl::Status may_report_matter(const Principal& p, std::string_view party, domain::MatterKind kind);

/// How `p` sees the record `name`, whose parties were looked up (before reading the record) as
/// `parties`: in full for auditors (who only read); as its owner sees it for anyone of the party
/// it belongs to; as notified for anyone of a party it was notified to. Otherwise NOT_FOUND, with
/// the very status a record that does not exist gives (a NOT_FOUND `parties`), so that the answer
/// does not tell whether the id exists. The one rule for every read, whatever the entry point.
absl::StatusOr<app::View> view_of(const Principal& p,
                                  const absl::StatusOr<app::RecordParties>& parties,
                                  std::string_view name);

/// Fulfil or waive an obligation owned by `owner_party`: its DPO.
absl::Status may_close(const Principal& p, std::string_view owner_party);

/// Change, extend or close an incident or request of `owner_party`: its DPO.
absl::Status may_change(const Principal& p, std::string_view owner_party);

/// Acknowledge a notice sent to `recipient_party`: its DPO.
absl::Status may_acknowledge(const Principal& p, std::string_view recipient_party);

/// Read the webhooks of `party` and their deliveries: its DPO, and auditors.
absl::Status may_read_webhooks(const Principal& p, std::string_view party);

/// Redeliver and test the webhooks of `party`: its DPO.
absl::Status may_change_webhooks(const Principal& p, std::string_view party);

/// Record the consultation on an incident (protocol art. 13, second paragraph) whose parties are
/// `parties`: the DPO of any of them.
absl::Status may_consult(const Principal& p, const app::RecordParties& parties);

/// Read the audit trail: DPOs and auditors.
absl::Status may_read_audit(const Principal& p);

/// Whose audit events `p` reads in full (app::AuditFilter::viewer): a DPO its own party's, the
/// others' as digests; an auditor every party's ("").
std::string audit_viewer(const Principal& p);
/// Read the register (incidents or requests) of `party`: its DPO, and auditors. A register holds
/// the party's own records in full, its internal duties included.
absl::Status may_read_register(const Principal& p, std::string_view party);

/// What a list may show: records of (or concerning) `party`, among those that concern `viewer`.
struct ListScope {
  std::string party;
  std::string viewer;  ///< empty: every party's (auditors)
};

/// The scope of a list `requested` for a party: that party (the principal's own when nothing was
/// requested), seen by the principal's party; another party's records show only where they
/// concern the principal's, each in the view view_of gives. Auditors list any party's.
/// INVALID_ARGUMENT "party: unknown party ..." for a party not in `directory`: an empty list
/// would read as "nothing is due".
absl::StatusOr<ListScope> list_scope(const Principal& p, const std::string& requested,
                                     const app::Directory& directory);

}  // namespace policy

}  // namespace termijn::api
