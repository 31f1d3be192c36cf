#pragma once

#include <string>
#include <string_view>

#include "server/domain/holidays.h"
#include "server/domain/time.h"

namespace termijn::domain {

/// A time limit as the law states it: N hours or N months.
struct Period {
  enum class Unit { kHours, kMonths };
  Unit unit;
  int count;

  static constexpr Period hours(int n) { return {Unit::kHours, n}; }
  static constexpr Period months(int n) { return {Unit::kMonths, n}; }
};

/// "36 h", "1 month", "3 months".
std::string describe(Period period);

/// The two instants every obligation carries, and how they were found.
struct Deadline {
  Instant due_time;        ///< operational deadline; never later than legal_due_time
  Instant legal_due_time;  ///< the limit under Reg. (EEC, Euratom) No 1182/71
  std::string explanation;
};

/// Computes the deadline of `period` counted from `event`, with calendar reasoning in `zone` and
/// `calendar`. `event_noun` names the event in the explanation ("awareness", "receipt").
Deadline compute_deadline(Instant event, Period period, const TimeZone& zone,
                          const HolidayCalendar& calendar, std::string_view event_noun);

}  // namespace termijn::domain
