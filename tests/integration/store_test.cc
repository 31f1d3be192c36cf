#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <mutex>
#include <pqxx/pqxx>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/app/report_incident.h"
#include "server/domain/planner.h"
#include "server/store/pg_store.h"
#include "server/store/statements.h"
#include "tests/fakes/fake_clock.h"
#include "tests/integration/pg_test.h"

namespace termijn::testing {
namespace {

using absl::StatusCode;

domain::Incident sample_incident() {
  domain::Incident i;
  i.party = "herent";
  i.aware_time = at("2026-03-27T14:20:00+01:00");
  i.title = "Mail with client list sent to the wrong address";
  i.reported_by = "herent-reporter";
  i.create_time = at("2026-03-27T15:00:00+01:00");
  return i;
}

// The `index`th obligation an incident of sample_incident()'s time starts (0: the protocol's
// notice to the other party, 1: GDPR art. 33).
domain::Obligation planned_for(int64_t incident_id, size_t index) {
  std::vector<domain::Obligation> planned = domain::plan_obligations(
      {domain::Trigger::kIncident, at("2026-03-27T14:20:00+01:00"), std::nullopt},
      demo_directory().parties()[0], demo_directory().parties());
  domain::Obligation o = planned.at(index);
  o.incident_id = incident_id;
  return o;
}

domain::Obligation breach_notice_for(int64_t incident_id) { return planned_for(incident_id, 0); }

// One obligation through insert_obligations; its id.
absl::StatusOr<int64_t> insert_obligation(app::StoreTransaction& tx, const domain::Obligation& o) {
  std::vector<domain::Obligation> one{o};
  if (auto s = tx.insert_obligations(one); !s.ok()) return s;
  return one.front().id;
}

class StoreTransactionTest : public PgTest {};

// A call's obligations go in with one statement, each with its own id (found by its unique key,
// not by the order the database returns them in); a duplicate fails the whole statement.
TEST_F(StoreTransactionTest, ObligationsInsertedTogetherEachGetTheirOwnId) {
  auto tx = store().begin();
  ASSERT_TRUE(tx.ok()) << tx.status();
  const auto incident = (*tx)->insert_incident(sample_incident());
  ASSERT_TRUE(incident.ok()) << incident.status();
  std::vector<domain::Obligation> obligations{planned_for(*incident, 2), planned_for(*incident, 0),
                                              planned_for(*incident, 1)};
  ASSERT_TRUE((*tx)->insert_obligations(obligations).ok());
  std::vector<domain::Obligation> none;
  ASSERT_TRUE((*tx)->insert_obligations(none).ok());
  ASSERT_TRUE((*tx)->commit().ok());
  tx->reset();
  std::set<int64_t> ids;
  for (const domain::Obligation& o : obligations) {
    ids.insert(o.id);
    const auto read = store().get_obligation(o.id);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(read->rule, o.rule);
    EXPECT_EQ(read->recipient_party, o.recipient_party);
    EXPECT_EQ(read->due_time, o.due_time);
    EXPECT_EQ(read->explanation, o.explanation);
    EXPECT_FALSE(o.explanation_nl.empty());
    EXPECT_EQ(read->explanation_nl, o.explanation_nl);
  }
  EXPECT_EQ(ids.size(), 3u);

  auto again = store().begin();
  ASSERT_TRUE(again.ok()) << again.status();
  std::vector<domain::Obligation> duplicate{planned_for(*incident, 1)};
  EXPECT_FALSE((*again)->insert_obligations(duplicate).ok());
  again->reset();
  EXPECT_EQ(db().scalar("SELECT count(*) FROM obligation"), "3");
}

// Committed inserts are visible afterwards, with the ids the inserts returned.
TEST_F(StoreTransactionTest, CommitStoresEverything) {
  auto tx = store().begin();
  ASSERT_TRUE(tx.ok()) << tx.status();
  const auto id = (*tx)->insert_incident(sample_incident());
  ASSERT_TRUE(id.ok()) << id.status();
  const auto oid = insert_obligation(**tx, breach_notice_for(*id));
  ASSERT_TRUE(oid.ok()) << oid.status();

  ASSERT_TRUE((*tx)->commit().ok());
  tx->reset();

  EXPECT_EQ(rows("incident"), 1);
  const auto stored = store().get_obligation(*oid);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->incident_id, *id);
}

// A transaction destroyed without commit() leaves nothing behind.
TEST_F(StoreTransactionTest, DestroyedWithoutCommitRollsBack) {
  {
    auto tx = store().begin();
    ASSERT_TRUE(tx.ok()) << tx.status();
    const auto id = (*tx)->insert_incident(sample_incident());
    ASSERT_TRUE(id.ok()) << id.status();
    ASSERT_TRUE(insert_obligation(**tx, breach_notice_for(*id)).ok());
    domain::Request request;
    request.party = "kortenberg";
    request.summary = "Access request";
    request.logged_by = "kortenberg-reporter";
    ASSERT_TRUE((*tx)->insert_request(request).ok());
  }

  EXPECT_EQ(rows("incident"), 0);
  EXPECT_EQ(rows("request"), 0);
  EXPECT_EQ(rows("obligation"), 0);
}

// An obligation the schema refuses (due after its legal limit) fails with INTERNAL and rolls
// back the incident inserted earlier in the same transaction.
TEST_F(StoreTransactionTest, ConstraintViolationRollsBackEarlierInserts) {
  {
    auto tx = store().begin();
    ASSERT_TRUE(tx.ok()) << tx.status();
    const auto id = (*tx)->insert_incident(sample_incident());
    ASSERT_TRUE(id.ok()) << id.status();
    domain::Obligation bad = breach_notice_for(*id);
    bad.due_time = bad.legal_due_time + std::chrono::hours{1};

    const auto oid = insert_obligation(**tx, bad);

    EXPECT_TRUE(IsError(oid.status(), StatusCode::kInternal, "insert obligations:"));
    // No database detail (it may quote personal data) reaches the caller.
    EXPECT_EQ(std::string(oid.status().message()).find("violates"), std::string::npos);
  }

  EXPECT_EQ(rows("incident"), 0);
  EXPECT_EQ(rows("obligation"), 0);
}

// A duplicate obligation (same subject, rule, recipient) is ALREADY_EXISTS and rolls back the
// whole transaction.
TEST_F(StoreTransactionTest, DuplicateObligationIsAlreadyExistsAndRollsBack) {
  {
    auto tx = store().begin();
    ASSERT_TRUE(tx.ok()) << tx.status();
    const auto id = (*tx)->insert_incident(sample_incident());
    ASSERT_TRUE(id.ok()) << id.status();
    ASSERT_TRUE(insert_obligation(**tx, breach_notice_for(*id)).ok());

    const auto again = insert_obligation(**tx, breach_notice_for(*id));

    EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists) << again.status();
  }

