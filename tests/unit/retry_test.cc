#include <gtest/gtest.h>

#include "server/domain/retry.h"

namespace termijn::domain {
namespace {

using std::chrono::seconds;

TEST(RetryDelayTest, DoublesFromTheInitialDelayUpToTheCap) {
  // Without jitter (random 1.0 gives the full delay): 30 s, 60 s, 120 s ... capped at 1800 s.
  const RetryPolicy p{8, seconds{30}, seconds{1800}};
  EXPECT_EQ(retry_delay(p, 1, 0.999999), seconds{30});
  EXPECT_EQ(retry_delay(p, 2, 0.999999), seconds{60});
  EXPECT_EQ(retry_delay(p, 3, 0.999999), seconds{120});
  EXPECT_EQ(retry_delay(p, 7, 0.999999), seconds{1800});
  EXPECT_EQ(retry_delay(p, 40, 0.999999), seconds{1800});
}

TEST(RetryDelayTest, JitterKeepsTheDelayBetweenHalfAndAll) {
  // Jitter spreads retries over [50 %, 100 %] of the delay, never to zero.
  const RetryPolicy p{8, seconds{30}, seconds{1800}};
  EXPECT_EQ(retry_delay(p, 2, 0.0), seconds{30});
  EXPECT_EQ(retry_delay(p, 2, 0.5), seconds{45});
  for (double r = 0; r < 1; r += 0.01) {
    const auto d = retry_delay(p, 3, r);
    EXPECT_GE(d, seconds{60});
    EXPECT_LE(d, seconds{120});
  }
  EXPECT_GE(retry_delay({8, seconds{1}, seconds{1}}, 1, 0.0), seconds{1});
}

}  // namespace
}  // namespace termijn::domain
