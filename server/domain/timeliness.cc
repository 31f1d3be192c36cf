#include "server/domain/timeliness.h"

namespace termijn::domain {

Timeliness timeliness_of(const Obligation& o, Instant now) {
  switch (o.state) {
    case ObligationState::kWaived:
      return Timeliness::kWaived;
    case ObligationState::kOpen:
      if (now > o.legal_due_time) return Timeliness::kOverdueBeyondLegalLimit;
      return now > o.due_time ? Timeliness::kOverdue : Timeliness::kOpen;
    case ObligationState::kMet:
    case ObligationState::kMetLate:
      break;
  }
  // The closing time, not the state, decides: the state says only whether the operational due
  // time was kept.
  const Instant met = o.closed_time.value_or(now);
  if (met > o.legal_due_time) return Timeliness::kBeyondLegalLimit;
  return met > o.due_time ? Timeliness::kLate : Timeliness::kOnTime;
}

}  // namespace termijn::domain
