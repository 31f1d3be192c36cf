// End-to-end: many concurrent calls on one record with the smallest pool, and calls held in
// slow statements, against a real termijnd: every call answers within its deadline, and what
// needs no database (ListParties, the health check) answers at once.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/grpc_client.h"
#include "tests/e2e/harness.h"

namespace termijn::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Runs `call(i)` on `n` threads at once; returns how many calls ended with each status code.
std::map<grpc::StatusCode, int> at_once(int n, const std::function<grpc::Status(int)>& call) {
  std::map<grpc::StatusCode, int> codes;
  std::mutex mutex;
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      const grpc::Status s = call(i);
      std::lock_guard lock(mutex);
      ++codes[s.error_code()];
    });
  }
  for (std::thread& t : threads) t.join();
  return codes;
}

std::string describe(const std::map<grpc::StatusCode, int>& codes) {
  std::string out;
  for (const auto& [code, count] : codes) {
    out += "code " + std::to_string(code) + ": " + std::to_string(count) + "; ";
  }
  return out;
}

class ConcurrencyTest : public ::testing::Test {
 protected:
  // The incident's breach notice (held for review) and its GDPR art. 33 obligation.
  struct Reported {
    std::string notice;    // "notifications/N"
    std::string art33;     // "obligations/N"
    std::string incident;  // "incidents/N"
  };

  Reported report(const Termijnd& server) {
    auto herent = v1::Termijn::NewStub(channel_as(server, "herent-dpo"));
    v1::ReportIncidentRequest req;
    req.set_title("Laptop with client files stolen");
    v1::Incident incident;
    const grpc::Status s =
        herent->ReportIncident(context_within(seconds(20)).get(), req, &incident);
    EXPECT_TRUE(s.ok()) << s.error_message();
    Reported r;
    r.incident = incident.name();
    for (const v1::Obligation& o : incident.obligations()) {
      if (o.rule() == "gdpr.art33_authority") r.art33 = o.name();
    }
    v1::ListNotificationsRequest list;
    v1::ListNotificationsResponse notifications;
    EXPECT_TRUE(
        herent->ListNotifications(context_within(seconds(20)).get(), list, &notifications).ok());
    for (const v1::Notification& n : notifications.notifications()) {
      if (n.kind() == "notice") r.notice = n.name();
    }
    return r;
  }
};

TEST_F(ConcurrencyTest, SixtyFourCallsOnOneRecordAllAnswerWithTheSmallestPool) {
  // pool_size = 2: 32 SendNotification and 32 FulfilObligation at once on one incident, then 64
  // AcknowledgeNotification of its notice: every call answers within its 20 s deadline, exactly
  // one of each kind succeeds, and the health check answers throughout.
  //
  // Before: a unit of work took a second connection while holding the first and a row lock, so
  // two calls on one record deadlocked the pool of 2 and every call ran into its deadline.
  TermijndOptions options;
  options.edits = {{"pool_size = 8", "pool_size = 2"}};
  Termijnd server(options);
  const Reported r = report(server);
  ASSERT_FALSE(r.notice.empty());
  ASSERT_FALSE(r.art33.empty());
  auto herent = v1::Termijn::NewStub(channel_as(server, "herent-dpo"));
  auto kortenberg = v1::Termijn::NewStub(channel_as(server, "kortenberg-dpo"));
  const auto monitor = channel_as(server, "auditor");

  std::atomic<bool> done{false};
  std::atomic<int> health_failures{0};
  std::thread health([&] {
    while (!done) {
      bool serving = false;
      const grpc::Status s = health_check(monitor, seconds(5), &serving);
      if (!s.ok() || !serving) ++health_failures;
    }
  });

  std::atomic<int> sent_ok{0}, fulfilled_ok{0};
  const auto first = at_once(64, [&](int i) {
    v1::Notification n;
    v1::Obligation o;
    if (i % 2 == 0) {
      v1::SendNotificationRequest req;
      req.set_name(r.notice);
      const grpc::Status s = herent->SendNotification(context_within(seconds(20)).get(), req, &n);
      if (s.ok()) ++sent_ok;
      return s;
    }
    v1::FulfilObligationRequest req;
    req.set_name(r.art33);
    req.set_evidence("Notified the authority by its web form, ref. 2026-417");
    const grpc::Status s = herent->FulfilObligation(context_within(seconds(20)).get(), req, &o);
    if (s.ok()) ++fulfilled_ok;
    return s;
  });
  EXPECT_EQ(first.count(grpc::StatusCode::DEADLINE_EXCEEDED), 0u) << describe(first);
  EXPECT_EQ(first.count(grpc::StatusCode::UNAVAILABLE), 0u) << describe(first);
  EXPECT_EQ(sent_ok, 1) << describe(first);
  EXPECT_EQ(fulfilled_ok, 1) << describe(first);

  // The released notice is mailed by the dispatcher; then its recipient acknowledges, 64 times.
  ASSERT_TRUE(poll_until([&] {
    v1::GetNotificationRequest req;
    req.set_name(r.notice);
    v1::NotificationPreview preview;
    return herent->GetNotification(context_within(seconds(5)).get(), req, &preview).ok() &&
           preview.notification().state() == "sent";
  }));
  std::atomic<int> acknowledged{0};
  const auto second = at_once(64, [&](int) {
    v1::AcknowledgeNotificationRequest req;
    req.set_name(r.notice);
    v1::Notification n;
    const grpc::Status s =
        kortenberg->AcknowledgeNotification(context_within(seconds(20)).get(), req, &n);
    if (s.ok()) ++acknowledged;
    return s;
  });
  done = true;
  health.join();
  EXPECT_EQ(second.count(grpc::StatusCode::DEADLINE_EXCEEDED), 0u) << describe(second);
  EXPECT_EQ(second.count(grpc::StatusCode::UNAVAILABLE), 0u) << describe(second);
  EXPECT_EQ(acknowledged, 1) << describe(second);
  EXPECT_EQ(second.at(grpc::StatusCode::FAILED_PRECONDITION), 63) << describe(second);
  EXPECT_EQ(health_failures, 0);
}

