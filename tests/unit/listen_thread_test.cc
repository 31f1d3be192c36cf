#include "server/web/listen_thread.h"

#include <gtest/gtest.h>
#include <httplib.h>

namespace termijn::web {
namespace {

TEST(ListenThreadTest, AStopRightAfterTheStartEndsTheServer) {
  // Before: the thread was started and left to begin listening in its own time; a stop() in
  // between was missed by httplib (not running yet), and the join waited for ever on a thread
  // in accept(). termijnd hung so when a later step of its start failed.
  for (int round = 0; round < 200; ++round) {
    httplib::Server server;
    ASSERT_GT(server.bind_to_any_port("127.0.0.1"), 0);
    ListenThread listening;
    listening.start(server);
    EXPECT_TRUE(server.is_running());
    listening.stop();
    EXPECT_FALSE(server.is_running());
  }
}

TEST(ListenThreadTest, ServesUntilStopped) {
  httplib::Server server;
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("up", "text/plain");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  ListenThread listening;
  listening.start(server);
  httplib::Client client("127.0.0.1", port);
  const auto answer = client.Get("/");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->body, "up");
  listening.stop();
  listening.stop();  // again: nothing left to stop
  EXPECT_FALSE(client.Get("/"));
}

}  // namespace
}  // namespace termijn::web
