#include "server/domain/time.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/times.h"

namespace termijn::domain {
namespace {

using unit::Brussels;
using unit::Utc;
using unit::UtcAt;

date::local_seconds LocalAt(int y, unsigned mo, unsigned d, int h, int mi) {
  return date::local_days{date::year{y} / date::month{mo} / date::day{d}} + std::chrono::hours{h} +
         std::chrono::minutes{mi};
}

// Parses `text` in Brussels and returns the instant in UTC, or the error prefixed by "error: ".
std::string ParseUtc(const std::string& text) {
  const ParsedTime parsed = parse_time(text, Brussels());
  return parsed.ok() ? Utc(parsed.instant) : "error: " + parsed.error;
}

TEST(ParseTimeTest, ALongValueIsMeasuredNotEchoed) {
  // A mistyped time is quoted in the error; a long value (a megabyte in a request) is not: the
  // error names its size and stays short.
  EXPECT_EQ(ParseUtc("gisteren"),
            "error: 'gisteren' is not a time; use RFC 3339 like 2026-11-27T14:20:00+01:00 or a "
            "local time like 2026-11-27T14:20");
  const std::string error = ParseUtc(std::string(1 << 20, 'x'));
  EXPECT_EQ(error.rfind("error: a value of 1048576 bytes is not a time", 0), 0u) << error;
  EXPECT_LT(error.size(), 200u);
}

TEST(ParseTimeTest, OffsetIsTakenAsGiven) {
  // Verifies RFC 3339 times with an offset or Z mean exactly that instant, whatever the zone.
  EXPECT_EQ(ParseUtc("2026-11-27T14:20:00+01:00"), "2026-11-27T13:20:00Z");
  EXPECT_EQ(ParseUtc("2026-07-01T14:20:00+02:00"), "2026-07-01T12:20:00Z");
  EXPECT_EQ(ParseUtc("2026-11-27T13:20:00Z"), "2026-11-27T13:20:00Z");
  EXPECT_EQ(ParseUtc("2026-11-27T13:20:00z"), "2026-11-27T13:20:00Z");
  EXPECT_EQ(ParseUtc("2026-07-01T12:00:00+05:30"), "2026-07-01T06:30:00Z");
  EXPECT_EQ(ParseUtc("2026-07-01T12:00:00-04:00"), "2026-07-01T16:00:00Z");
  EXPECT_EQ(ParseUtc("2026-12-31T23:30:00-01:00"), "2027-01-01T00:30:00Z");
  // An offset that is not Brussels' own at that date is still taken as given.
  EXPECT_EQ(ParseUtc("2026-07-01T12:00:00+01:00"), "2026-07-01T11:00:00Z");
}

TEST(ParseTimeTest, FractionalSecondsAndLowerCaseLettersAreRfc3339) {
  // Verifies RFC 3339's fraction of a second and its lower-case t and z are accepted; the
  // fraction is dropped, as Termijn keeps whole seconds (the instant is never rounded up).
  EXPECT_EQ(ParseUtc("2026-11-27T14:20:00.5+01:00"), "2026-11-27T13:20:00Z");
  EXPECT_EQ(ParseUtc("2026-11-27T14:20:59.999999999Z"), "2026-11-27T14:20:59Z");
  EXPECT_EQ(ParseUtc("2026-11-27t14:20:00z"), "2026-11-27T14:20:00Z");
  EXPECT_EQ(ParseUtc("2026-11-27t14:20:00.25"), "2026-11-27T13:20:00Z");
  for (const std::string text : {"2026-11-27T14:20.5", "2026-11-27T14:20:00.",
                                 "2026-11-27T14:20:00,5Z", "2026-11-27T14:20:00.1234567890Z"}) {
    EXPECT_EQ(ParseUtc(text).rfind("error: ", 0), 0u) << text;
  }
}

TEST(ParseTimeTest, OffsetResolvesTimesThatAreAmbiguousOrMissingLocally) {
  // Verifies an explicit offset makes the autumn repeated hour and the spring gap unproblematic.
  EXPECT_EQ(ParseUtc("2026-10-25T02:30:00+02:00"), "2026-10-25T00:30:00Z");
  EXPECT_EQ(ParseUtc("2026-10-25T02:30:00+01:00"), "2026-10-25T01:30:00Z");
  EXPECT_EQ(ParseUtc("2026-03-29T02:30:00+01:00"), "2026-03-29T01:30:00Z");
}

TEST(ParseTimeTest, LocalTimeIsReadInTheZone) {
  // Verifies a time without offset is local time in the given zone, winter and summer.
  EXPECT_EQ(ParseUtc("2026-11-28T09:00"), "2026-11-28T08:00:00Z");
  EXPECT_EQ(ParseUtc("2026-07-01T09:00"), "2026-07-01T07:00:00Z");
  EXPECT_EQ(ParseUtc("2026-01-01T00:30"), "2025-12-31T23:30:00Z");
  const ParsedTime new_york = parse_time("2026-11-28T09:00", *TimeZone::find("America/New_York"));
  ASSERT_TRUE(new_york.ok()) << new_york.error;
  EXPECT_EQ(Utc(new_york.instant), "2026-11-28T14:00:00Z");
}

TEST(ParseTimeTest, SecondsAreOptionalAndSeparatorIsTOrSpace) {
  // Verifies the accepted spellings of the same local or offset time.
  EXPECT_EQ(ParseUtc("2026-11-28T09:00:00"), "2026-11-28T08:00:00Z");
  EXPECT_EQ(ParseUtc("2026-11-28 09:00"), "2026-11-28T08:00:00Z");
  EXPECT_EQ(ParseUtc("2026-11-28 09:00:00"), "2026-11-28T08:00:00Z");
  EXPECT_EQ(ParseUtc("2026-11-28T09:00:15"), "2026-11-28T08:00:15Z");
  EXPECT_EQ(ParseUtc("2026-11-28T09:00+01:00"), "2026-11-28T08:00:00Z");
  EXPECT_EQ(ParseUtc("2026-11-28 09:00:00Z"), "2026-11-28T09:00:00Z");
}

TEST(ParseTimeTest, AmbiguousLocalTimeIsRefused) {
  // Verifies a local time in the repeated autumn hour is refused, saying so and offering offsets.
  const ParsedTime parsed = parse_time("2026-10-25T02:30", Brussels());
  EXPECT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error.find("ambiguous"), std::string::npos) << parsed.error;
  EXPECT_NE(parsed.error.find("2026-10-25T02:30:00+02:00"), std::string::npos) << parsed.error;
  EXPECT_NE(parsed.error.find("2026-10-25T02:30:00+01:00"), std::string::npos) << parsed.error;
  // The edges of the repeated hour: 02:00 is ambiguous, 03:00 and 01:59 are not.
  EXPECT_FALSE(parse_time("2026-10-25 02:00", Brussels()).ok());
  EXPECT_EQ(ParseUtc("2026-10-25T01:59"), "2026-10-24T23:59:00Z");
  EXPECT_EQ(ParseUtc("2026-10-25T03:00"), "2026-10-25T02:00:00Z");
}

TEST(ParseTimeTest, NonexistentLocalTimeIsRefused) {
  // Verifies a local time in the spring gap is refused, saying so and suggesting an offset.
  const ParsedTime parsed = parse_time("2026-03-29T02:30", Brussels());
  EXPECT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error.find("does not exist"), std::string::npos) << parsed.error;
  EXPECT_NE(parsed.error.find("offset"), std::string::npos) << parsed.error;
  EXPECT_NE(parsed.error.find("2026-03-29T03:30:00+02:00"), std::string::npos) << parsed.error;
  EXPECT_FALSE(parse_time("2026-03-29 02:00:00", Brussels()).ok());
  EXPECT_EQ(ParseUtc("2026-03-29T01:59"), "2026-03-29T00:59:00Z");
  EXPECT_EQ(ParseUtc("2026-03-29T03:00"), "2026-03-29T01:00:00Z");
}