TEST_F(ConcurrencyTest, CallsHeldInSlowStatementsDoNotStallTheOthers) {
  // Eight GetIncident calls wait on a lock the test holds in the database (all eight connections
  // of the pool busy); meanwhile ListParties and the health check answer within 2 s; when the
  // lock goes, the eight answer too.
  //
  // Before: handlers ran their queries on gRPC's callback threads; two blocked calls stalled
  // every other call, ListParties and the health check included.
  Termijnd server;
  const Reported r = report(server);
  pqxx::connection owner(server.database().url());
  pqxx::work lock(owner);
  lock.exec("LOCK TABLE incident IN ACCESS EXCLUSIVE MODE");

  auto reader = v1::Termijn::NewStub(channel_as(server, "herent-reporter"));
  std::vector<std::thread> held;
  std::atomic<int> held_ok{0};
  for (int i = 0; i < 8; ++i) {
    held.emplace_back([&] {
      v1::GetIncidentRequest req;
      req.set_name(r.incident);
      v1::Incident incident;
      if (reader->GetIncident(context_within(seconds(30)).get(), req, &incident).ok()) ++held_ok;
    });
  }
  pqxx::connection watcher(server.database().url());
  const bool all_waiting = poll_until(
      [&] {
        pqxx::nontransaction q(watcher);
        return q.exec1(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()")[0]
                   .as<int>() == 8;
      },
      seconds(10));
  EXPECT_TRUE(all_waiting) << "eight calls should be waiting on the lock at once";

  auto parties = v1::Termijn::NewStub(channel_as(server, "kortenberg-dpo"));
  v1::ListPartiesResponse list;
  const grpc::Status listed =
      parties->ListParties(context_within(seconds(2)).get(), v1::ListPartiesRequest(), &list);
  EXPECT_TRUE(listed.ok()) << listed.error_message();
  EXPECT_EQ(list.parties_size(), 2);
  bool serving = false;
  const grpc::Status health = health_check(channel_as(server, "auditor"), seconds(2), &serving);
  EXPECT_TRUE(health.ok()) << health.error_message();
  EXPECT_TRUE(serving);

  lock.abort();
  for (std::thread& t : held) t.join();
  EXPECT_EQ(held_ok, 8);
}

// A TCP port that accepts connections (the kernel completes them) and never says a word: an SMTP
// server that hangs.
class SilentServer {
 public:
  SilentServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof a;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), size) != 0 || listen(fd_, 16) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &size) != 0) {
      throw std::runtime_error("cannot listen");
    }
    port_ = ntohs(a.sin_port);
  }
  ~SilentServer() { close(fd_); }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST_F(ConcurrencyTest, HungMailServerHoldsNoLockAndDoesNotDelayStopping) {
  // A reminder is being sent to a mail server that never answers: fulfilling its obligation
  // answers at once (no row lock is held across the send), and SIGTERM stops termijnd within
  // 5 s (the send is aborted; its attempt is on record for the next start).
  //
  // Before: the reminder's obligation stayed locked for the whole send (up to 60 s), and the
  // dispatcher finished its backlog before termijnd stopped.
  SilentServer smtp;
  TermijndOptions options;
  options.edits = {{"max_attempts = 8", "max_attempts = 8\nrequire_starttls = false"}};
  options.env = {{"TERMIJN_SMTP_URL", smtp.url()}};
  Termijnd server(options);
  auto herent = v1::Termijn::NewStub(channel_as(server, "herent-dpo"));
  v1::LogRequestRequest log;
  log.set_kind(v1::REQUEST_KIND_ACCESS);
  log.set_summary("Inzage in dossier");
  log.set_receive_time(utc_ago(std::chrono::hours(40)));
  v1::Request request;
  ASSERT_TRUE(herent->LogRequest(context_within(seconds(20)).get(), log, &request).ok());
  std::string notice_obligation;
  for (const v1::Obligation& o : request.obligations()) {
    if (o.rule() == "protocol.request_notice") notice_obligation = o.name();
  }
  // The reminder's attempt is recorded before it is sent: then it hangs in the send.
  ASSERT_TRUE(poll_until([&] {
    return server.database().scalar(
               "SELECT count(*) FROM notification WHERE kind = 'reminder' "
               "AND attempts = 1 AND state = 'pending'") == "1";
  })) << server.log();

  v1::FulfilObligationRequest fulfil;
  fulfil.set_name(notice_obligation);
  fulfil.set_evidence("Phoned the Kortenberg DPO; the copy follows by registered mail");
  v1::Obligation closed;
  const grpc::Status s =
      herent->FulfilObligation(context_within(seconds(5)).get(), fulfil, &closed);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(closed.state(), v1::OBLIGATION_STATE_MET);

  EXPECT_EQ(server.stop_within(seconds(5)), 0) << server.log();
  EXPECT_EQ(server.database().scalar("SELECT state FROM notification WHERE kind = 'reminder'"),
            "cancelled")
      << "the reminder of a met obligation stays cancelled";
}

