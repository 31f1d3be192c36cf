#include "server/domain/holidays.h"

namespace termijn::domain {

using date::days;
using date::local_days;
using date::sys_days;

date::year_month_day easter_sunday(date::year year) {
  const int y = static_cast<int>(year);
  const int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
  const int f = (b + 8) / 25, g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4, k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = ((h + l - 7 * m + 114) % 31) + 1;
  return date::year_month_day{year, date::month(month), date::day(day)};
}

HolidayCalendar HolidayCalendar::belgium(std::vector<NamedDay> extra) {
  return HolidayCalendar(std::move(extra));
}

std::optional<std::string> HolidayCalendar::public_holiday(date::year_month_day day,
                                                           bool dutch) const {
  const unsigned m = static_cast<unsigned>(day.month()), d = static_cast<unsigned>(day.day());
  const auto name = [dutch](const char* en, const char* nl) { return dutch ? nl : en; };
  // Royal decree of 18 April 1974, art. 1: the ten legal public holidays.
  if (m == 1 && d == 1) return name("New Year's Day", "Nieuwjaar");
  if (m == 5 && d == 1) return name("Labour Day", "Dag van de Arbeid");
  if (m == 7 && d == 21) return name("National Day", "Nationale Feestdag");
  if (m == 8 && d == 15) return name("Assumption", "Onze-Lieve-Vrouw-Hemelvaart");
  if (m == 11 && d == 1) return name("All Saints' Day", "Allerheiligen");
  if (m == 11 && d == 11) return name("Armistice Day", "Wapenstilstand");
  if (m == 12 && d == 25) return name("Christmas Day", "Kerstmis");
  const sys_days easter{easter_sunday(day.year())};
  const sys_days today{day};
  if (today == easter + days{1}) return name("Easter Monday", "Paasmaandag");
  if (today == easter + days{39}) return name("Ascension Day", "Onze-Lieve-Heer-Hemelvaart");
  if (today == easter + days{50}) return name("Whit Monday", "Pinkstermaandag");
  for (const NamedDay& extra : extra_) {
    if (extra.date == day) return extra.name;
  }
  return std::nullopt;
}

bool HolidayCalendar::is_working_day(date::year_month_day day) const {
  const date::weekday wd{sys_days{day}};
  return wd != date::Saturday && wd != date::Sunday && !public_holiday(day);
}

std::optional<std::string> HolidayCalendar::office_closure(date::year_month_day day,
                                                           bool dutch) const {
  const unsigned m = static_cast<unsigned>(day.month()), d = static_cast<unsigned>(day.day());
  const auto name = [dutch](const char* en, const char* nl) { return dutch ? nl : en; };
  if (m == 7 && d == 11)
    return name("Day of the Flemish Community", "Feestdag van de Vlaamse Gemeenschap");
  if (m == 11 && d == 2) return name("All Souls' Day", "Allerzielen");
  if (m == 11 && d == 15) return name("King's Feast", "Koningsdag");
  if (m == 12 && d == 26) return name("Boxing Day", "Tweede Kerstdag");
  return std::nullopt;
}

}  // namespace termijn::domain
