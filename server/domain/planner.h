#pragma once

#include <optional>
#include <vector>

#include "server/domain/model.h"
#include "server/domain/rules.h"

namespace termijn::domain {

/// Something that happened to a party and starts the clocks of the rules it triggers.
struct Event {
  Trigger trigger = Trigger::kIncident;
  Instant time{};                     ///< awareness or receipt
  std::optional<RequestKind> request_kind;  ///< for Trigger::kRequest
};

/// The open obligations `event`, happening to `owner`, creates: for each rule it triggers, one
/// towards every other party's DPO or one towards the authority or data subject. Deadlines are
/// computed in the owner's zone and calendar (for an every-party rule, one obligation owned by
/// each of `parties`, in its own); a policy-target rule named in `targets` takes that
/// period instead of the table's. Ids and subject ids are left 0.
std::vector<Obligation> plan_obligations(const Event& event, const Party& owner,
                                         const std::vector<Party>& parties,
                                         const PolicyTargets& targets = {});

/// `answer` (the GDPR art. 12(3) obligation of `request`) as the request's extension and
/// identification make it: due 1 month, plus the months of an extension, after the receipt of the
/// request or, when `owner` counts from it (GDPR art. 12(6)) and it came, after the receipt of the
/// identifying information; in `owner`'s zone and calendar (Reg. 1182/71). Its explanation says
/// which start the owner's policy takes.
Obligation plan_answer(Obligation answer, const Request& request, const Party& owner);

/// The GDPR art. 12(4) duty that refusing to act on `request` creates: due one month after its
/// receipt in `owner`'s zone and calendar (Reg. 1182/71), whatever an extension or a start at
/// the identification did to the answer it replaces; its explanation says so.
Obligation plan_refusal_notice(const Request& request, const Party& owner);

/// `answer` (the GDPR art. 12(3) obligation of a request received at `receipt`) extended by
/// `months` (1 or 2): due 1 + `months` months after the receipt, computed from the receipt in
/// `owner`'s zone and calendar as the original was (Reg. 1182/71), its explanation saying so.
Obligation extend_answer(Obligation answer, Instant receipt, int months, const Party& owner);

}  // namespace termijn::domain
