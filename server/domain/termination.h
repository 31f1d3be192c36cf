#pragma once

#include <date/date.h>

#include <string>

#include "server/domain/holidays.h"
#include "server/domain/periods.h"
#include "server/domain/time.h"

namespace termijn::domain {

/// How a party ends the protocol.
enum class TerminationKind {
  kBreach,  ///< protocol art. 10: unilaterally, for processing in breach of it or of the law
  kNotice,  ///< protocol art. 18: ordinary notice of three months
};

/// When a termination takes effect, and why, in English and Dutch.
struct TerminationEffect {
  date::year_month_day effective_date;  ///< the first day without the protocol
  Instant effective_time{};             ///< 00:00 local of that day
  std::string explanation;
  std::string explanation_nl;
};

/// The effect of a termination notified at `notice`, in `zone` (its local date, never the UTC
/// one). Art. 10: the first day of the month after the month of the notice. Art. 18: the notice
/// period of three months starts on that day, so the protocol ends when it expires, on the first
/// day of the fourth month after the notice. Reg. 1182/71 art. 4: a date on which something takes
/// effect does not move to a working day; `calendar` only names the day in the explanation.
TerminationEffect termination_effect(TerminationKind kind, Instant notice, const TimeZone& zone,
                                     const HolidayCalendar& calendar);

}  // namespace termijn::domain
