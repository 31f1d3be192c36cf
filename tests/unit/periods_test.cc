#include "server/domain/periods.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "server/domain/holidays.h"
#include "server/domain/planner.h"
#include "server/domain/rules.h"
#include "server/domain/time.h"
#include "tests/unit/times.h"

namespace termijn::domain {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

using unit::At;
using unit::Brussels;
using unit::Iso;
using unit::Local;
using unit::Utc;

const HolidayCalendar& Belgium() {
  static const HolidayCalendar calendar = HolidayCalendar::belgium();
  return calendar;
}

constexpr EventNoun kAwareness{"awareness", "kennisname"};

Deadline Compute(const std::string& event, Period period,
                 const HolidayCalendar& calendar = Belgium()) {
  return compute_deadline(At(event), period, Brussels(), calendar, {"receipt", "ontvangst"});
}

// ---------------------------------------------------------------------------------------------
// The shared examples table.

struct Example {
  std::string id, kind, rule, event_time, due_time, legal_due_time, note;
};

std::vector<Example> ReadExamples() {
  std::vector<Example> examples;
  std::ifstream in(TERMIJN_EXAMPLES_TSV);
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (header || line.empty()) {
      header = false;
      continue;
    }
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, '\t');) cells.push_back(cell);
    cells.resize(7);
    examples.push_back({cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6]});
  }
  return examples;
}

class DeadlineExamplesTest : public ::testing::TestWithParam<Example> {};

TEST_P(DeadlineExamplesTest, ComesOutExactly) {
  // Verifies one row of cases/deadline-examples.tsv as the planner makes it: rule, Brussels,
  // Belgian calendar (policy targets included).
  const Example& ex = GetParam();
  SCOPED_TRACE(ex.id + " (" + ex.note + ")");
  const Rule* rule = find_rule(ex.rule);
  ASSERT_NE(rule, nullptr) << ex.rule;
  const std::map<std::string, Trigger> kKinds{{"incident", Trigger::kIncident},
                                              {"request", Trigger::kRequest},
                                              {"high-risk", Trigger::kHighRisk},
                                              {"extension", Trigger::kExtension},
                                              {"refusal", Trigger::kRefusal},
                                              {"data-quality", Trigger::kDataQuality},
                                              {"law-change", Trigger::kLawChange},
                                              {"processor-change", Trigger::kProcessorChange},
                                              {"staff-departure", Trigger::kStaffDeparture},
                                              {"termination-art10", Trigger::kTerminationBreach},
                                              {"termination-art18", Trigger::kTerminationNotice}};
  ASSERT_EQ(kKinds.count(ex.kind), 1u) << ex.kind;
  EXPECT_EQ(rule->trigger, kKinds.at(ex.kind));
  const ParsedTime event = parse_time(ex.event_time, Brussels());
  ASSERT_TRUE(event.ok()) << event.error;
  Party owner, other;
  owner.id = "herent";
  owner.zone = &Brussels();
  other.id = "kortenberg";
  other.zone = &Brussels();
  const std::vector<Obligation> planned =
      plan_obligations({rule->trigger, event.instant, RequestKind::kAccess}, owner, {owner, other});
  const auto o = std::find_if(planned.begin(), planned.end(),
                              [&](const Obligation& p) { return p.rule == ex.rule; });
  ASSERT_NE(o, planned.end());
  EXPECT_EQ(Utc(o->due_time), ex.due_time);
  EXPECT_EQ(Utc(o->legal_due_time), ex.legal_due_time);
}

INSTANTIATE_TEST_SUITE_P(Table, DeadlineExamplesTest, ::testing::ValuesIn(ReadExamples()),
                         [](const ::testing::TestParamInfo<Example>& info) {
                           return info.param.id;
                         });

TEST(DeadlineExamplesFileTest, IsReadCompletely) {
  // Verifies the examples table was found and every row has all seven columns.
  const std::vector<Example> examples = ReadExamples();
  EXPECT_GE(examples.size(), 8u) << TERMIJN_EXAMPLES_TSV;
  for (const Example& ex : examples) EXPECT_FALSE(ex.note.empty()) << ex.id;
}

TEST(DesignExamplesTest, TableInDesignDocument) {
  // Verifies the four worked examples in DESIGN.md, "Time: how a deadline is computed".
  Deadline d = Compute("2026-03-27T14:20:00+01:00", Period::hours(72));
  EXPECT_EQ(Local(d.due_time), "2026-03-30T15:20:00+02:00");
  EXPECT_EQ(Local(d.legal_due_time), "2026-03-30T16:00:00+02:00");

  d = Compute("2026-10-24T23:30:00+02:00", Period::hours(48));
  EXPECT_EQ(Local(d.due_time), "2026-10-26T22:30:00+01:00");
  EXPECT_EQ(Local(d.legal_due_time), "2026-10-26T23:00:00+01:00");

  d = Compute("2026-01-31T10:00:00+01:00", Period::months(1));
  EXPECT_EQ(Local(d.due_time), "2026-02-28T10:00:00+01:00");
  EXPECT_EQ(Local(d.legal_due_time), "2026-03-03T00:00:00+01:00");

  d = Compute("2027-11-25T09:00:00+01:00", Period::months(1));
  EXPECT_EQ(Local(d.due_time), "2027-12-25T09:00:00+01:00");
  EXPECT_EQ(Local(d.legal_due_time), "2027-12-28T00:00:00+01:00");
}