TEST_F(ConcurrencyTest, ANoticeCutOffByStoppingIsNoAttemptAndGoesOutAfterTheRestart) {
  // termijnd stops while an overdue breach notice hangs in the send: the send is aborted, which
  // is no attempt of the notice. It stays pending, due at once, with no failure alert: the next
  // start sends it (as the same message).
  //
  // Before: the abort counted as a temporary failure; a retry of an overdue notice falls after
  // its due time, so the notice was marked failed for good and its owner alerted.
  SilentServer smtp;
  TermijndOptions options;
  options.edits = {{"max_attempts = 8", "max_attempts = 8\nrequire_starttls = false"}};
  options.env = {{"TERMIJN_SMTP_URL", smtp.url()}};
  options.auto_send = true;
  Termijnd server(options);
  auto herent = v1::Termijn::NewStub(channel_as(server, "herent-dpo"));
  v1::ReportIncidentRequest req;
  req.set_title("Laptop with client files stolen");
  req.set_aware_time(utc_ago(std::chrono::hours(40)));  // the 36 h notice is overdue
  v1::Incident incident;
  ASSERT_TRUE(herent->ReportIncident(context_within(seconds(20)).get(), req, &incident).ok());
  ASSERT_TRUE(poll_until([&] {
    return server.database().scalar(
               "SELECT count(*) FROM notification WHERE kind = 'notice' AND attempts = 1") == "1";
  })) << server.database().scalar("SELECT string_agg(id || ' ' || kind || ' ' || state || ' ' || "
                                  "attempts || ' ' || next_attempt_time, '; ') FROM notification");

  EXPECT_EQ(server.stop_within(seconds(5)), 0) << server.log();

  EXPECT_EQ(server.database().scalar(
                "SELECT state || ' ' || attempts || ' ' || (next_attempt_time <= now()) FROM "
                "notification WHERE kind = 'notice'"),
            "pending 0 true");
  EXPECT_EQ(server.database().scalar(
                "SELECT count(*) FROM notification WHERE kind = 'failure-alert'"),
            "0");
}

}  // namespace
}  // namespace termijn::testing
