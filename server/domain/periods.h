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

/// "36 h", "1 month", "3 months"; in Dutch "36 u", "1 maand", "3 maanden".
std::string describe(Period period, bool dutch = false);

/// "Sat 2026-03-28"; in Dutch "za 2026-03-28".
std::string describe_day(date::year_month_day day, bool dutch = false);

/// What a period counts from, as an explanation names it: "awareness", "kennisname".
struct EventNoun {
  std::string_view en;
  std::string_view nl;
};

/// The two instants every obligation carries, and how they were found, in English and Dutch.
struct Deadline {
  Instant due_time;        ///< operational deadline; never later than legal_due_time
  Instant legal_due_time;  ///< the limit under Reg. (EEC, Euratom) No 1182/71
  std::string explanation;
  std::string explanation_nl;
};

/// Computes the deadline of `period` counted from `event`, with calendar reasoning in `zone` and
/// `calendar`. `event_noun` names the event in the explanations.
Deadline compute_deadline(Instant event, Period period, const TimeZone& zone,
                          const HolidayCalendar& calendar, EventNoun event_noun);

}  // namespace termijn::domain