  EXPECT_EQ(rows("incident"), 0);
  EXPECT_EQ(rows("obligation"), 0);
}

// commit() after a failed statement must not report success: the database rolled the
// transaction back, so a caller that went on would believe lost data was stored.
TEST_F(StoreTransactionTest, CommitAfterAFailedStatementFails) {
  auto tx = store().begin();
  ASSERT_TRUE(tx.ok()) << tx.status();
  const auto id = (*tx)->insert_incident(sample_incident());
  ASSERT_TRUE(id.ok()) << id.status();
  domain::Obligation bad = breach_notice_for(*id);
  bad.due_time = bad.legal_due_time + std::chrono::hours{1};
  ASSERT_FALSE(insert_obligation(**tx, bad).ok());

  const absl::Status committed = (*tx)->commit();

  EXPECT_FALSE(committed.ok());
  tx->reset();
  EXPECT_EQ(rows("incident"), 0);
}

// The pool keeps working after a transaction failed: the connection is reusable or replaced.
TEST_F(StoreTransactionTest, PoolRecoversAfterAFailedTransaction) {
  for (int round = 0; round < 6; ++round) {  // more rounds than the pool has connections
    auto tx = store().begin();
    ASSERT_TRUE(tx.ok()) << tx.status();
    const auto id = (*tx)->insert_incident(sample_incident());
    ASSERT_TRUE(id.ok()) << id.status();
    domain::Obligation bad = breach_notice_for(*id);
    bad.due_time = bad.legal_due_time + std::chrono::hours{1};
    ASSERT_FALSE(insert_obligation(**tx, bad).ok());
  }
  auto tx = store().begin();
  ASSERT_TRUE(tx.ok()) << tx.status();
  ASSERT_TRUE((*tx)->insert_incident(sample_incident()).ok());
  ASSERT_TRUE((*tx)->commit().ok());
  tx->reset();

  EXPECT_EQ(rows("incident"), 1);
}

