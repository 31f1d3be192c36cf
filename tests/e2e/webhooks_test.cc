// End-to-end: signed webhooks from the real termijnd to a real HTTPS endpoint started by the
// test (tests/support/termijn_test_webhook.py), which checks every signature and answers as
// told: 2xx, 500, or not at all.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/e2e/harness.h"
#include "tests/support/smtp_server.h"

namespace termijn::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSecret = "whsec-test-0123456789abcdef";

struct Received {
  std::string delivery;
  std::string event;
  bool signature_ok = false;
  std::string answered;
  std::string body;
};

std::string field(const std::string& line, const std::string& name) {
  const std::regex re("\"" + name + "\": (\"((?:[^\"\\\\]|\\\\.)*)\"|[^,}]*)");
  std::smatch m;
  if (!std::regex_search(line, m, re)) return "";
  return m[2].matched ? m[2].str() : m[1].str();
}

class WebhooksTest : public ::testing::Test {
 protected:
  std::string dir_ = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "termijn-hook.XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    return pattern;
  }();
  std::unique_ptr<Background> endpoint_;
  std::unique_ptr<Termijnd> server_;

  void SetUp() override {
    const Certificates& certs = Certificates::get();
    endpoint_ = std::make_unique<Background>(
        std::vector<std::string>{
            "/usr/bin/python3",
            std::string(TERMIJN_SOURCE_DIR) + "/tests/support/termijn_test_webhook.py", "--secret",
            kSecret, "--log", dir_ + "/received.jsonl", "--port-file", dir_ + "/port", "--cert",
            certs.dir + "/server.crt", "--key", certs.dir + "/server.key"},
        std::map<std::string, std::string>{});
    ASSERT_TRUE(poll_until([&] { return std::filesystem::exists(dir_ + "/port"); }))
        << endpoint_->err();
    std::ifstream in(dir_ + "/port");
    in >> port_;
  }

  void TearDown() override {
    server_.reset();
    endpoint_.reset();
    std::filesystem::remove_all(dir_);
  }

  void start(int max_attempts, TermijndOptions o = {}, int timeout_seconds = 2) {
    o.env["TERMIJN_TEST_WEBHOOK_SECRET"] = kSecret;
    o.edits.push_back(
        {"[audit]",
         "[[webhook]]\nname = \"tickets\"\nurl = \"https://127.0.0.1:" + std::to_string(port_) +
             "/hook\"\nparty = \"herent\"\nsecret_env = "
             "\"TERMIJN_TEST_WEBHOOK_SECRET\"\nca_file = \"" +
             Certificates::get().dir +
             "/ca.crt\"\ntypes = [\"incident.\", \"obligation.created\"]\n"
             "timeout_seconds = " + std::to_string(timeout_seconds) + "\nmax_attempts = " +
             std::to_string(max_attempts) +
             "\nretry_initial_seconds = 1\nretry_max_seconds = 2\n\n[audit]"});
    server_ = std::make_unique<Termijnd>(o);
  }

  void tell(const std::string& json) {
    // The test endpoint's control call, with Python's own HTTPS client.
    const Outcome o = run_command(
        {"/usr/bin/python3", "-c",
         "import ssl, sys, urllib.request\n"
         "ctx = ssl.create_default_context(cafile=sys.argv[2])\n"
         "urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=sys.argv[3].encode()),"
         " context=ctx, timeout=10)",
         "https://127.0.0.1:" + std::to_string(port_) + "/control",
         Certificates::get().dir + "/ca.crt", json});
    ASSERT_EQ(o.exit_code, 0) << o.err;
  }

  void report(const std::string& title) const {
    const Outcome o = server_->cli(
        "herent-reporter",
        {"incident", "report", "--aware-at", utc_ago(std::chrono::hours(2)), "--title", title});
    ASSERT_EQ(o.exit_code, 0) << o.err;
  }

  std::vector<Received> received() const {
    std::ifstream in(dir_ + "/received.jsonl");
    std::vector<Received> out;
    for (std::string line; std::getline(in, line);) {
      out.push_back({field(line, "delivery"), field(line, "event"),
                     field(line, "signature_ok") == "true", field(line, "answered"),
                     field(line, "body")});
    }
    return out;
  }

  // The deliveries answered 2xx, in the order they arrived.
  std::vector<std::string> delivered() const {
    std::vector<std::string> ids;
    for (const Received& r : received()) {
      if (r.answered == "204") ids.push_back(r.delivery);
    }
    return ids;
  }

  // The state of the delivery of event 1.
  std::string first_state() const {
    return server_->database().scalar(
        "SELECT state FROM webhook_delivery WHERE endpoint = 'tickets' AND seq = 1");
  }

  int port_ = 0;
};

