#include "server/app/event_time.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/times.h"

namespace termijn::app {
namespace {

using ::testing::HasSubstr;

domain::Party Herent() {
  domain::Party p;
  p.id = "herent";
  p.zone = &unit::Brussels();
  return p;
}

const domain::Instant kNow = date::sys_days{date::year{2026} / 12 / 1};

TEST(ReadEventTimeTest, RefusesTimesOutsideTheSupportedRange) {
  // Verifies times before 1970 or after 2100 (year 0000 included, which protobuf Timestamp cannot
  // even hold) are refused as INVALID_ARGUMENT naming the field and the supported range.
  for (const char* text : {"0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "1970-01-01T00:30",
                           "2101-01-01T00:00:00Z", "9999-12-31T23:59:59Z"}) {
    const auto read = read_event_time(text, "aware_time", Herent(), kNow, /*allow_future=*/true);
    ASSERT_FALSE(read.ok()) << text;
    EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(std::string(read.status().message()),
                HasSubstr("aware_time: '" + std::string(text) +
                          "' is outside the supported range 1970-01-01T00:00:00Z to "
                          "2100-12-31T23:59:59Z"));
  }
}

TEST(ReadEventTimeTest, AcceptsTheEdgesOfTheSupportedRange) {
  // Verifies both ends of the supported range are accepted, in UTC and as Brussels local time.
  for (const char* text : {"1970-01-01T00:00:00Z", "1970-01-01T01:00", "2100-12-31T23:59:59Z",
                           "2101-01-01T00:59:59+01:00"}) {
    const auto read = read_event_time(text, "time", Herent(), kNow, /*allow_future=*/true);
    EXPECT_TRUE(read.ok()) << text << ": " << read.status();
  }
}

TEST(ReadEventTimeTest, FutureTimesAreRefusedUnlessAllowed) {
  // Verifies the range check does not replace the check against now.
  const auto read = read_event_time("2027-01-01T00:00:00Z", "receive_time", Herent(), kNow, false);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(std::string(read.status().message()), HasSubstr("receive_time: "));
  EXPECT_THAT(std::string(read.status().message()), HasSubstr("is in the future"));
}

}  // namespace
}  // namespace termijn::app
