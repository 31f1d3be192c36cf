// The escalation policy in the pure domain: when each reminder and escalation step fires for an
// obligation, in Europe/Brussels with the Belgian calendar. No clock is read: "now" is an argument.
#include "server/domain/escalation.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "server/domain/holidays.h"
#include "server/domain/periods.h"
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
using unit::Local;

const Party& Herent() {
  static const Party party = [] {
    Party p;
    p.id = "herent";
    p.name = "OCMW Herent";
    p.zone = &Brussels();
    p.calendar = HolidayCalendar::belgium();
    return p;
  }();
  return party;
}

const Rule& RuleNamed(const std::string& id) {
  const Rule* rule = find_rule(id);
  if (rule == nullptr) throw std::invalid_argument("no rule " + id);
  return *rule;
}

// An obligation of `rule` whose clock starts at `start`, with the due time the domain computes.
Obligation ObligationOf(const std::string& rule, const std::string& start) {
  const Rule& r = RuleNamed(rule);
  const Deadline d =
      compute_deadline(At(start), r.period, Brussels(), Herent().calendar, r.event_noun);
  Obligation o;
  o.id = 1;
  o.rule = rule;
  o.owner_party = "herent";
  o.start_time = At(start);
  o.due_time = d.due_time;
  o.legal_due_time = d.legal_due_time;
  return o;
}

// One line per firing: "label#repetition local-time", " (moved)" when moved a working day early.
std::vector<std::string> Describe(const EscalationPolicy& policy,
                                  const std::vector<StepTime>& times) {
  std::vector<std::string> out;
  for (const StepTime& t : times) {
    out.push_back(policy.steps.at(t.step).label + "#" + std::to_string(t.repetition) + " " +
                  Local(t.fire_time) + (t.moved ? " (moved)" : ""));
  }
  return out;
}

std::vector<std::string> Plan(const Obligation& o, const EscalationPolicy& policy) {
  return Describe(policy, first_step_times(policy, o, Herent()));
}

std::vector<std::string> DefaultPlan(const Obligation& o) {
  return Plan(o, default_policy(RuleNamed(o.rule)));
}

EscalationStep Step(const std::string& at, const std::string& every = "",
                    std::vector<Audience> to = {Audience::kOwnerDpo}) {
  std::string error;
  const auto step = parse_step(at, every, std::move(to), &error);
  if (!step) throw std::invalid_argument(at + ": " + error);
  return *step;
}

// ---------------------------------------------------------------------------------------------
// The default policies.

TEST(DefaultPolicyTest, HourRulesRemindAtHalfEightyPercentTwoHoursThenEscalate) {
  // Verifies the default steps for 36, 48 and 72 h rules: labels, repetition and recipients.
  for (const char* rule :
       {"protocol.breach_notice", "protocol.request_notice", "gdpr.art33_authority"}) {
    SCOPED_TRACE(rule);
    const EscalationPolicy p = default_policy(RuleNamed(rule));
    ASSERT_EQ(p.steps.size(), 5u);
    std::vector<std::string> labels, audiences;
    for (const EscalationStep& s : p.steps) {
      labels.push_back(s.label);
      audiences.push_back(audience_list(s.to));
    }
    EXPECT_EQ(labels, (std::vector<std::string>{"50%", "80%", "-2h", "0", "+12h every 12h"}));
    EXPECT_EQ(audiences, (std::vector<std::string>{"owner_dpo", "owner_dpo", "owner_dpo",
                                                   "owner_dpo,owner_escalation",
                                                   "owner_dpo,owner_escalation"}));
    EXPECT_EQ(p.steps[0].fraction, std::optional<double>(0.5));
    EXPECT_EQ(p.steps[1].fraction, std::optional<double>(0.8));
    EXPECT_EQ(p.steps[2].offset, StepDuration::of(-hours{2}));
    EXPECT_EQ(p.steps[3].offset, StepDuration{});
    EXPECT_EQ(p.steps[4].offset, StepDuration::of(hours{12}));
    EXPECT_EQ(p.steps[4].every, std::optional(StepDuration::of(hours{12})));
    for (int i = 0; i < 4; ++i) EXPECT_FALSE(p.steps[i].every.has_value()) << i;
  }
}

TEST(DefaultPolicyTest, MonthRuleRemindsFourteenSevenTwoDaysBeforeThenDaily) {
  // Verifies the default steps of the one-month answer: -14d, -7d, -2d, at due, then daily.
  const EscalationPolicy p = default_policy(RuleNamed("gdpr.art12_response"));
  std::vector<std::string> labels, audiences;
  for (const EscalationStep& s : p.steps) {
    labels.push_back(s.label);
    audiences.push_back(audience_list(s.to));
    EXPECT_FALSE(s.fraction.has_value()) << s.label;
  }
  EXPECT_EQ(labels, (std::vector<std::string>{"-14d", "-7d", "-2d", "0", "+1d every 1d"}));
  EXPECT_EQ(audiences,
            (std::vector<std::string>{"owner_dpo", "owner_dpo", "owner_dpo",
                                      "owner_dpo,owner_escalation", "owner_dpo,owner_escalation"}));
  EXPECT_EQ(p.steps[0].offset, StepDuration::of_days(-14));
  EXPECT_EQ(p.steps[4].every, std::optional(StepDuration::of_days(1)));
}

