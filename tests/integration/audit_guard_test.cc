// The database keeps the audit trail out of the service role's reach: it appends to the queue and
// sequences through the owner's function, and termijnd refuses a role that could do more.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <string>

#include "server/app/audit.h"
#include "server/app/sha256.h"
#include "server/jobs/audit_checkpointer.h"
#include "server/jobs/notice_composer.h"
#include "server/jobs/tamper_alarm.h"
#include "server/notify/eml_mailer.h"
#include "server/store/pg_audit_store.h"
#include "server/store/pg_store.h"
#include "server/store/statements.h"
#include "tests/fakes/fake_clock.h"
#include "tests/integration/pg_test.h"
#include "tests/support/temp_dir.h"

namespace termijn::testing {
namespace {

::testing::AssertionResult Mentions(const absl::Status& status, const std::string& text) {
  const std::string message(status.message());
  if (message.find(text) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << message << "' does not mention '" << text << "'";
}

class AuditGuardTest : public PgTest {
 protected:
  // Runs `sql` as the service's role (termijn_app) in its own transaction.
  static void exec_as_service(const std::string& sql) {
    pqxx::connection c(db().app_url());
    pqxx::work tx(c);
    tx.exec(sql);
    tx.commit();
  }

  static void queue_entry(const std::string& subject) {
    exec_as_service(
        "INSERT INTO audit_queue (time, principal, party, action, subject, details) VALUES "
        "(now(), 'herent-dpo', 'herent', 'incident.reported', '" +
        subject + "', '{\"title\":\"café, 5 €\"}')");
  }

  // The service's side of the trail, signing with a key of its own, its clock at 2100-01-01.
  struct Service {
    store::PgStore store{db().app_url(), 2};
    store::PgAuditStore audit_store{store.pool()};
    app::AuditTrail trail{audit_store};
    app::Ed25519Signer signer = app::Ed25519Signer::generate();
    FakeClock clock{at("2100-01-01T00:00:00Z")};
    app::AuditCheckpoints checkpoints{clock, trail, audit_store, signer};
    std::tuple<FakeClock&, app::AuditTrail&, app::AuditCheckpoints&> parts() {
      return {clock, trail, checkpoints};
    }
  };

  // A daily checkpointer whose looks run when the test says, its alarms collected in `alarms`.
  static jobs::AuditCheckpointer daily_looks(FakeClock& clock, app::AuditCheckpoints& checkpoints,
                                             std::vector<std::string>& alarms) {
    return jobs::AuditCheckpointer(
        clock, checkpoints, std::chrono::hours(24),
        [](std::chrono::milliseconds, std::stop_token) {},
        [&alarms](const std::string& reason) { alarms.push_back(reason); });
  }

  // Rewrites the subject of event `seq` as a database administrator could, with the append-only
  // trigger off, leaving its hashes as they were.
  static void rewrite_subject(const std::string& seq, const std::string& subject) {
    db().scalar("ALTER TABLE audit_event DISABLE TRIGGER USER");
    db().scalar("UPDATE audit_event SET subject = '" + subject + "' WHERE seq = " + seq);
    db().scalar("ALTER TABLE audit_event ENABLE TRIGGER USER");
  }

  // Starts without checkpoints (and their mails), as a fresh database.
  static void forget_checkpoints() {
    db().scalar("DELETE FROM notification WHERE kind = 'checkpoint'");
    db().scalar("DELETE FROM audit_checkpoint");
  }

  // Writes `c` into audit_checkpoint as a database administrator could, without the service.
  static void insert_checkpoint_row(const domain::AuditCheckpoint& c) {
    db().scalar("INSERT INTO audit_checkpoint (seq, hash, time, public_key, signature) VALUES (" +
                std::to_string(c.seq) + ", '" + c.hash + "', '" + domain::format_utc(c.time) +
                "', '" + c.public_key + "', '" + c.signature + "')");
  }

  static std::string superuser_url() {
    const char* url = std::getenv("TERMIJN_TEST_SUPERUSER_URL");
    if (url == nullptr || *url == '\0') {
      throw std::runtime_error("TERMIJN_TEST_SUPERUSER_URL is not set; run scripts/test");
    }
    return std::string(url) + "&dbname=" + db().name();
  }
};

TEST_F(AuditGuardTest, ServiceRoleCannotInsertIntoTheChainNorDropQueuedEntries) {
  // A direct INSERT with a chosen seq and hash, and a DELETE of a queued entry, both refused.
  queue_entry("incidents/guard-1");
  EXPECT_THROW(exec_as_service("INSERT INTO audit_event (seq, time, principal, party, action, "
                               "subject, related, details, prev_hash, hash) VALUES (1000000, "
                               "now(), 'x', 'herent', 'forged', 'x', '', '{}', "
                               "decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'))"),
               pqxx::insufficient_privilege);
  EXPECT_THROW(exec_as_service("DELETE FROM audit_queue"), pqxx::insufficient_privilege);
  EXPECT_THROW(exec_as_service("UPDATE audit_queue SET details = '{\"x\":1}'"),
               pqxx::insufficient_privilege);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM audit_queue WHERE subject = 'incidents/guard-1'"),
            "1");
}

TEST_F(AuditGuardTest, ServiceRoleSequencesThroughTheOwnersFunctionAndTheChainVerifies) {
  // The SECURITY DEFINER function chains the queue; the hashes it computes verify in C++.
  queue_entry("incidents/guard-2");
  queue_entry("incidents/guard-3");
  store::PgStore service(db().app_url(), 2);
  store::PgAuditStore audit_store(service.pool());
  app::AuditTrail trail(audit_store);
  ASSERT_TRUE(trail.flush().ok());
  EXPECT_EQ(db().scalar("SELECT count(*) FROM audit_queue"), "0");
  const auto verified = trail.verify();
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->verified) << verified->first_bad_seq << ": " << verified->reason;
  EXPECT_GE(verified->event_count, 2);
}

TEST_F(AuditGuardTest, SequencingComputesTheCanonicalBytesInlineNotAsFunctionCalls) {
  // audit_sequence() hashes each event's canonical bytes; those functions are inlined into its
  // plan, not called (and planned) anew for every event.
  //
  // Before: audit_netstring() and audit_canonical_v2() each had their own search_path, which
  // keeps PostgreSQL from inlining them: 11 function calls and about 150 us of the database's
  // time per event, the largest part of the cost of chaining the trail.
  for (int i = 0; i < 3; ++i) queue_entry("incidents/inline-" + std::to_string(i));
  pqxx::connection c(superuser_url());
  pqxx::work tx(c);
  tx.exec("SET LOCAL track_functions = 'all'");
  EXPECT_GE(tx.exec1("SELECT audit_sequence(100, false)")[0].as<int>(), 3);
  EXPECT_EQ(tx.exec1("SELECT coalesce(pg_stat_get_xact_function_calls('audit_netstring'::regproc)"
                     ", 0) + coalesce(pg_stat_get_xact_function_calls('audit_canonical_v2'::"
                     "regproc), 0)")[0]
                .as<int>(),
            0);
  tx.commit();
}

TEST_F(AuditGuardTest, ABatchIsChainedInOrderWithoutGapsAndVerifies) {
  // audit_sequence() computes a batch's leaves in one query and inserts its events with one
  // statement: the events keep the queue's order, their sequence numbers follow the last one
  // without a gap, each links to the one before, and the chain verifies.
  store::PgStore service(db().app_url(), 2);
  store::PgAuditStore audit_store(service.pool());
  app::AuditTrail trail(audit_store);
  queue_entry("incidents/batch-0");
  ASSERT_TRUE(trail.flush().ok());  // the event the batch links to
  for (int i = 1; i <= 3; ++i) queue_entry("incidents/batch-" + std::to_string(i));
  {
    pqxx::connection c(superuser_url());
    pqxx::work tx(c);
    EXPECT_EQ(tx.exec1("SELECT audit_sequence(100, false)")[0].as<int>(), 3);
    tx.commit();
  }
  EXPECT_EQ(db().scalar("SELECT count(*) FROM audit_queue"), "0");
  EXPECT_EQ(db().scalar("SELECT string_agg(subject, ' ' ORDER BY seq) FROM audit_event WHERE "
                        "subject LIKE 'incidents/batch-%'"),
            "incidents/batch-0 incidents/batch-1 incidents/batch-2 incidents/batch-3");
  // Each of the batch links to the event before it, the first to batch-0 of the earlier batch.
  EXPECT_EQ(
      db().scalar("SELECT count(*) FROM audit_event e JOIN audit_event p ON p.seq = e.seq - 1 "
                  "WHERE e.subject IN ('incidents/batch-1', 'incidents/batch-2', "
                  "'incidents/batch-3') AND e.prev_hash = p.hash"),
      "3");
  EXPECT_EQ(db().scalar("SELECT max(seq) - min(seq) + 1 - count(*) FROM audit_event"), "0");
  const auto verified = trail.verify();
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->verified) << verified->first_bad_seq << ": " << verified->reason;
}

