#include <gtest/gtest.h>

#include "server/api/principal.h"
#include "server/config/config.h"

namespace termijn::api {
namespace {

const Principal kHerentDpo{"herent-dpo", "herent", false, true, false};
const Principal kHerentReporter{"herent-reporter", "herent", true, false, false};
const Principal kKortenbergReporter{"kortenberg-reporter", "kortenberg", true, false, false};
const Principal kAuditor{"auditor", "", false, false, true};

TEST(PolicyTest, RecordingIsForReportersAndDposOfTheirOwnParty) {
  // Nobody records for another party; auditors record nothing.
  EXPECT_TRUE(policy::may_record(kHerentReporter, "herent").ok());
  EXPECT_TRUE(policy::may_record(kHerentDpo, "herent").ok());
  EXPECT_EQ(policy::may_record(kHerentDpo, "kortenberg").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(policy::may_record(kAuditor, "herent").code(), absl::StatusCode::kPermissionDenied);
}

TEST(PolicyTest, TerminatingTheProtocolTakesTheDpoRole) {
  // A reporter records findings and departures; ending the protocol is the party's decision.
  using domain::MatterKind;
  EXPECT_TRUE(policy::may_report_matter(kHerentReporter, "herent", MatterKind::kDataQuality).ok());
  EXPECT_TRUE(
      policy::may_report_matter(kHerentReporter, "herent", MatterKind::kStaffDeparture).ok());
  for (const MatterKind kind : {MatterKind::kTerminationArt10, MatterKind::kTerminationArt18}) {
    const absl::Status refused = policy::may_report_matter(kHerentReporter, "herent", kind);
    EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(refused.message(),
              "herent-reporter may not record a termination of the protocol "
              "for party 'herent': that takes its dpo role");
    EXPECT_TRUE(policy::may_report_matter(kHerentDpo, "herent", kind).ok());
    EXPECT_EQ(policy::may_report_matter(kHerentDpo, "kortenberg", kind).code(),
              absl::StatusCode::kPermissionDenied);
  }
}

TEST(PolicyTest, OwnPartySeesAllNotifiedPartySeesTheNoticeOthersSeeNothing) {
  // The view of a record follows from the parties it concerns; auditors read everything, the
  // owner party all but other parties' own duties (app::owner_view).
  const app::RecordParties herent_to_kortenberg{"herent", {"kortenberg"}};
  EXPECT_EQ(*policy::view_of(kHerentReporter, herent_to_kortenberg, "incidents/1"),
            app::View::kOwner);
  EXPECT_EQ(*policy::view_of(kKortenbergReporter, herent_to_kortenberg, "incidents/1"),
            app::View::kNotified);
  EXPECT_EQ(*policy::view_of(kAuditor, herent_to_kortenberg, "incidents/1"), app::View::kFull);
}

TEST(PolicyTest, AnUnrelatedRecordAndAMissingOneGiveTheSameAnswer) {
  // NOT_FOUND with one message: the answer does not tell whether the id exists.
  const auto unrelated =
      policy::view_of(kKortenbergReporter, app::RecordParties{"herent", {}}, "obligations/7");
  const auto missing = policy::view_of(
      kKortenbergReporter, absl::NotFoundError("obligations/7: no such row"), "obligations/7");
  EXPECT_EQ(unrelated.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(unrelated.status(), missing.status());
  const auto unavailable =
      policy::view_of(kKortenbergReporter, absl::UnavailableError("db down"), "obligations/7");
  EXPECT_EQ(unavailable.status().code(), absl::StatusCode::kUnavailable);
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

TEST(PolicyTest, ListsAreSeenByTheOwnPartyUnlessAuditor) {
  // A list without a party shows the principal's own; another party's only as far as it
  // concerns the principal's party.
  const app::Directory directory(config::load_config(TERMIJN_DEMO_CONFIG).parties);
  const auto scope = [&](const Principal& p, const std::string& party) {
    return policy::list_scope(p, party, directory);
  };
  EXPECT_EQ(scope(kHerentReporter, "")->party, "herent");
  EXPECT_EQ(scope(kHerentReporter, "")->viewer, "herent");
  EXPECT_EQ(scope(kHerentReporter, "kortenberg")->party, "kortenberg");
  EXPECT_EQ(scope(kHerentReporter, "kortenberg")->viewer, "herent");
  EXPECT_EQ(scope(kAuditor, "")->party, "");
  EXPECT_EQ(scope(kAuditor, "")->viewer, "");
  EXPECT_EQ(scope(kAuditor, "kortenberg")->party, "kortenberg");
  // A misspelt party is an error, not an empty list that reads as "nothing is due". Before: an
  // empty list.
  for (const Principal& p : {kAuditor, kHerentDpo, kHerentReporter}) {
    EXPECT_EQ(scope(p, "kortenbreg").status().message(),
              "party: unknown party 'kortenbreg' (known: herent, kortenberg)");
  }
  EXPECT_TRUE(policy::may_read_audit(kAuditor).ok());
  EXPECT_TRUE(policy::may_read_audit(kHerentDpo).ok());
  EXPECT_FALSE(policy::may_read_audit(kHerentReporter).ok());
}

}  // namespace
}  // namespace termijn::api
