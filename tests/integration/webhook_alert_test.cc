// The alert that a webhook delivery failed for good: an outbox row queued in the transaction that
// marks the delivery failed, composed from the webhook.failed templates, on the audit trail.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/jobs/notice_composer.h"
#include "server/store/pg_webhook_store.h"
#include "tests/fakes/fake_clock.h"
#include "tests/integration/pg_test.h"
#include "tests/integration/webhook_delivery.h"

namespace termijn::testing {
namespace {

using ::testing::HasSubstr;

class WebhookAlertTest : public PgTest {
 protected:
  WebhookAlertTest() {
    db().scalar("DELETE FROM webhook_delivery; DELETE FROM webhook_position");
  }

  // Queues event `seq` for endpoint "tickets" and claims it: the attempt a dispatcher makes.
  app::WebhookDelivery claimed(int64_t seq) { return failed_attempt(webhooks_, clock_.now(), seq); }

  std::string state_of(int64_t seq) {
    return db().scalar("SELECT state FROM webhook_delivery WHERE endpoint = 'tickets' AND seq = " +
                       std::to_string(seq));
  }

  FakeClock clock_{at("2026-11-27T13:20:00Z")};
  store::PgWebhookStore webhooks_{store().pool(), store::PgPool::Use::kCall};
};

TEST_F(WebhookAlertTest, FailureQueuesTheAlertWithItAndTheComposerWritesIt) {
  const app::WebhookDelivery d = claimed(1);
  ASSERT_TRUE(webhooks_.record(d, "herent").ok());
  EXPECT_EQ(state_of(1), "failed");
  const std::string id = db().scalar(
      "SELECT id FROM notification WHERE kind = 'webhook-alert' AND state = 'pending' AND "
      "obligation_id IS NULL AND recipient_party = 'herent' AND webhook_delivery_id = " +
      std::to_string(d.id));
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(db().scalar("SELECT related FROM audit_queue WHERE action = 'notification.queued' AND "
                        "subject = 'notifications/" + id + "'"),
            "webhooks/tickets/1");

  const auto n = store().get_notification(std::stoll(id));
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->kind, domain::NotificationKind::kWebhookAlert);
  EXPECT_EQ(n->webhook_delivery_id, d.id);
  const auto templates = notify::TemplateSet::load(TERMIJN_TEMPLATES_DIR);
  ASSERT_TRUE(templates.ok()) << templates.status();
  config::Webhook endpoint;
  endpoint.name = "tickets";
  endpoint.url = "https://rt.example/hook";
  const jobs::NoticeComposer composer(clock_, store(), demo_directory(), *templates,
                                      "termijn@ocmw.example", {}, {endpoint});
  const auto m = composer.compose(*n);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_THAT(m->subject, HasSubstr("Webhook tickets"));
  EXPECT_THAT(m->text_body, HasSubstr("tickets/1"));
  EXPECT_THAT(m->text_body, HasSubstr("https://rt.example/hook"));
  EXPECT_THAT(m->text_body, HasSubstr("HTTP 500"));
  ASSERT_EQ(m->to.size(), 1u);
  EXPECT_EQ(m->to[0].email, "dpo@herent.example");
  // The same row gives the same message.
  EXPECT_EQ(composer.compose(*n)->message_id, m->message_id);
}

// Removes the trigger however the test ends: the database is shared by the whole binary.
struct RefuseNotifications {
  explicit RefuseNotifications(const TestDatabase& db) : db(db) {
    db.scalar(
        "CREATE FUNCTION refuse_notification() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'no notifications today'; END $$; CREATE TRIGGER refuse_notification "
        "BEFORE INSERT ON notification FOR EACH ROW EXECUTE FUNCTION refuse_notification()");
  }
  ~RefuseNotifications() {
    db.scalar("DROP TRIGGER refuse_notification ON notification; DROP FUNCTION "
              "refuse_notification()");
  }
  const TestDatabase& db;
};

TEST_F(WebhookAlertTest, NoFailureWithoutItsAlert) {
  // When the alert cannot be queued, the failure is not recorded either: the delivery stays
  // pending (its lease brings it back), never failed without an alert.
  const app::WebhookDelivery d = claimed(1);
  {
    const RefuseNotifications refuse(db());
    EXPECT_FALSE(webhooks_.record(d, "herent").ok());
  }
  EXPECT_EQ(state_of(1), "pending");
  EXPECT_EQ(rows("notification"), 0);
  ASSERT_TRUE(webhooks_.record(d, "herent").ok());
  EXPECT_EQ(state_of(1), "failed");
  EXPECT_EQ(rows("notification"), 1);
}

TEST_F(WebhookAlertTest, RetriesQueueNoAlert) {
  app::WebhookDelivery d = claimed(1);
  d.state = "pending";
  ASSERT_TRUE(webhooks_.record(d, "herent").ok());
  EXPECT_EQ(rows("notification"), 0);
}

TEST_F(WebhookAlertTest, DeliveriesAreListedForTheEndpointsAskedForBeforeTheNewestAreTaken) {
  // Herent's endpoint has one failed delivery; Kortenberg's busier endpoint has many newer ones.
  // Listing Herent's endpoints' newest (a page of 5) finds Herent's.
  //
  // Before: the newest deliveries of every endpoint were taken first and those of other parties
  // dropped after: Herent's DPO saw an empty page while its integration failed.
  ASSERT_TRUE(webhooks_.record(claimed(1), "").ok());
  std::vector<app::WebhookDelivery> theirs;
  for (int64_t seq = 2; seq <= 20; ++seq) {
    app::WebhookDelivery d;
    d.endpoint = "desk";
    d.seq = seq;
    d.event_type = "incident.reported";
    d.body = "{}";
    d.create_time = clock_.now();
    theirs.push_back(d);
  }
  const auto from = webhooks_.position("desk");
  ASSERT_TRUE(from.ok()) << from.status();
  const auto moved = webhooks_.enqueue("desk", *from, 20, theirs);
  ASSERT_TRUE(moved.ok() && *moved);

  const auto ours = webhooks_.deliveries({"tickets"}, "", 5);
  ASSERT_TRUE(ours.ok()) << ours.status();
  ASSERT_EQ(ours->size(), 1u);
  EXPECT_EQ((*ours)[0].endpoint, "tickets");
  EXPECT_EQ((*ours)[0].state, "failed");
  const auto all = webhooks_.deliveries({}, "", 5);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 5u);
  EXPECT_EQ(webhooks_.deliveries({"tickets", "desk"}, "failed", 5)->size(), 1u);
}

}  // namespace
}  // namespace termijn::testing