TEST(PeriodTest, DescribeNamesTheUnit) {
  // Verifies the short descriptions used in messages.
  EXPECT_EQ(describe(Period::hours(36)), "36 h");
  EXPECT_EQ(describe(Period::months(1)), "1 month");
  EXPECT_EQ(describe(Period::months(3)), "3 months");
}

// ---------------------------------------------------------------------------------------------
// Hour periods.

TEST(HourPeriodTest, EventHourIsNotCounted) {
  // Verifies Reg. 1182/71 art. 3(1): the legal limit counts from the next full hour, also for an
  // event at exactly hh:00:00, which lies in the hour hh:00-hh+1:00 and so is excluded.
  Deadline d = Compute("2026-11-10T16:00:00+01:00", Period::hours(36));
  EXPECT_EQ(Local(d.due_time), "2026-11-12T04:00:00+01:00");
  EXPECT_EQ(Local(d.legal_due_time), "2026-11-12T05:00:00+01:00");

  d = Compute("2026-11-10T16:00:01+01:00", Period::hours(36));
  EXPECT_EQ(Local(d.due_time), "2026-11-12T04:00:01+01:00");
  EXPECT_EQ(Local(d.legal_due_time), "2026-11-12T05:00:00+01:00");

  d = Compute("2026-11-10T15:59:59+01:00", Period::hours(36));
  EXPECT_EQ(Local(d.due_time), "2026-11-12T03:59:59+01:00");
  EXPECT_EQ(Local(d.legal_due_time), "2026-11-12T04:00:00+01:00");

  d = Compute("2026-06-30T23:59:59+02:00", Period::hours(48));
  EXPECT_EQ(Local(d.due_time), "2026-07-02T23:59:59+02:00");
  EXPECT_EQ(Local(d.legal_due_time), "2026-07-03T00:00:00+02:00");
}

TEST(HourPeriodTest, NeverMovesToAWorkingDay) {
  // Verifies art. 3(4) does not apply to hour periods: a limit on Christmas or a Sunday stays.
  Deadline d = Compute("2026-12-22T10:00:00+01:00", Period::hours(72));
  EXPECT_EQ(Local(d.due_time), "2026-12-25T10:00:00+01:00");
  EXPECT_EQ(Local(d.legal_due_time), "2026-12-25T11:00:00+01:00");

  d = Compute("2026-11-13T18:10:00+01:00", Period::hours(36));  // Friday -> Sunday
  EXPECT_EQ(Local(d.due_time), "2026-11-15T06:10:00+01:00");
  EXPECT_EQ(Local(d.legal_due_time), "2026-11-15T07:00:00+01:00");
}

// The DST switches in Europe/Brussels, 2026-2030, 2038-2040 and 2100: last Sunday of March
// (02:00 CET -> 03:00 CEST) and of October (03:00 CEST -> 02:00 CET). From 2038 on the tz files
// hold no explicit transitions, only the POSIX rule in their footer.
struct DstSwitch {
  date::year_month_day day;
  bool spring;
};

constexpr DstSwitch kSwitches[] = {
    {date::year{2026} / 3 / 29, true}, {date::year{2026} / 10 / 25, false},
    {date::year{2027} / 3 / 28, true}, {date::year{2027} / 10 / 31, false},
    {date::year{2028} / 3 / 26, true}, {date::year{2028} / 10 / 29, false},
    {date::year{2029} / 3 / 25, true}, {date::year{2029} / 10 / 28, false},
    {date::year{2030} / 3 / 31, true}, {date::year{2030} / 10 / 27, false},
    {date::year{2038} / 3 / 28, true}, {date::year{2038} / 10 / 31, false},
    {date::year{2039} / 3 / 27, true}, {date::year{2039} / 10 / 30, false},
    {date::year{2040} / 3 / 25, true}, {date::year{2040} / 10 / 28, false},
    {date::year{2100} / 3 / 28, true}, {date::year{2100} / 10 / 31, false},
};

// Offsets on either side of a switch, and how the wall clock jumps.
seconds OffsetBefore(const DstSwitch& s) { return s.spring ? hours{1} : hours{2}; }
seconds OffsetAfter(const DstSwitch& s) { return s.spring ? hours{2} : hours{1}; }
std::string Rfc(date::local_seconds wall, seconds offset) {
  return date::format("%FT%T", wall) + (offset == hours{1} ? "+01:00" : "+02:00");
}

