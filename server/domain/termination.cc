#include "server/domain/termination.h"

namespace termijn::domain {

TerminationEffect termination_effect(TerminationKind kind, Instant notice, const TimeZone& zone,
                                     const HolidayCalendar& calendar) {
  const date::year_month_day notice_day = local_date(notice, zone);
  const date::year_month notice_month{notice_day.year(), notice_day.month()};
  const date::year_month_day next_month_first = (notice_month + date::months{1}) / 1;
  const int notice_months = kind == TerminationKind::kNotice ? 3 : 0;
  TerminationEffect e;
  e.effective_date = (notice_month + date::months{1 + notice_months}) / 1;
  e.effective_time = resolve_local(date::local_days{e.effective_date}, zone);
  const auto day = [](date::year_month_day d) {
    return date::format("%a %Y-%m-%d", date::sys_days{d});
  };
  if (kind == TerminationKind::kBreach) {
    e.explanation = "Protocol art. 10: a termination notified at " + format_local(notice, zone) +
                    " takes effect on the first day of the month after the notice: " +
                    format_local(e.effective_time, zone) + ".";
  } else {
    const date::year_month_day last_day{date::sys_days{e.effective_date} - date::days{1}};
    e.explanation = "Protocol art. 18: the notice of three months given at " +
                    format_local(notice, zone) + " starts on " + day(next_month_first) +
                    " (the first day of the month after the notice) and expires at the end of " +
                    day(last_day) + "; the protocol ends at " +
                    format_local(e.effective_time, zone) + ".";
  }
  const date::weekday weekday{date::sys_days{e.effective_date}};
  std::string closed;
  if (const auto holiday = calendar.public_holiday(e.effective_date)) {
    closed = *holiday;
  } else if (weekday == date::Saturday || weekday == date::Sunday) {
    closed = weekday == date::Saturday ? "a Saturday" : "a Sunday";
  }
  if (!closed.empty()) {
    e.explanation += " " + day(e.effective_date) + " is " + closed +
                     "; under Reg. 1182/71 art. 4 a date of taking effect does not move.";
  }
  return e;
}

}  // namespace termijn::domain