// lock_obligation of an id that does not exist is NOT_FOUND naming the resource.
TEST_F(StoreTransactionTest, LockingAMissingObligationIsNotFound) {
  auto tx = store().begin();
  ASSERT_TRUE(tx.ok()) << tx.status();

  const auto locked = (*tx)->lock_obligation(999);

  EXPECT_TRUE(IsError(locked.status(), StatusCode::kNotFound, "obligations/999"));
}

// insert_steps writes an obligation's steps in one statement with their labels, audiences,
// times and moved flags; steps that exist already are left alone and not returned.
TEST_F(StoreTransactionTest, InsertStepsAddsOnlyTheNewOnes) {
  auto tx = store().begin();
  ASSERT_TRUE(tx.ok()) << tx.status();
  const auto id = (*tx)->insert_incident(sample_incident());
  ASSERT_TRUE(id.ok()) << id.status();
  const auto oid = insert_obligation(**tx, breach_notice_for(*id));
  ASSERT_TRUE(oid.ok()) << oid.status();
  std::vector<domain::ScheduledStep> steps(3);
  for (int i = 0; i < 3; ++i) {
    steps[i].obligation_id = *oid;
    steps[i].time = {i, 0, at("2026-03-28T10:00:00+01:00") + std::chrono::hours(i), i == 2};
    steps[i].label = i == 0 ? "50% \"quoted\", comma" : "-" + std::to_string(i) + "h";
    steps[i].audience = "owner_dpo,owner_escalation";
  }
  const auto first = (*tx)->insert_step(steps[0]);
  ASSERT_TRUE(first.ok()) << first.status();

  const auto added = (*tx)->insert_steps(steps);

  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->size(), 2u);
  EXPECT_EQ(std::count(added->begin(), added->end(), *first), 0);
  ASSERT_TRUE((*tx)->commit().ok());
  tx->reset();
  EXPECT_EQ(rows("escalation_step"), 3);
  EXPECT_EQ(db().scalar("SELECT string_agg(label || '|' || audience || '|' || moved || '|' || "
                              "extract(epoch FROM fire_time)::bigint, ';' ORDER BY step) FROM "
                              "escalation_step"),
            "50% \"quoted\", comma|owner_dpo,owner_escalation|false|1774688400;"
            "-1h|owner_dpo,owner_escalation|false|1774692000;"
            "-2h|owner_dpo,owner_escalation|true|1774695600");
}

// Steps queued with queue_steps are written at commit with the audit entries, and a statement
// of the same transaction that runs before the commit sees them already.
TEST_F(StoreTransactionTest, QueuedStepsAreWrittenBeforeTheNextStatementOrAtCommit) {
  auto tx = store().begin();
  ASSERT_TRUE(tx.ok()) << tx.status();
  const auto id = (*tx)->insert_incident(sample_incident());
  ASSERT_TRUE(id.ok()) << id.status();
  std::vector<int64_t> obligations;
  for (int i = 0; i < 2; ++i) {
    const auto oid = insert_obligation(**tx, planned_for(*id, i));
    ASSERT_TRUE(oid.ok()) << oid.status();
    obligations.push_back(*oid);
    std::vector<domain::ScheduledStep> steps(2);
    for (int j = 0; j < 2; ++j) {
      steps[j].obligation_id = *oid;
      steps[j].time = {j, 0, at("2026-03-28T10:00:00+01:00") + std::chrono::hours(j), false};
      steps[j].label = "step " + std::to_string(j);
      steps[j].audience = "owner_dpo";
    }
    ASSERT_TRUE((*tx)->queue_steps(steps).ok());
  }
  const auto seen = (*tx)->obligations_of(*id, 0);
  ASSERT_TRUE(seen.ok()) << seen.status();
  ASSERT_EQ(seen->size(), 2u);
  EXPECT_EQ(seen->front().next_step, "step 0");

  std::vector<domain::ScheduledStep> more(1);
  more[0].obligation_id = obligations[1];
  more[0].time = {2, 0, at("2026-03-28T12:00:00+01:00"), true};
  more[0].label = "step 2";
  more[0].audience = "owner_dpo,owner_escalation";
  ASSERT_TRUE((*tx)->queue_steps(more).ok());
  domain::AuditRecord audited;
  audited.time = at("2026-03-27T15:00:00+01:00");
  audited.principal = "herent-dpo";
  audited.party = "herent";
  audited.action = "incident.reported";
  audited.subject = "incidents/" + std::to_string(*id);
  audited.details = "{}";
  ASSERT_TRUE((*tx)->append_audit(audited).ok());
  ASSERT_TRUE((*tx)->commit().ok());
  tx->reset();

  EXPECT_EQ(rows("escalation_step"), 5);
  EXPECT_EQ(db().scalar("SELECT string_agg(obligation_id - " + std::to_string(obligations[0]) +
                        " || ':' || label || '|' || audience || '|' || moved, ';' ORDER BY "
                        "obligation_id, step) FROM escalation_step"),
            "0:step 0|owner_dpo|false;0:step 1|owner_dpo|false;1:step 0|owner_dpo|false;"
            "1:step 1|owner_dpo|false;1:step 2|owner_dpo,owner_escalation|true");
}