TEST(HourPeriodTest, TzDatabaseHasTheListedSwitches) {
  // Verifies the system tz database agrees with the switch dates the DST tests rely on.
  for (const DstSwitch& s : kSwitches) {
    SCOPED_TRACE(Iso(s.day));
    const date::local_seconds midnight{date::local_days{s.day}};
    EXPECT_EQ(Brussels().classify(midnight).offset_before, OffsetBefore(s));
    EXPECT_EQ(Brussels().classify(midnight + hours{12}).offset_before, OffsetAfter(s));
    const ParsedTime t = parse_time(Iso(s.day) + "T02:30", Brussels());
    EXPECT_NE(t.error.find(s.spring ? "does not exist" : "ambiguous"), std::string::npos);
  }
}

TEST(HourPeriodTest, EveryListedDstSwitch) {
  // Verifies 36/48/72 h across each switch: due_time is N real hours (N+1 or N-1 on the wall
  // clock), legal_due_time floor_hour + 1 h + N real hours, and the explanation names the change.
  for (const DstSwitch& s : kSwitches) {
    const date::local_days day{s.day};
    // Local events before the switch whose periods all end after it.
    const date::local_seconds events[] = {
        day - date::days{1} + hours{20} + minutes{15},  // Saturday evening
        day - date::days{1} + hours{21},                // exactly on the hour
        day - date::days{1} - seconds{1},               // Friday, last second
        day + hours{1} + minutes{30},                   // the switch night, before 02:00
    };
    const hours jump = s.spring ? hours{1} : hours{-1};
    for (const int n : {36, 48, 72}) {
      for (const date::local_seconds wall : events) {
        const Instant event{wall.time_since_epoch() - OffsetBefore(s)};
        SCOPED_TRACE(std::to_string(n) + " h from " + Rfc(wall, OffsetBefore(s)));
        const Deadline d =
            compute_deadline(event, Period::hours(n), Brussels(), Belgium(), kAwareness);
        EXPECT_EQ(d.due_time - event, hours{n});
        EXPECT_EQ(Local(d.due_time), Rfc(wall + hours{n} + jump, OffsetAfter(s)));
        EXPECT_EQ(Local(d.legal_due_time),
                  Rfc(date::floor<hours>(wall) + hours{1} + hours{n} + jump, OffsetAfter(s)));
        EXPECT_NE(d.explanation.find("the DST change in between makes it " +
                                     std::to_string(n + jump.count()) + " h by the wall clock"),
                  std::string::npos)
            << d.explanation;
      }
    }
  }
}

TEST(HourPeriodTest, NoDstMentionWhenThePeriodDoesNotCrossASwitch) {
  // Verifies periods starting after a switch (or entirely between switches) keep the wall clock
  // and say nothing about DST.
  for (const DstSwitch& s : kSwitches) {
    const date::local_seconds wall = date::local_days{s.day} + hours{4};
    const Instant event{wall.time_since_epoch() - OffsetAfter(s)};
    for (const int n : {36, 48, 72}) {
      const Deadline d =
          compute_deadline(event, Period::hours(n), Brussels(), Belgium(), kAwareness);
      EXPECT_EQ(Local(d.due_time), Rfc(wall + hours{n}, OffsetAfter(s))) << Iso(s.day);
      EXPECT_EQ(Local(d.legal_due_time), Rfc(wall + hours{n + 1}, OffsetAfter(s))) << Iso(s.day);
      EXPECT_EQ(d.explanation.find("DST"), std::string::npos) << d.explanation;
    }
  }
}

TEST(HourPeriodTest, EventsInsideTheRepeatedAutumnHour) {
  // Verifies the two 02:30s of 25 Oct 2026 are different instants with different deadlines; only
  // the first (CEST) is before the switch.
  Deadline d = Compute("2026-10-25T02:30:00+02:00", Period::hours(36));
  EXPECT_EQ(Local(d.due_time), "2026-10-26T13:30:00+01:00");
  EXPECT_EQ(Local(d.legal_due_time), "2026-10-26T14:00:00+01:00");
  EXPECT_NE(d.explanation.find("makes it 35 h"), std::string::npos) << d.explanation;

  d = Compute("2026-10-25T02:30:00+01:00", Period::hours(36));
  EXPECT_EQ(Local(d.due_time), "2026-10-26T14:30:00+01:00");
  EXPECT_EQ(Local(d.legal_due_time), "2026-10-26T15:00:00+01:00");
  EXPECT_EQ(d.explanation.find("DST"), std::string::npos) << d.explanation;
}