TEST(StepLabelTest, ALabelIsSaidInTheReadersLanguage) {
  // Verifies the label a reminder and the console show: hours are "u" and "every" is "elke" in
  // Dutch (the console showed "+12h every 12h" in its Dutch pages); English keeps the label.
  EXPECT_EQ(step_label_in("+12h every 12h", true), "+12u elke 12u");
  EXPECT_EQ(step_label_in("-2h", true), "-2u");
  EXPECT_EQ(step_label_in("+1d every 1d", true), "+1d elke 1d");
  EXPECT_EQ(step_label_in("50%", true), "50%");
  EXPECT_EQ(step_label_in("+12h every 12h", false), "+12h every 12h");
}

TEST(FirstStepTimesTest, ThirtySixHourWindowEveryStepExact) {
  // Verifies the 36 h default over a plain working-day window: 50% = 18 h, 80% = 28 h 48 min.
  const Obligation o = ObligationOf("protocol.breach_notice", "2026-06-09T10:00:00+02:00");
  ASSERT_EQ(Local(o.due_time), "2026-06-10T22:00:00+02:00");
  EXPECT_EQ(DefaultPlan(o), (std::vector<std::string>{
                                "50%#0 2026-06-10T04:00:00+02:00",
                                "80%#0 2026-06-10T14:48:00+02:00",
                                "-2h#0 2026-06-10T20:00:00+02:00",
                                "0#0 2026-06-10T22:00:00+02:00",
                                "+12h every 12h#0 2026-06-11T10:00:00+02:00",
                            }));
}

TEST(FirstStepTimesTest, FortyEightHourWindowEveryStepExact) {
  // Verifies the 48 h default: 50% = 24 h, 80% = 38 h 24 min, to the second.
  const Obligation o = ObligationOf("protocol.request_notice", "2026-06-08T09:00:17+02:00");
  ASSERT_EQ(Local(o.due_time), "2026-06-10T09:00:17+02:00");
  EXPECT_EQ(DefaultPlan(o), (std::vector<std::string>{
                                "50%#0 2026-06-09T09:00:17+02:00",
                                "80%#0 2026-06-09T23:24:17+02:00",
                                "-2h#0 2026-06-10T07:00:17+02:00",
                                "0#0 2026-06-10T09:00:17+02:00",
                                "+12h every 12h#0 2026-06-10T21:00:17+02:00",
                            }));
}

TEST(FirstStepTimesTest, OneMonthWindowFourteenSevenTwoDaysBefore) {
  // Verifies the one-month default: -14d, -7d, -2d, at due and the first daily escalation.
  const Obligation o = ObligationOf("gdpr.art12_response", "2026-06-02T09:00:00+02:00");
  ASSERT_EQ(Local(o.due_time), "2026-07-02T09:00:00+02:00");
  EXPECT_EQ(DefaultPlan(o), (std::vector<std::string>{
                                "-14d#0 2026-06-18T09:00:00+02:00",
                                "-7d#0 2026-06-25T09:00:00+02:00",
                                "-2d#0 2026-06-30T09:00:00+02:00",
                                "0#0 2026-07-02T09:00:00+02:00",
                                "+1d every 1d#0 2026-07-03T09:00:00+02:00",
                            }));
}

TEST(FirstStepTimesTest, FractionsAreOfRealElapsedTimeAcrossAutumnSwitch) {
  // Verifies a 36 h window over the October DST change: 50% is 18 real hours (17 on the wall).
  const Obligation o = ObligationOf("protocol.breach_notice", "2026-10-24T23:30:00+02:00");
  ASSERT_EQ(Local(o.due_time), "2026-10-26T10:30:00+01:00");
  EXPECT_EQ(DefaultPlan(o), (std::vector<std::string>{
                                "50%#0 2026-10-25T16:30:00+01:00",
                                "80%#0 2026-10-26T03:18:00+01:00",
                                "-2h#0 2026-10-26T08:30:00+01:00",
                                "0#0 2026-10-26T10:30:00+01:00",
                                "+12h every 12h#0 2026-10-26T22:30:00+01:00",
                            }));
}

TEST(FirstStepTimesTest, FractionsAreOfRealElapsedTimeAcrossSpringSwitch) {
  // Verifies the DESIGN.md 72 h example over the March DST change: 50% = 36 real hours.
  const Obligation o = ObligationOf("gdpr.art33_authority", "2026-03-27T14:20:00+01:00");
  ASSERT_EQ(Local(o.due_time), "2026-03-30T15:20:00+02:00");
  EXPECT_EQ(DefaultPlan(o), (std::vector<std::string>{
                                "50%#0 2026-03-29T03:20:00+02:00",
                                "80%#0 2026-03-30T00:56:00+02:00",
                                "-2h#0 2026-03-30T13:20:00+02:00",
                                "0#0 2026-03-30T15:20:00+02:00",
                                "+12h every 12h#0 2026-03-31T03:20:00+02:00",
                            }));
}

TEST(FirstStepTimesTest, ConfiguredFractionFiresOnItsExactSecond) {
  // Verifies a configured "70%" of a 48 h window fires at exactly 33 h 36 min.
  // Regression test; the bug it caught, now fixed: base_time() floors window * 0.7 in floating
  // point; 172800 s * 0.7 is 120959.99999999999, so the step fires at 33:35:59. See the report:
  // round, or use integers.
  const Obligation o = ObligationOf("protocol.request_notice", "2026-06-08T09:00:00+02:00");
  const EscalationPolicy policy{{Step("70%"), Step("10%"), Step("90%"), Step("0")}};
  EXPECT_EQ(Plan(o, policy), (std::vector<std::string>{
                                 "10%#0 2026-06-08T13:48:00+02:00",
                                 "70%#0 2026-06-09T18:36:00+02:00",
                                 "90%#0 2026-06-10T04:12:00+02:00",
                                 "0#0 2026-06-10T09:00:00+02:00",
                             }));
}

