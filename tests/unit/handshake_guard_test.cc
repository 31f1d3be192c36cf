#include "server/web/handshake_guard.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <sstream>
#include <vector>

#include "server/web/head_limit.h"

namespace termijn::web {
namespace {

using std::chrono::seconds;
using TimePoint = std::chrono::steady_clock::time_point;

// A connection whose handshake has not ended: an SSL on one end of a socket pair; the test
// holds the other end, the client's.
struct Connection {
  SSL* ssl = nullptr;
  int client = -1;
  int server = -1;
  ~Connection() {
    if (ssl != nullptr) SSL_free(ssl);
    ::close(client);
    ::close(server);
  }
  // Whether the server's end has been shut down: the client reads its end.
  bool cut_off() const {
    char byte;
    return ::recv(client, &byte, 1, MSG_DONTWAIT) == 0;
  }
};

class HandshakeGuardTest : public ::testing::Test {
 protected:
  HandshakeGuardTest() : ctx_(SSL_CTX_new(TLS_server_method()), SSL_CTX_free) {}

  std::unique_ptr<Connection> connect() {
    auto c = std::make_unique<Connection>();
    int ends[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, ends), 0);
    c->server = ends[0];
    c->client = ends[1];
    c->ssl = SSL_new(ctx_.get());
    SSL_set_fd(c->ssl, c->server);
    return c;
  }