// An obligation with two pending reminder steps, its notice and a reminder, both pending.
struct ObligationWithNotices {
  int64_t obligation = 0;
  int64_t notice = 0;
  int64_t reminder = 0;
};

ObligationWithNotices obligation_with_notices(app::Store& store) {
  ObligationWithNotices made;
  auto tx = store.begin();
  EXPECT_TRUE(tx.ok()) << tx.status();
  const auto incident = (*tx)->insert_incident(sample_incident());
  EXPECT_TRUE(incident.ok()) << incident.status();
  made.obligation = insert_obligation(**tx, breach_notice_for(*incident)).value();
  std::vector<domain::ScheduledStep> steps(2);
  for (int j = 0; j < 2; ++j) {
    steps[j].obligation_id = made.obligation;
    steps[j].time = {j, 0, at("2026-03-28T10:00:00+01:00") + std::chrono::hours(j), false};
    steps[j].label = "step " + std::to_string(j);
    steps[j].audience = "owner_dpo";
  }
  EXPECT_TRUE((*tx)->insert_steps(steps).ok());
  domain::Notification n;
  n.obligation_id = made.obligation;
  n.state = domain::NotificationState::kPending;
  n.next_attempt_time = n.create_time = at("2026-03-27T15:00:00+01:00");
  n.kind = domain::NotificationKind::kNotice;
  made.notice = (*tx)->insert_notification(n).value();
  n.kind = domain::NotificationKind::kReminder;
  made.reminder = (*tx)->insert_notification(n).value();
  EXPECT_TRUE((*tx)->commit().ok());
  return made;
}

domain::Obligation met(domain::Obligation o) {
  o.state = domain::ObligationState::kMet;
  o.closed_time = at("2026-03-27T16:00:00+01:00");
  o.evidence = "Mail accepted";
  o.closed_by = "system";
  return o;
}

// A notification's update, an obligation's close and the cancelling of its reminders are held
// and written together (as the outbox records a sent notice), yet every read that follows in
// the transaction sees them, as the commit does.
TEST_F(StoreTransactionTest, HeldWritesAreSeenByTheReadsThatFollowThemAndCommitted) {
  const ObligationWithNotices made = obligation_with_notices(store());
  auto tx = store().begin();
  ASSERT_TRUE(tx.ok()) << tx.status();
  auto notice = (*tx)->lock_notification(made.notice);
  ASSERT_TRUE(notice.ok()) << notice.status();
  const auto open = (*tx)->lock_obligation(made.obligation);
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_EQ(open->next_step, "step 0");
  notice->state = domain::NotificationState::kSent;
  notice->attempts = 1;
  notice->sent_time = at("2026-03-27T16:00:00+01:00");
  notice->server_reply = "250 OK";
  ASSERT_TRUE((*tx)->update_notification(*notice).ok());
  ASSERT_TRUE((*tx)->close_obligation(met(*open)).ok());
  ASSERT_TRUE((*tx)->cancel_escalation(made.obligation).ok());

  const auto closed = (*tx)->lock_obligation(made.obligation);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->state, domain::ObligationState::kMet);
  EXPECT_EQ(closed->notice_state, "sent");
  EXPECT_EQ(closed->next_step, "");
  const auto reminder = (*tx)->lock_notification(made.reminder);
  ASSERT_TRUE(reminder.ok()) << reminder.status();
  EXPECT_EQ(reminder->state, domain::NotificationState::kCancelled);
  const auto sent = (*tx)->get_notification(made.notice);
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(sent->server_reply, "250 OK");
  ASSERT_TRUE((*tx)->commit().ok());
  tx->reset();

  EXPECT_EQ(db().scalar("SELECT string_agg(kind || ':' || state || ':' || attempts || ':' || "
                        "(sent_time IS NOT NULL), ',' ORDER BY id) FROM notification"),
            "notice:sent:1:true,reminder:cancelled:0:false");
  EXPECT_EQ(db().scalar("SELECT state || ':' || evidence FROM obligation"), "met:Mail accepted");
  EXPECT_EQ(db().scalar("SELECT string_agg(state, ',') FROM escalation_step"),
            "cancelled,cancelled");
}