TEST(FirstStepTimesTest, StepsBeforeTheStartAreDropped) {
  // Verifies a step that would fire before the obligation existed is not planned at all.
  const Obligation o = ObligationOf("protocol.breach_notice", "2026-06-09T10:00:00+02:00");
  const EscalationPolicy policy{{Step("-40h"), Step("-36h"), Step("-2h"), Step("0")}};
  EXPECT_EQ(Plan(o, policy), (std::vector<std::string>{
                                 "-36h#0 2026-06-09T10:00:00+02:00",
                                 "-2h#0 2026-06-10T20:00:00+02:00",
                                 "0#0 2026-06-10T22:00:00+02:00",
                             }));
}

TEST(FirstStepTimesTest, ComeOutInFiringOrder) {
  // Verifies the steps come back sorted by time whatever the configured order.
  const Obligation o = ObligationOf("protocol.breach_notice", "2026-06-09T10:00:00+02:00");
  const EscalationPolicy policy{{Step("+1h"), Step("0"), Step("90%"), Step("-30m"), Step("10%")}};
  EXPECT_EQ(Plan(o, policy), (std::vector<std::string>{
                                 "10%#0 2026-06-09T13:36:00+02:00",
                                 "90%#0 2026-06-10T18:24:00+02:00",
                                 "-30m#0 2026-06-10T21:30:00+02:00",
                                 "0#0 2026-06-10T22:00:00+02:00",
                                 "+1h#0 2026-06-10T23:00:00+02:00",
                             }));
}

// ---------------------------------------------------------------------------------------------
// Due on a closed day: the last step before it moves to the previous working day.

TEST(ClosedDueDayTest, SaturdayMovesTheLastStepToFriday) {
  // Verifies a 36 h notice due on Saturday gets its -2h reminder on Friday at the same time.
  // The 80% step, also on the Saturday but not the last one before the due time, stays.
  const Obligation o = ObligationOf("protocol.breach_notice", "2026-06-11T20:00:00+02:00");
  ASSERT_EQ(Local(o.due_time), "2026-06-13T08:00:00+02:00");
  EXPECT_EQ(DefaultPlan(o), (std::vector<std::string>{
                                "-2h#0 2026-06-12T06:00:00+02:00 (moved)",
                                "50%#0 2026-06-12T14:00:00+02:00",
                                "80%#0 2026-06-13T00:48:00+02:00",
                                "0#0 2026-06-13T08:00:00+02:00",
                                "+12h every 12h#0 2026-06-13T20:00:00+02:00",
                            }));
}

TEST(ClosedDueDayTest, SaturdayInSummer2040MovesTheLastStepToFriday) {
  // Verifies the same plan after the tz files' last explicit transition (2037): every step, the
  // moved one included, keeps the summer-time wall clock.
  const Obligation o = ObligationOf("protocol.breach_notice", "2040-06-14T20:00:00+02:00");
  ASSERT_EQ(Local(o.due_time), "2040-06-16T08:00:00+02:00");
  EXPECT_EQ(DefaultPlan(o), (std::vector<std::string>{
                                "-2h#0 2040-06-15T06:00:00+02:00 (moved)",
                                "50%#0 2040-06-15T14:00:00+02:00",
                                "80%#0 2040-06-16T00:48:00+02:00",
                                "0#0 2040-06-16T08:00:00+02:00",
                                "+12h every 12h#0 2040-06-16T20:00:00+02:00",
                            }));
}

TEST(ClosedDueDayTest, LegalHolidayMovesTheLastStepToTheDayBefore) {
  // Verifies a 48 h notice due on Ascension Day (Thu 14 May 2026) warns on Wednesday instead.
  const Obligation o = ObligationOf("protocol.request_notice", "2026-05-12T16:00:00+02:00");
  ASSERT_EQ(Local(o.due_time), "2026-05-14T16:00:00+02:00");
  EXPECT_EQ(DefaultPlan(o), (std::vector<std::string>{
                                "-2h#0 2026-05-13T14:00:00+02:00 (moved)",
                                "50%#0 2026-05-13T16:00:00+02:00",
                                "80%#0 2026-05-14T06:24:00+02:00",
                                "0#0 2026-05-14T16:00:00+02:00",
                                "+12h every 12h#0 2026-05-15T04:00:00+02:00",
                            }));
}

TEST(ClosedDueDayTest, FlemishOfficeClosuresMoveTheLastStepToo) {
  // Verifies 11 July and 15 November (Flemish office closures) move -2h to the day before.
  // They are not legal holidays: the due time itself does not move.
  Obligation o = ObligationOf("protocol.request_notice", "2028-07-09T12:00:00+02:00");
  ASSERT_EQ(Local(o.due_time), "2028-07-11T12:00:00+02:00");  // Tuesday, 11 July
  EXPECT_EQ(DefaultPlan(o), (std::vector<std::string>{
                                "-2h#0 2028-07-10T10:00:00+02:00 (moved)",
                                "50%#0 2028-07-10T12:00:00+02:00",
                                "80%#0 2028-07-11T02:24:00+02:00",
                                "0#0 2028-07-11T12:00:00+02:00",
                                "+12h every 12h#0 2028-07-12T00:00:00+02:00",
                            }));

  o = ObligationOf("protocol.request_notice", "2028-11-13T12:00:00+01:00");
  ASSERT_EQ(Local(o.due_time), "2028-11-15T12:00:00+01:00");  // Wednesday, 15 November
  EXPECT_EQ(DefaultPlan(o), (std::vector<std::string>{
                                "-2h#0 2028-11-14T10:00:00+01:00 (moved)",
                                "50%#0 2028-11-14T12:00:00+01:00",
                                "80%#0 2028-11-15T02:24:00+01:00",
                                "0#0 2028-11-15T12:00:00+01:00",
                                "+12h every 12h#0 2028-11-16T00:00:00+01:00",
                            }));
}

