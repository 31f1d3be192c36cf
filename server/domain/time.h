#pragma once

#include <absl/time/time.h>
#include <date/date.h>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

namespace termijn::domain {

/// An instant on the UTC time line, to the second. Everything is stored and compared as Instant;
/// local time is only for calendar reasoning and display.
using Instant = date::sys_seconds;

/// The instants Termijn accepts as input: 1970-01-01T00:00:00Z to 2100-12-31T23:59:59Z inclusive.
/// Deadlines computed from them may run up to a year later; zone offsets are verified against an
/// independent implementation over that whole span. No deadline still depends on an event before
/// 1970, and the tz database's rules for years after 2100 only project today's law. The bounds
/// also keep every instant well inside protobuf Timestamp's and PostgreSQL's ranges.
inline constexpr Instant kEarliestSupportedInstant{date::sys_days{date::year{1970} / 1 / 1}};
inline constexpr Instant kLatestSupportedInstant{date::sys_days{date::year{2101} / 1 / 1} -
                                                 std::chrono::seconds{1}};

/// Whether `t` lies in [kEarliestSupportedInstant, kLatestSupportedInstant].
bool in_supported_range(Instant t);

/// "1970-01-01T00:00:00Z to 2100-12-31T23:59:59Z", for error messages.
std::string describe_supported_range();

/// The wall clock of a zone at one instant.
struct ZoneOffset {
  std::chrono::seconds utc_offset{0};  ///< local time minus UTC
  std::string abbreviation;            ///< "CET", "CEST", "-03"
};

/// How one local (wall clock) time maps onto the time line of a zone.
struct LocalTimeInfo {
  enum class Kind {
    kUnique,       ///< exactly one instant
    kNonexistent,  ///< skipped by a forward jump of the clocks (spring gap)
    kAmbiguous,    ///< occurs twice because the clocks are set back (autumn)
  };
  Kind kind = Kind::kUnique;
  /// The UTC offset in force before the transition at this local time; the only one if unique.
  std::chrono::seconds offset_before{0};
  /// The UTC offset in force after it; equal to offset_before if unique.
  std::chrono::seconds offset_after{0};
};

/// A zone of the system tz database (the TZif files under /usr/share/zoneinfo, or $TZDIR), read
/// with Abseil's time zone library. It honours the POSIX TZ rule in each file's footer, which
/// governs every instant after the file's last explicit transition (2037); the date library's
/// reader as Debian builds it (USE_OS_TZDB) ignores that rule and keeps 2037's last offset
/// forever. Every zone lookup and calendar computation in Termijn goes through this class.
class TimeZone {
 public:
  /// The zone named `name` ("Europe/Brussels"), loaded once and kept for the life of the process;
  /// nullptr if the tz database has no zone of that name. Thread-safe.
  static const TimeZone* find(std::string_view name);

  const std::string& name() const { return name_; }

  /// The UTC offset and abbreviation in force at `t`.
  ZoneOffset offset_at(Instant t) const;

  /// The wall-clock time at `t`.
  date::local_seconds to_local(Instant t) const;

  /// Whether `local` exists, is skipped or is repeated, with the offsets around it.
  LocalTimeInfo classify(date::local_seconds local) const;

  /// `t` formatted in this zone with an absl::FormatTime pattern: strftime's conversions plus
  /// %Ez for "+01:00".
  std::string format(Instant t, std::string_view pattern) const;

 private:
  TimeZone(std::string name, absl::TimeZone zone) : name_(std::move(name)), zone_(zone) {}

  std::string name_;
  absl::TimeZone zone_;
};

/// Resolves a local time in `zone` the way deadlines need it: a time that does not exist (spring
/// gap) moves forward by the gap, an ambiguous one (autumn) takes the earlier of its two instants.
Instant resolve_local(date::local_seconds local, const TimeZone& zone);

/// The local calendar date of `t` in `zone` (never the UTC date).
date::year_month_day local_date(Instant t, const TimeZone& zone);

/// "2026-10-26 11:30 CET": minutes, zone abbreviation.
std::string format_local(Instant t, const TimeZone& zone);

/// "2026-10-26T11:30:00+01:00": RFC 3339 with the zone's offset at `t`.
std::string format_rfc3339(Instant t, const TimeZone& zone);

/// Result of reading a user-supplied time.
struct ParsedTime {
  Instant instant{};
  std::string error;  ///< empty on success; otherwise why the text was refused
  bool ok() const { return error.empty(); }
};

/// Reads RFC 3339 with an offset ("2026-11-27T14:20:00+01:00", "...Z") as given, or a local
/// date-time without offset ("2026-11-28T09:00", seconds optional, 'T' or ' ') in `zone`. 'T' and
/// 'Z' may be lower case; a fraction of a second (up to nine digits, after the seconds) is dropped,
/// as an Instant holds whole seconds. A local time that is ambiguous or does not exist in `zone` is
/// refused with a message asking for an offset.
ParsedTime parse_time(std::string_view text, const TimeZone& zone);

}  // namespace termijn::domain
