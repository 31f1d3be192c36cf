#include <gtest/gtest.h>

#include "server/api/principal.h"

namespace termijn::api {
namespace {

const Principal kHerentDpo{"herent-dpo", "herent", false, true, false};
const Principal kHerentReporter{"herent-reporter", "herent", true, false, false};
const Principal kAuditor{"auditor", "", false, false, true};

TEST(PolicyTest, RecordingIsForReportersAndDposOfTheirOwnParty) {
  // Nobody records for another party; auditors record nothing.
  EXPECT_TRUE(policy::may_record(kHerentReporter, "herent").ok());
  EXPECT_TRUE(policy::may_record(kHerentDpo, "herent").ok());
  EXPECT_EQ(policy::may_record(kHerentDpo, "kortenberg").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(policy::may_record(kAuditor, "herent").code(), absl::StatusCode::kPermissionDenied);
}

TEST(PolicyTest, ReadingNeedsARecordThatConcernsTheParty) {
  // A record concerns the reporting party and every party it is notified to.
  EXPECT_TRUE(policy::may_read(kHerentReporter, {"kortenberg", "herent"}).ok());
  EXPECT_EQ(policy::may_read(kHerentReporter, {"kortenberg", "leuven"}).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(policy::may_read(kAuditor, {"kortenberg"}).ok());
}

TEST(PolicyTest, OnlyTheOwnersDpoClosesAndOnlyTheRecipientsDpoAcknowledges) {
  // Closing and acknowledging take the dpo role of the right party.
  EXPECT_TRUE(policy::may_close(kHerentDpo, "herent").ok());
  EXPECT_FALSE(policy::may_close(kHerentReporter, "herent").ok());
  EXPECT_FALSE(policy::may_close(kHerentDpo, "kortenberg").ok());
  EXPECT_TRUE(policy::may_acknowledge(kHerentDpo, "herent").ok());
  EXPECT_FALSE(policy::may_acknowledge(kHerentDpo, "kortenberg").ok());
  EXPECT_FALSE(policy::may_acknowledge(kAuditor, "herent").ok());
}

TEST(PolicyTest, ListsAreScopedToTheOwnPartyUnlessAuditor) {
  // A list without a party shows the principal's own; another party's is refused.
  EXPECT_EQ(*policy::list_scope(kHerentReporter, ""), "herent");
  EXPECT_EQ(*policy::list_scope(kHerentReporter, "herent"), "herent");
  EXPECT_FALSE(policy::list_scope(kHerentReporter, "kortenberg").ok());
  EXPECT_EQ(*policy::list_scope(kAuditor, ""), "");
  EXPECT_EQ(*policy::list_scope(kAuditor, "kortenberg"), "kortenberg");
  EXPECT_TRUE(policy::may_read_audit(kAuditor).ok());
  EXPECT_TRUE(policy::may_read_audit(kHerentDpo).ok());
  EXPECT_FALSE(policy::may_read_audit(kHerentReporter).ok());
}

}  // namespace
}  // namespace termijn::api
