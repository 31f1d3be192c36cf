#pragma once

#include "server/domain/model.h"

namespace termijn::domain {

/// How an obligation was kept, as a register reports it.
enum class Timeliness {
  kOnTime,                   ///< met by its due time
  kLate,                     ///< met after its due time, within its legal limit
  kBeyondLegalLimit,         ///< met after its legal limit (Reg. 1182/71)
  kOpen,                     ///< open, its due time still ahead
  kOverdue,                  ///< open past its due time, within its legal limit
  kOverdueBeyondLegalLimit,  ///< open past its legal limit: the law is already broken
  kWaived,
};

/// How `o` was kept, judged at `now` while it is open. Met exactly at its due time is on time;
/// at its legal limit, the instant its period has expired (Reg. 1182/71 art. 3(2): 00:00 after
/// the last day), is beyond it.
Timeliness timeliness_of(const Obligation& o, Instant now);

}  // namespace termijn::domain