TEST(HourPeriodTest, EventJustBeforeTheSpringGap) {
  // Verifies an event in the last hour before the spring gap: its excluded hour is 01:00-02:00
  // CET and the limit lands 36 real hours after 03:00 CEST.
  const Deadline d = Compute("2026-03-29T01:30:00+01:00", Period::hours(36));
  EXPECT_EQ(Local(d.due_time), "2026-03-30T14:30:00+02:00");
  EXPECT_EQ(Local(d.legal_due_time), "2026-03-30T15:00:00+02:00");
}

TEST(HourPeriodTest, ExplanationAcrossAutumnSwitch) {
  // Verifies the full explanation text for the 25-hour Sunday. This is the event of DESIGN.md's
  // sample explanation, whose times (due 11:30, limit 12:00 CET) are an hour late: 36 real hours
  // after 21:30 UTC is 09:30 UTC = 10:30 CET, 35 h on the wall clock as the sample itself says.
  const Deadline d = compute_deadline(At("2026-10-24T23:30:00+02:00"), Period::hours(36),
                                      Brussels(), Belgium(), kAwareness);
  EXPECT_EQ(d.explanation,
            "36 h after awareness at 2026-10-24 23:30 CEST: due 2026-10-26 10:30 CET; the DST "
            "change in between makes it 35 h by the wall clock. Legal limit (Reg. 1182/71 art. "
            "3): 2026-10-26 11:00 CET.");
  EXPECT_EQ(d.explanation_nl,
            "36 u na kennisname op 2026-10-24 23:30 CEST: uiterlijk 2026-10-26 10:30 CET; door "
            "het verzetten van de klok tussenin is dat 35 u volgens de klok. Wettelijke grens "
            "(art. 3 Verord. 1182/71): 2026-10-26 11:00 CET.");
}

TEST(HourPeriodTest, ExplanationAcrossSpringSwitch) {
  // Verifies the explanation for 72 h across the spring switch (examples row H1).
  const Deadline d = compute_deadline(At("2026-03-27T14:20:00+01:00"), Period::hours(72),
                                      Brussels(), Belgium(), kAwareness);
  EXPECT_EQ(d.explanation,
            "72 h after awareness at 2026-03-27 14:20 CET: due 2026-03-30 15:20 CEST; the DST "
            "change in between makes it 73 h by the wall clock. Legal limit (Reg. 1182/71 art. "
            "3): 2026-03-30 16:00 CEST.");
}

TEST(HourPeriodTest, SwitchesAfter2037FollowTheZoneRule) {
  // Verifies 72 h across the spring switch of 2039 and 48 h across the autumn switch of 2038, where
  // only the tz file's POSIX footer rule knows the switch, with the full explanation.
  const Deadline spring = compute_deadline(At("2039-03-25T14:20:00+01:00"), Period::hours(72),
                                           Brussels(), Belgium(), kAwareness);
  EXPECT_EQ(Local(spring.due_time), "2039-03-28T15:20:00+02:00");
  EXPECT_EQ(Local(spring.legal_due_time), "2039-03-28T16:00:00+02:00");
  EXPECT_EQ(spring.explanation,
            "72 h after awareness at 2039-03-25 14:20 CET: due 2039-03-28 15:20 CEST; the DST "
            "change in between makes it 73 h by the wall clock. Legal limit (Reg. 1182/71 art. "
            "3): 2039-03-28 16:00 CEST.");

  const Deadline autumn = compute_deadline(At("2038-10-30T23:30:00+02:00"), Period::hours(48),
                                           Brussels(), Belgium(), kAwareness);
  EXPECT_EQ(Local(autumn.due_time), "2038-11-01T22:30:00+01:00");
  EXPECT_EQ(Local(autumn.legal_due_time), "2038-11-01T23:00:00+01:00");
  EXPECT_NE(autumn.explanation.find("makes it 47 h by the wall clock"), std::string::npos)
      << autumn.explanation;
}

// ---------------------------------------------------------------------------------------------
// Month periods.

struct MonthCase {
  std::string event;
  int months;
  std::string due;    // Brussels RFC 3339
  std::string legal;  // Brussels RFC 3339
  std::string why;
};

void ExpectMonthCases(const std::vector<MonthCase>& cases,
                      const HolidayCalendar& calendar = Belgium()) {
  for (const MonthCase& c : cases) {
    SCOPED_TRACE(c.event + " + " + std::to_string(c.months) + " (" + c.why + ")");
    const Deadline d = Compute(c.event, Period::months(c.months), calendar);
    EXPECT_EQ(Local(d.due_time), c.due);
    EXPECT_EQ(Local(d.legal_due_time), c.legal);
  }
}