// Every event of the endpoint's filter arrives once, signed, in seq order, with the event's
// type and a delivery id made of the endpoint and the seq; each is recorded delivered once.
TEST_F(WebhooksTest, DeliversSignedEventsInOrder) {
  start(3);
  report("Laptop gestolen");
  std::string queued;
  ASSERT_TRUE(poll_until([&] {
    queued = server_->database().scalar("SELECT count(*) FROM webhook_delivery");
    return queued != "0" &&
           server_->database().scalar(
               "SELECT count(*) FROM webhook_delivery WHERE state <> 'delivered'") == "0" &&
           delivered().size() == std::stoul(queued);
  })) << queued
      << " queued; received " << received().size();
  const auto all = received();
  EXPECT_EQ(all.front().event, "incident.reported");
  EXPECT_EQ(all.front().delivery, "tickets/1");
  EXPECT_THAT(all.front().body, HasSubstr("Laptop gestolen"));
  int64_t last = 0;
  for (const Received& r : all) {
    EXPECT_TRUE(r.signature_ok) << r.delivery;
    EXPECT_TRUE(r.event.rfind("incident.", 0) == 0 || r.event == "obligation.created") << r.event;
    const int64_t seq = std::stoll(r.delivery.substr(r.delivery.find('/') + 1));
    EXPECT_GT(seq, last) << "in seq order, once each";
    last = seq;
  }
  EXPECT_EQ(server_->database().scalar(
                "SELECT count(*) FROM webhook_delivery WHERE state = 'delivered' AND "
                "delivered_time IS NOT NULL"),
            queued);
}

// An endpoint that hangs, then answers 500, gets the same delivery again (same id, signed
// anew) after a backoff until it answers 2xx; the later events wait for it and follow in order.
TEST_F(WebhooksTest, RetriesAHangingOrFailingEndpointInOrder) {
  start(4);
  tell(R"({"hang": 1, "status": 500, "times": 2})");
  report("Laptop gestolen");
  // One statement, one snapshot: "none undelivered" and "some queued", read apart, let the
  // queue fill in between, and the wait ended before the first attempt.
  ASSERT_TRUE(poll_until([&] {
    return server_->database().scalar(
               "SELECT count(*) > 0 AND count(*) FILTER (WHERE state <> 'delivered') = 0 "
               "FROM webhook_delivery") == "t";
  })) << received().size();
  const auto all = received();
  ASSERT_GE(all.size(), 3u);
  EXPECT_EQ(all[0].delivery, "tickets/1");
  EXPECT_EQ(all[0].answered, "hang");
  EXPECT_EQ(all[1].delivery, "tickets/1");
  EXPECT_EQ(all[1].answered, "500");
  EXPECT_EQ(all[2].delivery, "tickets/1");
  EXPECT_EQ(all[2].answered, "204");
  EXPECT_EQ(server_->database().scalar(
                "SELECT attempts FROM webhook_delivery WHERE endpoint = 'tickets' AND seq = 1"),
            "3");
  const auto ids = delivered();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size()) << "no repeats";
}

// termijnd stops while the endpoint hangs on a delivery's only attempt: the post is cut off,
// which is no attempt. The delivery stays pending, uncounted, and nobody is alerted; the next
// start delivers it.
//
// Before: the cut-off post counted as the last failed attempt: the delivery failed for good and
// the party's DPO got an alert about an endpoint that was fine.
TEST_F(WebhooksTest, ADeliveryCutOffByStoppingIsNoAttempt) {
  start(1, {}, 30);
  tell(R"({"hang": 1})");
  report("Laptop gestolen");
  ASSERT_TRUE(poll_until([&] { return !received().empty(); }));

  EXPECT_EQ(server_->stop_within(std::chrono::seconds(5)), 0) << server_->log();

  EXPECT_EQ(server_->database().scalar("SELECT state || ' ' || attempts FROM webhook_delivery "
                                       "WHERE endpoint = 'tickets' AND seq = 1"),
            "pending 0");
  EXPECT_EQ(server_->database().scalar(
                "SELECT count(*) FROM notification WHERE kind = 'webhook-alert'"),
            "0");
}

