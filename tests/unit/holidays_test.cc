#include "server/domain/holidays.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/unit/times.h"

namespace termijn::domain {
namespace {

using unit::Iso;

using date::year_month_day;

constexpr year_month_day Ymd(int y, unsigned m, unsigned d) {
  return year_month_day{date::year{y}, date::month{m}, date::day{d}};
}

// Every public holiday of `year` as ISO date -> name, found by asking about each day.
std::map<std::string, std::string> PublicHolidaysOf(const HolidayCalendar& calendar, int year) {
  std::map<std::string, std::string> found;
  for (date::sys_days d{Ymd(year, 1, 1)}; d <= date::sys_days{Ymd(year, 12, 31)};
       d += date::days{1}) {
    if (auto name = calendar.public_holiday(year_month_day{d}))
      found[Iso(year_month_day{d})] = *name;
  }
  return found;
}

TEST(EasterSundayTest, MatchesKnownDates) {
  // Verifies the computus against published Easter dates, including the extremes 22 Mar and 25 Apr.
  const std::vector<std::pair<int, std::string>> known{
      {1943, "1943-04-25"}, {2000, "2000-04-23"}, {2008, "2008-03-23"}, {2011, "2011-04-24"},
      {2016, "2016-03-27"}, {2019, "2019-04-21"}, {2024, "2024-03-31"}, {2025, "2025-04-20"},
      {2026, "2026-04-05"}, {2027, "2027-03-28"}, {2028, "2028-04-16"}, {2029, "2029-04-01"},
      {2030, "2030-04-21"}, {2038, "2038-04-25"}, {2100, "2100-03-28"}, {2285, "2285-03-22"},
  };
  for (const auto& [year, expected] : known) {
    EXPECT_EQ(Iso(easter_sunday(date::year{year})), expected) << year;
  }
}

TEST(EasterSundayTest, IsAlwaysASundayBetween22MarchAnd25April) {
  // Verifies the computus yields a Sunday in the canonical window for every year 1900-2200.
  for (int y = 1900; y <= 2200; ++y) {
    const year_month_day easter = easter_sunday(date::year{y});
    ASSERT_TRUE(easter.ok()) << y;
    EXPECT_EQ(date::weekday{date::sys_days{easter}}, date::Sunday) << y;
    EXPECT_GE(date::sys_days{easter}, date::sys_days{Ymd(y, 3, 22)}) << y;
    EXPECT_LE(date::sys_days{easter}, date::sys_days{Ymd(y, 4, 25)}) << y;
  }
}

TEST(HolidayCalendarTest, BelgiumHasExactlyTheTenLegalHolidays) {
  // Verifies the ten holidays of the royal decree of 18 April 1974, movable ones from Easter
  // (Easter Monday = +1, Ascension = +39, Whit Monday = +50), and no other day, for several years.
  struct Movable {
    int year;
    std::string easter_monday, ascension, whit_monday;  // MM-DD
  };
  const std::vector<Movable> years{
      {2024, "04-01", "05-09", "05-20"}, {2025, "04-21", "05-29", "06-09"},
      {2026, "04-06", "05-14", "05-25"}, {2027, "03-29", "05-06", "05-17"},
      {2028, "04-17", "05-25", "06-05"}, {2038, "04-26", "06-03", "06-14"},
  };
  const HolidayCalendar be = HolidayCalendar::belgium();
  for (const Movable& m : years) {
    const std::string y = std::to_string(m.year) + "-";
    const std::map<std::string, std::string> expected{
        {y + "01-01", "New Year's Day"},    {y + m.easter_monday, "Easter Monday"},
        {y + "05-01", "Labour Day"},        {y + m.ascension, "Ascension Day"},
        {y + m.whit_monday, "Whit Monday"}, {y + "07-21", "National Day"},
        {y + "08-15", "Assumption"},        {y + "11-01", "All Saints' Day"},
        {y + "11-11", "Armistice Day"},     {y + "12-25", "Christmas Day"},
    };
    EXPECT_EQ(PublicHolidaysOf(be, m.year), expected) << m.year;
  }
}

TEST(HolidayCalendarTest, MovableHolidaysFollowEasterEveryYear) {
  // Verifies Easter Monday, Ascension (a Thursday) and Whit Monday are holidays for 2020-2040.
  const HolidayCalendar be = HolidayCalendar::belgium();
  for (int y = 2020; y <= 2040; ++y) {
    const date::sys_days easter{easter_sunday(date::year{y})};
    EXPECT_EQ(be.public_holiday(year_month_day{easter + date::days{1}}), "Easter Monday") << y;
    EXPECT_EQ(be.public_holiday(year_month_day{easter + date::days{39}}), "Ascension Day") << y;
    EXPECT_EQ(date::weekday{easter + date::days{39}}, date::Thursday) << y;
    EXPECT_EQ(be.public_holiday(year_month_day{easter + date::days{50}}), "Whit Monday") << y;
    EXPECT_FALSE(be.public_holiday(year_month_day{easter})) << "Easter Sunday is no extra day";
    EXPECT_EQ(PublicHolidaysOf(be, y).size(), 10u) << y;
  }
}

TEST(HolidayCalendarTest, OfficeClosuresAreNotPublicHolidays) {
  // Verifies 11 Jul, 2 Nov, 15 Nov and 26 Dec close offices but are no legal holidays, so a
  // weekday among them stays a working day.
  const HolidayCalendar be = HolidayCalendar::belgium();
  const std::vector<std::pair<year_month_day, std::string>> closures{
      {Ymd(2028, 7, 11), "Day of the Flemish Community"},  // a Tuesday
      {Ymd(2026, 11, 2), "All Souls' Day"},                // a Monday
      {Ymd(2027, 11, 15), "King's Feast"},                 // a Monday
      {Ymd(2029, 12, 26), "Boxing Day"},                   // a Wednesday
  };
  for (const auto& [day, name] : closures) {
    EXPECT_FALSE(be.public_holiday(day)) << Iso(day);
    EXPECT_TRUE(be.is_working_day(day)) << Iso(day);
    EXPECT_EQ(be.office_closure(day), name) << Iso(day);
  }
  EXPECT_FALSE(be.office_closure(Ymd(2026, 12, 25)));  // a holiday, not a mere closure
  EXPECT_FALSE(be.office_closure(Ymd(2026, 7, 10)));
}

TEST(HolidayCalendarTest, WeekendsAreNotWorkingDays) {
  // Verifies Saturdays and Sundays are not working days and ordinary weekdays are.
  const HolidayCalendar be = HolidayCalendar::belgium();
  EXPECT_FALSE(be.is_working_day(Ymd(2026, 2, 28)));  // Saturday
  EXPECT_FALSE(be.is_working_day(Ymd(2026, 3, 1)));   // Sunday
  EXPECT_TRUE(be.is_working_day(Ymd(2026, 3, 2)));    // Monday
  EXPECT_TRUE(be.is_working_day(Ymd(2026, 2, 27)));   // Friday
  EXPECT_FALSE(be.public_holiday(Ymd(2026, 2, 28)));  // a weekend day is no holiday by name
  int working = 0;
  for (date::sys_days d{Ymd(2026, 1, 1)}; d <= date::sys_days{Ymd(2026, 12, 31)};
       d += date::days{1}) {
    const date::weekday wd{d};
    if (wd == date::Saturday || wd == date::Sunday) {
      EXPECT_FALSE(be.is_working_day(year_month_day{d})) << Iso(year_month_day{d});
    }
    working += be.is_working_day(year_month_day{d});
  }
  // 2026: 261 weekdays, of which 8 legal holidays (15 Aug and 1 Nov fall on a weekend).
  EXPECT_EQ(working, 253);
}

TEST(HolidayCalendarTest, HolidaysOnWeekdaysAreNotWorkingDays) {
  // Verifies a legal holiday on a weekday is not a working day.
  const HolidayCalendar be = HolidayCalendar::belgium();
  EXPECT_FALSE(be.is_working_day(Ymd(2026, 1, 1)));    // Thursday
  EXPECT_FALSE(be.is_working_day(Ymd(2026, 5, 14)));   // Ascension, Thursday
  EXPECT_FALSE(be.is_working_day(Ymd(2026, 5, 25)));   // Whit Monday
  EXPECT_FALSE(be.is_working_day(Ymd(2029, 12, 25)));  // Tuesday
}

TEST(HolidayCalendarTest, ExtraOneOffHolidaysFromTheConstructor) {
  // Verifies configured one-off days count as public holidays only in that calendar and year.
  const HolidayCalendar be = HolidayCalendar::belgium(
      {{Ymd(2026, 5, 15), "Bridge day"}, {Ymd(2027, 2, 3), "Local closure"}});
  EXPECT_EQ(be.public_holiday(Ymd(2026, 5, 15)), "Bridge day");
  EXPECT_FALSE(be.is_working_day(Ymd(2026, 5, 15)));
  EXPECT_EQ(be.public_holiday(Ymd(2027, 2, 3)), "Local closure");
  EXPECT_FALSE(be.is_working_day(Ymd(2027, 2, 3)));
  EXPECT_TRUE(be.is_working_day(Ymd(2027, 5, 14)));                 // the same day in another year
  EXPECT_EQ(be.public_holiday(Ymd(2026, 5, 14)), "Ascension Day");  // legal ones still there
  EXPECT_EQ(PublicHolidaysOf(be, 2026).size(), 11u);

  const HolidayCalendar plain = HolidayCalendar::belgium();
  EXPECT_TRUE(plain.is_working_day(Ymd(2026, 5, 15)));
}

}  // namespace
}  // namespace termijn::domain
