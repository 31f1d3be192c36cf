#include "server/domain/periods.h"

#include <algorithm>

namespace termijn::domain {

namespace {

using std::chrono::hours;

// The start of the local clock hour containing `t`. Reg. 1182/71 art. 3(1) excludes that hour.
Instant start_of_local_hour(Instant t, const TimeZone& zone) {
  const std::chrono::seconds offset = zone.offset_at(t).utc_offset;
  return date::floor<hours>(t + offset) - offset;
}

// The instant at which local day `day` expires (24:00 local, i.e. 00:00 of the next day).
Instant end_of_local_day(date::year_month_day day, const TimeZone& zone) {
  return resolve_local(date::local_days{day} + date::days{1}, zone);
}

// The same day number `months` later, clamped to the last day of a shorter month.
date::year_month_day add_months_clamped(date::year_month_day day, int months) {
  const date::year_month target = date::year_month{day.year(), day.month()} + date::months{months};
  const date::day last =
      date::year_month_day_last{target.year(), target.month() / date::last}.day();
  return date::year_month_day{target.year(), target.month(), std::min(day.day(), last)};
}

Deadline hour_deadline(Instant event, int n, const TimeZone& zone, EventNoun noun) {
  Deadline d;
  d.due_time = event + hours{n};
  // Reg. 1182/71 art. 3(1): the hour of the event is not counted; art. 3(2)(a): the period ends
  // with the expiry of its last hour. Hour periods never move to a working day (art. 3(4)).
  d.legal_due_time = start_of_local_hour(event, zone) + hours{1} + hours{n};
  const auto wall = zone.to_local(d.due_time) - zone.to_local(event);
  const std::string wall_hours = std::to_string(date::floor<hours>(wall).count());
  const std::string at = format_local(event, zone), due = format_local(d.due_time, zone),
                    limit = format_local(d.legal_due_time, zone);
  d.explanation =
      describe(Period::hours(n)) + " after " + std::string(noun.en) + " at " + at + ": due " + due;
  d.explanation_nl = describe(Period::hours(n), true) + " na " + std::string(noun.nl) + " op " +
                     at + ": uiterlijk " + due;
  if (wall != hours{n}) {
    d.explanation += "; the DST change in between makes it " + wall_hours + " h by the wall clock";
    d.explanation_nl +=
        "; door het verzetten van de klok tussenin is dat " + wall_hours + " u volgens de klok";
  }
  d.explanation += ". Legal limit (Reg. 1182/71 art. 3): " + limit + ".";
  d.explanation_nl += ". Wettelijke grens (art. 3 Verord. 1182/71): " + limit + ".";
  return d;
}

Deadline month_deadline(Instant event, int n, const TimeZone& zone, const HolidayCalendar& calendar,
                        EventNoun noun) {
  const auto local_event = zone.to_local(event);
  const auto local_day = date::floor<date::days>(local_event);
  const date::year_month_day event_day{local_day};
  const date::year_month_day same_date = add_months_clamped(event_day, n);

  Deadline d;
  // Operational: the same local time on the same (clamped) day number.
  d.due_time = resolve_local(date::local_days{same_date} + (local_event - local_day), zone);

  // Reg. 1182/71 art. 3(2)(c): ends at the expiry of the day with the same date; art. 3(4): if
  // that day is a Saturday, Sunday or public holiday, at the expiry of the next working day.
  date::year_month_day last_day = same_date;
  std::string moved, moved_nl;
  while (!calendar.is_working_day(last_day)) {
    const auto holiday = calendar.public_holiday(last_day);
    const auto holiday_nl = calendar.public_holiday(last_day, true);
    moved += (moved.empty() ? "" : ", ") + describe_day(last_day) +
             (holiday ? " is " + *holiday : " is a weekend day");
    moved_nl += (moved_nl.empty() ? "" : ", ") + describe_day(last_day, true) +
                (holiday_nl ? " is " + *holiday_nl : " is een weekenddag");
    last_day = date::year_month_day{date::sys_days{last_day} + date::days{1}};
  }
  d.legal_due_time = end_of_local_day(last_day, zone);

  const std::string at = format_local(event, zone), due = format_local(d.due_time, zone),
                    limit = format_local(d.legal_due_time, zone),
                    event_day_number = std::to_string(static_cast<unsigned>(event_day.day()));
  d.explanation =
      describe(Period::months(n)) + " after " + std::string(noun.en) + " at " + at + ": due " + due;
  d.explanation_nl = describe(Period::months(n), true) + " na " + std::string(noun.nl) + " op " +
                     at + ": uiterlijk " + due;
  if (same_date.day() != event_day.day()) {
    d.explanation += " (day " + event_day_number + " does not exist in that month: its last day)";
    d.explanation_nl +=
        " (dag " + event_day_number + " bestaat niet in die maand: de laatste dag ervan)";
  }
  d.explanation += ". Legal limit (Reg. 1182/71 art. 3): end of " + describe_day(last_day);
  d.explanation_nl +=
      ". Wettelijke grens (art. 3 Verord. 1182/71): einde van " + describe_day(last_day, true);
  if (!moved.empty()) {
    d.explanation += " (" + moved + ", art. 3(4))";
    d.explanation_nl += " (" + moved_nl + ", art. 3, lid 4)";
  }
  d.explanation += ", " + limit + ".";
  d.explanation_nl += ", " + limit + ".";
  return d;
}

}  // namespace

std::string describe(Period period, bool dutch) {
  const std::string n = std::to_string(period.count);
  if (period.unit == Period::Unit::kHours) return n + (dutch ? " u" : " h");
  if (dutch) return n + (period.count == 1 ? " maand" : " maanden");
  return n + (period.count == 1 ? " month" : " months");
}

std::string describe_day(date::year_month_day day, bool dutch) {
  if (!dutch) return date::format("%a %Y-%m-%d", date::sys_days{day});
  static constexpr const char* kWeekdays[] = {"zo", "ma", "di", "wo", "do", "vr", "za"};
  return std::string(kWeekdays[date::weekday{date::sys_days{day}}.c_encoding()]) + " " +
         date::format("%Y-%m-%d", date::sys_days{day});
}

Deadline compute_deadline(Instant event, Period period, const TimeZone& zone,
                          const HolidayCalendar& calendar, EventNoun event_noun) {
  Deadline d = period.unit == Period::Unit::kHours
                   ? hour_deadline(event, period.count, zone, event_noun)
                   : month_deadline(event, period.count, zone, calendar, event_noun);
  d.due_time = std::min(d.due_time, d.legal_due_time);
  return d;
}

}  // namespace termijn::domain
