// How a register judges a duty: against its due time and its legal limit, and at the time of the
// register while it is open.
#include "server/domain/timeliness.h"

#include <gtest/gtest.h>

namespace termijn::domain {
namespace {

using std::chrono::hours;

const Instant kDue = Instant{std::chrono::seconds{1'800'000'000}};

Obligation with(ObligationState state, std::optional<Instant> closed) {
  Obligation o;
  o.due_time = kDue;
  o.legal_due_time = kDue + hours(1);
  o.state = state;
  o.closed_time = closed;
  return o;
}

TEST(TimelinessTest, MetIsJudgedByWhenItWasMet) {
  // At the due time is on time; after it, late; after the legal limit, beyond it.
  EXPECT_EQ(timeliness_of(with(ObligationState::kMet, kDue), kDue), Timeliness::kOnTime);
  EXPECT_EQ(timeliness_of(with(ObligationState::kMetLate, kDue + std::chrono::minutes(30)), kDue),
            Timeliness::kLate);
  EXPECT_EQ(timeliness_of(with(ObligationState::kMetLate, kDue + hours(2)), kDue),
            Timeliness::kBeyondLegalLimit);
}

TEST(TimelinessTest, OpenIsJudgedAtTheTimeOfTheRegister) {
  // Open until its due time, overdue after it, and past its legal limit after that: before, a
  // register said "overdue" also once the law was broken, as for a duty an hour late.
  EXPECT_EQ(timeliness_of(with(ObligationState::kOpen, std::nullopt), kDue), Timeliness::kOpen);
  EXPECT_EQ(
      timeliness_of(with(ObligationState::kOpen, std::nullopt), kDue + std::chrono::minutes(30)),
      Timeliness::kOverdue);
  EXPECT_EQ(timeliness_of(with(ObligationState::kOpen, std::nullopt), kDue + hours(2)),
            Timeliness::kOverdueBeyondLegalLimit);
}

TEST(TimelinessTest, APolicyTargetMissedIsLateNeverBeyondALegalLimit) {
  // GDPR art. 34 says "without undue delay": its 72 hours are policy, and its legal_due_time is
  // that target. Open or met past it, the register says overdue or late, not that the law was
  // broken.
  Obligation open = with(ObligationState::kOpen, std::nullopt);
  open.rule = "gdpr.art34_subjects";
  open.legal_due_time = open.due_time;
  EXPECT_EQ(timeliness_of(open, kDue + hours(500)), Timeliness::kOverdue);
  Obligation met = with(ObligationState::kMetLate, kDue + hours(500));
  met.rule = "gdpr.art34_subjects";
  met.legal_due_time = met.due_time;
  EXPECT_EQ(timeliness_of(met, kDue + hours(600)), Timeliness::kLate);
}

TEST(TimelinessTest, TheLegalLimitIsTheInstantThePeriodHasExpired) {
  // Reg. 1182/71 art. 3(2): a period ends with the expiry of its last hour. The legal limit is
  // that instant (00:00 after the last day), which already belongs to the next day, as 16:00:00
  // belongs to the hour 16:00-17:00. Before: met or judged exactly at it was within the law.
  const Instant limit = kDue + hours(1);
  const auto second = std::chrono::seconds(1);
  EXPECT_EQ(timeliness_of(with(ObligationState::kMetLate, limit - second), kDue),
            Timeliness::kLate);
  EXPECT_EQ(timeliness_of(with(ObligationState::kMetLate, limit), kDue),
            Timeliness::kBeyondLegalLimit);
  EXPECT_EQ(timeliness_of(with(ObligationState::kOpen, std::nullopt), limit - second),
            Timeliness::kOverdue);
  EXPECT_EQ(timeliness_of(with(ObligationState::kOpen, std::nullopt), limit),
            Timeliness::kOverdueBeyondLegalLimit);
}

TEST(TimelinessTest, MetAtADueTimeThatIsTheLegalLimitIsOnTime) {
  // A termination takes effect at an instant that is both its due time and its legal limit
  // (Reg. 1182/71 art. 4): met at it is on time, as its state (met) says.
  Obligation o = with(ObligationState::kMet, kDue);
  o.legal_due_time = kDue;
  EXPECT_EQ(timeliness_of(o, kDue), Timeliness::kOnTime);
  Obligation open = with(ObligationState::kOpen, std::nullopt);
  open.legal_due_time = kDue;
  EXPECT_EQ(timeliness_of(open, kDue), Timeliness::kOpen);
  EXPECT_EQ(timeliness_of(open, kDue + std::chrono::seconds(1)),
            Timeliness::kOverdueBeyondLegalLimit);
}

TEST(TimelinessTest, WaivedIsWaivedWhenever) {
  // A waiver is a decision, not a delay.
  EXPECT_EQ(timeliness_of(with(ObligationState::kWaived, kDue + hours(5)), kDue),
            Timeliness::kWaived);
}

}  // namespace
}  // namespace termijn::domain
