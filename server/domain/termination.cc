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
  const std::string notified = format_local(notice, zone),
                    effective = format_local(e.effective_time, zone);
  if (kind == TerminationKind::kBreach) {
    e.explanation = "Protocol art. 10: a termination notified at " + notified +
                    " takes effect on the first day of the month after the notice: " + effective +
                    ".";
    e.explanation_nl =
        "Art. 10 protocol: een beëindiging meegedeeld op " + notified +
        " heeft uitwerking op de eerste dag van de maand na de kennisgeving: " + effective + ".";
  } else {
    const date::year_month_day last_day{date::sys_days{e.effective_date} - date::days{1}};
    e.explanation = "Protocol art. 18: the notice of three months given at " + notified +
                    " starts on " + describe_day(next_month_first) +
                    " (the first day of the month after the notice) and expires at the end of " +
                    describe_day(last_day) + "; the protocol ends at " + effective + ".";
    e.explanation_nl = "Art. 18 protocol: de opzegtermijn van drie maanden, gegeven op " +
                       notified + ", begint op " + describe_day(next_month_first, true) +
                       " (de eerste dag van de maand na de opzegging) en verstrijkt op het einde "
                       "van " +
                       describe_day(last_day, true) + "; het protocol eindigt op " + effective +
                       ".";
  }
  const date::weekday weekday{date::sys_days{e.effective_date}};
  const bool weekend = weekday == date::Saturday || weekday == date::Sunday;
  const auto holiday = calendar.public_holiday(e.effective_date);
  if (holiday || weekend) {
    const std::string closed =
        holiday ? *holiday : (weekday == date::Saturday ? "a Saturday" : "a Sunday");
    const std::string closed_nl = holiday
                                      ? *calendar.public_holiday(e.effective_date, true)
                                      : (weekday == date::Saturday ? "een zaterdag" : "een zondag");
    e.explanation += " " + describe_day(e.effective_date) + " is " + closed +
                     "; under Reg. 1182/71 art. 4 a date of taking effect does not move.";
    e.explanation_nl += " " + describe_day(e.effective_date, true) + " is " + closed_nl +
                        "; volgens art. 4 Verord. 1182/71 verschuift een datum van "
                        "inwerkingtreding niet.";
  }
  return e;
}

}  // namespace termijn::domain