// Held writes take effect in the order they were made: a reminder updated after its
// obligation's reminders were cancelled stays as updated, one updated before is cancelled, and
// steps planned after the cancelling stay pending.
TEST_F(StoreTransactionTest, HeldWritesTakeEffectInTheOrderTheyWereMadeIn) {
  const ObligationWithNotices made = obligation_with_notices(store());
  const ObligationWithNotices other = obligation_with_notices(store());
  auto tx = store().begin();
  ASSERT_TRUE(tx.ok()) << tx.status();
  ASSERT_TRUE((*tx)->cancel_escalation(made.obligation).ok());
  auto after = (*tx)->lock_notification(made.reminder);
  ASSERT_TRUE(after.ok()) << after.status();
  after->state = domain::NotificationState::kPending;
  after->attempts = 7;
  ASSERT_TRUE((*tx)->update_notification(*after).ok());

  auto before = (*tx)->lock_notification(other.reminder);
  ASSERT_TRUE(before.ok()) << before.status();
  before->attempts = 3;
  ASSERT_TRUE((*tx)->update_notification(*before).ok());
  ASSERT_TRUE((*tx)->cancel_escalation(other.obligation).ok());
  std::vector<domain::ScheduledStep> again(1);
  again[0].obligation_id = other.obligation;
  again[0].time = {5, 0, at("2026-03-29T10:00:00+01:00"), false};
  again[0].label = "planned after";
  again[0].audience = "owner_dpo";
  ASSERT_TRUE((*tx)->queue_steps(again).ok());
  ASSERT_TRUE((*tx)->commit().ok());
  tx->reset();

  EXPECT_EQ(db().scalar("SELECT state || ':' || attempts FROM notification WHERE id = " +
                        std::to_string(made.reminder)),
            "pending:7");
  EXPECT_EQ(db().scalar("SELECT state || ':' || attempts FROM notification WHERE id = " +
                        std::to_string(other.reminder)),
            "cancelled:3");
  EXPECT_EQ(db().scalar("SELECT string_agg(label || ':' || state, ',' ORDER BY step) FROM "
                        "escalation_step WHERE obligation_id = " +
                        std::to_string(other.obligation)),
            "step 0:cancelled,step 1:cancelled,planned after:pending");
}

// A held write the database refuses fails the commit, and nothing of the transaction is stored.
TEST_F(StoreTransactionTest, AHeldWriteThatIsRefusedFailsTheCommit) {
  const ObligationWithNotices made = obligation_with_notices(store());
  auto tx = store().begin();
  ASSERT_TRUE(tx.ok()) << tx.status();
  domain::Obligation refused = met((*tx)->lock_obligation(made.obligation).value());
  auto notice = (*tx)->lock_notification(made.notice);
  ASSERT_TRUE(notice.ok()) << notice.status();
  notice->state = domain::NotificationState::kSent;
  notice->sent_time = at("2026-03-27T16:00:00+01:00");
  ASSERT_TRUE((*tx)->update_notification(*notice).ok());
  refused.state = domain::ObligationState::kOpen;  // with a closed time: a CHECK refuses it
  ASSERT_TRUE((*tx)->close_obligation(refused).ok());

  EXPECT_FALSE((*tx)->commit().ok());
  tx->reset();
  EXPECT_EQ(db().scalar("SELECT string_agg(state, ',' ORDER BY id) FROM notification"),
            "pending,pending");
  EXPECT_EQ(db().scalar("SELECT state FROM obligation"), "open");
}