TEST_F(AuditGuardTest, SqlAndCppAgreeOnChainFormatTwo) {
  // Events sequenced now are in format 2: the SQL canonical bytes are the C++ ones byte for
  // byte (UTF-8 included), the leaf is their SHA-256 and the hash chains over the leaf.
  queue_entry("incidents/guard-v2");
  store::PgStore service(db().app_url(), 2);
  store::PgAuditStore audit_store(service.pool());
  app::AuditTrail trail(audit_store);
  const auto events = trail.list({"incidents/guard-v2", 0, 10});
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 1u);
  const app::AuditEvent& e = events->front();
  EXPECT_EQ(e.format, 2);
  EXPECT_EQ(e.record.nonce.size(), 32u);
  EXPECT_EQ(db().scalar("SELECT encode(audit_canonical_v2(seq, time, nonce, principal, party, "
                        "action, subject, related, details), 'hex') FROM audit_event WHERE seq = " +
                        std::to_string(e.record.seq)),
            app::to_hex(domain::canonical_bytes_v2(e.record)));
  EXPECT_EQ(e.leaf, app::leaf_hash(e.record));
  EXPECT_EQ(e.hash, app::chain_hash_v2(e.prev_hash, e.leaf));
  const auto one = audit_store.event(e.record.seq);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->parties, std::vector<std::string>{"herent"});
  const auto verified = trail.verify();
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->verified) << verified->first_bad_seq << ": " << verified->reason;
}

