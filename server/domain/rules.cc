#include "server/domain/rules.h"

namespace termijn::domain {

const std::vector<Rule>& rules() {
  static const std::vector<Rule> kRules{
      {"protocol.breach_notice", "Protocol art. 13", Trigger::kIncident, Period::hours(36),
       RecipientKind::kPartyDpo, "awareness"},
      {"gdpr.art33_authority", "GDPR art. 33(1)", Trigger::kIncident, Period::hours(72),
       RecipientKind::kAuthority, "awareness"},
      {"protocol.request_notice", "Protocol art. 14", Trigger::kRequest, Period::hours(48),
       RecipientKind::kPartyDpo, "receipt"},
      {"gdpr.art12_response", "GDPR art. 12(3)", Trigger::kRequest, Period::months(1),
       RecipientKind::kDataSubject, "receipt", /*data_subject_requests_only=*/true},
  };
  return kRules;
}

const Rule* find_rule(std::string_view id) {
  for (const Rule& rule : rules()) {
    if (rule.id == id) return &rule;
  }
  return nullptr;
}

}  // namespace termijn::domain