class PgStoreReadTest : public PgTest {};

// An incident and its obligations, soonest due first, come in one read; an incident without
// obligations has none, and a missing one is NOT_FOUND.
TEST_F(PgStoreReadTest, IncidentRecordHasItsObligationsSoonestFirst) {
  auto tx = store().begin();
  ASSERT_TRUE(tx.ok()) << tx.status();
  const auto bare = (*tx)->insert_incident(sample_incident());
  const auto id = (*tx)->insert_incident(sample_incident());
  ASSERT_TRUE(bare.ok() && id.ok());
  // GDPR art. 33 (72 h) is due after the protocol's notice (36 h), though written first.
  const auto second = insert_obligation(**tx, planned_for(*id, 1));
  const auto first = insert_obligation(**tx, planned_for(*id, 0));
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE((*tx)->commit().ok());
  tx->reset();

  const auto record = store().incident_record(*id);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->incident.id, *id);
  EXPECT_EQ(record->incident.title, sample_incident().title);
  ASSERT_EQ(record->obligations.size(), 2u);
  EXPECT_EQ(record->obligations[0].id, *first);
  EXPECT_EQ(record->obligations[1].id, *second);
  EXPECT_EQ(record->obligations[1].incident_id, *id);

  const auto without = store().incident_record(*bare);
  ASSERT_TRUE(without.ok()) << without.status();
  EXPECT_EQ(without->incident.id, *bare);
  EXPECT_TRUE(without->obligations.empty());

  EXPECT_TRUE(
      IsError(store().incident_record(42).status(), StatusCode::kNotFound, "incidents/42"));
}

// Two obligations: `busy` with 100 000 pending reminder steps, `own` with five, and the table's
// statistics taken while it was empty (as after a quiet start, before autovacuum caught up).
struct StepsOfTwoObligations {
  int64_t busy = 0;
  int64_t own = 0;
};

class PgStoreStepsTest : public PgStoreReadTest {
 protected:
  StepsOfTwoObligations many_steps_elsewhere() {
    auto tx = store().begin();
    EXPECT_TRUE(tx.ok()) << tx.status();
    const auto incident = (*tx)->insert_incident(sample_incident());
    EXPECT_TRUE(incident.ok());
    const auto busy = insert_obligation(**tx, planned_for(*incident, 0));
    const auto own = insert_obligation(**tx, planned_for(*incident, 1));
    EXPECT_TRUE(busy.ok() && own.ok());
    EXPECT_TRUE((*tx)->commit().ok());
    tx->reset();
    db().scalar("ANALYZE escalation_step");
    db().scalar(
        "INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time) "
        "SELECT " + std::to_string(*busy) + ", 0, r, 'x', 'owner_dpo', now() + r * interval '1 s' "
        "FROM generate_series(0, 99999) r; "
        "INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time) "
        "SELECT " + std::to_string(*own) + ", s, 0, 'x', 'owner_dpo', now() + s * interval '1 h' "
        "FROM generate_series(0, 4) s");
    return {*busy, *own};
  }

  // The shared buffers the store's own prepared statement `name` touches for its parameters (EXPLAIN ANALYZE, in a transaction that is rolled back); -1 when it runs longer
  // than 10 s.
  template <typename... Params>
  int buffers_of(const char* name, Params... params) {
    pqxx::connection c(db().url());
    store::prepare_statements(c);
    pqxx::work explain(c);
    explain.exec("SET LOCAL statement_timeout = '10s'");
    try {
      explain.exec_prepared(name, params...);  // libpqxx prepares on first use
    } catch (const pqxx::sql_error& e) {
      ADD_FAILURE() << name << ": " << e.what();
      return -1;
    }
    std::string list;
    ((list += (list.empty() ? "" : ", ") + explain.quote(params)), ...);
    const std::string plan =
        explain
            .exec1("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE " + std::string(name) + "(" +
                   list + ")")[0]
            .as<std::string>();
    std::smatch hit;
    EXPECT_TRUE(std::regex_search(plan, hit, std::regex(R"("Shared Hit Blocks": (\d+))"))) << plan;
    return hit.empty() ? -1 : std::stoi(hit[1]);
  }
};

