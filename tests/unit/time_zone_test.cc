#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "server/domain/time.h"

namespace termijn::domain {
namespace {

// UTC offset and abbreviation of one instant in one zone.
struct ZoneReading {
  long utc_offset = 0;
  std::string abbreviation;
  bool operator==(const ZoneReading&) const = default;
};

std::string Describe(const ZoneReading& r) {
  return std::to_string(r.utc_offset) + " s " + r.abbreviation;
}

// The independent implementation: glibc's localtime_r with TZ set, which applies the TZif
// footer's POSIX rule after the last explicit transition. Sets TZ for its lifetime.
class GlibcZone {
 public:
  explicit GlibcZone(const std::string& name) {
    if (const char* tz = std::getenv("TZ")) saved_ = tz;
    setenv("TZ", (":" + name).c_str(), 1);
    tzset();
  }
  ~GlibcZone() {
    if (saved_) {
      setenv("TZ", saved_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  ZoneReading At(std::time_t t) const {
    std::tm tm{};
    localtime_r(&t, &tm);
    return {tm.tm_gmtoff, tm.tm_zone};
  }

 private:
  std::optional<std::string> saved_;
};

ZoneReading Ours(const TimeZone& zone, std::time_t t) {
  const ZoneOffset offset = zone.offset_at(Instant{std::chrono::seconds{t}});
  return {static_cast<long>(offset.utc_offset.count()), offset.abbreviation};
}

// Every instant at which glibc's offset or abbreviation changes in [from, to): found by stepping
// half a day at a time and bisecting each step that changes. Zones in use change at most once in
// twelve hours.
std::vector<std::time_t> GlibcTransitions(const GlibcZone& zone, std::time_t from, std::time_t to) {
  constexpr std::time_t kStep = 12 * 3600;
  std::vector<std::time_t> transitions;
  ZoneReading before = zone.At(from);
  for (std::time_t t = from; t < to; t += kStep) {
    const ZoneReading after = zone.At(t + kStep);
    if (after == before) continue;
    std::time_t lo = t, hi = t + kStep;  // zone.At(lo) == before, zone.At(hi) != before
    while (hi - lo > 1) {
      const std::time_t mid = lo + (hi - lo) / 2;
      (zone.At(mid) == before ? lo : hi) = mid;
    }
    transitions.push_back(hi);
    before = after;
  }
  return transitions;
}

std::time_t UnixSeconds(Instant t) { return t.time_since_epoch().count(); }

struct ZoneCase {
  const char* name;
  int min_transitions;  // sanity: the zone really has DST over the range
};

class ZoneAgreesWithGlibcTest : public ::testing::TestWithParam<ZoneCase> {};

TEST_P(ZoneAgreesWithGlibcTest, OffsetAndAbbreviationOverTheSupportedRange) {
  // Verifies the zone's UTC offset and abbreviation equal glibc's at every transition +-1 s and at
  // seeded random instants, from the start of the supported range to a year past its end (the
  // longest deadline of an event at the end of the range).
  const ZoneCase& zone_case = GetParam();
  const TimeZone* zone = TimeZone::find(zone_case.name);
  ASSERT_NE(zone, nullptr) << zone_case.name;
  const GlibcZone glibc(zone_case.name);
  const std::time_t from = UnixSeconds(kEarliestSupportedInstant);
  const std::time_t to = UnixSeconds(kLatestSupportedInstant) + 366 * 86400;

  std::vector<std::time_t> probes;
  const std::vector<std::time_t> transitions = GlibcTransitions(glibc, from, to);
  EXPECT_GE(static_cast<int>(transitions.size()), zone_case.min_transitions);
  for (const std::time_t t : transitions) {
    for (const std::time_t delta : {-3600, -1, 0, 1, 3600}) probes.push_back(t + delta);
  }
  std::mt19937_64 random(20260301);
  std::uniform_int_distribution<std::time_t> anywhere(from, to);
  for (int i = 0; i < 5000; ++i) probes.push_back(anywhere(random));

  int wrong = 0;
  for (const std::time_t t : probes) {
    const ZoneReading expected = glibc.At(t), actual = Ours(*zone, t);
    if (actual == expected) continue;
    if (++wrong <= 5) {
      ADD_FAILURE() << zone_case.name << " at "
                    << date::format("%FT%TZ", Instant{std::chrono::seconds{t}}) << ": "
                    << Describe(actual) << ", glibc " << Describe(expected);
    }
  }
  EXPECT_EQ(wrong, 0) << "of " << probes.size() << " instants";
}

INSTANTIATE_TEST_SUITE_P(ZonesInUse, ZoneAgreesWithGlibcTest,
                         ::testing::Values(ZoneCase{"Europe/Brussels", 2 * 125},
                                           ZoneCase{"Australia/Sydney", 2 * 125},
                                           ZoneCase{"America/Santiago", 2 * 120},
                                           ZoneCase{"America/New_York", 2 * 125},
                                           ZoneCase{"UTC", 0}),
                         [](const ::testing::TestParamInfo<ZoneCase>& info) {
                           std::string name = info.param.name;
                           for (char& c : name) {
                             if (c == '/') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace termijn::domain
