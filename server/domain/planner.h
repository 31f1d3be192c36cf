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
/// computed in the owner's zone and calendar. Ids and subject ids are left 0.
std::vector<Obligation> plan_obligations(const Event& event, const Party& owner,
                                         const std::vector<Party>& parties);

/// `answer` (the GDPR art. 12(3) obligation of a request received at `receipt`) extended by
/// `months` (1 or 2): due 1 + `months` months after the receipt, computed from the receipt in
/// `owner`'s zone and calendar as the original was (Reg. 1182/71), its explanation saying so.
Obligation extend_answer(Obligation answer, Instant receipt, int months, const Party& owner);

}  // namespace termijn::domain
