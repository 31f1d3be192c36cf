// End-to-end: the audit trail records every change, the database protects it, verify catches
// tampering, and two termijnd processes on one database build one chain.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <cstdlib>
#include <regex>
#include <thread>

#include "tests/e2e/harness.h"

namespace termijn::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The actions column of `termijn audit list`, in order.
std::vector<std::string> actions(const Outcome& listing) {
  std::vector<std::string> out;
  const std::regex row(R"(^\d+\s+\S+\s+\S+\s+(\S+))");
  std::istringstream lines(listing.out);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, row)) out.push_back(m[1]);
  }
  return out;
}

class AuditTest : public ::testing::Test {
 protected:
  Termijnd server_;

  void record_some_changes() {
    ASSERT_EQ(server_.cli("herent-dpo", {"incident", "report", "--title", "Stolen laptop"}).exit_code, 0);
    ASSERT_EQ(server_.cli("kortenberg-reporter",
                          {"request", "log", "--kind", "access", "--summary", "Copy of file"})
                  .exit_code,
              0);
    ASSERT_EQ(server_.cli("herent-dpo", {"obligation", "fulfil", "1", "--evidence", "Phoned"})
                  .exit_code,
              0);
    ASSERT_EQ(server_.cli("herent-dpo", {"obligation", "waive", "2", "--reason", "Encrypted"})
                  .exit_code,
              0);
  }

  // Runs `sql` as the cluster's superuser on the server's database, bypassing triggers, once
  // everything recorded so far is chained.
  void tamper(const std::string& sql) {
    ASSERT_EQ(server_.cli("auditor", {"audit", "verify"}).exit_code, 0);
    const char* superuser = std::getenv("TERMIJN_TEST_SUPERUSER_URL");
    ASSERT_NE(superuser, nullptr) << "TERMIJN_TEST_SUPERUSER_URL is not set; run scripts/test";
    pqxx::connection c(std::string(superuser) + "&dbname=" + server_.database().name());
    pqxx::work tx(c);
    tx.exec("SET LOCAL session_replication_role = replica");
    tx.exec(sql);
    tx.commit();
  }
};