// Reading an obligation looks at its own reminder steps only, however many other obligations
// have steps pending, and also before the table's statistics caught up with its growth.
//
// Before: the next pending step of an obligation was found by intersecting the index of every
// pending step with the obligation's steps: with 135 000 steps pending (a busy week of
// benchmark) each obligation read took 14 ms and 1 400 buffers, and the outbox read each notice's
// obligation three times.
TEST_F(PgStoreStepsTest, ReadingAnObligationReadsOnlyItsOwnSteps) {
  const StepsOfTwoObligations o = many_steps_elsewhere();
  const int buffers = buffers_of(store::stmt::kGetObligation, o.own);
  EXPECT_GE(buffers, 0);
  EXPECT_LT(buffers, 100);
  const auto read = store().get_obligation(o.own);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(read->next_step_time.has_value());
}

// What an obligation's reminder steps say is the same in every read: the next pending step
// (the soonest, whatever order the steps were written in) and how many fired; cancelled and
// skipped steps count for neither.
TEST_F(PgStoreStepsTest, EveryReadShowsTheNextPendingStepAndHowManyFired) {
  auto tx = store().begin();
  ASSERT_TRUE(tx.ok()) << tx.status();
  const auto incident = (*tx)->insert_incident(sample_incident());
  ASSERT_TRUE(incident.ok());
  const auto id = insert_obligation(**tx, planned_for(*incident, 0));
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE((*tx)->commit().ok());
  tx->reset();
  const std::string o = std::to_string(*id);
  db().scalar(
      "INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time, "
      "state) VALUES (" + o + ", 4, 0, 'later', 'owner_dpo', to_timestamp(4000), 'pending'), (" +
      o + ", 3, 0, 'next', 'owner_dpo', to_timestamp(3000), 'pending'), (" + o +
      ", 2, 0, 'cancelled', 'owner_dpo', to_timestamp(2500), 'cancelled'), (" + o +
      ", 1, 0, 'skipped', 'owner_dpo', to_timestamp(2000), 'skipped'), (" + o +
      ", 0, 0, 'first', 'owner_dpo', to_timestamp(1000), 'fired'), (" + o +
      ", 0, 1, 'again', 'owner_dpo', to_timestamp(1500), 'fired')");
  const auto expect_steps = [](const domain::Obligation& read, const char* how) {
    EXPECT_EQ(read.next_step_time, domain::Instant{std::chrono::seconds(3000)}) << how;
    EXPECT_EQ(read.next_step, "next") << how;
    EXPECT_EQ(read.escalation_level, 2) << how;
  };

  const auto one = store().get_obligation(*id);
  ASSERT_TRUE(one.ok()) << one.status();
  expect_steps(*one, "get_obligation");
  const auto record = store().incident_record(*incident);
  ASSERT_TRUE(record.ok()) << record.status();
  ASSERT_EQ(record->obligations.size(), 1u);
  expect_steps(record->obligations[0], "incident_record");
  const auto listed = store().list_obligations(app::ObligationFilter{});
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  expect_steps(listed->front(), "list_obligations");
  auto locking = store().begin();
  ASSERT_TRUE(locking.ok()) << locking.status();
  const auto locked = (*locking)->lock_obligation(*id);
  ASSERT_TRUE(locked.ok()) << locked.status();
  expect_steps(*locked, "lock_obligation");
  locking->reset();

  db().scalar("UPDATE escalation_step SET state = 'fired' WHERE obligation_id = " + o);
  const auto none = store().get_obligation(*id);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->next_step_time.has_value());
  EXPECT_EQ(none->next_step, "");
  EXPECT_EQ(none->escalation_level, 6);
}

// The due steps of an obligation (what the scheduler fires together) are read from its own
// steps, also after downtime, when every other obligation has due steps too.
TEST_F(PgStoreStepsTest, ReadingAnObligationsDueStepsTouchesOnlyItsOwnSteps) {
  const StepsOfTwoObligations o = many_steps_elsewhere();
  const int64_t much_later = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count() +
                             365 * 24 * 3600;  // every step of both obligations is due
  const int buffers = buffers_of(store::stmt::kDueSteps, o.own, much_later);
  EXPECT_GE(buffers, 0);
  EXPECT_LT(buffers, 100);

  auto tx = store().begin();
  ASSERT_TRUE(tx.ok()) << tx.status();
  const auto due = (*tx)->due_steps(o.own, domain::Instant{std::chrono::seconds(much_later)});
  ASSERT_TRUE(due.ok()) << due.status();
  EXPECT_EQ(due->size(), 5u);
}

