#include "server/domain/timeliness.h"

#include "server/domain/rules.h"

namespace termijn::domain {

Timeliness timeliness_of(const Obligation& o, Instant now) {
  // Where the law says "without undue delay", the period is policy: its target is no legal
  // limit, so missing it is late, never beyond the law.
  const bool has_legal_limit = !sets_no_limit(o.rule);
  switch (o.state) {
    case ObligationState::kWaived:
      return Timeliness::kWaived;
    case ObligationState::kOpen:
      if (now <= o.due_time) return Timeliness::kOpen;
      if (has_legal_limit && now >= o.legal_due_time) return Timeliness::kOverdueBeyondLegalLimit;
      return Timeliness::kOverdue;
    case ObligationState::kMet:
    case ObligationState::kMetLate:
      break;
  }
  // When it was met (closed_time) decides both: the legal limit is the instant its period has
  // expired (Reg. 1182/71 art. 3(2)), which is already outside it.
  const Instant met = o.closed_time.value_or(now);
  // A due time is kept when met at it, also where it is the legal limit itself (a termination
  // takes effect at that instant: Reg. 1182/71 art. 4), as the state says.
  if (met <= o.due_time) return Timeliness::kOnTime;
  if (has_legal_limit && met >= o.legal_due_time) return Timeliness::kBeyondLegalLimit;
  return Timeliness::kLate;
}

}  // namespace termijn::domain
