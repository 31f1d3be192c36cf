// RestRtClient (server/connectors/rt) against a real Request Tracker 5: what it writes is read
// back through RT's REST API by the test's own client.
#include <gtest/gtest.h>

#include "server/connectors/rt/config.h"
#include "server/connectors/rt/rt_client.h"
#include "tests/e2e/harness.h"
#include "tests/rt/rt_server.h"
#include "tests/support/smtp_server.h"

namespace termijn::rt {
namespace {

using testing::RtServer;
using testing::text_at;

RestRtSettings settings_for(const RtServer& server) {
  std::string token = testing::ReadFile(server.token_file());
  token.erase(token.find_last_not_of("\r\n") + 1);
  return {.base_url = server.url(), .token = token, .queue = "Privacy"};
}

// The due time, custom field, comments and status a ticket gets through the client are what RT
// shows; the record field finds the ticket again; errors say whether a retry helps.
TEST(RestRtClient, WritesTicketsThatRtShowsAndTellsWhatToRetry) {
  RtServer server;
  std::printf("RT setup %.1f s, first start %.1f s\n", server.setup_seconds(),
              server.start_seconds());
  RestRtClient client(settings_for(server));
  EXPECT_TRUE(client.check_queue().ok());
  RestRtSettings no_field = settings_for(server);
  no_field.record_field = "Termijn";
  EXPECT_EQ(RestRtClient(no_field).check_queue().code(), absl::StatusCode::kFailedPrecondition);
  RestRtSettings no_queue = settings_for(server);
  no_queue.queue = "General Privacy";
  EXPECT_EQ(RestRtClient(no_queue).check_queue().code(), absl::StatusCode::kFailedPrecondition);
  const absl::Time due = absl::FromUnixSeconds(1796300000);  // 2026-12-03T12:13:20Z
  auto id = client.create_ticket({.subject = "Lost laptop [Termijn incidents/4]",
                                  .text = "A laptop was lost.",
                                  .record = "incidents/4",
                                  .due = due});
  ASSERT_TRUE(id.ok()) << id.status();
  auto ticket = server.get("ticket/" + std::to_string(*id));
  EXPECT_EQ(text_at(ticket, "Subject"), "Lost laptop [Termijn incidents/4]");
  EXPECT_EQ(text_at(ticket, "Due"), "2026-12-03T12:13:20Z");
  EXPECT_EQ(text_at(ticket.fields().at("Queue").struct_value(), "id"), "3");  // Privacy

  auto found = client.find_ticket("incidents/4");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(*found, *id);
  auto none = client.find_ticket("incidents/44");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(*none, 0);

  ASSERT_TRUE(client.set_due(*id, due + absl::Hours(36)).ok());
  EXPECT_EQ(text_at(server.get("ticket/" + std::to_string(*id)), "Due"), "2026-12-05T00:13:20Z");
  ASSERT_TRUE(client.set_due(*id, std::nullopt).ok());
  EXPECT_EQ(text_at(server.get("ticket/" + std::to_string(*id)), "Due"), "1970-01-01T00:00:00Z");

  auto before = client.has_comment(*id, "[termijn event 7]");
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_FALSE(*before);
  ASSERT_TRUE(client.comment(*id, "[termijn event 7] Deadline met", "Met.").ok());
  auto after = client.has_comment(*id, "[termijn event 7]");
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_TRUE(*after);

  // RT answers 200 also when it refuses a change: a ticket that depends on an open one is not
  // resolved, and the client says so (before: OK, and the connector moved on).
  auto blocker = client.create_ticket({.subject = "IT: wipe the laptop remotely",
                                       .text = "Remote wipe.",
                                       .record = "incidents/5",
                                       .due = std::nullopt});
  ASSERT_TRUE(blocker.ok()) << blocker.status();
  server.put("ticket/" + std::to_string(*id), "{\"DependsOn\": " + std::to_string(*blocker) + "}");
  const absl::Status refused = client.resolve(*id);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_NE(text_at(server.get("ticket/" + std::to_string(*id)), "Status"), "resolved");
  ASSERT_TRUE(client.resolve(*blocker).ok());

  ASSERT_TRUE(client.resolve(*id).ok());
  EXPECT_EQ(text_at(server.get("ticket/" + std::to_string(*id)), "Status"), "resolved");

  // A ticket may become the ticket of its own record or of one when its record field is empty,
  // never of another record: an external_ref naming incidents/4's ticket does not take it over.
  const auto may_link = [&](int64_t ticket, const std::string& record) {
    auto linkable = client.may_link(ticket, record);
    EXPECT_TRUE(linkable.ok()) << linkable.status();
    return linkable.ok() && *linkable;
  };
  EXPECT_TRUE(may_link(*id, "incidents/4"));
  EXPECT_FALSE(may_link(*id, "requests/3"));
  auto blank = client.create_ticket(
      {.subject = "Helpdesk: mail to the wrong client", .text = "Reported by phone.", .record = ""});
  ASSERT_TRUE(blank.ok()) << blank.status();
  EXPECT_TRUE(may_link(*blank, "requests/3"));
  EXPECT_FALSE(may_link(9999, "requests/3"));
  // A ticket the connector may not see (RT: 403) is none it can use: an external_ref naming a
  // helpdesk ticket gets a ticket of its own. Before: PERMISSION_DENIED, and the connector
  // retried that event for ever, holding up every later one.
  EXPECT_FALSE(may_link(server.hidden_ticket(), "requests/3"));

  // A wrong token is PERMISSION_DENIED; a stopped RT is UNAVAILABLE (retry later).
  RestRtSettings bad = settings_for(server);
  bad.token = "1-1-00000000000000000000000000000000";
  EXPECT_EQ(RestRtClient(bad).find_ticket("incidents/4").status().code(),
            absl::StatusCode::kPermissionDenied);
  server.stop();
  EXPECT_EQ(client.find_ticket("incidents/4").status().code(), absl::StatusCode::kUnavailable);
}

// An RT that misbehaves cannot hold the connector: a history whose every page is full ends in an
// error, not an endless loop; an answer of 40 MiB is refused, not kept; an id no integer holds
// is no ticket. Before: the loop never ended (and ignored SIGTERM), the answer was kept whole,
// and the id's conversion was undefined.
TEST(RestRtClient, AnRtThatMisbehavesCannotHoldTheConnector) {
  const int port = testing::FreePort();
  testing::Background stub({"/usr/bin/python3",
                            std::string(TERMIJN_SOURCE_DIR) + "/tests/rt/rt_stub.py",
                            std::to_string(port)},
                           {});
  RestRtClient client({.base_url = "http://127.0.0.1:" + std::to_string(port),
                       .token = "1-2-abc",
                       .queue = "Privacy"});
  ASSERT_TRUE(testing::poll_until([&] {
    return client.find_ticket("incidents/4").status().code() != absl::StatusCode::kUnavailable;
  })) << stub.err();

  // A proxy named by the environment is not used for a loopback RT: the token stays on the
  // machine. Before: libcurl sent the call to the proxy (here a closed port: UNAVAILABLE).
  ::setenv("http_proxy", "http://127.0.0.1:1", 1);
  ::setenv("ALL_PROXY", "http://127.0.0.1:1", 1);
  const auto through_no_proxy = client.find_ticket("incidents/4");
  ::unsetenv("http_proxy");
  ::unsetenv("ALL_PROXY");
  EXPECT_TRUE(through_no_proxy.ok()) << through_no_proxy.status();

  const auto endless = client.has_comment(1, "[termijn event 7]");
  EXPECT_EQ(endless.status().code(), absl::StatusCode::kFailedPrecondition) << endless.status();
  const absl::Status huge = client.check_queue();
  EXPECT_EQ(huge.code(), absl::StatusCode::kFailedPrecondition) << huge;
  EXPECT_NE(huge.message().find("more than"), std::string::npos) << huge;
  const auto absurd = client.find_ticket("incidents/4");
  ASSERT_TRUE(absurd.ok()) << absurd.status();
  EXPECT_EQ(*absurd, 0);
}

}  // namespace
}  // namespace termijn::rt