TEST(ParseTimeTest, LocalTimesAfter2037FollowTheZoneRule) {
  // Verifies local times after the tz files' last explicit transition (2037): summer time is
  // read as CEST, and the spring gap and autumn repeat of each year are refused as such, in
  // Brussels and in the southern hemisphere (Sydney switches in October and April).
  EXPECT_EQ(ParseUtc("2040-07-01T09:00"), "2040-07-01T07:00:00Z");
  EXPECT_EQ(ParseUtc("2100-06-30T12:00"), "2100-06-30T10:00:00Z");
  EXPECT_EQ(ParseUtc("2040-12-01T09:00"), "2040-12-01T08:00:00Z");
  const ParsedTime gap = parse_time("2039-03-27T02:30", Brussels());
  EXPECT_NE(gap.error.find("does not exist"), std::string::npos) << gap.error;
  EXPECT_NE(gap.error.find("2039-03-27T03:30:00+02:00"), std::string::npos) << gap.error;
  const ParsedTime repeat = parse_time("2038-10-31T02:30", Brussels());
  EXPECT_NE(repeat.error.find("2038-10-31T02:30:00+02:00 or 2038-10-31T02:30:00+01:00"),
            std::string::npos)
      << repeat.error;

  const TimeZone& sydney = *TimeZone::find("Australia/Sydney");
  EXPECT_NE(parse_time("2039-10-02T02:30", sydney).error.find("does not exist"), std::string::npos);
  EXPECT_NE(parse_time("2040-04-01T02:30", sydney).error.find("ambiguous"), std::string::npos);
  const ParsedTime sydney_winter = parse_time("2040-07-01T09:00", sydney);
  ASSERT_TRUE(sydney_winter.ok()) << sydney_winter.error;
  EXPECT_EQ(Utc(sydney_winter.instant), "2040-06-30T23:00:00Z");
}