TEST_F(AuditGuardTest, ACheckpointQueuesItsMailToEachDpoInItsOwnTransaction) {
  // Keeping a checkpoint queues one pending "checkpoint" notification per party, with no
  // obligation, each audited as queued; a checkpoint not kept queues nothing.
  store::PgStore service(db().app_url(), 2);
  store::PgAuditStore audit_store(service.pool());
  app::AuditTrail trail(audit_store);
  const app::Ed25519Signer signer = app::Ed25519Signer::generate();
  FakeClock clock(at("2100-02-01T00:00:00Z"));
  app::AuditCheckpoints checkpoints(clock, trail, audit_store, signer, {"herent", "kortenberg"});
  const auto made = checkpoints.create();
  ASSERT_TRUE(made.ok()) << made.status();
  const std::string id = db().scalar("SELECT max(id) FROM audit_checkpoint");
  EXPECT_EQ(db().scalar("SELECT string_agg(recipient_party || ' ' || state || ' ' || "
                        "coalesce(obligation_id::text, '-'), ', ' ORDER BY recipient_party) FROM "
                        "notification WHERE kind = 'checkpoint' AND audit_checkpoint_id = " +
                        id),
            "herent pending -, kortenberg pending -");
  ASSERT_TRUE(trail.flush().ok());
  EXPECT_EQ(db().scalar("SELECT count(*) FROM audit_event WHERE action = 'notification.queued' "
                        "AND related = 'auditCheckpoints/" +
                        id + "'"),
            "2");
  EXPECT_EQ(db().scalar("SELECT string_agg(array_to_string(audit_event_parties(party, subject, "
                        "related), '+'), ',' ORDER BY seq) FROM audit_event WHERE related = "
                        "'auditCheckpoints/" +
                        id + "'"),
            "herent,kortenberg");
  EXPECT_THROW(db().scalar("INSERT INTO notification (kind, state, next_attempt_time, "
                           "create_time) VALUES ('notice', 'pending', now(), now())"),
               pqxx::check_violation)
      << "only a checkpoint mail goes without an obligation";
}

TEST_F(AuditGuardTest, TheServiceRoleCheckPassesOnlyForTheServiceRole) {
  // termijn_app passes; the owner and the superuser are refused with what they could do.
  store::PgStore service(db().app_url(), 2);
  EXPECT_TRUE(store::check_service_role(service.pool()).ok());

  store::PgStore owner(db().url(), 2);
  const absl::Status as_owner = store::check_service_role(owner.pool());
  EXPECT_EQ(as_owner.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Mentions(as_owner,
                       "database role termijn could rewrite the audit trail (it owns "
                       "audit_checkpoint, audit_event, audit_queue; owns the functions "
                       "audit_canonical_v1, audit_canonical_v2, audit_event_announce, "
                       "audit_event_parties, audit_event_refuse_change, audit_netstring, "
                       "audit_record_party, audit_sequence"));

  store::PgStore superuser(superuser_url(), 2);
  const absl::Status as_superuser = store::check_service_role(superuser.pool());
  EXPECT_EQ(as_superuser.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Mentions(as_superuser, "(it is a superuser"));
}