TEST(MonthPeriodTest, ClampsToTheLastDayOfAShorterMonth) {
  // Verifies art. 3(2)(c): a date missing in the target month becomes that month's last day.
  ExpectMonthCases({
      {"2030-01-31T10:00:00+01:00", 1, "2030-02-28T10:00:00+01:00", "2030-03-01T00:00:00+01:00",
       "31 Jan -> 28 Feb, a Thursday"},
      {"2029-01-30T10:00:00+01:00", 1, "2029-02-28T10:00:00+01:00", "2029-03-01T00:00:00+01:00",
       "30 Jan -> 28 Feb, a Wednesday"},
      {"2027-03-31T14:00:00+02:00", 1, "2027-04-30T14:00:00+02:00", "2027-05-01T00:00:00+02:00",
       "31 Mar -> 30 Apr; 1 May being a holiday does not matter"},
      {"2026-08-31T09:15:00+02:00", 1, "2026-09-30T09:15:00+02:00", "2026-10-01T00:00:00+02:00",
       "31 Aug -> 30 Sep"},
      {"2026-05-31T09:15:00+02:00", 1, "2026-06-30T09:15:00+02:00", "2026-07-01T00:00:00+02:00",
       "31 May -> 30 Jun"},
      {"2026-11-30T10:00:00+01:00", 3, "2027-02-28T10:00:00+01:00", "2027-03-02T00:00:00+01:00",
       "30 Nov + 3 months -> 28 Feb 2027, a Sunday -> end of Mon 1 Mar"},
  });
}

TEST(MonthPeriodTest, LeapYears) {
  // Verifies 29 February as target and as event day.
  ExpectMonthCases({
      {"2028-01-31T10:00:00+01:00", 1, "2028-02-29T10:00:00+01:00", "2028-03-01T00:00:00+01:00",
       "31 Jan 2028 -> 29 Feb"},
      {"2028-01-29T10:00:00+01:00", 1, "2028-02-29T10:00:00+01:00", "2028-03-01T00:00:00+01:00",
       "29 Jan 2028 -> 29 Feb"},
      {"2028-02-29T10:00:00+01:00", 1, "2028-03-29T10:00:00+02:00", "2028-03-30T00:00:00+02:00",
       "29 Feb 2028 -> 29 Mar, after the spring switch"},
      {"2028-02-29T10:00:00+01:00", 12, "2029-02-28T10:00:00+01:00", "2029-03-01T00:00:00+01:00",
       "29 Feb 2028 + 12 months -> 28 Feb 2029"},
  });
}

TEST(MonthPeriodTest, UsesTheLocalDateNotTheUtcDate) {
  // Verifies the day is counted from the Brussels date: 00:30 local is the previous UTC day.
  ExpectMonthCases({
      {"2026-09-30T00:30:00+02:00", 1, "2026-10-30T00:30:00+01:00", "2026-10-31T00:00:00+01:00",
       "30 Sep local (29 Sep UTC)"},
      {"2027-03-01T00:30:00+01:00", 1, "2027-04-01T00:30:00+02:00", "2027-04-02T00:00:00+02:00",
       "1 Mar local (28 Feb UTC, whose month would end on Sunday 28 Mar)"},
      {"2027-01-01T00:59:59+01:00", 1, "2027-02-01T00:59:59+01:00", "2027-02-02T00:00:00+01:00",
       "1 Jan 2027 local (31 Dec 2026 UTC)"},
  });
}

TEST(MonthPeriodTest, KeepsTheWallClockAcrossDst) {
  // Verifies the operational deadline is the same local time, not a multiple of 24 real hours.
  ExpectMonthCases({
      {"2026-03-10T09:00:00+01:00", 1, "2026-04-10T09:00:00+02:00", "2026-04-11T00:00:00+02:00",
       "across spring"},
      {"2026-10-10T09:00:00+02:00", 1, "2026-11-10T09:00:00+01:00", "2026-11-11T00:00:00+01:00",
       "across autumn; 11 Nov being a holiday does not matter"},
      {"2026-06-30T00:00:00+02:00", 1, "2026-07-30T00:00:00+02:00", "2026-07-31T00:00:00+02:00",
       "event at local midnight"},
      {"2026-06-30T23:59:59+02:00", 1, "2026-07-30T23:59:59+02:00", "2026-07-31T00:00:00+02:00",
       "event in the last second of the day"},
  });
}

TEST(MonthPeriodTest, AfterTheExplicitTransitionsOf2037) {
  // Verifies month periods in summer time after 2037 keep the wall clock and end at local
  // midnight, including one whose due time falls in the spring gap of 2039.
  ExpectMonthCases({
      {"2040-06-15T10:00:00+02:00", 1, "2040-07-15T10:00:00+02:00", "2040-07-17T00:00:00+02:00",
       "15 Jul 2040 is a Sunday -> end of Mon 16 Jul"},
      {"2039-03-10T09:00:00+01:00", 1, "2039-04-10T09:00:00+02:00", "2039-04-13T00:00:00+02:00",
       "across spring 2039; 10 Apr is Easter Sunday, 11 Apr Easter Monday -> end of Tue 12 Apr"},
      {"2039-02-27T02:30:00+01:00", 1, "2039-03-27T03:30:00+02:00", "2039-03-29T00:00:00+02:00",
       "02:30 on 27 Mar 2039 does not exist -> 03:30 CEST; a Sunday -> end of Mon 28 Mar"},
      {"2100-09-30T12:00:00+02:00", 1, "2100-10-30T12:00:00+02:00", "2100-11-03T00:00:00+01:00",
       "the end of the supported range; 30 Oct 2100 a Saturday, 1 Nov a holiday"},
  });
}