TEST(ParseTimeTest, GarbageIsRefused) {
  // Verifies text that is not one of the accepted shapes is refused with a message.
  const std::vector<std::string> garbage{
      "",
      "yesterday",
      "2026-11-27",
      "2026-11-27T14",
      "2026-11-27T14:20:00+0100",
      "2026-11-27T14:20:00 +01:00",
      "2026/11/27 14:20",
      "27-11-2026 14:20",
      " 2026-11-27T14:20",
      "2026-11-27T14:20 ",
      "2026-11-27T14:20:00+01",
      "2026-11-27T14:20:00CET",
      "2026-1-27T14:20",
  };
  for (const std::string& text : garbage) {
    const ParsedTime parsed = parse_time(text, Brussels());
    EXPECT_FALSE(parsed.ok()) << "'" << text << "' -> " << Utc(parsed.instant);
    EXPECT_FALSE(parsed.error.empty()) << text;
  }
}

TEST(ParseTimeTest, InvalidDatesAndTimesAreRefused) {
  // Verifies well-shaped text naming a day or time that does not exist on any calendar is refused.
  const std::vector<std::string> invalid{
      "2026-02-30T10:00",          "2026-02-29T10:00",          "2026-04-31T10:00",
      "2026-13-01T10:00",          "2026-00-10T10:00",          "2026-01-00T10:00",
      "2026-11-27T24:00",          "2026-11-27T14:60",          "2026-11-27T14:20:60",
      "2026-02-30T10:00:00+01:00", "2026-11-27T14:20:00+24:00", "2026-11-27T14:20:00+01:60",
  };
  for (const std::string& text : invalid) {
    const ParsedTime parsed = parse_time(text, Brussels());
    EXPECT_FALSE(parsed.ok()) << "'" << text << "' -> " << Utc(parsed.instant);
  }
  EXPECT_EQ(ParseUtc("2028-02-29T10:00"), "2028-02-29T09:00:00Z");  // a leap day is fine
}

TEST(FormatTest, Rfc3339CarriesTheZoneOffsetAtThatInstant) {
  // Verifies format_rfc3339 writes local time with a colon offset, CET and CEST.
  EXPECT_EQ(format_rfc3339(UtcAt(2026, 11, 27, 13, 20), Brussels()), "2026-11-27T14:20:00+01:00");
  EXPECT_EQ(format_rfc3339(UtcAt(2026, 7, 1, 7, 0, 5), Brussels()), "2026-07-01T09:00:05+02:00");
  EXPECT_EQ(format_rfc3339(UtcAt(2026, 10, 25, 0, 30), Brussels()), "2026-10-25T02:30:00+02:00");
  EXPECT_EQ(format_rfc3339(UtcAt(2026, 10, 25, 1, 30), Brussels()), "2026-10-25T02:30:00+01:00");
  EXPECT_EQ(format_rfc3339(UtcAt(2026, 11, 27, 13, 20), *TimeZone::find("UTC")),
            "2026-11-27T13:20:00+00:00");
  EXPECT_EQ(format_rfc3339(UtcAt(2026, 11, 27, 13, 20), *TimeZone::find("America/New_York")),
            "2026-11-27T08:20:00-05:00");
}

TEST(FormatTest, SummerTimeAfter2037) {
  // Verifies formatting after the last explicit transition in the tz file uses summer time.
  EXPECT_EQ(format_rfc3339(UtcAt(2039, 7, 1, 7, 0), Brussels()), "2039-07-01T09:00:00+02:00");
  EXPECT_EQ(format_local(UtcAt(2040, 8, 15, 10, 0), Brussels()), "2040-08-15 12:00 CEST");
  EXPECT_EQ(format_local(UtcAt(2100, 12, 31, 22, 59), Brussels()), "2100-12-31 23:59 CET");
}

