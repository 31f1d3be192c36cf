#pragma once

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <string>
#include <string_view>

namespace termijn::domain {

/// An instant on the UTC time line, to the second. Everything is stored and compared as Instant;
/// local time is only for calendar reasoning and display.
using Instant = date::sys_seconds;

/// Resolves a local time in `zone` the way deadlines need it: a time that does not exist (spring
/// gap) moves forward by the gap, an ambiguous one (autumn) takes the earlier of its two instants.
Instant resolve_local(date::local_seconds local, const date::time_zone& zone);

/// The local calendar date of `t` in `zone` (never the UTC date).
date::year_month_day local_date(Instant t, const date::time_zone& zone);

/// "2026-10-26 11:30 CET": minutes, zone abbreviation.
std::string format_local(Instant t, const date::time_zone& zone);

/// "2026-10-26T11:30:00+01:00": RFC 3339 with the zone's offset at `t`.
std::string format_rfc3339(Instant t, const date::time_zone& zone);

/// Result of reading a user-supplied time.
struct ParsedTime {
  Instant instant{};
  std::string error;  ///< empty on success; otherwise why the text was refused
  bool ok() const { return error.empty(); }
};

/// Reads RFC 3339 with an offset ("2026-11-27T14:20:00+01:00", "...Z") as given, or a local
/// date-time without offset ("2026-11-28T09:00", seconds optional, 'T' or ' ') in `zone`. A local
/// time that is ambiguous or does not exist in `zone` is refused with a message asking for an
/// offset.
ParsedTime parse_time(std::string_view text, const date::time_zone& zone);

}  // namespace termijn::domain
