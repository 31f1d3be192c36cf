#include "server/domain/time.h"

#include <absl/time/civil_time.h>

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <regex>

namespace termijn::domain {

bool in_supported_range(Instant t) {
  return t >= kEarliestSupportedInstant && t <= kLatestSupportedInstant;
}

std::string describe_supported_range() {
  return date::format("%FT%TZ", kEarliestSupportedInstant) + " to " +
         date::format("%FT%TZ", kLatestSupportedInstant);
}

namespace {

absl::Time ToAbsl(Instant t) { return absl::FromUnixSeconds(t.time_since_epoch().count()); }

// Civil times in Abseil count from the same 1970-01-01 epoch as date::local_seconds.
const absl::CivilSecond kCivilEpoch(1970, 1, 1, 0, 0, 0);

absl::CivilSecond ToCivil(date::local_seconds local) {
  return kCivilEpoch + local.time_since_epoch().count();
}

// A name as the tz database spells zones: components of letters, digits, '_', '-' and '+'
// separated by '/'. Keeps paths ("/etc/...", "..") and Abseil's "Fixed/UTC+hh:mm:ss" names out.
bool is_zone_name(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.back() == '/') return false;
  std::string_view::size_type start = 0;
  while (start <= name.size()) {
    const auto slash = std::min(name.find('/', start), name.size());
    const std::string_view part = name.substr(start, slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    for (const char c : part) {
      const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '+';
      if (!ok) return false;
    }
    start = slash + 1;
  }
  return true;
}

}  // namespace

const TimeZone* TimeZone::find(std::string_view name) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<const TimeZone>, std::less<>> loaded;
  const std::lock_guard<std::mutex> lock(mutex);
  if (const auto it = loaded.find(name); it != loaded.end()) return it->second.get();
  absl::TimeZone zone;
  if (!is_zone_name(name) || !absl::LoadTimeZone(std::string(name), &zone)) return nullptr;
  return loaded
      .emplace(std::string(name),
               std::unique_ptr<const TimeZone>(new TimeZone(std::string(name), zone)))
      .first->second.get();
}

ZoneOffset TimeZone::offset_at(Instant t) const {
  const absl::TimeZone::CivilInfo info = zone_.At(ToAbsl(t));
  return {std::chrono::seconds{info.offset}, info.zone_abbr};
}

date::local_seconds TimeZone::to_local(Instant t) const {
  return date::local_seconds{t.time_since_epoch() + offset_at(t).utc_offset};
}

LocalTimeInfo TimeZone::classify(date::local_seconds local) const {
  const absl::TimeZone::TimeInfo info = zone_.At(ToCivil(local));
  // `pre` is `local` read with the offset in force before the transition, `post` with the one
  // after; both equal for a unique time.
  const auto offset_of = [&](absl::Time read) {
    return std::chrono::seconds{local.time_since_epoch().count() - absl::ToUnixSeconds(read)};
  };
  LocalTimeInfo result;
  result.offset_before = offset_of(info.pre);
  result.offset_after = offset_of(info.post);
  switch (info.kind) {
    case absl::TimeZone::TimeInfo::UNIQUE:
      result.kind = LocalTimeInfo::Kind::kUnique;
      break;
    case absl::TimeZone::TimeInfo::SKIPPED:
      result.kind = LocalTimeInfo::Kind::kNonexistent;
      break;
    case absl::TimeZone::TimeInfo::REPEATED:
      result.kind = LocalTimeInfo::Kind::kAmbiguous;
      break;
  }
  return result;
}

std::string TimeZone::format(Instant t, std::string_view pattern) const {
  return absl::FormatTime(absl::string_view(pattern.data(), pattern.size()), ToAbsl(t), zone_);
}

Instant resolve_local(date::local_seconds local, const TimeZone& zone) {
  // For a nonexistent time the offset before the gap moves the time forward by the gap; for an
  // ambiguous one it gives the earlier instant (still summer time).
  return Instant{local.time_since_epoch() - zone.classify(local).offset_before};
}

date::year_month_day local_date(Instant t, const TimeZone& zone) {
  return date::year_month_day{date::floor<date::days>(zone.to_local(t))};
}

std::string format_local(Instant t, const TimeZone& zone) {
  return zone.format(t, "%Y-%m-%d %H:%M %Z");
}

std::string format_rfc3339(Instant t, const TimeZone& zone) {
  return zone.format(t, "%Y-%m-%dT%H:%M:%S%Ez");
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

ParsedTime parse_time(std::string_view text, const TimeZone& zone) {
  static const std::regex kPattern(
      R"(^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|z|[+-]\d{2}:\d{2})?$)");
  const std::string input(text);
  std::smatch m;
  if (!std::regex_match(input, m, kPattern)) {
    // Quoted when it is short enough to be a mistyped time; a longer value is only measured.
    constexpr size_t kMaxQuoted = 40;
    const std::string what = input.size() <= kMaxQuoted
                                 ? "'" + input + "'"
                                 : "a value of " + std::to_string(input.size()) + " bytes";
    return {{},
            what + " is not a time; use RFC 3339 like 2026-11-27T14:20:00+01:00 or a " +
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
  const LocalTimeInfo info = zone.classify(local);
  if (info.kind == LocalTimeInfo::Kind::kNonexistent) {
    return {{},
            "'" + input + "' does not exist in " + zone.name() +
                " (the clocks skip that hour); give an offset, e.g. " +
                format_rfc3339(resolve_local(local, zone), zone)};
  }
  if (info.kind == LocalTimeInfo::Kind::kAmbiguous) {
    const std::string stem = date::format("%Y-%m-%dT%H:%M:%S", local);
    return {{},
            "'" + input + "' is ambiguous in " + zone.name() +
                " (that hour occurs twice); give an offset: " + stem +
                format_offset(info.offset_before) + " or " + stem +
                format_offset(info.offset_after)};
  }
  return {Instant{local.time_since_epoch() - info.offset_before}, {}};
}

}  // namespace termijn::domain
