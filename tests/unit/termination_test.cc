#include "server/domain/termination.h"

#include <gtest/gtest.h>

#include "tests/unit/times.h"

namespace termijn::domain {
namespace {

using unit::At;
using unit::Brussels;

TerminationEffect Effect(TerminationKind kind, const std::string& notice) {
  return termination_effect(kind, At(notice), Brussels(), HolidayCalendar::belgium());
}

TEST(TerminationTest, Article10TakesEffectOnTheFirstDayOfTheNextMonth) {
  // Verifies protocol art. 10: the first day of the month after the notice, at 00:00 local.
  const TerminationEffect e = Effect(TerminationKind::kBreach, "2026-03-15T10:00:00+01:00");
  EXPECT_EQ(format_rfc3339(e.effective_time, Brussels()), "2026-04-01T00:00:00+02:00");
  EXPECT_EQ(e.explanation,
            "Protocol art. 10: a termination notified at 2026-03-15 10:00 CET takes effect on the "
            "first day of the month after the notice: 2026-04-01 00:00 CEST.");
  EXPECT_EQ(e.explanation_nl,
            "Art. 10 protocol: een beëindiging meegedeeld op 2026-03-15 10:00 CET heeft "
            "uitwerking op de eerste dag van de maand na de kennisgeving: 2026-04-01 00:00 CEST.");
}

TEST(TerminationTest, TheLocalDateOfTheNoticeDecidesTheMonth) {
  // Verifies a notice at 00:30 on 1 April in Brussels (31 March in UTC) counts as April, and
  // that a date of taking effect on a public holiday does not move (Reg. 1182/71 art. 4).
  const TerminationEffect e = Effect(TerminationKind::kBreach, "2026-03-31T22:30:00Z");
  EXPECT_EQ(format_rfc3339(e.effective_time, Brussels()), "2026-05-01T00:00:00+02:00");
  EXPECT_NE(e.explanation.find("Fri 2026-05-01 is Labour Day; under Reg. 1182/71 art. 4 a date of "
                               "taking effect does not move."),
            std::string::npos)
      << e.explanation;
  EXPECT_NE(e.explanation_nl.find("vr 2026-05-01 is Dag van de Arbeid; volgens art. 4 Verord. "
                                  "1182/71 verschuift een datum van inwerkingtreding niet."),
            std::string::npos)
      << e.explanation_nl;
  const TerminationEffect saturday = Effect(TerminationKind::kBreach, "2026-07-20T09:00");
  EXPECT_EQ(format_rfc3339(saturday.effective_time, Brussels()), "2026-08-01T00:00:00+02:00");
  EXPECT_NE(saturday.explanation.find("Sat 2026-08-01 is a Saturday"), std::string::npos);
  EXPECT_NE(saturday.explanation_nl.find("za 2026-08-01 is een zaterdag"), std::string::npos);
}

TEST(TerminationTest, Article18CountsThreeMonthsFromTheFirstDayOfTheNextMonth) {
  // Verifies protocol art. 18: the notice runs from the first day of the next month for three
  // months; the protocol ends on the first day after it expires.
  const TerminationEffect e = Effect(TerminationKind::kNotice, "2026-03-15T10:00:00+01:00");
  EXPECT_EQ(format_rfc3339(e.effective_time, Brussels()), "2026-07-01T00:00:00+02:00");
  EXPECT_EQ(e.explanation,
            "Protocol art. 18: the notice of three months given at 2026-03-15 10:00 CET starts on "
            "Wed 2026-04-01 (the first day of the month after the notice) and expires at the end "
            "of Tue 2026-06-30; the protocol ends at 2026-07-01 00:00 CEST.");
  EXPECT_EQ(e.explanation_nl,
            "Art. 18 protocol: de opzegtermijn van drie maanden, gegeven op 2026-03-15 10:00 CET, "
            "begint op wo 2026-04-01 (de eerste dag van de maand na de opzegging) en verstrijkt "
            "op het einde van di 2026-06-30; het protocol eindigt op 2026-07-01 00:00 CEST.");
  // Across a year and a DST change: notice in September ends the protocol on New Year's Day.
  const TerminationEffect winter = Effect(TerminationKind::kNotice, "2026-09-30T23:59");
  EXPECT_EQ(format_rfc3339(winter.effective_time, Brussels()), "2027-01-01T00:00:00+01:00");
  EXPECT_NE(winter.explanation.find("expires at the end of Thu 2026-12-31"), std::string::npos)
      << winter.explanation;
  EXPECT_NE(winter.explanation.find("Fri 2027-01-01 is New Year's Day"), std::string::npos);
}

}  // namespace
}  // namespace termijn::domain