TEST(MonthPeriodTest, WeekendOrHolidayMovesLegalLimitToNextWorkingDay) {
  // Verifies art. 3(4): a last day on a weekend or holiday ends at the expiry of the next working
  // day, while due_time stays on the day itself.
  ExpectMonthCases({
      {"2026-04-10T11:00:00+02:00", 1, "2026-05-10T11:00:00+02:00", "2026-05-12T00:00:00+02:00",
       "Sunday -> end of Mon 11 May"},
      {"2026-02-28T11:00:00+01:00", 1, "2026-03-28T11:00:00+01:00", "2026-03-31T00:00:00+02:00",
       "Saturday before the spring switch -> end of Mon 30 Mar, in CEST"},
      {"2026-04-14T11:00:00+02:00", 1, "2026-05-14T11:00:00+02:00", "2026-05-16T00:00:00+02:00",
       "Ascension (Thursday) -> end of Fri 15 May"},
      {"2026-04-01T11:00:00+02:00", 1, "2026-05-01T11:00:00+02:00", "2026-05-05T00:00:00+02:00",
       "Labour Day (Friday), Saturday, Sunday -> end of Mon 4 May"},
  });
}

TEST(MonthPeriodTest, ChainsOfNonWorkingDays) {
  // Verifies art. 3(4) skips several days in a row: weekend plus a holiday Monday, Christmas plus
  // weekend, New Year plus weekend, Sunday plus Easter Monday.
  ExpectMonthCases({
      {"2026-04-23T11:00:00+02:00", 1, "2026-05-23T11:00:00+02:00", "2026-05-27T00:00:00+02:00",
       "Sat 23 May, Sun, Whit Monday 25 May -> end of Tue 26 May"},
      {"2026-11-25T10:00:00+01:00", 1, "2026-12-25T10:00:00+01:00", "2026-12-29T00:00:00+01:00",
       "Christmas (Friday), Sat 26 Dec, Sun -> end of Mon 28 Dec"},
      {"2026-12-01T10:00:00+01:00", 1, "2027-01-01T10:00:00+01:00", "2027-01-05T00:00:00+01:00",
       "New Year (Friday), Sat, Sun -> end of Mon 4 Jan"},
      {"2027-02-28T10:00:00+01:00", 1, "2027-03-28T10:00:00+02:00", "2027-03-31T00:00:00+02:00",
       "Easter Sunday, Easter Monday -> end of Tue 30 Mar"},
      {"2027-09-30T02:00:00+02:00", 1, "2027-10-30T02:00:00+02:00", "2027-11-03T00:00:00+01:00",
       "Sat 30 Oct, Sun 31 Oct (the autumn switch), All Saints' Day -> end of Tue 2 Nov"},
  });
}

TEST(MonthPeriodTest, OfficeClosuresDoNotMoveTheLimit) {
  // Verifies 26 Dec and 11 Jul are not public holidays: a limit on them, or moved onto them,
  // stays there.
  ExpectMonthCases({
      {"2029-11-25T10:00:00+01:00", 1, "2029-12-25T10:00:00+01:00", "2029-12-27T00:00:00+01:00",
       "Christmas (Tuesday) -> end of Wed 26 Dec, an office closure"},
      {"2029-11-26T10:00:00+01:00", 1, "2029-12-26T10:00:00+01:00", "2029-12-27T00:00:00+01:00",
       "26 Dec (Wednesday) itself"},
      {"2028-06-11T10:00:00+02:00", 1, "2028-07-11T10:00:00+02:00", "2028-07-12T00:00:00+02:00",
       "11 Jul (Tuesday)"},
      {"2026-10-02T10:00:00+02:00", 1, "2026-11-02T10:00:00+01:00", "2026-11-03T00:00:00+01:00",
       "2 Nov (Monday)"},
  });
}

TEST(MonthPeriodTest, ExtraConfiguredHolidaysMoveTheLimit) {
  // Verifies one-off holidays from configuration count for art. 3(4), chained with the others.
  const HolidayCalendar with_bridge_day =
      HolidayCalendar::belgium({{date::year{2026} / 5 / 15, "Bridge day"}});
  ExpectMonthCases(
      {
          {"2026-04-14T11:00:00+02:00", 1, "2026-05-14T11:00:00+02:00", "2026-05-19T00:00:00+02:00",
           "Ascension, bridge day, Sat, Sun -> end of Mon 18 May"},
          {"2026-04-15T11:00:00+02:00", 1, "2026-05-15T11:00:00+02:00", "2026-05-19T00:00:00+02:00",
           "bridge day itself"},
      },
      with_bridge_day);
  const Deadline d = Compute("2026-04-15T11:00:00+02:00", Period::months(1), with_bridge_day);
  EXPECT_NE(d.explanation.find("Fri 2026-05-15 is Bridge day"), std::string::npos) << d.explanation;
}