TEST(ClosedDueDayTest, AllSoulsDayAfterAWeekendMovesToFriday) {
  // Verifies an answer due Mon 2 Nov 2026 gets its -2d reminder on Fri 30 Oct, not Saturday.
  // All Saints' Sunday, the weekend and All Souls' Day are crossed; -14d and -7d stay.
  const Obligation o = ObligationOf("gdpr.art12_response", "2026-10-02T10:00:00+02:00");
  ASSERT_EQ(Local(o.due_time), "2026-11-02T10:00:00+01:00");
  const EscalationPolicy policy = default_policy(RuleNamed(o.rule));
  const std::vector<StepTime> times = first_step_times(policy, o, Herent());
  ASSERT_EQ(times.size(), 5u) << ::testing::PrintToString(Describe(policy, times));
  for (const StepTime& t : times) {
    SCOPED_TRACE(policy.steps[t.step].label);
    if (t.step == 2) {
      EXPECT_TRUE(t.moved);
      EXPECT_EQ(Local(t.fire_time), "2026-10-30T10:00:00+01:00");
    } else {
      EXPECT_FALSE(t.moved);
      EXPECT_EQ(t.fire_time, shift(o.due_time, policy.steps[t.step].offset, Brussels()));
    }
  }
}

TEST(ClosedDueDayTest, ChristmasAndWeekendAreCrossedAsOneClosure) {
  // Verifies a move across Christmas and a weekend lands on the last working day before them.
  // Due Sat 26 Dec 2026: -2h goes to Thu 24 Dec; the 50% step on Christmas Day stays.
  Obligation o = ObligationOf("gdpr.art33_authority", "2026-12-23T20:00:00+01:00");
  ASSERT_EQ(Local(o.due_time), "2026-12-26T20:00:00+01:00");
  EXPECT_EQ(DefaultPlan(o), (std::vector<std::string>{
                                "-2h#0 2026-12-24T18:00:00+01:00 (moved)",
                                "50%#0 2026-12-25T08:00:00+01:00",
                                "80%#0 2026-12-26T05:36:00+01:00",
                                "0#0 2026-12-26T20:00:00+01:00",
                                "+12h every 12h#0 2026-12-27T08:00:00+01:00",
                            }));

  // Due Tue 26 Dec 2028: Sat 23, Sun 24, Christmas Monday and Boxing Day are all closed.
  o = ObligationOf("gdpr.art12_response", "2028-11-26T12:00:00+01:00");
  ASSERT_EQ(Local(o.due_time), "2028-12-26T12:00:00+01:00");
  EXPECT_EQ(DefaultPlan(o), (std::vector<std::string>{
                                "-14d#0 2028-12-12T12:00:00+01:00",
                                "-7d#0 2028-12-19T12:00:00+01:00",
                                "-2d#0 2028-12-22T12:00:00+01:00 (moved)",
                                "0#0 2028-12-26T12:00:00+01:00",
                                "+1d every 1d#0 2028-12-27T12:00:00+01:00",
                            }));
}

TEST(ClosedDueDayTest, StepAlreadyOnThePreviousWorkingDayStays) {
  // Verifies due Sat 26 Dec 2026: -2d falls on Thu 24 Dec, already the last working day before.
  const Obligation o = ObligationOf("gdpr.art12_response", "2026-11-26T10:00:00+01:00");
  ASSERT_EQ(Local(o.due_time), "2026-12-26T10:00:00+01:00");
  EXPECT_EQ(DefaultPlan(o), (std::vector<std::string>{
                                "-14d#0 2026-12-12T10:00:00+01:00",
                                "-7d#0 2026-12-19T10:00:00+01:00",
                                "-2d#0 2026-12-24T10:00:00+01:00",
                                "0#0 2026-12-26T10:00:00+01:00",
                                "+1d every 1d#0 2026-12-27T10:00:00+01:00",
                            }));
}

TEST(ClosedDueDayTest, WorkingDueDayMovesNothing) {
  // Verifies nothing moves when the due day is a working day, even steps on a weekend.
  const Obligation o = ObligationOf("gdpr.art33_authority", "2026-06-12T09:00:00+02:00");
  ASSERT_EQ(Local(o.due_time), "2026-06-15T09:00:00+02:00");  // Monday
  for (const StepTime& t : first_step_times(default_policy(RuleNamed(o.rule)), o, Herent())) {
    EXPECT_FALSE(t.moved) << t.step;
  }
}

TEST(ClosedDueDayTest, MovedStepIsNotLostWhenThePreviousWorkingDayIsBeforeTheStart) {
  // Verifies a breach at Fri 22:00, due Sun 10:00, still gets a -2h reminder.
  // Friday 08:00 (the previous working day) lies before the awareness: it cannot move there.
  // Regression test; the bug it caught, now fixed: first_step_times() moves the step to Fri 08:00
  // and then drops it as "before the start", so the DPO gets no -2h reminder at all. See the
  // report.
  const Obligation o = ObligationOf("protocol.breach_notice", "2026-06-12T22:00:00+02:00");
  ASSERT_EQ(Local(o.due_time), "2026-06-14T10:00:00+02:00");
  const EscalationPolicy policy = default_policy(RuleNamed(o.rule));
  const std::vector<StepTime> times = first_step_times(policy, o, Herent());
  bool planned = false;
  for (const StepTime& t : times) {
    EXPECT_GE(t.fire_time, o.start_time);
    if (t.step == 2) planned = true;
  }
  EXPECT_TRUE(planned) << ::testing::PrintToString(Describe(policy, times));
}

