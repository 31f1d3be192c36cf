#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "server/domain/time.h"

// Times in the unit tests: parsed and shown as people write them, in Brussels or in UTC.
namespace termijn::unit {

/// Europe/Brussels from the system tz database, the zone of both demo parties.
inline const domain::TimeZone& Brussels() {
  static const domain::TimeZone* zone = domain::TimeZone::find("Europe/Brussels");
  return *zone;
}

/// `text` (RFC 3339, or a Brussels wall-clock time) as an instant; fails the test if unreadable.
inline domain::Instant At(const std::string& text) {
  const domain::ParsedTime parsed = domain::parse_time(text, Brussels());
  EXPECT_TRUE(parsed.ok()) << parsed.error;
  return parsed.instant;
}

/// An instant given in UTC.
inline domain::Instant UtcAt(int y, unsigned mo, unsigned d, int h, int mi, int s = 0) {
  return date::sys_days{date::year{y} / date::month{mo} / date::day{d}} + std::chrono::hours{h} +
         std::chrono::minutes{mi} + std::chrono::seconds{s};
}

/// Brussels wall clock with its offset, so a failure shows which side of a DST switch it is on.
inline std::string Local(domain::Instant t) { return domain::format_rfc3339(t, Brussels()); }

/// "2026-03-29T01:00:00Z".
inline std::string Utc(domain::Instant t) { return date::format("%FT%TZ", t); }

/// "2026-04-06".
inline std::string Iso(date::year_month_day day) { return date::format("%F", date::sys_days{day}); }

}  // namespace termijn::unit
