// Integration: waking the background workers after a commit (PgWakeups, PgListener) against a
// real PostgreSQL: at once in the process, by one NOTIFY sent after the commit in others, and
// never by a NOTIFY in the writing transaction (which would serialise the commits).
#include <gtest/gtest.h>

#include <chrono>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "server/app/report_incident.h"
#include "server/store/pg_audit_store.h"
#include "server/store/pg_store.h"
#include "server/store/pg_wakeups.h"
#include "server/store/statements.h"
#include "tests/fakes/fake_clock.h"
#include "tests/integration/pg_test.h"

namespace termijn::testing {
namespace {

using std::chrono::milliseconds;

class WakeupsTest : public PgTest {};

// What another process's listener receives on a channel: (payload, sending backend).
class Heard final : public pqxx::notification_receiver {
 public:
  using pqxx::notification_receiver::notification_receiver;
  void operator()(const std::string& payload, int backend) override {
    payloads.push_back(payload);
    backends.push_back(backend);
  }
  std::vector<std::string> payloads;
  std::vector<int> backends;
};

// A wake-up reaches this process's listener at once, and other processes' listeners by
// notification; the listener of the waking process does not count its own notification again.
TEST_F(WakeupsTest, WakesTheLocalListenerAtOnceAndOthersByOneNotification) {
  store::PgWakeups wakeups(db().url());
  store::PgListener local(db().url(), store::kOutboxChannel, &wakeups);
  store::PgListener other(db().url(), store::kOutboxChannel);

  wakeups.wake(store::kOutboxChannel);

  EXPECT_TRUE(local.wait(milliseconds(0)));
  EXPECT_TRUE(other.wait(std::chrono::seconds(5)));
  EXPECT_FALSE(local.wait(milliseconds(300))) << "woken again by its own notification";
  EXPECT_FALSE(other.wait(milliseconds(0)));
}

// Wake-ups within the interval share one notification per channel.
TEST_F(WakeupsTest, WakeUpsWithinTheIntervalShareOneNotification) {
  pqxx::connection listening(db().url());
  Heard heard(listening, store::kStepChannel);
  {
    // An interval far longer than the test: a second notification cannot be due in it.
    store::PgWakeups wakeups(db().url(), std::chrono::minutes(10));
    wakeups.wake(store::kStepChannel);
    for (int i = 0; i < 50; ++i) wakeups.wake(store::kStepChannel);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (heard.payloads.empty() && std::chrono::steady_clock::now() < until) {
      listening.await_notification(0, 100000);
    }
    listening.await_notification(0, 500000);
    ASSERT_EQ(heard.payloads.size(), 1u);
    EXPECT_EQ(heard.payloads[0], wakeups.origin());
  }
}

// A ReportIncident transaction queues a notice, steps and audit entries without a NOTIFY of its
// own: every notification the workers of other processes get comes from the wake-up connection,
// after the commit. (A NOTIFY in the writing transaction takes PostgreSQL's notify lock through
// the commit's WAL flush and so serialises every writer.)
TEST_F(WakeupsTest, AWriteTransactionDoesNotNotify) {
  pqxx::connection listening(db().url());
  Heard outbox(listening, store::kOutboxChannel);
  Heard steps(listening, store::kStepChannel);
  Heard audit(listening, store::kAuditChannel);
  FakeClock clock(at("2026-03-27T15:00:00+01:00"));
  const app::Directory& directory = demo_directory();
  app::ReportIncident report(clock, store(), directory, {});
  app::ReportIncidentInput in;
  in.party = "herent";
  in.title = "Laptop stolen";
  in.aware_time = "2026-03-27T14:20:00+01:00";
  const auto record = report.run({"herent-dpo", "herent"}, in);
  ASSERT_TRUE(record.ok()) << record.status();

  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((outbox.payloads.empty() || steps.payloads.empty() || audit.payloads.empty()) &&
         std::chrono::steady_clock::now() < until) {
    listening.await_notification(0, 100000);
  }
  for (const Heard* heard : {&outbox, &steps, &audit}) {
    ASSERT_FALSE(heard->payloads.empty());
    for (const std::string& payload : heard->payloads) {
      EXPECT_FALSE(payload.empty()) << "notified by the writing transaction";
    }
  }
}

}  // namespace
}  // namespace termijn::testing