TEST(FirstStepTimesTest, RepeatingStepBeforeTheStartFiresFromItsFirstRepetitionAfterIt) {
  // Verifies a repeating step whose first time lies before the obligation began is not lost: it
  // starts at its first repetition at or after the start, on its own grid; a step that does not
  // repeat is still dropped.
  //
  // Before: "-40h every 6h" of a 36 h notice was dropped whole, so none of its repetitions fired.
  const Obligation o = ObligationOf("protocol.breach_notice", "2026-11-10T09:00:00+01:00");
  ASSERT_EQ(Local(o.due_time), "2026-11-11T21:00:00+01:00");
  const EscalationPolicy policy{{Step("-40h", "6h"), Step("-39h")}};
  const std::vector<StepTime> times = first_step_times(policy, o, Herent());
  // The first time, due - 40 h, is 05:00: repetition 1 at 11:00 is the first after 09:00.
  EXPECT_EQ(Describe(policy, times),
            (std::vector<std::string>{"-40h every 6h#1 2026-11-10T11:00:00+01:00"}));
  ASSERT_EQ(times.size(), 1u);
  const auto next = next_repetition(policy, times[0], o, Brussels(), times[0].fire_time);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->repetition, 2);
  EXPECT_EQ(Local(next->fire_time), "2026-11-10T17:00:00+01:00");

  // Exactly on the start: that repetition itself.
  const EscalationPolicy on_start{{Step("-36h", "6h")}};
  EXPECT_EQ(Plan(o, on_start),
            (std::vector<std::string>{"-36h every 6h#0 2026-11-10T09:00:00+01:00"}));
  const EscalationPolicy one_before{{Step("-42h", "6h")}};
  EXPECT_EQ(Plan(o, one_before),
            (std::vector<std::string>{"-42h every 6h#1 2026-11-10T09:00:00+01:00"}));
}

// ---------------------------------------------------------------------------------------------
// Repetitions.

TEST(NextRepetitionTest, EveryTwelveHoursOneAfterAnother) {
  // Verifies "+12h every 12h" fired on time comes back every 12 h, repetition n at due + 12h(n+1).
  const Obligation o = ObligationOf("protocol.breach_notice", "2026-06-09T10:00:00+02:00");
  const EscalationPolicy policy = default_policy(RuleNamed(o.rule));
  StepTime fired{4, 0, o.due_time + hours{12}, false};
  std::vector<std::string> seen;
  for (int n = 1; n <= 6; ++n) {
    const auto next = next_repetition(policy, fired, o, Brussels(), fired.fire_time);
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->step, 4);
    EXPECT_EQ(next->repetition, n);
    EXPECT_FALSE(next->moved);
    EXPECT_EQ(next->fire_time, o.due_time + hours{12} * (n + 1));
    seen.push_back(Local(next->fire_time));
    fired = *next;
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{"2026-06-11T22:00:00+02:00", "2026-06-12T10:00:00+02:00",
                                      "2026-06-12T22:00:00+02:00", "2026-06-13T10:00:00+02:00",
                                      "2026-06-13T22:00:00+02:00", "2026-06-14T10:00:00+02:00"}));
}

TEST(NextRepetitionTest, FiredLateStillKeepsTheGrid) {
  // Verifies a repetition fired a few hours late is followed by the next one on the 12 h grid.
  const Obligation o = ObligationOf("protocol.breach_notice", "2026-06-09T10:00:00+02:00");
  const EscalationPolicy policy = default_policy(RuleNamed(o.rule));
  const StepTime fired{4, 2, o.due_time + hours{36}, false};
  const auto next = next_repetition(policy, fired, o, Brussels(), fired.fire_time + hours{5});
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->repetition, 3);
  EXPECT_EQ(Local(next->fire_time), "2026-06-12T22:00:00+02:00");
}

TEST(NextRepetitionTest, LongOverdueGetsTheNextAfterNowNotABurst) {
  // Verifies a long-overdue obligation gets the next repetition after now, not a burst.
  // 5 d 3 h overdue with repetition 0 just fired: the next is repetition 10, none in between.
  const Obligation o = ObligationOf("protocol.breach_notice", "2026-06-09T10:00:00+02:00");
  const EscalationPolicy policy = default_policy(RuleNamed(o.rule));
  const Instant now = o.due_time + hours{5 * 24 + 3};
  const auto next =
      next_repetition(policy, {4, 0, o.due_time + hours{12}, false}, o, Brussels(), now);
  ASSERT_TRUE(next.has_value());
  EXPECT_GT(next->fire_time, now);
  EXPECT_LE(next->fire_time - now, hours{12});
  EXPECT_EQ(next->repetition, 10);
  EXPECT_EQ(next->fire_time, o.due_time + hours{12} + hours{12} * next->repetition);
  EXPECT_EQ(Local(next->fire_time), "2026-06-16T10:00:00+02:00");
}

TEST(NextRepetitionTest, NowOnARepetitionGivesTheOneAfterIt) {
  // Verifies the next repetition is strictly after now, also when now is exactly on the grid.
  const Obligation o = ObligationOf("protocol.breach_notice", "2026-06-09T10:00:00+02:00");
  const EscalationPolicy policy = default_policy(RuleNamed(o.rule));
  const Instant now = o.due_time + hours{36};  // repetition 2's own time
  const auto next =
      next_repetition(policy, {4, 0, o.due_time + hours{12}, false}, o, Brussels(), now);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->repetition, 3);
  EXPECT_EQ(next->fire_time, o.due_time + hours{48});
}

