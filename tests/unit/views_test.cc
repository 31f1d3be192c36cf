#include "server/app/views.h"

#include <gtest/gtest.h>

namespace termijn::app {
namespace {

domain::Obligation obligation(const std::string& rule, const std::string& recipient) {
  domain::Obligation o;
  o.id = 1;
  o.incident_id = 4;
  o.rule = rule;
  o.owner_party = "herent";
  o.recipient_party = recipient;
  o.state = domain::ObligationState::kWaived;
  o.evidence = "Encrypted disk";
  o.closed_by = "herent-dpo";
  o.next_step_time = domain::Instant{std::chrono::seconds{100}};
  o.next_step = "80%";
  o.escalation_level = 2;
  return o;
}

TEST(ViewsTest, TheNotifiedIncidentKeepsTheNoticeAndDropsTheOwnersDuties) {
  // Kortenberg sees the breach notice's fields and its own notice obligation, stripped of
  // evidence, who closed it and Herent's reminder schedule; not Herent's art. 33 duty.
  IncidentRecord record;
  record.incident.party = "herent";
  record.incident.title = "Laptop stolen";
  record.incident.create_time = domain::Instant{std::chrono::seconds{50}};
  record.obligations = {obligation("gdpr.art33_authority", ""),
                        obligation("protocol.breach_notice", "kortenberg"),
                        obligation("protocol.breach_notice", "leuven")};
  const RecordParties parties = parties_of(record);
  EXPECT_EQ(parties.owner, "herent");
  EXPECT_EQ(parties.notified, (std::vector<std::string>{"kortenberg", "leuven"}));

  const IncidentRecord seen = as_viewed(record, View::kNotified, "kortenberg");
  EXPECT_EQ(seen.incident.title, "Laptop stolen");
  EXPECT_EQ(seen.incident.create_time, domain::Instant{});
  ASSERT_EQ(seen.obligations.size(), 1u);
  const domain::Obligation& notice = seen.obligations[0];
  EXPECT_EQ(notice.recipient_party, "kortenberg");
  EXPECT_EQ(notice.state, domain::ObligationState::kWaived);
  EXPECT_EQ(notice.evidence, "");
  EXPECT_EQ(notice.closed_by, "");
  EXPECT_FALSE(notice.next_step_time.has_value());
  EXPECT_EQ(notice.next_step, "");
  EXPECT_EQ(notice.escalation_level, 0);

  EXPECT_EQ(as_viewed(record, View::kFull, "herent").obligations.size(), 3u);

  // A met notice keeps its proof of delivery.
  record.obligations[1].state = domain::ObligationState::kMet;
  record.obligations[1].evidence = "Message-ID <n-1@ocmw.example>";
  EXPECT_EQ(as_viewed(record, View::kNotified, "kortenberg").obligations[0].evidence,
            "Message-ID <n-1@ocmw.example>");
}

TEST(ViewsTest, ARequestNoticeCarriesTheCopy) {
  // Protocol art. 14: the notice attaches a copy of the original, so the notified view keeps it.
  RequestRecord record;
  record.request.party = "herent";
  record.request.copy = domain::Attachment{"letter.txt", "text/plain", "", 6, "letter"};
  record.obligations = {obligation("protocol.request_notice", "kortenberg"),
                        obligation("gdpr.art12_response", "")};
  const RequestRecord seen = as_viewed(record, View::kNotified, "kortenberg");
  ASSERT_TRUE(seen.request.copy.has_value());
  EXPECT_EQ(seen.request.copy->bytes, "letter");
  ASSERT_EQ(seen.obligations.size(), 1u);
  EXPECT_EQ(seen.obligations[0].rule, "protocol.request_notice");
}

TEST(ViewsTest, ARequestsTicketIsTheOwnersOwn) {
  // The request notice (protocol art. 14) does not carry the owner's ticket id; the owner sees it.
  RequestRecord record;
  record.request.party = "herent";
  record.request.external_ref = "RT-77";
  record.obligations = {obligation("protocol.request_notice", "kortenberg")};
  EXPECT_EQ(as_viewed(record, View::kNotified, "kortenberg").request.external_ref, "");
  EXPECT_EQ(as_viewed(record, View::kFull, "herent").request.external_ref, "RT-77");
}

TEST(ViewsTest, TheOwnerOfAMatterDoesNotSeeTheDutyAnotherPartyOwesItself) {
  // Protocol art. 9: a staff departure obliges every party to erase. Herent, whose matter it is,
  // sees its own duty and its notices; Kortenberg's own erasure (and its evidence) is
  // Kortenberg's, as reading that obligation itself is. An auditor sees both.
  MatterRecord record;
  record.matter.party = "herent";
  domain::Obligation own = obligation("protocol.departure_erasure", "herent");
  domain::Obligation theirs = own;
  theirs.id = 2;
  theirs.owner_party = theirs.recipient_party = "kortenberg";
  theirs.evidence = "Dossier P-1234 gewist";
  domain::Obligation notice = obligation("protocol.matter_notice", "kortenberg");
  notice.id = 3;
  record.obligations = {own, theirs, notice};

  const MatterRecord owner = as_viewed(record, View::kOwner, "herent");
  ASSERT_EQ(owner.obligations.size(), 2u);
  EXPECT_EQ(owner.obligations[0].id, 1);
  EXPECT_EQ(owner.obligations[0].evidence, "Encrypted disk") << "its own, whole";
  EXPECT_EQ(owner.obligations[1].id, 3);
  EXPECT_EQ(as_viewed(record, View::kFull, "").obligations.size(), 3u);
}

TEST(ViewsTest, OnlyNoticesConcernTheirRecipient) {
  // A reminder or failure alert about a notice obligation goes to the owner's own people.
  NotificationRecord reminder{{}, obligation("protocol.breach_notice", "kortenberg")};
  reminder.notification.obligation_id = reminder.obligation.id;
  reminder.notification.kind = domain::NotificationKind::kReminder;
  EXPECT_TRUE(parties_of(reminder).notified.empty());
  NotificationRecord notice = reminder;
  notice.notification.kind = domain::NotificationKind::kNotice;
  notice.notification.server_reply = "250 OK";
  notice.notification.attempts = 1;
  EXPECT_EQ(parties_of(notice).notified, std::vector<std::string>{"kortenberg"});
  const NotificationRecord seen = as_viewed(notice, View::kNotified, "kortenberg");
  EXPECT_EQ(seen.notification.server_reply, "");
  EXPECT_EQ(seen.notification.attempts, 0);
}

TEST(ViewsTest, ANotificationWithoutObligationConcernsItsRecipientPartyOnly) {
  // A checkpoint mail (or webhook alert) belongs to the party whose DPO gets it; no one else is
  // notified of it.
  NotificationRecord checkpoint{{}, {}, "auditCheckpoints/2"};
  checkpoint.notification.kind = domain::NotificationKind::kCheckpoint;
  checkpoint.notification.audit_checkpoint_id = 2;
  checkpoint.notification.recipient_party = "kortenberg";
  EXPECT_EQ(parties_of(checkpoint).owner, "kortenberg");
  EXPECT_TRUE(parties_of(checkpoint).notified.empty());
}

}  // namespace
}  // namespace termijn::app