  TimePoint now_{};
  HandshakeGuard::Clock clock_ = [this] { return now_; };
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx_;
};

TEST_F(HandshakeGuardTest, AHandshakeNotDoneWithinTheLimitIsCutOffAndOnlyThatOne) {
  HandshakeGuard guard({seconds(10), 16, 64}, {}, clock_);
  guard.install(ctx_.get());
  const auto slow = connect();
  guard.started(slow->ssl);
  now_ += seconds(5);
  const auto later = connect();
  guard.started(later->ssl);
  now_ += seconds(6);
  guard.cut_off_overdue();
  EXPECT_TRUE(slow->cut_off());
  EXPECT_FALSE(later->cut_off());
  // Until its SSL is freed (which comes before the socket is closed), it stays counted.
  EXPECT_EQ(guard.under_way(), 2u);
}

TEST_F(HandshakeGuardTest, OneAddressHasAtMostSoManyUnderWayTheNextIsCutOffAtOnce) {
  HandshakeGuard guard({seconds(10), 2, 64}, {}, clock_);
  guard.install(ctx_.get());
  const auto a = connect(), b = connect(), c = connect();
  guard.started(a->ssl);
  guard.started(b->ssl);
  guard.started(c->ssl);
  EXPECT_FALSE(a->cut_off());
  EXPECT_FALSE(b->cut_off());
  EXPECT_TRUE(c->cut_off());
  EXPECT_EQ(guard.under_way(), 2u);
  guard.ended(a->ssl);  // done: room for the next
  const auto d = connect();
  guard.started(d->ssl);
  EXPECT_FALSE(d->cut_off());
}

TEST_F(HandshakeGuardTest, AFreedSslEndsItsHandshake) {
  // A handshake that fails gets no SSL_CB_HANDSHAKE_DONE: its SSL is freed.
  HandshakeGuard guard({seconds(10), 1, 64}, {}, clock_);
  guard.install(ctx_.get());
  auto failed = connect();
  guard.started(failed->ssl);
  EXPECT_EQ(guard.under_way(), 1u);
  SSL_free(failed->ssl);
  failed->ssl = nullptr;
  EXPECT_EQ(guard.under_way(), 0u);
  const auto next = connect();
  guard.started(next->ssl);
  EXPECT_FALSE(next->cut_off());
}

TEST_F(HandshakeGuardTest, AnExemptAddressHasAnyNumberUnderWay) {
  // A socket pair has no IP address: "" stands for it here, as a trusted proxy's would.
  HandshakeGuard guard({seconds(10), 1, 64}, {""}, clock_);
  guard.install(ctx_.get());
  const auto a = connect(), b = connect();
  guard.started(a->ssl);
  guard.started(b->ssl);
  EXPECT_FALSE(a->cut_off());
  EXPECT_FALSE(b->cut_off());
}

TEST_F(HandshakeGuardTest, WithSoManyUnderWayInAllTheOldestIsCutOffForTheNext) {
  // Clients at many addresses, each under its own bound, could otherwise take every thread.
  HandshakeGuard guard({seconds(10), 16, 3}, {}, clock_);
  guard.install(ctx_.get());
  std::vector<std::unique_ptr<Connection>> connections;
  for (int i = 0; i < 4; ++i) {
    connections.push_back(connect());
    guard.started(connections.back()->ssl);
    now_ += seconds(1);
  }
  EXPECT_TRUE(connections[0]->cut_off());
  EXPECT_FALSE(connections[1]->cut_off());
  EXPECT_FALSE(connections[3]->cut_off());
  // The next cuts off the oldest still going, not the one cut off already.
  connections.push_back(connect());
  guard.started(connections.back()->ssl);
  EXPECT_TRUE(connections[1]->cut_off());
  EXPECT_FALSE(connections[2]->cut_off());
  EXPECT_FALSE(connections[4]->cut_off());
  // A handshake that ends makes room: the next cuts off nobody.
  guard.ended(connections[2]->ssl);
  connections.push_back(connect());
  guard.started(connections.back()->ssl);
  EXPECT_FALSE(connections[3]->cut_off());
  EXPECT_FALSE(connections[5]->cut_off());
}

// What spdlog's default logger writes while it lives: the lines, one per entry.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>(
        "captured", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
    logger->set_pattern("%v");
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(HandshakeGuardTest, AFloodIsLoggedInTenLinesAMinuteAndThenCounted) {
  // Every cut-off was a line of its own: a flood of connections flooded the log.
  const CapturedLog log;
  HandshakeGuard guard({seconds(10), 1, 64}, {}, clock_);
  guard.install(ctx_.get());
  const auto first = connect();
  guard.started(first->ssl);
  for (int i = 0; i < 25; ++i) guard.started(connect()->ssl);  // each over the bound of 1
  EXPECT_EQ(log.lines().size(), 10u);
  EXPECT_EQ(log.lines().front(),
            "web: cut off a TLS handshake from : 1 under way from there already");
  // A minute on, the next connection tells how many went without a line.
  now_ += seconds(60);
  guard.cut_off_overdue();  // `first` is overdue: cut off, and a line of the new minute
  const auto lines = log.lines();
  ASSERT_EQ(lines.size(), 12u);
  EXPECT_EQ(lines[10], "web: cut off 15 more TLS handshakes in that minute, without a line each");
  EXPECT_EQ(lines[11], "web: cut off a TLS handshake from : not done within 10 s");
}

TEST(HandshakeGuardAddressTest, AnIpv6AddressCountsWithItsSlash64) {
  // One IPv6 client has a /64 whole: its addresses count together.
  EXPECT_EQ(HandshakeGuard::address_group("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(HandshakeGuard::address_group("2001:db8:1:2:bbbb:cccc:dddd:eeee"), "2001:db8:1:2::/64");
  EXPECT_EQ(HandshakeGuard::address_group("2001:db8:1:3::1"), "2001:db8:1:3::/64");
  EXPECT_EQ(HandshakeGuard::address_group("::1"), "::/64");
  EXPECT_EQ(HandshakeGuard::address_group("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(HandshakeGuard::address_group(""), "");
}

TEST_F(HandshakeGuardTest, AHeadPastItsLimitCutsTheConnectionOffAndEachRequestHasItsOwn) {
  // HeadLimit, on the connections of the same socket pairs: a head is counted until it is in,
  // and again from the response on.
  HeadLimit heads(64 * 1024);
  heads.install(ctx_.get());
  const auto c = connect();
  heads.received(c->ssl, 40 * 1024);
  HeadLimit::head_read(c->ssl);
  heads.received(c->ssl, 1024 * 1024);  // its body: bounded by the payload limit, not here
  HeadLimit::response_sent(c->ssl);
  heads.received(c->ssl, 40 * 1024);  // the next request's head
  EXPECT_EQ(SSL_get_shutdown(c->ssl), 0);
  heads.received(c->ssl, 24 * 1024 + 1);
  // Marked shut down both ways: every next read of the connection returns 0 and nothing more is
  // written, so cpp-httplib closes it (WebSecurityTest.test_a_request_head_without_end_is_cut_off).
  EXPECT_EQ(SSL_get_shutdown(c->ssl), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
}

}  // namespace
}  // namespace termijn::web