// After its last attempt a delivery is failed and the party's DPO gets a mail naming it; the
// events after it are delivered all the same.
TEST_F(WebhooksTest, LastFailedAttemptAlertsTheDpoAndLaterEventsGoOn) {
  start(2);
  tell(R"({"status": 500, "times": 2})");
  report("Laptop gestolen");
  ASSERT_TRUE(poll_until([&] { return first_state() == "failed"; }));
  ASSERT_TRUE(poll_until([&] {
    return server_->database().scalar(
               "SELECT count(*) FROM webhook_delivery WHERE state = 'pending'") == "0";
  }));
  EXPECT_EQ(
      server_->database().scalar("SELECT count(*) FROM webhook_delivery WHERE state = 'failed'"),
      "1");
  std::string alert;
  ASSERT_TRUE(poll_until([&] {
    for (const auto& f : std::filesystem::directory_iterator(server_->mail_dir())) {
      std::ifstream in(f.path());
      std::stringstream s;
      s << in.rdbuf();
      if (s.str().find("tickets/1") != std::string::npos) alert = s.str();
    }
    return !alert.empty();
  }));
  EXPECT_THAT(alert, HasSubstr("Webhook tickets"));
  EXPECT_THAT(server_->log(), HasSubstr("tickets/1 failed after 2 attempts"));
  // Herent's DPO finds the alert among its notifications, about the delivery; Kortenberg's
  // DPO neither lists nor reads it.
  const std::string id = server_->database().scalar(
      "SELECT id FROM notification WHERE kind = 'webhook-alert' AND recipient_party = 'herent'");
  ASSERT_FALSE(id.empty());
  const Outcome listed = server_->cli("herent-dpo", {"notification", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, ContainsRegex("notifications/" + id +
                                        R"(\s+webhook-alert\s+webhooks/tickets/1\s+herent)"))
      << listed.out;
  const Outcome other = server_->cli("kortenberg-dpo", {"notification", "list"});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_THAT(other.out, Not(HasSubstr("webhook-alert")));
  EXPECT_EQ(server_->cli("kortenberg-dpo", {"notification", "show", id}).exit_code, 3);
  const Outcome shown = server_->cli("herent-dpo", {"notification", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("Webhook tickets"));
}

// The alert goes through the outbox: queued in the transaction that fails the delivery, so that
// a mail server that is down at that moment delays it, and it arrives once the server is up.
TEST_F(WebhooksTest, FailureAlertArrivesOnceWhenTheMailServerIsBackUp) {
  const int smtp_port = FreePort();
  TermijndOptions o;
  o.env = {{"TERMIJN_SMTP_URL", "smtp://127.0.0.1:" + std::to_string(smtp_port)}};
  o.edits = {{"max_attempts = 8", "max_attempts = 60\nrequire_starttls = false"},
             {"retry_initial_seconds = 30", "retry_initial_seconds = 1"},
             {"retry_max_seconds = 1800", "retry_max_seconds = 2"}};
  start(2, o);
  tell(R"({"status": 500, "times": 2})");
  report("Laptop gestolen");
  const auto scalar = [&](const std::string& sql) { return server_->database().scalar(sql); };
  // One statement, one snapshot: a failed delivery is never without its alert.
  const std::string unalerted =
      "SELECT count(*) FROM webhook_delivery d WHERE d.state = 'failed' AND NOT EXISTS (SELECT 1 "
      "FROM notification n WHERE n.webhook_delivery_id = d.id AND n.kind = 'webhook-alert' AND "
      "n.recipient_party = 'herent')";
  ASSERT_TRUE(poll_until([&] {
    EXPECT_EQ(scalar(unalerted), "0");
    return first_state() == "failed";
  }));
  EXPECT_EQ(scalar(unalerted), "0");
  const std::string alert_id = scalar(
      "SELECT n.id FROM notification n JOIN webhook_delivery d ON d.id = n.webhook_delivery_id "
      "WHERE d.endpoint = 'tickets' AND d.seq = 1");
  ASSERT_FALSE(alert_id.empty());
  // Nothing listens: the alert is retried, not lost.
  ASSERT_TRUE(poll_until([&] {
    return scalar("SELECT attempts >= 1 AND last_error <> '' FROM notification WHERE id = " +
                  alert_id) == "t";
  })) << server_->log();
  EXPECT_EQ(scalar("SELECT state FROM notification WHERE id = " + alert_id), "pending");

  SmtpServer::Options on_port;
  on_port.port = smtp_port;
  SmtpServer smtp(on_port);
  ASSERT_TRUE(poll_until([&] {
    return scalar("SELECT state FROM notification WHERE id = " + alert_id) == "sent";
  })) << server_->log();
  const std::string message_id =
      scalar("SELECT message_id FROM notification WHERE id = " + alert_id);
  int alerts = 0;
  for (const std::string& m : smtp.messages()) {
    if (m.find("tickets/1") == std::string::npos) continue;
    ++alerts;
    EXPECT_THAT(m, HasSubstr("Webhook tickets"));
    EXPECT_THAT(m, HasSubstr(message_id));
    EXPECT_THAT(m, HasSubstr("dpo@herent.example"));
  }
  EXPECT_EQ(alerts, 1);
  // On the audit trail like any other mail, about the delivery.
  const Outcome audit = server_->cli(
      "herent-dpo", {"audit", "list", "--subject", "notifications/" + alert_id});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_THAT(audit.out, HasSubstr("notification.queued"));
  EXPECT_THAT(audit.out, HasSubstr("notification.retry"));
  EXPECT_THAT(audit.out, HasSubstr("notification.sent"));
  // Queued once and sent once; retried as often as the mail server was down when it was tried.
  const auto events = [&](const std::string& action) {
    return std::stoi(scalar("SELECT count(*) FROM audit_event WHERE subject = 'notifications/" +
                            alert_id + "' AND related = 'webhooks/tickets/1' AND action = '" +
                            action + "'"));
  };
  EXPECT_EQ(events("notification.queued"), 1);
  EXPECT_GE(events("notification.retry"), 1);
  EXPECT_EQ(events("notification.sent"), 1);
}

// `termijn webhook`: the party's DPO lists its endpoints and failed deliveries, redelivers one
// (delivered then, once) and tests the endpoint; the other party's DPO sees no such endpoint.
TEST_F(WebhooksTest, CliListsRedeliversAndTests) {
  start(1);
  tell(R"({"status": 500, "times": 1})");
  report("Laptop gestolen");
  ASSERT_TRUE(poll_until([&] { return first_state() == "failed"; }));
  const Outcome list = server_->cli("herent-dpo", {"webhook", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("tickets"));
  const Outcome failed =
      server_->cli("herent-dpo", {"webhook", "deliveries", "tickets", "--state", "failed"});
  ASSERT_EQ(failed.exit_code, 0) << failed.err;
  EXPECT_THAT(failed.out, HasSubstr("tickets/1"));
  EXPECT_THAT(failed.out, HasSubstr("HTTP 500"));

  const Outcome stranger = server_->cli("kortenberg-dpo", {"webhook", "redeliver", "tickets/1"});
  EXPECT_EQ(stranger.exit_code, 3) << stranger.err;
  const Outcome none = server_->cli("kortenberg-dpo", {"webhook", "list"});
  EXPECT_THAT(none.out, Not(HasSubstr("tickets")));

  const Outcome again = server_->cli("herent-dpo", {"webhook", "redeliver", "tickets/1"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  ASSERT_TRUE(poll_until([&] { return first_state() == "delivered"; }));
  const Outcome twice = server_->cli("herent-dpo", {"webhook", "redeliver", "tickets/1"});
  EXPECT_EQ(twice.exit_code, 3) << "a delivered event is not delivered again";

  const Outcome test = server_->cli("herent-dpo", {"webhook", "test", "tickets"});
  ASSERT_EQ(test.exit_code, 0) << test.err;
  EXPECT_THAT(test.out, HasSubstr("delivered (HTTP 204)"));
  bool seen = false;
  for (const Received& r : received()) seen |= r.event == "webhook.test" && r.signature_ok;
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace termijn::testing