TEST(NextRepetitionTest, MonthRuleRepeatsDaily) {
  // Verifies "+1d every 1d" of the one-month answer: one repetition per day after the due date.
  const Obligation o = ObligationOf("gdpr.art12_response", "2026-06-02T09:00:00+02:00");
  const EscalationPolicy policy = default_policy(RuleNamed(o.rule));
  StepTime fired{4, 0, o.due_time + hours{24}, false};
  for (int n = 1; n <= 3; ++n) {
    const auto next = next_repetition(policy, fired, o, Brussels(), fired.fire_time);
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->repetition, n);
    fired = *next;
  }
  EXPECT_EQ(Local(fired.fire_time), "2026-07-06T09:00:00+02:00");
}

TEST(NextRepetitionTest, StepsThatDoNotRepeatHaveNone) {
  // Verifies only a step with "every" comes back; an unknown step index has no repetition.
  const Obligation o = ObligationOf("protocol.breach_notice", "2026-06-09T10:00:00+02:00");
  const EscalationPolicy policy = default_policy(RuleNamed(o.rule));
  for (int step = 0; step < 4; ++step) {
    EXPECT_FALSE(next_repetition(policy, {step, 0, o.due_time, false}, o, Brussels(), o.due_time))
        << step;
  }
  EXPECT_FALSE(next_repetition(policy, {5, 0, o.due_time, false}, o, Brussels(), o.due_time));
  EXPECT_FALSE(next_repetition(policy, {-1, 0, o.due_time, false}, o, Brussels(), o.due_time));
}

// ---------------------------------------------------------------------------------------------
// Days keep the wall clock across a change of the clocks; hours are elapsed time.

TEST(ClockChangeTest, DaysBeforeTheDueTimeKeepItsTimeOfDay) {
  // Verifies "-14d" of an answer due Mon 2 Nov 2026 10:00 CET is Mon 19 Oct 10:00 CEST, the
  // same time of day as the deadline, not 14 × 24 h before it.
  //
  // Before: a day was 24 h, so the reminder came at 11:00 CEST, an hour off the deadline's time.
  const Obligation o = ObligationOf("gdpr.art12_response", "2026-10-02T10:00:00+02:00");
  ASSERT_EQ(Local(o.due_time), "2026-11-02T10:00:00+01:00");
  const std::vector<std::string> plan = DefaultPlan(o);
  ASSERT_FALSE(plan.empty());
  EXPECT_EQ(plan[0], "-14d#0 2026-10-19T10:00:00+02:00");
  EXPECT_EQ(plan[1], "-7d#0 2026-10-26T10:00:00+01:00");

  // Spring: due Fri 2 Apr 2027 09:00 CEST, 14 days before is 09:00 CET.
  const Obligation spring = ObligationOf("gdpr.art12_response", "2027-03-02T09:00:00+01:00");
  ASSERT_EQ(Local(spring.due_time), "2027-04-02T09:00:00+02:00");
  EXPECT_EQ(DefaultPlan(spring)[0], "-14d#0 2027-03-19T09:00:00+01:00");
}

TEST(ClockChangeTest, DailyRepetitionsKeepTheTimeOfDay) {
  // Verifies "+1d every 1d" after an answer due Wed 24 Mar 2027 09:00 CET comes at 09:00 every
  // day, also on and after Sunday 28 March, when the clocks go forward.
  //
  // Before: repetitions were 24 h apart, so from 28 March on they came at 10:00 CEST.
  const Obligation o = ObligationOf("gdpr.art12_response", "2027-02-24T09:00:00+01:00");
  ASSERT_EQ(Local(o.due_time), "2027-03-24T09:00:00+01:00");
  const EscalationPolicy policy = default_policy(RuleNamed(o.rule));
  StepTime fired = first_step_times(policy, o, Herent()).back();
  ASSERT_EQ(Local(fired.fire_time), "2027-03-25T09:00:00+01:00");
  std::vector<std::string> seen;
  for (int n = 1; n <= 4; ++n) {
    const auto next = next_repetition(policy, fired, o, Brussels(), fired.fire_time);
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->repetition, n);
    seen.push_back(Local(next->fire_time));
    fired = *next;
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{"2027-03-26T09:00:00+01:00", "2027-03-27T09:00:00+01:00",
                                      "2027-03-28T09:00:00+02:00", "2027-03-29T09:00:00+02:00"}));

  // Long overdue, across the change: the next one after now, at 09:00, not a burst.
  const StepTime first{4, 0, shift(o.due_time, StepDuration::of_days(1), Brussels()), false};
  const Instant now = At("2027-04-06T08:59:59+02:00");
  const auto next = next_repetition(policy, first, o, Brussels(), now);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(Local(next->fire_time), "2027-04-06T09:00:00+02:00");
  EXPECT_EQ(next->repetition, 12);
  const auto after = next_repetition(policy, first, o, Brussels(), next->fire_time);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(Local(after->fire_time), "2027-04-07T09:00:00+02:00");
}

TEST(ClockChangeTest, ADailyStepFirstDueInTheSpringGapRepeatsAtItsOwnTimeOfDay) {
  // Verifies "+1d every 1d" of a deadline due Sat 27 Mar 2027 02:30 CET: the first time, Sunday
  // 02:30, does not exist and moves to 03:30 CEST; the repetitions after it come at 02:30.
  //
  // Before: each repetition counted from the moved first time, so all came at 03:30.
  Obligation o = ObligationOf("protocol.breach_notice", "2027-03-26T14:30:00+01:00");
  o.due_time = At("2027-03-27T02:30:00+01:00");
  const EscalationPolicy policy{{Step("+1d", "1d")}};
  const std::vector<StepTime> times = first_step_times(policy, o, Herent());
  ASSERT_EQ(times.size(), 1u);
  EXPECT_EQ(Local(times[0].fire_time), "2027-03-28T03:30:00+02:00");
  const auto next = next_repetition(policy, times[0], o, Brussels(), times[0].fire_time);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(Local(next->fire_time), "2027-03-29T02:30:00+02:00");
}

