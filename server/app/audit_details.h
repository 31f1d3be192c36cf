#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/app/actor.h"
#include "server/app/rule_policies.h"
#include "server/app/store.h"
#include "server/domain/model.h"

namespace termijn::app {

/// The audit details (JSON) of each change: the fields it set.
std::string incident_details(const domain::Incident& incident);
std::string request_details(const domain::Request& request);
std::string matter_details(const domain::Matter& matter);
std::string obligation_details(const domain::Obligation& obligation);
std::string closure_details(const domain::Obligation& obligation);
std::string notification_details(const domain::Notification& notification);

/// Inserts `obligations` of `owner` (their ids are set) with an "obligation.created" audit event
/// each, in the caller's transaction; a notice to another party's DPO is queued with each that
/// needs one, pending or held for review as `policy` says, and its reminder steps are planned.
absl::Status insert_obligations(StoreTransaction& tx, std::vector<domain::Obligation>& obligations,
                                const Actor& actor, domain::Instant now, const RulePolicies& policy,
                                const domain::Party& owner);

/// Plans the reminder steps of a new obligation `o` under `policy`, and sets its next step.
absl::Status plan_steps(StoreTransaction& tx, domain::Obligation& o, const RulePolicies& policy,
                        const domain::Party& owner);

/// Plans the reminder steps of `o` anew at `now`, its due time having moved: its pending steps
/// and unsent reminders are cancelled, and each step takes its new time if it has not fired, or
/// if it fired (or was skipped) for the old due time and its new time lies ahead: a deadline
/// moved later is reminded of again, and its overdue escalation starts again after it. `o`'s next
/// step and level are as before: read the obligation again to show them.
absl::Status replan_steps(StoreTransaction& tx, const domain::Obligation& o,
                          const RulePolicies& policy, const domain::Party& owner,
                          domain::Instant now);

/// Queues a notice of `o` to its recipient party's DPO, pending or held for review as `policy`
/// says, and audits it, in the caller's transaction. With `changes`, it is a follow-up notice that
/// says what changed since the notice (protocol art. 13, third paragraph; GDPR art. 33(4)).
absl::StatusOr<domain::Notification> queue_notice(StoreTransaction& tx, const domain::Obligation& o,
                                                  const Actor& actor, domain::Instant now,
                                                  const RulePolicies& policy,
                                                  std::vector<domain::FieldChange> changes = {});

/// Closes an open obligation (fulfilled: met or met-late by `done_time`, `now` when not given;
/// else waived) with `text` as evidence or reason, cancels its reminders, and audits it; in the
/// caller's transaction.
absl::Status close_open_obligation(StoreTransaction& tx, domain::Obligation& o, const Actor& actor,
                                   domain::Instant now, bool fulfilled, const std::string& text,
                                   std::optional<domain::Instant> done_time = std::nullopt);

}  // namespace termijn::app