// Cancelling an obligation's reminders (it was met or closed) looks at its own steps only.
//
// Before: the same intersection with the index of every pending step. It was the statement with
// the largest total time of a ReportIncident benchmark phase (the notice sent meets its
// obligation): 1.6 ms a call, 38 % of PostgreSQL's execution time.
TEST_F(PgStoreStepsTest, CancellingAnObligationsRemindersTouchesOnlyItsOwnSteps) {
  const StepsOfTwoObligations o = many_steps_elsewhere();
  const std::string none = "{}";
  const int buffers =
      buffers_of(store::stmt::kWriteHeld, none, none, none, none, none, none, none, none, none,
                 none, none, none, none, none, none, none, "{" + std::to_string(o.own) + "}");
  EXPECT_GE(buffers, 0);
  EXPECT_LT(buffers, 100);

  auto tx = store().begin();
  ASSERT_TRUE(tx.ok()) << tx.status();
  ASSERT_TRUE((*tx)->cancel_escalation(o.own).ok());
  ASSERT_TRUE((*tx)->commit().ok());
  EXPECT_EQ(db().scalar("SELECT count(*) FROM escalation_step WHERE obligation_id = " +
                        std::to_string(o.own) + " AND state = 'cancelled'"),
            "5");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM escalation_step WHERE state = 'pending'"), "100000");
}

// Reading records that do not exist is NOT_FOUND with the resource name.
TEST_F(PgStoreReadTest, MissingRecordsAreNotFound) {
  EXPECT_TRUE(IsError(store().get_incident(42).status(), StatusCode::kNotFound, "incidents/42"));
  EXPECT_TRUE(
      IsError(store().get_request(42, true).status(), StatusCode::kNotFound, "requests/42"));
  EXPECT_TRUE(
      IsError(store().get_obligation(42).status(), StatusCode::kNotFound, "obligations/42"));
}

// A database that cannot be reached is UNAVAILABLE, not a crash or INTERNAL.
TEST(PgStoreUnreachable, BeginIsUnavailable) {
  store::PgStore unreachable("postgresql:///nowhere?host=/nonexistent-termijn-socket-dir", 2);

  const auto tx = unreachable.begin();

  EXPECT_EQ(tx.status().code(), StatusCode::kUnavailable) << tx.status();
}

class ConcurrencyTest : public PgTest {};

// Eight threads reporting 20 incidents each through one PgStore with 4 connections: every
// report succeeds and is stored with its two obligations.
TEST_F(ConcurrencyTest, ManyThreadsShareOnePool) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20;
  const FakeClock clock(at("2026-04-01T10:00:00Z"));
  app::ReportIncident report(clock, store(), demo_directory());
  std::latch start(kThreads);
  std::mutex mutex;
  std::vector<std::string> errors;
  std::set<int64_t> ids;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int n = 0; n < kPerThread; ++n) {
        app::ReportIncidentInput input;
        input.party = t % 2 == 0 ? "herent" : "kortenberg";
        input.title = "Incident " + std::to_string(t) + "." + std::to_string(n);
        input.aware_time = "2026-03-31T09:00:00+02:00";
        const auto record = report.run(t % 2 == 0 ? kHerentReporter : kKortenbergReporter, input);
        std::lock_guard lock(mutex);
        if (record.ok()) {
          ids.insert(record->incident.id);
        } else {
          errors.push_back(std::string(record.status().ToString()));
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();

  EXPECT_TRUE(errors.empty()) << errors.size() << " failed, first: " << errors.front();
  EXPECT_EQ(ids.size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(rows("incident"), kThreads * kPerThread);
  // Each incident: the notice, GDPR art. 33 and the art. 13 consultation.
  EXPECT_EQ(rows("obligation"), 3 * kThreads * kPerThread);
  EXPECT_EQ(std::stoll(db().scalar(
                "SELECT count(*) FROM incident i WHERE (SELECT count(*) FROM obligation o "
                "WHERE o.incident_id = i.id) = 3")),
            kThreads * kPerThread);
}

}  // namespace
}  // namespace termijn::testing
