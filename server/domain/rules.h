#pragma once

#include <string_view>
#include <vector>

#include "server/domain/model.h"
#include "server/domain/periods.h"

namespace termijn::domain {

/// What starts a rule's clock.
enum class Trigger { kIncident, kRequest };

/// One duty from the protocol or the GDPR. The table in rules.cc is the single source of truth.
struct Rule {
  std::string_view id;           ///< stable: API, CLI, configuration
  std::string_view legal_basis;  ///< "Protocol art. 13"
  Trigger trigger;
  Period period;
  RecipientKind recipient;  ///< kPartyDpo: one obligation towards each other party
  std::string_view event_noun;
  bool data_subject_requests_only = false;  ///< not for supervisory-authority messages
};

/// All rules, in a stable order.
const std::vector<Rule>& rules();

/// The rule with `id`, or nullptr.
const Rule* find_rule(std::string_view id);

}  // namespace termijn::domain