TEST(MonthPeriodTest, DueTimeInTheSpringGapMovesForwardByTheGap) {
  // Verifies a month due time at a local time the clock skips is one hour later on the wall.
  ExpectMonthCases({
      {"2027-02-28T02:30:00+01:00", 1, "2027-03-28T03:30:00+02:00", "2027-03-31T00:00:00+02:00",
       "02:30 on 28 Mar 2027 does not exist; Sunday and Easter Monday -> end of Tue 30 Mar"},
      {"2026-01-29T02:30:00+01:00", 2, "2026-03-29T03:30:00+02:00", "2026-03-31T00:00:00+02:00",
       "02:30 on 29 Mar 2026 does not exist; Sunday -> end of Mon 30 Mar"},
      {"2026-01-29T02:00:00+01:00", 2, "2026-03-29T03:00:00+02:00", "2026-03-31T00:00:00+02:00",
       "02:00 exactly is the first skipped instant"},
      {"2026-01-29T01:59:59+01:00", 2, "2026-03-29T01:59:59+01:00", "2026-03-31T00:00:00+02:00",
       "just before the gap is unaffected"},
  });
  EXPECT_EQ(Utc(Compute("2027-02-28T02:30:00+01:00", Period::months(1)).due_time),
            "2027-03-28T01:30:00Z");
}

TEST(MonthPeriodTest, DueTimeInTheRepeatedAutumnHourTakesTheEarlierInstant) {
  // Verifies a month due time at a local time that occurs twice is its first (CEST) occurrence,
  // and that events in either occurrence of that hour land on the same local time a month on.
  ExpectMonthCases({
      {"2026-09-25T02:30:00+02:00", 1, "2026-10-25T02:30:00+02:00", "2026-10-27T00:00:00+01:00",
       "02:30 on 25 Oct 2026 is ambiguous; Sunday -> end of Mon 26 Oct"},
      {"2027-08-31T02:59:59+02:00", 2, "2027-10-31T02:59:59+02:00", "2027-11-03T00:00:00+01:00",
       "31 Oct 2027 02:59:59 is ambiguous; Sunday, All Saints' Day -> end of Tue 2 Nov"},
      {"2026-10-25T02:30:00+02:00", 1, "2026-11-25T02:30:00+01:00", "2026-11-26T00:00:00+01:00",
       "event in the first 02:30"},
      {"2026-10-25T02:30:00+01:00", 1, "2026-11-25T02:30:00+01:00", "2026-11-26T00:00:00+01:00",
       "event in the second 02:30"},
  });
  EXPECT_EQ(Utc(Compute("2026-09-25T02:30:00+02:00", Period::months(1)).due_time),
            "2026-10-25T00:30:00Z");
}

TEST(MonthPeriodTest, ExplanationNamesClampingAndMovedDays) {
  // Verifies the month explanation states the clamped day and each day art. 3(4) skipped.
  const Deadline d = Compute("2026-01-31T10:00:00+01:00", Period::months(1));
  EXPECT_EQ(d.explanation,
            "1 month after receipt at 2026-01-31 10:00 CET: due 2026-02-28 10:00 CET (day 31 does "
            "not exist in that month: its last day). Legal limit (Reg. 1182/71 art. 3): end of "
            "Mon 2026-03-02 (Sat 2026-02-28 is a weekend day, Sun 2026-03-01 is a weekend day, "
            "art. 3(4)), 2026-03-03 00:00 CET.");
  EXPECT_EQ(d.explanation_nl,
            "1 maand na ontvangst op 2026-01-31 10:00 CET: uiterlijk 2026-02-28 10:00 CET (dag 31 "
            "bestaat niet in die maand: de laatste dag ervan). Wettelijke grens (art. 3 Verord. "
            "1182/71): einde van ma 2026-03-02 (za 2026-02-28 is een weekenddag, zo 2026-03-01 is "
            "een weekenddag, art. 3, lid 4), 2026-03-03 00:00 CET.");

  const Deadline chain = Compute("2026-04-23T11:00:00+02:00", Period::months(1));
  EXPECT_NE(chain.explanation.find("Mon 2026-05-25 is Whit Monday, art. 3(4)"), std::string::npos)
      << chain.explanation;
  EXPECT_NE(chain.explanation.find("end of Tue 2026-05-26"), std::string::npos)
      << chain.explanation;
  EXPECT_NE(chain.explanation_nl.find("ma 2026-05-25 is Pinkstermaandag, art. 3, lid 4"),
            std::string::npos)
      << chain.explanation_nl;

  const Deadline plain = Compute("2026-08-31T09:15:00+02:00", Period::months(1));
  EXPECT_EQ(plain.explanation.find("art. 3(4)"), std::string::npos) << plain.explanation;

  const Deadline three = Compute("2026-11-30T10:00:00+01:00", Period::months(3));
  EXPECT_EQ(three.explanation.rfind("3 months after receipt", 0), 0u) << three.explanation;
  EXPECT_EQ(three.explanation_nl.rfind("3 maanden na ontvangst", 0), 0u) << three.explanation_nl;
}