TEST_F(AuditGuardTest, ARoleThatMayCreateRolesIsRefused) {
  // A member of termijn_service with CREATEROLE passed the check, yet could GRANT itself the
  // owner's role (PostgreSQL 15) and switch off the append-only trigger.
  const std::string role = "termijn_creator_" + db().name();
  const auto as_superuser = [](const std::string& sql) {
    pqxx::connection c(superuser_url());
    pqxx::nontransaction(c).exec(sql);
  };
  as_superuser("CREATE ROLE \"" + role + "\" LOGIN CREATEROLE IN ROLE termijn_service");
  {
    // Sessions of the new role: this cluster's peer map lets root log in as a few roles only.
    store::PgStore creator(superuser_url() + "&options=-c%20role%3D" + role, 2);
    const absl::Status as_creator = store::check_service_role(creator.pool());
    EXPECT_EQ(as_creator.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_TRUE(Mentions(as_creator, "may create roles, and so grant itself the owner's"));
  }
  as_superuser("DROP ROLE \"" + role + "\"");
}

TEST_F(AuditGuardTest, CheckpointsAreSignedByTheServiceRoleOncePerInterval) {
  // The first checkpoint is made once the trail is an interval old, the next one an interval
  // later, none in between; each is signed over the trail's head and stored for the service.
  forget_checkpoints();
  queue_entry("incidents/guard-4");
  Service service;
  auto [clock, trail, checkpoints] = service.parts();
  constexpr std::chrono::hours kDaily{24};

  const auto first = checkpoints.create_if_due(kDaily);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(first->made.has_value());
  EXPECT_EQ(first->made->seq, std::stoll(db().scalar("SELECT max(seq) FROM audit_event")));
  EXPECT_EQ(first->made->hash,
            db().scalar("SELECT encode(hash, 'hex') FROM audit_event ORDER BY seq DESC LIMIT 1"));
  EXPECT_TRUE(app::checkpoint_signature_valid(*first->made));
  EXPECT_EQ(utc(first->next_due), "2100-01-02T00:00:00Z");

  clock.advance(std::chrono::hours(23));
  const auto early = checkpoints.create_if_due(kDaily);
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_FALSE(early->made.has_value());
  EXPECT_EQ(utc(early->next_due), "2100-01-02T00:00:00Z");

  clock.advance(std::chrono::hours(1));
  queue_entry("incidents/guard-5");
  const auto next = checkpoints.create_if_due(kDaily);
  ASSERT_TRUE(next.ok()) << next.status();
  ASSERT_TRUE(next->made.has_value());
  EXPECT_EQ(next->made->seq, first->made->seq + 1);
  const auto latest = checkpoints.latest();
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(domain::checkpoint_text(*latest), domain::checkpoint_text(*next->made));
  EXPECT_EQ(db().scalar("SELECT count(*) FROM audit_checkpoint"), "2");
}

TEST_F(AuditGuardTest, ACheckpointThatFailedIsTriedAgainSoon) {
  // The database is away when the daily checkpoint is due: the checkpointer tries again within
  // a minute, not at its longest sleep (ten minutes), so the checkpoint and its mail follow the
  // database's return.
  store::PgPool away("postgresql:///termijn?host=/nonexistent&user=termijn&connect_timeout=1",
                     store::PgPoolOptions{.size = 2}, store::prepare_statements);
  store::PgAuditStore audit_store(away);
  app::AuditTrail trail(audit_store);
  const app::Ed25519Signer signer = app::Ed25519Signer::generate();
  FakeClock clock(at("2100-01-01T00:00:00Z"));
  app::AuditCheckpoints checkpoints(clock, trail, audit_store, signer);
  jobs::AuditCheckpointer checkpointer(clock, checkpoints, std::chrono::hours(24),
                                       [](std::chrono::milliseconds, std::stop_token) {});

  EXPECT_LE(checkpointer.run_once(), std::chrono::minutes(1));
}

TEST_F(AuditGuardTest, OfTwoProcessesDueAtOnceOnlyOneMakesTheDailyCheckpoint) {
  // A process that read the latest checkpoint before another process made a newer one keeps
  // nothing; on request a checkpoint is always kept.
  forget_checkpoints();
  store::PgStore service(db().app_url(), 2);
  store::PgAuditStore audit_store(service.pool());
  const app::Ed25519Signer signer = app::Ed25519Signer::generate();
  const auto checkpoint_at = [&](const char* time) {
    domain::AuditCheckpoint c;
    c.hash = app::to_hex(app::genesis_hash());
    c.time = at(time);
    app::sign_checkpoint(signer, c);
    return c;
  };
  const domain::Instant never_seen{};
  const std::vector<std::string> keys{app::to_hex(signer.public_key())};
  const auto first =
      audit_store.insert_checkpoint(checkpoint_at("2100-01-01T00:00:00Z"), never_seen, keys, {});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(*first);
  // The other process, due at the same moment, had seen none either.
  const auto second =
      audit_store.insert_checkpoint(checkpoint_at("2100-01-01T00:00:01Z"), never_seen, keys, {});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(*second);
  const auto next_day = audit_store.insert_checkpoint(checkpoint_at("2100-01-02T00:00:00Z"),
                                                      at("2100-01-01T00:00:00Z"), keys, {});
  ASSERT_TRUE(next_day.ok()) << next_day.status();
  EXPECT_TRUE(*next_day);
  const auto on_request =
      audit_store.insert_checkpoint(checkpoint_at("2100-01-02T00:00:05Z"), std::nullopt, keys, {});
  ASSERT_TRUE(on_request.ok()) << on_request.status();
  EXPECT_TRUE(*on_request);
  EXPECT_EQ(db().scalar("SELECT string_agg(to_char(time AT TIME ZONE 'UTC', 'DD HH24:MI:SS'), "
                        "', ' ORDER BY id) FROM audit_checkpoint"),
            "01 00:00:00, 02 00:00:00, 02 00:00:05");
}

TEST_F(AuditGuardTest, ACheckpointRowTheServiceDidNotSignIsNeitherServedNorStopsTheNextOne) {
  // A database administrator adds checkpoint rows: one signed with a key of their own, made the
  // latest, and one naming the service's key under a signature that does not verify, dated 2199.
  // Before, the service served the first as its latest (and mailed rows like it), and the second
  // stopped the daily checkpoints for good: the tail was never anchored again.
  forget_checkpoints();
  queue_entry("incidents/guard-6");
  Service service;
  auto [clock, trail, checkpoints] = service.parts();
  constexpr std::chrono::hours kDaily{24};
  const auto genuine = checkpoints.create_if_due(kDaily);
  ASSERT_TRUE(genuine.ok()) << genuine.status();
  ASSERT_TRUE(genuine->made.has_value());

  domain::AuditCheckpoint forged = *genuine->made;
  forged.time = at("2100-01-01T12:00:00Z");
  app::sign_checkpoint(app::Ed25519Signer::generate(), forged);
  insert_checkpoint_row(forged);
  domain::AuditCheckpoint unsigned_row = *genuine->made;
  unsigned_row.time = at("2199-01-01T00:00:00Z");
  unsigned_row.signature = std::string(128, '0');
  insert_checkpoint_row(unsigned_row);

  const auto latest = checkpoints.latest();
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(domain::checkpoint_text(*latest), domain::checkpoint_text(*genuine->made));
  clock.advance(kDaily);
  queue_entry("incidents/guard-7");
  const auto next = checkpoints.create_if_due(kDaily);
  ASSERT_TRUE(next.ok()) << next.status();
  ASSERT_TRUE(next->made.has_value()) << "no checkpoint made; next due " << utc(next->next_due);
  EXPECT_EQ(next->made->seq, genuine->made->seq + 1);
  EXPECT_EQ(utc(next->next_due), "2100-01-03T00:00:00Z");
}

TEST_F(AuditGuardTest, ATrailThatNoLongerExtendsTheLastCheckpointIsNotSignedNorVerified) {
  // A database administrator deletes the newest events, covered by a checkpoint, with the
  // append-only trigger off; new events take their numbers and the chain is consistent again.
  // Before, the service signed that head and its verify said "verified": the deletion was
  // laundered. Now both name the checkpoint the trail no longer extends.
  forget_checkpoints();
  for (int i = 0; i < 3; ++i) queue_entry("incidents/guard-truncated");
  Service service;
  auto [clock, trail, checkpoints] = service.parts();
  const auto signed_before = checkpoints.create();
  ASSERT_TRUE(signed_before.ok()) << signed_before.status();
  const auto intact = checkpoints.verify();
  ASSERT_TRUE(intact.ok()) << intact.status();
  EXPECT_TRUE(intact->verified) << intact->reason;
  EXPECT_EQ(intact->checkpoint_seq, signed_before->seq);

  db().scalar("ALTER TABLE audit_event DISABLE TRIGGER USER");
  db().scalar("DELETE FROM audit_event WHERE seq >= " + std::to_string(signed_before->seq - 1));
  db().scalar("ALTER TABLE audit_event ENABLE TRIGGER USER");
  for (int i = 0; i < 3; ++i) queue_entry("incidents/guard-after");
  const auto chain_alone = trail.verify();
  ASSERT_TRUE(chain_alone.ok()) << chain_alone.status();
  ASSERT_TRUE(chain_alone->verified) << "the test wants a chain consistent in itself";

  clock.advance(std::chrono::hours(1));
  const auto refused = checkpoints.create();
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kDataLoss) << refused.status();
  EXPECT_TRUE(Mentions(refused.status(), "does not extend the checkpoint of seq"));
  // Each party's DPO is told, by mail straight through the mailer, once for this finding.
  // Before: the finding was only logged, every ten minutes, where no DPO looks.
  const auto templates = notify::TemplateSet::load(TERMIJN_TEMPLATES_DIR);
  ASSERT_TRUE(templates.ok()) << templates.status();
  const jobs::NoticeComposer composer(clock, service.store, demo_directory(), *templates,
                                      "termijn@herent.example", {}, {},
                                      {app::to_hex(service.signer.public_key())});
  const ScopedTempDir outbox("termijn-tamper-alarm");
  notify::EmlDirectoryMailer mailer(outbox.path());
  jobs::TamperAlarm alarm(composer, mailer, demo_directory());
  int told = 0;
  jobs::AuditCheckpointer checkpointer(
      clock, checkpoints, std::chrono::hours(1), [](std::chrono::milliseconds, std::stop_token) {},
      [&](const std::string& reason) { told += alarm.raise(reason); });
  EXPECT_EQ(checkpointer.run_once(), std::chrono::minutes(10)) << "not retried every 15 s";
  EXPECT_EQ(told, static_cast<int>(demo_directory().parties().size()));
  std::vector<std::string> mails;
  for (const auto& file : std::filesystem::directory_iterator(outbox.path())) {
    std::ifstream in(file.path());
    mails.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_EQ(mails.size(), demo_directory().parties().size());
  for (const domain::Party& party : demo_directory().parties()) {
    const auto to_dpo = std::find_if(mails.begin(), mails.end(), [&](const std::string& m) {
      return m.find("To: ") != std::string::npos && m.find(party.dpo.email) != std::string::npos;
    });
    ASSERT_NE(to_dpo, mails.end()) << party.dpo.email;
    EXPECT_NE(
        to_dpo->find("does not extend the checkpoint of seq " + std::to_string(signed_before->seq)),
        std::string::npos)
        << *to_dpo;
  }
  checkpointer.run_once();
  EXPECT_EQ(told, static_cast<int>(demo_directory().parties().size())) << "told once";
  const auto verified = checkpoints.verify();
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_FALSE(verified->verified);
  EXPECT_EQ(verified->first_bad_seq, signed_before->seq);
  EXPECT_NE(verified->reason.find("signed checkpoint"), std::string::npos) << verified->reason;
  EXPECT_EQ(db().scalar("SELECT count(*) FROM audit_checkpoint"), "1");
}

TEST_F(AuditGuardTest, AnAlteredTrailIsFoundAtTheNextLookNotAtTheNextCheckpoint) {
  // An administrator alters an event an hour after the day's checkpoint. The checkpointer looks
  // at least every ten minutes and raises the alarm at its next look. Before: the trail was
  // only checked when the next checkpoint fell due, up to a day later.
  forget_checkpoints();
  for (int i = 0; i < 3; ++i) queue_entry("incidents/guard-altered");
  Service service;
  auto [clock, trail, checkpoints] = service.parts();
  constexpr std::chrono::hours kDaily{24};
  const auto signed_before = checkpoints.create();
  ASSERT_TRUE(signed_before.ok()) << signed_before.status();
  std::vector<std::string> alarms;
  jobs::AuditCheckpointer checkpointer = daily_looks(clock, checkpoints, alarms);
  for (int i = 0; i < 2; ++i) queue_entry("incidents/guard-altered-after");
  ASSERT_TRUE(trail.flush().ok());
  clock.advance(std::chrono::minutes(50));
  EXPECT_EQ(checkpointer.run_once(), std::chrono::minutes(10));
  EXPECT_TRUE(alarms.empty()) << "an intact trail raises nothing: " << alarms.front();

  const std::string newest = db().scalar("SELECT max(seq) FROM audit_event");
  rewrite_subject(newest, "incidents/guard-other");
  clock.advance(std::chrono::minutes(10));
  EXPECT_EQ(checkpointer.run_once(), std::chrono::minutes(10));
  ASSERT_EQ(alarms.size(), 1u) << "found at the next look, not at the next checkpoint";
  EXPECT_NE(
      alarms[0].find("does not extend the checkpoint of seq " + std::to_string(signed_before->seq)),
      std::string::npos)
      << alarms[0];
  EXPECT_NE(alarms[0].find("altered"), std::string::npos) << alarms[0];
  EXPECT_EQ(db().scalar("SELECT count(*) FROM audit_checkpoint"), "1");
  // The trail is left as it was found, for the tests after this one.
  rewrite_subject(newest, "incidents/guard-altered-after");
}

TEST_F(AuditGuardTest, WhatALookCheckedIsCheckedAgainWithTheWholeTrailWithinTheHour) {
  // A look checks what was added since the previous one; the whole trail from the checkpoint's
  // own event on is checked again once an hour. An administrator alters the content of the
  // checkpoint's event: found within the hour. Before: the checkpoint's event was taken as given
  // (its hash column only), and such a change was never alarmed, however long it stood.
  forget_checkpoints();
  for (int i = 0; i < 3; ++i) queue_entry("incidents/guard-hourly");
  Service service;
  auto [clock, trail, checkpoints] = service.parts();
  const auto signed_before = checkpoints.create();
  ASSERT_TRUE(signed_before.ok()) << signed_before.status();
  for (int i = 0; i < 3; ++i) queue_entry("incidents/guard-hourly-after");
  ASSERT_TRUE(trail.flush().ok());
  std::vector<std::string> alarms;
  jobs::AuditCheckpointer checkpointer = daily_looks(clock, checkpoints, alarms);
  clock.advance(std::chrono::minutes(10));
  checkpointer.run_once();
  ASSERT_TRUE(alarms.empty()) << alarms.front();

  rewrite_subject(std::to_string(signed_before->seq), "incidents/guard-forged");
  for (int minutes = 10; minutes <= 60 && alarms.empty(); minutes += 10) {
    clock.advance(std::chrono::minutes(10));
    checkpointer.run_once();
  }
  ASSERT_EQ(alarms.size(), 1u) << "found within the hour";
  EXPECT_NE(alarms[0].find("event " + std::to_string(signed_before->seq) + ": its content"),
            std::string::npos)
      << alarms[0];
  // The trail is left as it was found, for the tests after this one.
  rewrite_subject(std::to_string(signed_before->seq), "incidents/guard-hourly");
}

TEST_F(AuditGuardTest, AnEventCutOffAfterALookStaysAFindingAlsoAtTheHourlyCheck) {
  // The newest event a look checked is deleted. The next look finds it gone; the hourly check of
  // the whole trail, which alone would see a shorter chain that is whole, finds it gone too.
  // Before: the finding was forgotten, and the hourly check passed the shortened trail.
  forget_checkpoints();
  for (int i = 0; i < 3; ++i) queue_entry("incidents/guard-cut");
  Service service;
  auto [clock, trail, checkpoints] = service.parts();
  ASSERT_TRUE(checkpoints.create().ok());
  for (int i = 0; i < 3; ++i) queue_entry("incidents/guard-cut-after");
  ASSERT_TRUE(trail.flush().ok());
  std::vector<std::string> alarms;
  jobs::AuditCheckpointer checkpointer = daily_looks(clock, checkpoints, alarms);
  clock.advance(std::chrono::minutes(10));
  checkpointer.run_once();
  ASSERT_TRUE(alarms.empty()) << alarms.front();

  const std::string newest = db().scalar("SELECT max(seq) FROM audit_event");
  db().scalar("ALTER TABLE audit_event DISABLE TRIGGER USER");
  db().scalar("DELETE FROM audit_event WHERE seq = " + newest);
  db().scalar("ALTER TABLE audit_event ENABLE TRIGGER USER");
  clock.advance(std::chrono::minutes(10));
  checkpointer.run_once();
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_NE(alarms[0].find("event " + newest + " is gone"), std::string::npos) << alarms[0];
  clock.advance(std::chrono::minutes(61));
  checkpointer.run_once();
  ASSERT_EQ(alarms.size(), 2u) << "still a finding at the hourly check";
  EXPECT_EQ(alarms[1], alarms[0]);
}

TEST_F(AuditGuardTest, AfterAKeyChangeThePreviousKeysCheckpointsStillCount) {
  // termijnd's signing key changed; the old public key is in [audit] previous_public_keys. The
  // old key's checkpoint is still served, its queued mail still composed, and the trail still
  // checked against it: events it covers, deleted after the key change, stop the next signature.
  //
  // Before: the new key trusted only its own checkpoints. The queued mail failed ("not signed
  // by this termijnd's key"), `audit checkpoint` said none was made, and the first checkpoint
  // of the new key signed a trail from which covered events had been deleted.
  forget_checkpoints();
  for (int i = 0; i < 3; ++i) queue_entry("incidents/guard-key-change");
  Service service;  // its store, trail and clock; the keys are the test's own
  auto [audit_store, trail, clock] = std::tie(service.audit_store, service.trail, service.clock);
  const app::Ed25519Signer old_key = app::Ed25519Signer::generate();
  app::AuditCheckpoints before(clock, trail, audit_store, old_key, {"herent"});
  const auto signed_before = before.create();
  ASSERT_TRUE(signed_before.ok()) << signed_before.status();
  const domain::Notification queued_mail = [&] {
    domain::Notification n;
    n.id = std::stoll(db().scalar("SELECT id FROM notification WHERE kind = 'checkpoint'"));
    n.kind = domain::NotificationKind::kCheckpoint;
    n.audit_checkpoint_id = std::stoll(db().scalar("SELECT max(id) FROM audit_checkpoint"));
    n.recipient_party = "herent";
    return n;
  }();

  const app::Ed25519Signer new_key = app::Ed25519Signer::generate();
  const std::string old_hex = app::to_hex(old_key.public_key());
  app::AuditCheckpoints without(clock, trail, audit_store, new_key, {"herent"});
  EXPECT_EQ(without.latest().status().code(), absl::StatusCode::kNotFound);
  app::AuditCheckpoints after(clock, trail, audit_store, new_key, {"herent"}, {old_hex});
  const auto latest = after.latest();
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->seq, signed_before->seq);
  // A key changed because it leaked may sign anything: one dated in the future would hold off
  // every next checkpoint. Such a row does not count.
  domain::AuditCheckpoint from_the_future = *signed_before;
  from_the_future.time = at("2200-01-01T00:00:00Z");
  app::sign_checkpoint(old_key, from_the_future);
  insert_checkpoint_row(from_the_future);
  EXPECT_EQ(after.latest()->time, signed_before->time);

  const auto templates = notify::TemplateSet::load(TERMIJN_TEMPLATES_DIR);
  ASSERT_TRUE(templates.ok()) << templates.status();
  const jobs::NoticeComposer trusting(clock, service.store, demo_directory(), *templates,
                                      "termijn@herent.example", {}, {},
                                      app::AuditCheckpoints::trusted_keys(new_key, {old_hex}));
  const auto mail = trusting.compose(queued_mail);
  ASSERT_TRUE(mail.ok()) << mail.status();
  EXPECT_EQ(mail->attachments.size(), 1u);
  const jobs::NoticeComposer new_key_only(clock, service.store, demo_directory(), *templates,
                                          "termijn@herent.example", {}, {},
                                          {app::to_hex(new_key.public_key())});
  EXPECT_EQ(new_key_only.compose(queued_mail).status().code(), absl::StatusCode::kDataLoss);

  db().scalar("ALTER TABLE audit_event DISABLE TRIGGER USER");
  db().scalar("DELETE FROM audit_event WHERE seq >= " + std::to_string(signed_before->seq - 1));
  db().scalar("ALTER TABLE audit_event ENABLE TRIGGER USER");
  for (int i = 0; i < 3; ++i) queue_entry("incidents/guard-after-key-change");
  clock.advance(std::chrono::hours(1));
  EXPECT_EQ(after.create().status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(AuditGuardTest, OnceTheNewKeySignedThePreviousKeysCheckpointsNoLongerCount) {
  // After the new key's first checkpoint, a later one of the old key (which may have leaked)
  // is neither served nor checked against.
  forget_checkpoints();
  queue_entry("incidents/guard-key-change-2");
  Service service;  // its store, trail and clock; the keys are the test's own
  auto [audit_store, trail, clock] = std::tie(service.audit_store, service.trail, service.clock);
  const app::Ed25519Signer old_key = app::Ed25519Signer::generate();
  const app::Ed25519Signer new_key = app::Ed25519Signer::generate();
  app::AuditCheckpoints checkpoints(clock, trail, audit_store, new_key, {},
                                    {app::to_hex(old_key.public_key())});
  const auto own = checkpoints.create();
  ASSERT_TRUE(own.ok()) << own.status();
  domain::AuditCheckpoint later = *own;
  later.time = own->time + std::chrono::hours(1);
  app::sign_checkpoint(old_key, later);
  insert_checkpoint_row(later);
  clock.advance(std::chrono::hours(2));
  const auto latest = checkpoints.latest();
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->public_key, app::to_hex(new_key.public_key()));
  EXPECT_EQ(latest->time, own->time);
}

}  // namespace
}  // namespace termijn::testing