TEST(TimeZoneTest, FindsZonesOfTheDatabaseOnly) {
  // Verifies zone lookup returns one shared object per zone and refuses names that are not zones
  // of the tz database, including file paths.
  ASSERT_NE(TimeZone::find("Europe/Brussels"), nullptr);
  EXPECT_EQ(TimeZone::find("Europe/Brussels"), &Brussels());
  EXPECT_EQ(Brussels().name(), "Europe/Brussels");
  for (const char* name : {"", "Mars/Olympus", "/etc/passwd", "../zoneinfo/Europe/Brussels",
                           "Europe//Brussels", "Europe/Brussels/", "Fixed/UTC+01:00:00"}) {
    EXPECT_EQ(TimeZone::find(name), nullptr) << name;
  }
}

TEST(SupportedRangeTest, BoundsAreInclusiveAndNamed) {
  // Verifies the supported range: 1970-01-01T00:00:00Z to 2100-12-31T23:59:59Z inclusive.
  EXPECT_TRUE(in_supported_range(UtcAt(1970, 1, 1, 0, 0)));
  EXPECT_TRUE(in_supported_range(UtcAt(2100, 12, 31, 23, 59, 59)));
  EXPECT_FALSE(in_supported_range(UtcAt(1970, 1, 1, 0, 0) - std::chrono::seconds{1}));
  EXPECT_FALSE(in_supported_range(UtcAt(2101, 1, 1, 0, 0)));
  EXPECT_FALSE(in_supported_range(UtcAt(0, 1, 1, 0, 0)));
  EXPECT_EQ(describe_supported_range(), "1970-01-01T00:00:00Z to 2100-12-31T23:59:59Z");
}

TEST(FormatTest, Rfc3339RoundTripsThroughParseTime) {
  // Verifies parse_time reads back what format_rfc3339 writes, also inside the repeated hour.
  for (Instant t = UtcAt(2026, 10, 24, 22, 0); t < UtcAt(2026, 10, 25, 4, 0);
       t += std::chrono::minutes{17}) {
    const ParsedTime parsed = parse_time(format_rfc3339(t, Brussels()), Brussels());
    ASSERT_TRUE(parsed.ok()) << parsed.error;
    EXPECT_EQ(parsed.instant, t) << Utc(t);
  }
}

TEST(FormatTest, LocalShowsMinutesAndZoneAbbreviation) {
  // Verifies format_local writes local date, hour and minute and CET or CEST.
  EXPECT_EQ(format_local(UtcAt(2026, 10, 26, 9, 30, 59), Brussels()), "2026-10-26 10:30 CET");
  EXPECT_EQ(format_local(UtcAt(2026, 7, 1, 7, 0), Brussels()), "2026-07-01 09:00 CEST");
  EXPECT_EQ(format_local(UtcAt(2026, 9, 29, 22, 30), Brussels()), "2026-09-30 00:30 CEST");
}

TEST(ResolveLocalTest, GapMovesForwardAndAmbiguityTakesTheEarlierInstant) {
  // Verifies the resolution rule deadlines use for local times the clock skips or repeats.
  EXPECT_EQ(Utc(resolve_local(LocalAt(2026, 3, 29, 2, 30), Brussels())), "2026-03-29T01:30:00Z");
  EXPECT_EQ(Utc(resolve_local(LocalAt(2026, 3, 29, 2, 0), Brussels())), "2026-03-29T01:00:00Z");
  EXPECT_EQ(Utc(resolve_local(LocalAt(2026, 10, 25, 2, 30), Brussels())), "2026-10-25T00:30:00Z");
  EXPECT_EQ(Utc(resolve_local(LocalAt(2026, 10, 25, 2, 0), Brussels())), "2026-10-25T00:00:00Z");
  EXPECT_EQ(Utc(resolve_local(LocalAt(2026, 11, 28, 9, 0), Brussels())), "2026-11-28T08:00:00Z");
  EXPECT_EQ(Utc(resolve_local(LocalAt(2026, 7, 1, 9, 0), Brussels())), "2026-07-01T07:00:00Z");
}

TEST(LocalDateTest, IsTheLocalNotTheUtcDate) {
  // Verifies local_date uses the zone: 00:30 on 30 Sep in Brussels is 29 Sep in UTC.
  EXPECT_EQ(local_date(UtcAt(2026, 9, 29, 22, 30), Brussels()),
            date::year{2026} / date::September / 30);
  EXPECT_EQ(local_date(UtcAt(2026, 9, 29, 21, 59), Brussels()),
            date::year{2026} / date::September / 29);
  EXPECT_EQ(local_date(UtcAt(2026, 12, 31, 23, 0), Brussels()),
            date::year{2027} / date::January / 1);
}

}  // namespace
}  // namespace termijn::domain