TEST(ClockChangeTest, AnOffsetInHoursRepeatingDailyKeepsTheTimeOfDayOfItsFirstTime) {
  // Verifies "+12h every 1d" after a deadline due Sat 27 Mar 2027 20:00 CET: 12 elapsed hours
  // later is Sunday 09:00 CEST, and every day after at 09:00.
  //
  // Before (aed4bf8): the days were added to the due time before the 12 hours, so the
  // repetitions after the change came at 08:00.
  Obligation o = ObligationOf("protocol.breach_notice", "2027-03-26T08:00:00+01:00");
  ASSERT_EQ(Local(o.due_time), "2027-03-27T20:00:00+01:00");
  const EscalationPolicy policy{{Step("+12h", "1d")}};
  const std::vector<StepTime> times = first_step_times(policy, o, Herent());
  ASSERT_EQ(times.size(), 1u);
  EXPECT_EQ(Local(times[0].fire_time), "2027-03-28T09:00:00+02:00");
  const auto next = next_repetition(policy, times[0], o, Brussels(), times[0].fire_time);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(Local(next->fire_time), "2027-03-29T09:00:00+02:00");
}

TEST(ClockChangeTest, HoursAreElapsedTime) {
  // Verifies "+12h every 12h" stays 12 elapsed hours apart across the change of the clocks, as
  // deadlines in hours do: 21:00 CET on Saturday 27 March 2027 is followed by 10:00 CEST.
  const Obligation o = ObligationOf("protocol.breach_notice", "2027-03-26T09:00:00+01:00");
  ASSERT_EQ(Local(o.due_time), "2027-03-27T21:00:00+01:00");
  const EscalationPolicy policy = default_policy(RuleNamed(o.rule));
  const auto next = next_repetition(policy, {4, 0, o.due_time + hours{12}, false}, o, Brussels(),
                                    o.due_time + hours{12});
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(Local(next->fire_time), "2027-03-28T22:00:00+02:00");
  EXPECT_EQ(next->fire_time - o.due_time, hours{24});
}

TEST(ClockChangeTest, ARepeatingStepInDaysBeforeTheStartKeepsItsTimeOfDay) {
  // Verifies a daily step whose first time lies before the start joins at the first repetition
  // from the start on, at the deadline's time of day across the autumn change.
  const Obligation o = ObligationOf("gdpr.art12_response", "2026-10-02T10:00:00+02:00");
  const EscalationPolicy policy{{Step("-35d", "1d")}};
  // Due 2 Nov 10:00 CET; 35 days before is 28 Sep 10:00 CEST; repetition 4 is the start itself.
  EXPECT_EQ(Plan(o, policy),
            (std::vector<std::string>{"-35d every 1d#4 2026-10-02T10:00:00+02:00"}));
  const std::vector<StepTime> times = first_step_times(policy, o, Herent());
  ASSERT_EQ(times.size(), 1u);
  const auto late =
      next_repetition(policy, times[0], o, Brussels(), At("2026-10-26T09:30:00+01:00"));
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(Local(late->fire_time), "2026-10-26T10:00:00+01:00");
}

// ---------------------------------------------------------------------------------------------
// What the reminders say about the due day.

TEST(DueDayNoteTest, NamesWeekendsHolidaysAndOfficeClosures) {
  // Verifies the note for each kind of closed day, and none on an ordinary working day.
  const auto note = [](const std::string& due) {
    Obligation o;
    o.due_time = At(due);
    return due_day_note(o, Herent());
  };
  EXPECT_EQ(note("2026-06-10T22:00:00+02:00"), "");
  EXPECT_EQ(note("2026-06-13T08:00:00+02:00"), "Saturday");
  EXPECT_EQ(note("2026-06-14T10:00:00+02:00"), "Sunday");
  EXPECT_EQ(note("2026-05-14T16:00:00+02:00"), "Ascension Day");
  EXPECT_EQ(note("2026-12-25T10:00:00+01:00"), "Christmas Day");
  EXPECT_EQ(note("2027-12-25T09:00:00+01:00"), "Christmas Day");  // a Saturday: the holiday
  EXPECT_EQ(note("2028-07-11T12:00:00+02:00"), "Day of the Flemish Community: offices closed");
  EXPECT_EQ(note("2026-11-02T10:00:00+01:00"), "All Souls' Day: offices closed");
  EXPECT_EQ(note("2028-11-15T12:00:00+01:00"), "King's Feast: offices closed");
  EXPECT_EQ(note("2028-12-26T12:00:00+01:00"), "Boxing Day: offices closed");

  // In Dutch the mail's sentence says the offices are closed; the note only names the day.
  const auto dutch = [](const std::string& due) {
    Obligation o;
    o.due_time = At(due);
    return due_day_note(o, Herent(), true);
  };
  EXPECT_EQ(dutch("2026-06-10T22:00:00+02:00"), "");
  EXPECT_EQ(dutch("2026-06-13T08:00:00+02:00"), "zaterdag");
  EXPECT_EQ(dutch("2026-06-14T10:00:00+02:00"), "zondag");
  EXPECT_EQ(dutch("2026-05-14T16:00:00+02:00"), "Onze-Lieve-Heer-Hemelvaart");
  EXPECT_EQ(dutch("2027-12-25T09:00:00+01:00"), "Kerstmis");
  EXPECT_EQ(dutch("2028-07-11T12:00:00+02:00"), "Feestdag van de Vlaamse Gemeenschap");
  EXPECT_EQ(dutch("2026-11-02T10:00:00+01:00"), "Allerzielen");
}

