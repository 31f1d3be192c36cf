#include "server/domain/time.h"

#include <cstdio>
#include <regex>

namespace termijn::domain {

Instant resolve_local(date::local_seconds local, const date::time_zone& zone) {
  const date::local_info info = zone.get_info(local);
  // For a nonexistent time `first` is the period before the gap, so subtracting its offset moves
  // the time forward by the gap; for an ambiguous one `first` is the earlier period (summer time).
  return Instant{local.time_since_epoch() - info.first.offset};
}

date::year_month_day local_date(Instant t, const date::time_zone& zone) {
  return date::year_month_day{date::floor<date::days>(zone.to_local(t))};
}

std::string format_local(Instant t, const date::time_zone& zone) {
  return date::format("%Y-%m-%d %H:%M %Z", date::make_zoned(&zone, t));
}

std::string format_rfc3339(Instant t, const date::time_zone& zone) {
  std::string s = date::format("%Y-%m-%dT%H:%M:%S%z", date::make_zoned(&zone, t));
  s.insert(s.size() - 2, ":");  // +0100 -> +01:00
  return s;
}

namespace {

std::string format_offset(std::chrono::seconds offset) {
  const char sign = offset < std::chrono::seconds{0} ? '-' : '+';
  const auto minutes = std::chrono::abs(std::chrono::duration_cast<std::chrono::minutes>(offset));
  char buf[8];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", sign, static_cast<int>(minutes.count() / 60),
                static_cast<int>(minutes.count() % 60));
  return buf;
}

bool valid_fields(int y, int mo, int d, int h, int mi, int s) {
  const date::year_month_day ymd{date::year{y}, date::month(mo), date::day(d)};
  return ymd.ok() && h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s < 60;
}

}  // namespace

ParsedTime parse_time(std::string_view text, const date::time_zone& zone) {
  static const std::regex kPattern(
      R"(^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|z|[+-]\d{2}:\d{2})?$)");
  const std::string input(text);
  std::smatch m;
  if (!std::regex_match(input, m, kPattern)) {
    return {{}, "'" + input + "' is not a time; use RFC 3339 like 2026-11-27T14:20:00+01:00 or a " +
                    "local time like 2026-11-27T14:20"};
  }
  const int y = std::stoi(m[1]), mo = std::stoi(m[2]), d = std::stoi(m[3]);
  const int h = std::stoi(m[4]), mi = std::stoi(m[5]), s = m[6].matched ? std::stoi(m[6]) : 0;
  if (!valid_fields(y, mo, d, h, mi, s)) {
    return {{}, "'" + input + "' is not a valid date and time"};
  }
  const auto day = date::local_days{date::year{y} / mo / d};
  const date::local_seconds local =
      day + std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{s};
  if (m[7].matched) {
    const std::string off = m[7];
    std::chrono::seconds offset{0};
    if (off != "Z" && off != "z") {
      const int oh = std::stoi(off.substr(1, 2)), om = std::stoi(off.substr(4, 2));
      if (oh > 23 || om > 59) return {{}, "'" + input + "' has an invalid offset"};
      offset = std::chrono::hours{oh} + std::chrono::minutes{om};
      if (off[0] == '-') offset = -offset;
    }
    return {Instant{local.time_since_epoch() - offset}, {}};
  }
  const date::local_info info = zone.get_info(local);
  if (info.result == date::local_info::nonexistent) {
    return {{}, "'" + input + "' does not exist in " + zone.name() +
                    " (the clocks skip that hour); give an offset, e.g. " +
                    format_rfc3339(resolve_local(local, zone), zone)};
  }
  if (info.result == date::local_info::ambiguous) {
    const std::string stem = date::format("%Y-%m-%dT%H:%M:%S", local);
    return {{}, "'" + input + "' is ambiguous in " + zone.name() +
                    " (that hour occurs twice); give an offset: " + stem +
                    format_offset(info.first.offset) + " or " + stem +
                    format_offset(info.second.offset)};
  }
  return {Instant{local.time_since_epoch() - info.first.offset}, {}};
}

}  // namespace termijn::domain