// ---------------------------------------------------------------------------------------------
// Invariants over a sweep of instants.

// The events of the invariant sweep for `period`. Every call formats an explanation (about 8 us),
// so the sweep samples rather than visits every minute: the unit binary must stay well under 1 s.
std::vector<Instant> SweepInstants(Period period) {
  std::vector<Instant> events;
  // Coarse: 2026-2030 every 613 min (10 h 13 min), so minute, hour and weekday all drift.
  for (Instant t = At("2026-01-01T00:00:00Z"); t < At("2031-01-01T00:00:00Z"); t += minutes{613}) {
    events.push_back(t);
  }
  for (const DstSwitch& s : kSwitches) {
    // Windows are in UTC; the switch itself is at 01:00 UTC on its day.
    if (period.unit == Period::Unit::kHours) {
      // Dense: every 23 min from 74 h before the switch day to 4 h into it, so that every period
      // of up to 72 h that crosses the switch is sampled.
      const Instant day = date::sys_days{s.day};
      for (Instant t = day - hours{74}; t < day + hours{4}; t += minutes{23}) events.push_back(t);
    } else {
      // Dense: every 7 min over 21:00-05:00 UTC around the same day N months before the switch
      // day, whose due times land in the spring gap or the repeated autumn hour.
      const date::year_month_day before = s.day - date::months{period.count};
      if (!before.ok()) continue;  // 31 Oct has no 31 Sep
      const Instant day = date::sys_days{before};
      for (Instant t = day - hours{3}; t < day + hours{5}; t += minutes{7}) events.push_back(t);
    }
  }
  return events;
}

TEST(DeadlineInvariantTest, SweepOverFiveYears) {
  // Verifies for every rule, over about 6,000 events per rule across 2026-2030 (denser around the
  // DST switches): due_time <= legal_due_time; hour periods: due = event + N h exactly and legal
  // on a whole hour within (due, due + 1 h]; month periods: due on the (clamped) same day number,
  // legal at local midnight ending a working day at most 4 days after it.
  size_t total = 0;
  for (const Rule& rule : rules()) {
    const Period period = rule.period;
    const std::vector<Instant> events = SweepInstants(period);
    total += events.size();
    for (const Instant event : events) {
      const Deadline d = compute_deadline(event, period, Brussels(), Belgium(), rule.event_noun);
      ASSERT_LE(d.due_time, d.legal_due_time) << rule.id << " " << Utc(event);
      if (period.unit == Period::Unit::kHours) {
        ASSERT_EQ(d.due_time - event, hours{period.count}) << rule.id << " " << Utc(event);
        ASSERT_GT(d.legal_due_time, d.due_time) << rule.id << " " << Utc(event);
        ASSERT_LE(d.legal_due_time - d.due_time, hours{1}) << rule.id << " " << Utc(event);
        ASSERT_EQ(d.legal_due_time, date::floor<hours>(d.legal_due_time))
            << rule.id << " " << Utc(event);
      } else {
        const date::local_seconds legal_wall = Brussels().to_local(d.legal_due_time);
        ASSERT_EQ(legal_wall, date::floor<date::days>(legal_wall)) << rule.id << " " << Utc(event);
        const date::year_month_day last_day{date::floor<date::days>(legal_wall) - date::days{1}};
        ASSERT_TRUE(Belgium().is_working_day(last_day)) << rule.id << " " << Utc(event);
        const date::year_month_day event_day = local_date(event, Brussels());
        const date::year_month_day due_day = local_date(d.due_time, Brussels());
        const date::year_month target =
            date::year_month{event_day.year(), event_day.month()} + date::months{period.count};
        ASSERT_EQ(due_day.year() / due_day.month(), target) << rule.id << " " << Utc(event);
        ASSERT_EQ(due_day.day(),
                  std::min(event_day.day(), (target.year() / target.month() / date::last).day()))
            << rule.id << " " << Utc(event);
        ASSERT_LE(date::sys_days{last_day} - date::sys_days{due_day}, date::days{4})
            << rule.id << " " << Utc(event);
      }
    }
  }
  EXPECT_GT(total, 20000u);
}

}  // namespace
}  // namespace termijn::domain
