// Integration: the health probe against a real PostgreSQL, and against one that is not there.
#include "server/jobs/health_probe.h"

#include <gtest/gtest.h>

#include <vector>

#include "server/store/pg_store.h"
#include "tests/integration/pg_test.h"

namespace termijn::testing {
namespace {

class HealthProbeTest : public PgTest {};

TEST_F(HealthProbeTest, ReportsServingOnlyWhileTheDatabaseAnswers) {
  // A database that answers is SERVING; one that cannot be reached is NOT_SERVING; each change
  // is reported once, not on every check.
  std::vector<bool> reported;
  const auto report = [&](bool serving) { reported.push_back(serving); };
  const auto no_wait = [](std::chrono::milliseconds, std::stop_token) {};

  jobs::HealthProbe up(store(), report, no_wait);
  EXPECT_TRUE(up.check_once());
  EXPECT_TRUE(up.check_once());
  EXPECT_EQ(reported, std::vector<bool>{true});

  store::PgStore unreachable("postgresql:///termijn?host=/nonexistent-termijn-socket-dir", 2);
  jobs::HealthProbe down(unreachable, report, no_wait);
  EXPECT_FALSE(down.check_once());
  EXPECT_FALSE(down.check_once());
  EXPECT_EQ(reported, (std::vector<bool>{true, false}));
}

}  // namespace
}  // namespace termijn::testing
