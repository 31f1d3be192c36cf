// PgPool against a real PostgreSQL: a call's deadline bounds its statements without costing a
// statement of its own.
#include <gtest/gtest.h>

#include <chrono>
#include <pqxx/pqxx>
#include <string>

#include "server/app/call_deadline.h"
#include "server/store/pg_audit_store.h"
#include "server/store/pg_pool.h"
#include "server/store/pg_webhook_store.h"
#include "tests/integration/pg_test.h"

namespace termijn::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class PgPoolTest : public PgTest {
 protected:
  // A pool of its own (no prepared statements needed beyond the session limits), with the
  // default statement timeout of 30 s.
  store::PgPool pool_{db().url(), store::PgPoolOptions{.size = 2},
                      store::prepare_statements};

  static app::CallDeadline within(milliseconds ms) {
    return app::CallDeadline(std::chrono::system_clock::now() + ms);
  }

  static std::string one(store::PgPool::Lease& lease, const std::string& sql) {
    pqxx::nontransaction tx(*lease);
    return tx.exec1(sql)[0].as<std::string>();
  }
};

TEST_F(PgPoolTest, ACallsDeadlineCostsNoStatementOfItsOwn) {
  // Before: a call with a deadline sooner than the statement timeout set the session's
  // statement_timeout before its work and back after it: two more round trips for every read.
  const auto deadline = within(seconds(5));
  auto lease = pool_.acquire();

  EXPECT_EQ(one(lease, "SHOW statement_timeout"), "30s");
}

TEST_F(PgPoolTest, AStatementStillRunningAtItsCallsDeadlineIsCancelled) {
  const auto deadline = within(milliseconds(300));
  auto lease = pool_.acquire();
  pqxx::nontransaction tx(*lease);

  try {
    tx.exec("SELECT pg_sleep(20)");
    FAIL() << "the statement should have been cancelled at the call's deadline";
  } catch (const pqxx::sql_error& e) {
    EXPECT_EQ(e.sqlstate(), "57014") << e.what();  // query_canceled
  }
}

TEST_F(PgPoolTest, ASessionWhoseStatementWasCancelledIsNotReused) {
  // A cancel request travels apart from the session: one that arrives late must not hit the next
  // call's statement, so the session it was sent to is closed.
  int cancelled_pid = 0;
  {
    const auto deadline = within(milliseconds(200));
    auto lease = pool_.acquire();
    cancelled_pid = lease->backendpid();
    pqxx::nontransaction tx(*lease);
    EXPECT_THROW(tx.exec("SELECT pg_sleep(20)"), pqxx::sql_error);
  }
  auto first = pool_.acquire();
  auto second = pool_.acquire();

  EXPECT_NE(first->backendpid(), cancelled_pid);
  EXPECT_NE(second->backendpid(), cancelled_pid);
}

TEST_F(PgPoolTest, ALeaseReturnedBeforeItsDeadlineIsNotCancelledLater) {
  int pid = 0;
  {
    const auto deadline = within(milliseconds(100));
    auto lease = pool_.acquire();
    pid = lease->backendpid();
    EXPECT_EQ(one(lease, "SELECT 1"), "1");
  }
  // The same session, for work without a deadline that outlasts the earlier call's deadline.
  auto lease = pool_.acquire();
  EXPECT_EQ(lease->backendpid(), pid);
  EXPECT_EQ(one(lease, "SELECT pg_sleep(0.4)::text || 'done'"), "done");
}

TEST_F(PgPoolTest, BackgroundReadsOfTheAuditTrailAndWebhooksLeaveCallsTheirConnection) {
  // A background worker holds one of two connections: the audit trail's and the webhook queue's
  // background reads wait for the background's share (and time out here) instead of taking the
  // connection kept for calls; the same reads for a call get it.
  //
  // Before: their reads always asked as calls, so background work (the sequencer's head(), the
  // checkpointer, webhook fills) could hold every connection while a call waited.
  store::PgPool pool{db().url(),
                     store::PgPoolOptions{.size = 2, .acquire_timeout = milliseconds(200)},
                     store::prepare_statements};
  auto held = pool.acquire(store::PgPool::Use::kBackground);
  store::PgAuditStore background_audit(pool, store::PgPool::Use::kBackground);
  store::PgWebhookStore background_webhooks(pool, store::PgPool::Use::kBackground);
  EXPECT_EQ(background_audit.head().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(background_webhooks.deliveries({}, "", 10).status().code(),
            absl::StatusCode::kUnavailable);

  store::PgAuditStore call_audit(pool, store::PgPool::Use::kCall);
  EXPECT_TRUE(call_audit.head().ok()) << call_audit.head().status();
}

}  // namespace
}  // namespace termijn::testing
