// The outbox as DPOs see it: notifications without an obligation (checkpoint mails, webhook
// alerts) are listed and read by their recipient party only, and refuse the DPO's changes.
#include "server/app/notifications.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/app/audit.h"
#include "server/app/ed25519.h"
#include "server/app/views.h"
#include "server/store/pg_audit_store.h"
#include "server/store/pg_webhook_store.h"
#include "tests/fakes/fake_clock.h"
#include "tests/integration/pg_test.h"
#include "tests/integration/webhook_delivery.h"

namespace termijn::testing {
namespace {

using ::testing::HasSubstr;

class NotificationsTest : public PgTest {
 protected:
  NotificationsTest() { db().scalar("DELETE FROM webhook_delivery; DELETE FROM webhook_position"); }

  // Keeps an audit checkpoint, which queues its mail to herent's and kortenberg's DPOs; returns
  // the checkpoint's id.
  std::string keep_checkpoint() {
    app::AuditCheckpoints checkpoints(clock_, trail_, audit_store_, signer_,
                                      {"herent", "kortenberg"});
    const auto made = checkpoints.create();
    EXPECT_TRUE(made.ok()) << made.status();
    return db().scalar("SELECT max(id) FROM audit_checkpoint");
  }

  // A delivery to endpoint "tickets" of herent that failed for good, which queues its alert to
  // herent's DPO.
  void fail_webhook_delivery() {
    ASSERT_TRUE(webhooks_.record(failed_attempt(webhooks_, clock_.now(), 1), "herent").ok());
  }

  int64_t notification_id(const std::string& where) {
    return std::stoll(db().scalar("SELECT id FROM notification WHERE " + where));
  }

  // What `party`'s own people see in the list (as ListNotifications asks for them).
  std::vector<std::string> listed_for(const std::string& party) {
    const auto page = notifications_.list({party, std::nullopt, 0, "", party});
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<std::string> out;
    if (!page.ok()) return out;
    for (const auto& r : page->items) {
      out.push_back(std::string(domain::name_of(r.notification.kind)) + " " +
                    r.notification.recipient_party + " " + r.related);
    }
    return out;
  }

  FakeClock clock_{at("2100-03-01T09:00:00Z")};
  store::PgAuditStore audit_store_{store().pool()};
  app::AuditTrail trail_{audit_store_};
  const app::Ed25519Signer signer_ = app::Ed25519Signer::generate();
  store::PgWebhookStore webhooks_{store().pool(), store::PgPool::Use::kCall};
  app::Notifications notifications_{clock_, store()};
};

TEST_F(NotificationsTest, ACheckpointMailAndAWebhookAlertAreListedForTheirRecipientOnly) {
  // Each party lists its own checkpoint mail; the webhook alert of herent's endpoint only
  // herent; an auditor (no viewer) lists all three.
  const std::string checkpoint = keep_checkpoint();
  fail_webhook_delivery();
  const std::string about = "auditCheckpoints/" + checkpoint;
  EXPECT_EQ(listed_for("herent"),
            (std::vector<std::string>{"webhook-alert herent webhooks/tickets/1",
                                      "checkpoint herent " + about}));
  EXPECT_EQ(listed_for("kortenberg"), (std::vector<std::string>{"checkpoint kortenberg " + about}));
  const auto all = notifications_.list({"", std::nullopt, 0, "", ""});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->items.size(), 3u);
}

TEST_F(NotificationsTest, ACheckpointMailAndAWebhookAlertAreReadByTheirRecipientOnly) {
  // get reads them with what they are about; both the stored parties and the record's parties
  // name the recipient party as the only one concerned.
  const std::string checkpoint = keep_checkpoint();
  fail_webhook_delivery();
  for (const auto& [where, related] : std::vector<std::pair<std::string, std::string>>{
           {"kind = 'checkpoint' AND recipient_party = 'kortenberg'",
            "auditCheckpoints/" + checkpoint},
           {"kind = 'webhook-alert'", "webhooks/tickets/1"}}) {
    const int64_t id = notification_id(where);
    const auto record = notifications_.get(id);
    ASSERT_TRUE(record.ok()) << record.status();
    EXPECT_EQ(record->related, related);
    EXPECT_EQ(record->obligation.id, 0);
    const std::string recipient = record->notification.recipient_party;
    const auto stored = store().parties_of("notifications", id);
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_EQ(stored->owner, recipient);
    EXPECT_TRUE(stored->notified.empty());
    EXPECT_EQ(app::parties_of(*record).owner, recipient);
    EXPECT_TRUE(app::parties_of(*record).notified.empty());
  }
}

TEST_F(NotificationsTest, ANotificationWithoutObligationRefusesReleaseAndAcknowledgement) {
  // A failed checkpoint mail is not sent again by a DPO, nor acknowledged: FAILED_PRECONDITION
  // saying why, and nothing changes.
  keep_checkpoint();
  const int64_t id = notification_id("kind = 'checkpoint' AND recipient_party = 'herent'");
  db().scalar("UPDATE notification SET state = 'failed' WHERE id = " + std::to_string(id));
  const app::Actor dpo{"herent-dpo", "herent"};
  for (const auto& result :
       {notifications_.release(dpo, id), notifications_.acknowledge(dpo, id)}) {
    ASSERT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition) << result.status();
    EXPECT_THAT(std::string(result.status().message()), HasSubstr("serves no obligation"));
  }
  EXPECT_EQ(db().scalar("SELECT state FROM notification WHERE id = " + std::to_string(id)),
            "failed");
}

}  // namespace
}  // namespace termijn::testing
