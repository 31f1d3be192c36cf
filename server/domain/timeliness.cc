#include "server/domain/timeliness.h"

#include "server/domain/rules.h"

namespace termijn::domain {

Timeliness timeliness_of(const Obligation& o, Instant now) {
  // Where the law says "without undue delay", the period is policy: its target is no legal
  // limit, so missing it is late, never beyond the law.
  const Rule* rule = find_rule(o.rule);
  const bool has_legal_limit = rule == nullptr || !rule->policy_target;
  switch (o.state) {
    case ObligationState::kWaived:
      return Timeliness::kWaived;
    case ObligationState::kOpen:
      if (has_legal_limit && now >= o.legal_due_time) return Timeliness::kOverdueBeyondLegalLimit;
      return now > o.due_time ? Timeliness::kOverdue : Timeliness::kOpen;
    case ObligationState::kMet:
    case ObligationState::kMetLate:
      break;
  }
  // When it was met (closed_time) decides both: the legal limit is the instant its period has
  // expired (Reg. 1182/71 art. 3(2)), which is already outside it.
  const Instant met = o.closed_time.value_or(now);
  if (has_legal_limit && met >= o.legal_due_time) return Timeliness::kBeyondLegalLimit;
  return met > o.due_time ? Timeliness::kLate : Timeliness::kOnTime;
}

}  // namespace termijn::domain