TEST_F(AuditTest, EveryChangeIsAnEventInOrderAndTheChainVerifies) {
  // Reporting, logging, fulfilling and waiving each leave exactly their events, in order.
  record_some_changes();
  const Outcome list = server_.cli("auditor", {"audit", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(actions(list),
              ElementsAre("incident.reported", "obligation.created", "notification.queued",
                          "obligation.created", "request.logged", "obligation.created",
                          "notification.queued", "obligation.created", "obligation.fulfilled",
                          "obligation.waived"));
  EXPECT_THAT(list.out, HasSubstr("herent-dpo"));
  EXPECT_THAT(list.out, HasSubstr("\"evidence\":\"Phoned\""));
  const Outcome verify = server_.cli("auditor", {"audit", "verify"});
  ASSERT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_TRUE(std::regex_search(verify.out, std::regex(R"(^verified 10 events up to 10 \(hash [0-9a-f]{64}\)\n$)")))
      << verify.out;
}

TEST_F(AuditTest, IncidentShowListsItsHistory) {
  // `incident show` lists the incident's events and those of its obligations.
  record_some_changes();
  const Outcome show = server_.cli("herent-dpo", {"incident", "show", "1"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("history:"));
  EXPECT_THAT(show.out, HasSubstr("incident.reported"));
  EXPECT_THAT(show.out, HasSubstr("obligation.fulfilled"));
  EXPECT_THAT(show.out, ::testing::Not(HasSubstr("request.logged")));
  const Outcome reporter = server_.cli("herent-reporter", {"incident", "show", "1"});
  EXPECT_EQ(reporter.exit_code, 0) << reporter.err;
  EXPECT_THAT(reporter.out, HasSubstr("the audit trail is for DPOs and auditors"));
}

TEST_F(AuditTest, ShowAndExportCarryTheHashes) {
  // One event shows its hashes; the export has one JSON line per event with both hashes.
  record_some_changes();
  const Outcome show = server_.cli("auditor", {"audit", "show", "1"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("prev_hash: " + std::string(64, '0')));
  const Outcome exported = server_.cli("auditor", {"audit", "export", "--format", "jsonl"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(std::count(exported.out.begin(), exported.out.end(), '\n'), 10);
  EXPECT_THAT(exported.out, HasSubstr("\"prev_hash\":"));
  EXPECT_THAT(exported.out, HasSubstr("\"action\":\"obligation.waived\""));
  EXPECT_EQ(server_.cli("auditor", {"audit", "show", "99"}).exit_code, 3);
}

TEST_F(AuditTest, VerifyFailsAtAnAlteredRow) {
  // A row altered behind the trigger's back fails verification at that row.
  record_some_changes();
  ASSERT_EQ(server_.cli("auditor", {"audit", "verify"}).exit_code, 0);
  tamper("UPDATE audit_event SET details = replace(details, 'Phoned', 'Mailed') WHERE seq = 9");
  const Outcome verify = server_.cli("auditor", {"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 7);
  EXPECT_THAT(verify.err, HasSubstr("does NOT verify at event 9: its content does not match"));
}

TEST_F(AuditTest, VerifyFailsAtADeletedRow) {
  // A deleted row is a gap, reported at the missing sequence number.
  record_some_changes();
  tamper("DELETE FROM audit_event WHERE seq = 4");
  const Outcome verify = server_.cli("auditor", {"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 7);
  EXPECT_THAT(verify.err, HasSubstr("at event 4: event 4 is missing"));
}

TEST_F(AuditTest, VerifyFailsAtReorderedRows) {
  // Swapping two events' contents fails at the first of them.
  record_some_changes();
  tamper(
      "UPDATE audit_event a SET action = b.action, subject = b.subject, details = b.details "
      "FROM audit_event b WHERE (a.seq, b.seq) IN ((2, 3), (3, 2))");
  const Outcome verify = server_.cli("auditor", {"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 7);
  EXPECT_THAT(verify.err, HasSubstr("at event 2"));
}

TEST_F(AuditTest, TheDatabaseRefusesChangesToTheTrail) {
  // The service's role lacks the privileges; even the owner is stopped by the trigger.
  record_some_changes();
  ASSERT_EQ(server_.cli("auditor", {"audit", "verify"}).exit_code, 0);
  for (const std::string& sql : {"UPDATE audit_event SET action = 'x' WHERE seq = 1",
                                 "DELETE FROM audit_event WHERE seq = 1",
                                 "TRUNCATE audit_event"}) {
    for (const std::string& url : {server_.database().app_url(), server_.database().url()}) {
      pqxx::connection c(url);
      pqxx::work tx(c);
      EXPECT_THROW(tx.exec(sql), pqxx::insufficient_privilege) << sql << " as " << url;
    }
  }
  EXPECT_EQ(server_.database().scalar("SELECT count(*) FROM audit_event"), "10");
}

TEST_F(AuditTest, TwoServersConcurrentWritersOneGapFreeChain) {
  // Writers on two termijnd processes sharing a database produce one verifiable chain.
  const auto second = Termijnd::sharing_database_of(server_);
  constexpr int kPerWriter = 5;
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (const Termijnd* s : {&server_, second.get()}) {
    for (const std::string principal : {"herent-dpo", "kortenberg-dpo"}) {
      writers.emplace_back([s, principal, &failures] {
        for (int i = 0; i < kPerWriter; ++i) {
          if (s->cli(principal, {"incident", "report", "--title", "Concurrent"}).exit_code != 0) {
            ++failures;
          }
        }
      });
    }
  }
  for (auto& w : writers) w.join();
  ASSERT_EQ(failures, 0);
  // 20 incidents, each with its own event, two obligations' and one queued notice's.
  const Outcome verify = second->cli("auditor", {"audit", "verify"});
  ASSERT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("verified 80 events up to 80"));
  EXPECT_EQ(server_.database().scalar("SELECT count(*) FROM audit_queue"), "0");
  EXPECT_EQ(server_.database().scalar("SELECT max(seq) - min(seq) + 1 FROM audit_event"), "80");
}

}  // namespace
}  // namespace termijn::testing