TEST(DueDayNoteTest, UsesTheLocalDateAndConfiguredHolidays) {
  // Verifies the note uses the Brussels date and names a configured one-off holiday.
  Obligation o;
  o.due_time = At("2026-06-12T23:30:00Z");
  EXPECT_EQ(due_day_note(o, Herent()), "Saturday");

  Party p = Herent();
  p.calendar = HolidayCalendar::belgium({{date::year{2026} / 6 / 10, "Gemeentelijke feestdag"}});
  o.due_time = At("2026-06-10T22:00:00+02:00");
  EXPECT_EQ(due_day_note(o, p), "Gemeentelijke feestdag");
}

// ---------------------------------------------------------------------------------------------
// Configured steps.

TEST(ParseStepTest, AcceptsFractionsOffsetsDueAndRepetitions) {
  // Verifies each accepted form and what it means.
  EscalationStep s = Step("50%");
  EXPECT_EQ(s.fraction, std::optional<double>(0.5));
  EXPECT_FALSE(s.every.has_value());
  EXPECT_EQ(s.label, "50%");

  s = Step("12.5%");
  EXPECT_EQ(s.fraction, std::optional<double>(0.125));

  s = Step("-2h");
  EXPECT_FALSE(s.fraction.has_value());
  EXPECT_EQ(s.offset, StepDuration::of(-hours{2}));

  s = Step("-14d");
  EXPECT_EQ(s.offset, StepDuration::of_days(-14));

  s = Step("0", "", {Audience::kOwnerDpo, Audience::kOwnerEscalation});
  EXPECT_FALSE(s.fraction.has_value());
  EXPECT_EQ(s.offset, StepDuration{});
  EXPECT_EQ(audience_list(s.to), "owner_dpo,owner_escalation");

  s = Step("+30m");
  EXPECT_EQ(s.offset, StepDuration::of(minutes{30}));

  s = Step("+12h", "12h");
  EXPECT_EQ(s.offset, StepDuration::of(hours{12}));
  EXPECT_EQ(s.every, std::optional(StepDuration::of(hours{12})));
  EXPECT_EQ(s.label, "+12h every 12h");

  s = Step("+1d", "1d", {Audience::kReporter});
  EXPECT_EQ(s.offset, StepDuration::of_days(1));
  EXPECT_EQ(s.every, std::optional(StepDuration::of_days(1)));
  EXPECT_EQ(s.label, "+1d every 1d");
  EXPECT_EQ(audience_list(s.to), "reporter");
}

TEST(ParseStepTest, RefusesWhatIsNotAStepWithAMessage) {
  // Verifies bad steps are refused with a message that names the offending text.
  struct Bad {
    std::string at, every;
    std::vector<Audience> to;
    std::string names;  // the message mentions this
  };
  const std::vector<Audience> dpo{Audience::kOwnerDpo};
  const std::vector<Bad> cases{
      {"150%", "", dpo, "150%"},      {"100%", "", dpo, "100%"},   {"0%", "", dpo, "0%"},
      {"abc", "", dpo, "abc"},        {"", "", dpo, "not a step"}, {"12", "", dpo, "12"},
      {"+12h", "5m", dpo, "5m"},      {"+12h", "abc", dpo, "abc"}, {"+12h", "-12h", dpo, "-12h"},
      {"0", "", {}, "no recipients"},
  };
  for (const Bad& bad : cases) {
    SCOPED_TRACE("at '" + bad.at + "' every '" + bad.every + "'");
    std::string error;
    EXPECT_FALSE(parse_step(bad.at, bad.every, bad.to, &error).has_value());
    EXPECT_NE(error.find(bad.names), std::string::npos) << error;
  }
}

TEST(ParseStepTest, RefusesOffsetsAndRepetitionsLongerThanAYear) {
  // Verifies an offset or a repetition is at most 366 days, however it is written, and a longer
  // one is refused with a message naming it, also when its digits exceed every integer.
  //
  // Before: "99999999999999999999h" threw std::out_of_range ("stoll") out of the configuration,
  // and "-200000000000000d" overflowed into a positive offset.
  EXPECT_EQ(Step("-366d").offset, StepDuration::of_days(-366));
  EXPECT_EQ(Step("+8784h").offset, StepDuration::of(hours{8784}));
  EXPECT_EQ(Step("-527040m").offset, StepDuration::of(-minutes{527040}));
  EXPECT_EQ(Step("+1d", "366d").every, std::optional(StepDuration::of_days(366)));
  struct Bad {
    std::string at, every;
    std::string names;  // the message mentions this
  };
  for (const Bad& bad : std::vector<Bad>{
           {"-367d", "", "'-367d': an offset from the due time is at most 366d"},
           {"+8785h", "", "'+8785h': an offset from the due time is at most 366d"},
           {"-527041m", "", "'-527041m'"},
           {"-200000000000000d", "", "'-200000000000000d': an offset"},
           {"+99999999999999999999h", "", "'+99999999999999999999h': an offset"},
           {"+12h", "367d", "every '367d': must be a duration of at least 1h and at most 366d"},
           {"+12h", "99999999999999999999h", "every '99999999999999999999h'"},
       }) {
    SCOPED_TRACE("at '" + bad.at + "' every '" + bad.every + "'");
    std::string error;
    EXPECT_FALSE(parse_step(bad.at, bad.every, {Audience::kOwnerDpo}, &error).has_value());
    EXPECT_NE(error.find(bad.names), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace termijn::domain
