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

}  // namespace termijn::domain
