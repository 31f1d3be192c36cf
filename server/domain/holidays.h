#pragma once

#include <date/date.h>

#include <optional>
#include <string>
#include <vector>

namespace termijn::domain {

/// Easter Sunday of the Gregorian calendar (anonymous Gregorian algorithm).
date::year_month_day easter_sunday(date::year year);

/// A named day.
struct NamedDay {
  date::year_month_day date;
  std::string name;
};

/// The days on which a deadline cannot end, for one country, plus configured one-off holidays.
class HolidayCalendar {
 public:
  /// Belgian legal public holidays (royal decree of 18 April 1974) plus `extra` one-off days.
  static HolidayCalendar belgium(std::vector<NamedDay> extra = {});

  /// The name of the legal public holiday on `day`, if it is one, in English or in Dutch (a
  /// configured day has the one name it was given).
  std::optional<std::string> public_holiday(date::year_month_day day, bool dutch = false) const;

  /// Not a Saturday, Sunday or public holiday (Reg. 1182/71 art. 2(2), art. 3(4)).
  bool is_working_day(date::year_month_day day) const;

  /// Days on which Flemish public offices close although they are not legal holidays (11 July,
  /// 2 and 15 November, 26 December). They never move a deadline; reminders warn about them.
  std::optional<std::string> office_closure(date::year_month_day day, bool dutch = false) const;

 private:
  explicit HolidayCalendar(std::vector<NamedDay> extra) : extra_(std::move(extra)) {}
  std::vector<NamedDay> extra_;
};

}  // namespace termijn::domain
