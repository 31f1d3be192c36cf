// Integration: the escalation scheduler against a real PostgreSQL, with the clock in the test's
// hands. Obligations come from the real use cases; the scheduler's wait is a no-op, so each test
// decides when it runs.
#include "server/domain/escalation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/app/close_obligation.h"
#include "server/app/log_request.h"
#include "server/app/report_incident.h"
#include "server/app/rule_policies.h"
#include "server/domain/audit.h"
#include "server/jobs/audit_sequencer.h"
#include "server/jobs/escalation_scheduler.h"
#include "server/jobs/notice_composer.h"
#include "server/jobs/outbox_dispatcher.h"
#include "server/notify/eml_mailer.h"
#include "server/notify/templates.h"
#include "server/store/pg_audit_store.h"
#include "server/store/pg_store.h"
#include "tests/fakes/fake_clock.h"
#include "tests/integration/pg_test.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_database.h"

namespace termijn::testing {
namespace {

using domain::Instant;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// One database for the suite, emptied before each test. Not PgTest: its clean-up deletes
// obligations before the notifications and escalation steps that reference them.
class EscalationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { database_ = std::make_unique<TestDatabase>(); }
  static void TearDownTestSuite() { database_.reset(); }

  EscalationTest() {
    // Ids keep counting across tests, so that audit subjects ("obligations/7") stay unique in the
    // append-only audit_event.
    db().scalar(
        "DELETE FROM notification; DELETE FROM escalation_step; DELETE FROM obligation; "
        "DELETE FROM incident; DELETE FROM request; DELETE FROM audit_queue");
    store_ = std::make_unique<store::PgStore>(db().url(), 4);
  }

  static const TestDatabase& db() { return *database_; }
  store::PgStore& store() { return *store_; }

  // The incident's obligations under the policies as they are when it is reported.
  app::IncidentRecord report(const std::string& aware_time) {
    app::ReportIncident report(clock_, store(), demo_directory(), policies_);
    app::ReportIncidentInput in;
    in.party = "herent";
    in.aware_time = aware_time;
    in.title = "Clientenlijst naar verkeerd adres gemaild";
    auto record = report.run(kHerentReporter, in);
    if (!record.ok()) throw std::runtime_error(record.status().ToString());
    return *record;
  }

  app::RequestRecord log_request(const std::string& receive_time) {
    app::LogRequest log(clock_, store(), demo_directory(), 1 << 20, policies_);
    app::LogRequestInput in;
    in.party = "herent";
    in.kind = domain::RequestKind::kAccess;
    in.receive_time = receive_time;
    in.summary = "Inzage in dossier";
    auto record = log.run(kHerentReporter, in);
    if (!record.ok()) throw std::runtime_error(record.status().ToString());
    return *record;
  }

  static const domain::Obligation& by_rule(const std::vector<domain::Obligation>& list,
                                           const std::string& rule) {
    for (const domain::Obligation& o : list) {
      if (o.rule == rule) return o;
    }
    throw std::invalid_argument("no obligation " + rule);
  }

  jobs::EscalationScheduler scheduler() { return scheduler_on(store()); }
  jobs::EscalationScheduler scheduler_on(app::Store& s) {
    return jobs::EscalationScheduler(clock_, s, demo_directory(), policies_,
                                     [](std::chrono::milliseconds) {});
  }

  // "label#repetition state" for each step of `obligation`, in firing order.
  static std::string steps(int64_t obligation) {
    return db().scalar(
        "SELECT string_agg(label || '#' || repetition || ' ' || state, ', ' ORDER BY fire_time, "
        "step, repetition) FROM escalation_step WHERE obligation_id = " +
        std::to_string(obligation));
  }

  // "label#repetition state" of the steps each reminder of `obligation` was queued for.
  static std::string reminders(int64_t obligation) {
    return db().scalar(
        "SELECT string_agg(s.label || '#' || s.repetition || ' ' || n.state, ', ' ORDER BY n.id) "
        "FROM notification n JOIN escalation_step s ON s.id = n.escalation_step_id WHERE "
        "n.kind = 'reminder' AND n.obligation_id = " +
        std::to_string(obligation));
  }

  static int64_t count(const std::string& sql) { return std::stoll(db().scalar(sql)); }

  static int64_t audit(const std::string& action, int64_t obligation) {
    return count("SELECT count(*) FROM audit_queue WHERE action = '" + action +
                 "' AND subject = 'obligations/" + std::to_string(obligation) + "'");
  }

  // The instant of `obligation`'s step `label`, repetition `repetition`, as stored.
  static Instant step_time(int64_t obligation, const std::string& label, int repetition = 0) {
    return Instant{seconds{count(
        "SELECT extract(epoch FROM fire_time)::bigint FROM escalation_step WHERE obligation_id = " +
        std::to_string(obligation) + " AND label = '" + label +
        "' AND repetition = " + std::to_string(repetition))}};
  }

  FakeClock clock_{at("2026-06-09T08:01:00Z")};
  // Every notice sent at once, the default ladders; the art. 13 consultation without reminders,
  // so that these tests follow the notice and GDPR art. 33 ladders alone.
  app::RulePolicies policies_{{}, {{"protocol.breach_consultation", {}}}};

 private:
  static inline std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<store::PgStore> store_;
};

// An incident at Tue 2026-06-09 10:00 Brussels: GDPR art. 33 is due Fri 12 June 10:00 (72 h).
constexpr char kAware[] = "2026-06-09T10:00:00+02:00";

TEST_F(EscalationTest, StepsArePlannedWithTheObligation) {
  // Verifies the use case stores one pending row per policy step, at the domain's times.
  const app::IncidentRecord record = report(kAware);
  const domain::Obligation& art33 = by_rule(record.obligations, "gdpr.art33_authority");
  EXPECT_EQ(steps(art33.id),
            "50%#0 pending, 80%#0 pending, -2h#0 pending, 0#0 pending, +12h every 12h#0 pending");
  EXPECT_EQ(db().scalar("SELECT string_agg(to_char(fire_time AT TIME ZONE 'UTC', "
                        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || ' ' || audience, ', ' ORDER BY "
                        "fire_time) FROM escalation_step WHERE obligation_id = " +
                        std::to_string(art33.id)),
            "2026-06-10T20:00:00Z owner_dpo, 2026-06-11T17:36:00Z owner_dpo, "
            "2026-06-12T06:00:00Z owner_dpo, 2026-06-12T08:00:00Z owner_dpo,owner_escalation, "
            "2026-06-12T20:00:00Z owner_dpo,owner_escalation");
  const auto planned = domain::first_step_times(policies_.escalation_for(art33.rule), art33,
                                                **demo_directory().find("herent", "party"));
  ASSERT_EQ(planned.size(), 5u);
  for (const domain::StepTime& t : planned) {
    EXPECT_EQ(count("SELECT count(*) FROM escalation_step WHERE obligation_id = " +
                    std::to_string(art33.id) + " AND step = " + std::to_string(t.step) +
                    " AND repetition = 0 AND fire_time = to_timestamp(" +
                    std::to_string(t.fire_time.time_since_epoch().count()) + ")"),
              1)
        << t.step;
  }
  // The 36 h notice has its own ladder; nothing fires yet.
  EXPECT_EQ(count("SELECT count(*) FROM escalation_step WHERE state = 'pending'"), 10);
  EXPECT_EQ(count("SELECT count(*) FROM notification WHERE kind = 'reminder'"), 0);
}

TEST_F(EscalationTest, OnlyTheLatestDueStepFires) {
  // Verifies an obligation recorded late gets one reminder, for the latest due step only.
  // The earlier due steps are skipped, each with an audit event; none is lost or sent.
  clock_.set(at("2026-06-12T07:00:00Z"));  // after -2h (06:00Z), before due (08:00Z)
  const app::IncidentRecord record = report(kAware);
  const int64_t art33 = by_rule(record.obligations, "gdpr.art33_authority").id;
  EXPECT_EQ(steps(art33),
            "50%#0 pending, 80%#0 pending, -2h#0 pending, 0#0 pending, +12h every 12h#0 pending");
  scheduler().run_once();

  EXPECT_EQ(steps(art33),
            "50%#0 skipped, 80%#0 skipped, -2h#0 fired, 0#0 pending, +12h every 12h#0 pending");
  EXPECT_EQ(reminders(art33), "-2h#0 pending");
  EXPECT_EQ(count("SELECT count(*) FROM notification WHERE kind = 'reminder' AND obligation_id = " +
                  std::to_string(art33) +
                  " AND next_attempt_time = '2026-06-12T07:00:00Z' AND "
                  "create_time = '2026-06-12T07:00:00Z'"),
            1);
  EXPECT_EQ(db().scalar("SELECT fired_time AT TIME ZONE 'UTC' FROM escalation_step WHERE "
                        "state = 'fired' AND obligation_id = " +
                        std::to_string(art33)),
            "2026-06-12 07:00:00");
  EXPECT_EQ(audit("escalation.fired", art33), 1);
  EXPECT_EQ(audit("escalation.skipped", art33), 2);
  const std::string details = db().scalar(
      "SELECT details FROM audit_queue WHERE action = 'escalation.fired' AND subject = "
      "'obligations/" +
      std::to_string(art33) + "'");
  EXPECT_NE(details.find("\"step\":\"-2h\""), std::string::npos) << details;
  EXPECT_NE(details.find("\"fire_time\":\"2026-06-12T06:00:00Z\""), std::string::npos) << details;

  // Running again at the same time finds nothing new to do.
  scheduler().run_once();
  EXPECT_EQ(reminders(art33), "-2h#0 pending");

  // The events reach the sequenced trail.
  store::PgAuditStore audit_store(store().pool());
  jobs::AuditSequencer sequencer(audit_store, [](std::chrono::milliseconds) {});
  sequencer.run_once();
  EXPECT_EQ(count("SELECT count(*) FROM audit_event WHERE action LIKE 'escalation.%' AND "
                  "subject = 'obligations/" +
                  std::to_string(art33) + "'"),
            3);
}

TEST_F(EscalationTest, NothingFiresBeforeItsSecond) {
  // Verifies each step fires at its own second and not one second earlier.
  policies_.escalation["protocol.breach_notice"] = {};  // only the art. 33 ladder in play
  const app::IncidentRecord record = report(kAware);
  const int64_t art33 = by_rule(record.obligations, "gdpr.art33_authority").id;
  for (const std::string label : {"50%", "80%", "-2h", "0", "+12h every 12h"}) {
    SCOPED_TRACE(label);
    const Instant t = step_time(art33, label);
    clock_.set(t - seconds{1});
    EXPECT_EQ(scheduler().run_once(), 0);
    EXPECT_EQ(count("SELECT count(*) FROM escalation_step WHERE state = 'pending' AND "
                    "obligation_id = " +
                    std::to_string(art33) + " AND label = '" + label + "'"),
              1);
    clock_.set(t);
    EXPECT_EQ(scheduler().run_once(), 1);
    EXPECT_EQ(db().scalar("SELECT state FROM escalation_step WHERE repetition = 0 AND "
                          "obligation_id = " +
                          std::to_string(art33) + " AND label = '" + label + "'"),
              "fired");
  }
  EXPECT_EQ(reminders(art33),
            "50%#0 pending, 80%#0 pending, -2h#0 pending, 0#0 pending, "
            "+12h every 12h#0 pending");
  EXPECT_EQ(audit("escalation.fired", art33), 5);
  EXPECT_EQ(audit("escalation.skipped", art33), 0);
}

TEST_F(EscalationTest, RepeatingStepInsertsItsNextRepetitionNeverABurst) {
  // Verifies "+12h every 12h" comes back every 12 h, and once only after a long silence.
  // With the scheduler down for days it fires once and plans the next repetition after now.
  policies_.escalation["protocol.breach_notice"] = {};
  const app::IncidentRecord record = report(kAware);
  const int64_t art33 = by_rule(record.obligations, "gdpr.art33_authority").id;
  const Instant due = by_rule(record.obligations, "gdpr.art33_authority").due_time;

  clock_.set(due + hours{12});
  EXPECT_EQ(scheduler().run_once(), 1);
  EXPECT_EQ(steps(art33),
            "50%#0 skipped, 80%#0 skipped, -2h#0 skipped, 0#0 skipped, +12h every 12h#0 fired, "
            "+12h every 12h#1 pending");
  EXPECT_EQ(step_time(art33, "+12h every 12h", 1), due + hours{24});

  clock_.set(due + hours{24});
  EXPECT_EQ(scheduler().run_once(), 1);
  EXPECT_EQ(step_time(art33, "+12h every 12h", 2), due + hours{36});

  // Down for four days: one reminder (repetition 2), then repetition 10 at due + 132 h.
  clock_.set(due + hours{24 + 4 * 24 + 3});
  EXPECT_EQ(scheduler().run_once(), 1);
  EXPECT_EQ(steps(art33),
            "50%#0 skipped, 80%#0 skipped, -2h#0 skipped, 0#0 skipped, +12h every 12h#0 fired, "
            "+12h every 12h#1 fired, +12h every 12h#2 fired, +12h every 12h#10 pending");
  EXPECT_EQ(step_time(art33, "+12h every 12h", 10), due + hours{132});
  EXPECT_EQ(reminders(art33),
            "+12h every 12h#0 pending, +12h every 12h#1 pending, +12h every 12h#2 pending");
  EXPECT_EQ(audit("escalation.fired", art33), 3);
}

TEST_F(EscalationTest, DailyRepetitionKeepsTheOwnersTimeOfDayWhenTheClocksChange) {
  // Verifies the scheduler plans "+1d every 1d" of an answer due Wed 24 Mar 2027 09:00 CET at
  // 09:00 Brussels time on Sunday 28 March, when the clocks go forward, and on the day after.
  //
  // Before: repetitions were 24 h apart, so from 28 March on they came at 10:00 CEST.
  clock_.set(at("2027-03-27T08:30:00Z"));  // Saturday 09:30 CET, after repetition 2's time
  const app::RequestRecord record = log_request("2027-02-24T09:00:00+01:00");
  const int64_t answer = by_rule(record.obligations, "gdpr.art12_response").id;
  ASSERT_EQ(by_rule(record.obligations, "gdpr.art12_response").due_time,
            at("2027-03-24T08:00:00Z"));

  while (scheduler().run_once() > 0) {
  }
  EXPECT_EQ(step_time(answer, "+1d every 1d", 3), at("2027-03-28T07:00:00Z"));  // 09:00 CEST

  clock_.set(at("2027-03-28T07:00:00Z"));
  while (scheduler().run_once() > 0) {
  }
  EXPECT_EQ(step_time(answer, "+1d every 1d", 4), at("2027-03-29T07:00:00Z"));
}

TEST_F(EscalationTest, SkippedRepeatingStepKeepsRepeating) {
  // Verifies a repeating step skipped for a later due step still plans its next repetition.
  // Custom ladder, recorded 31 h after due: "+30h" is later than "+12h every 12h".
  // Regression test; the bug it caught, now fixed: fire_one() asks next_repetition() only for the
  // step it fires, so the skipped "+12h every 12h" never comes back and the escalation stops. See
  // the report.
  std::string error;
  const std::vector<domain::Audience> both{domain::Audience::kOwnerDpo,
                                           domain::Audience::kOwnerEscalation};
  policies_.escalation["protocol.breach_notice"] = {};
  policies_.escalation["gdpr.art33_authority"] = {{*domain::parse_step("0", "", both, &error),
                                                   *domain::parse_step("+12h", "12h", both, &error),
                                                   *domain::parse_step("+30h", "", both, &error)}};
  clock_.set(at("2026-06-13T15:00:00Z"));  // due 2026-06-12T08:00Z + 31 h
  const app::IncidentRecord record = report(kAware);
  const domain::Obligation& art33 = by_rule(record.obligations, "gdpr.art33_authority");
  scheduler().run_once();
  EXPECT_EQ(reminders(art33.id), "+30h#0 pending");
  EXPECT_EQ(steps(art33.id),
            "0#0 skipped, +12h every 12h#0 skipped, +30h#0 fired, +12h every 12h#2 pending");
}

TEST_F(EscalationTest, TwoSchedulersOnOneDatabaseFireEachStepOnce) {
  // Verifies two schedulers in two threads over many obligations handle every step once.
  // One reminder and one audit event per fired step; every due step ends fired or skipped.
  constexpr int kIncidents = 30;
  // Incidents a day apart, so each obligation's steps lie together in time and both schedulers
  // often claim steps of the same obligation at once.
  for (int i = 0; i < kIncidents; ++i) {
    clock_.set(at("2026-01-05T09:00:00Z") + hours{24 * i} + minutes{1});
    report(domain::format_utc(at("2026-01-05T09:00:00Z") + hours{24 * i}));
  }
  clock_.set(at("2026-01-05T09:00:00Z") + hours{24 * kIncidents});
  const int64_t due = count(
      "SELECT count(*) FROM escalation_step WHERE state = 'pending' AND fire_time <= "
      "'" +
      domain::format_utc(clock_.now()) + "'");
  ASSERT_GT(due, 100);

  store::PgStore other(db().url(), 4);
  jobs::EscalationScheduler first = scheduler_on(store());
  jobs::EscalationScheduler second = scheduler_on(other);
  int handled_first = 0, handled_second = 0;
  std::thread a([&] {
    while (const int n = first.run_once()) handled_first += n;
  });
  std::thread b([&] {
    while (const int n = second.run_once()) handled_second += n;
  });
  a.join();
  b.join();

  const std::string now = "'" + domain::format_utc(clock_.now()) + "'";
  EXPECT_EQ(
      count("SELECT count(*) FROM escalation_step WHERE state = 'pending' AND fire_time <= " + now),
      0);
  const int64_t fired = count("SELECT count(*) FROM escalation_step WHERE state = 'fired'");
  EXPECT_GT(fired, 0);
  EXPECT_EQ(count("SELECT count(*) FROM notification WHERE kind = 'reminder'"), fired);
  EXPECT_EQ(count("SELECT count(DISTINCT escalation_step_id) FROM notification WHERE kind = "
                  "'reminder'"),
            fired);
  EXPECT_EQ(count("SELECT count(*) FROM notification n JOIN escalation_step s ON s.id = "
                  "n.escalation_step_id WHERE n.kind = 'reminder' AND s.state = 'fired' AND "
                  "s.obligation_id = n.obligation_id"),
            fired);
  EXPECT_EQ(count("SELECT count(*) FROM audit_queue WHERE action = 'escalation.fired'"), fired);
  EXPECT_GT(handled_first + handled_second, 0);
  // Not asserted here: one reminder per obligation. The race that breaks it (two schedulers
  // claiming two steps of one obligation) is timing-dependent; StepHeldByADyingScheduler...
  // shows it deterministically.
  EXPECT_EQ(count("SELECT count(*) FROM escalation_step WHERE fire_time <= " + now +
                  " AND state NOT IN ('fired', 'skipped')"),
            0);
  // Every art. 33 obligation with a step due got a reminder (its notice-less ladder fires).
  EXPECT_EQ(count("SELECT count(*) FROM obligation o WHERE rule = 'gdpr.art33_authority' AND "
                  "EXISTS (SELECT 1 FROM escalation_step s WHERE s.obligation_id = o.id AND "
                  "s.fire_time <= " +
                  now +
                  ") AND NOT EXISTS (SELECT 1 FROM notification n WHERE "
                  "n.obligation_id = o.id AND n.kind = 'reminder')"),
            0);
}

TEST_F(EscalationTest, ClaimRolledBackLeavesTheStepPendingAndItFiresOnceLater) {
  // Verifies a claim rolled back (scheduler died) leaves the step pending; it fires once later.
  // While held, another scheduler passes it by.
  policies_.escalation["protocol.breach_notice"] = {};
  const app::IncidentRecord record = report(kAware);
  const int64_t art33 = by_rule(record.obligations, "gdpr.art33_authority").id;
  clock_.set(step_time(art33, "50%"));
  {
    auto tx = store().begin();
    ASSERT_TRUE(tx.ok()) << tx.status();
    const auto claimed = (*tx)->claim_step(clock_.now());
    ASSERT_TRUE(claimed.ok()) << claimed.status();
    ASSERT_TRUE(claimed->has_value());
    EXPECT_EQ((**claimed).label, "50%");
    // Held by the dying transaction: the other scheduler passes it by.
    store::PgStore other(db().url(), 2);
    EXPECT_EQ(scheduler_on(other).run_once(), 0);
  }  // destroyed without commit(): rolled back
  EXPECT_EQ(steps(art33),
            "50%#0 pending, 80%#0 pending, -2h#0 pending, 0#0 pending, +12h every 12h#0 pending");
  EXPECT_EQ(reminders(art33), "");

  EXPECT_EQ(scheduler().run_once(), 1);
  EXPECT_EQ(scheduler().run_once(), 0);
  EXPECT_EQ(reminders(art33), "50%#0 pending");
  EXPECT_EQ(audit("escalation.fired", art33), 1);
}

TEST_F(EscalationTest, StepHeldByADyingSchedulerDoesNotFireAfterALaterOne) {
  // Verifies an earlier step held by another scheduler meanwhile does not fire after a later one.
  // "Only the latest due step fires" must hold even if that scheduler then dies (rolls back): a
  // claim locks the obligation too, so the second scheduler passes the whole obligation by and
  // the next one decides all its due steps together.
  policies_.escalation["protocol.breach_notice"] = {};
  const app::IncidentRecord record = report(kAware);
  const int64_t art33 = by_rule(record.obligations, "gdpr.art33_authority").id;
  clock_.set(step_time(art33, "-2h"));
  {
    auto tx = store().begin();
    ASSERT_TRUE(tx.ok()) << tx.status();
    const auto claimed = (*tx)->claim_step(clock_.now());
    ASSERT_TRUE(claimed.ok() && claimed->has_value());
    EXPECT_EQ((**claimed).label, "50%");
    store::PgStore other(db().url(), 2);
    EXPECT_EQ(scheduler_on(other).run_once(), 0);
  }
  EXPECT_EQ(scheduler().run_once(), 1);
  EXPECT_EQ(reminders(art33), "-2h#0 pending");
  EXPECT_EQ(steps(art33),
            "50%#0 skipped, 80%#0 skipped, -2h#0 fired, 0#0 pending, +12h every 12h#0 pending");
}

TEST_F(EscalationTest, ClosingCancelsPendingStepsAndReminders) {
  // Verifies fulfilling or waiving cancels pending steps and unsent reminders at once.
  policies_.escalation["protocol.breach_notice"] = {};
  policies_.reviewed_rules.insert("protocol.request_notice");  // held: nobody is delivering it
  const app::IncidentRecord first = report(kAware);
  const app::RequestRecord second = log_request(kAware);
  const int64_t art33 = by_rule(first.obligations, "gdpr.art33_authority").id;
  const int64_t notice = by_rule(second.obligations, "protocol.request_notice").id;
  clock_.set(at("2026-06-11T08:00:00Z"));  // art. 33 at 50%; the 48 h notice now due
  scheduler().run_once();
  ASSERT_EQ(reminders(art33), "50%#0 pending");
  ASSERT_EQ(reminders(notice), "0#0 pending");

  app::CloseObligation close(clock_, store());
  const auto fulfilled = close.fulfil(kHerentDpo, art33, "Melding GBA 2026-0612 ingediend");
  const auto waived = close.waive(kHerentDpo, notice, "Kortenberg telefonisch ingelicht");
  ASSERT_TRUE(fulfilled.ok() && waived.ok());
  // What the caller gets back is the closed obligation: no reminder is still to come.
  EXPECT_FALSE(fulfilled->next_step_time.has_value());
  EXPECT_EQ(fulfilled->next_step, "");
  EXPECT_FALSE(waived->next_step_time.has_value());
  EXPECT_EQ(waived->next_step, "");
  EXPECT_EQ(steps(art33),
            "50%#0 fired, 80%#0 cancelled, -2h#0 cancelled, 0#0 cancelled, "
            "+12h every 12h#0 cancelled");
  EXPECT_EQ(reminders(art33), "50%#0 cancelled");
  EXPECT_EQ(steps(notice),
            "50%#0 skipped, 80%#0 skipped, -2h#0 skipped, 0#0 fired, +12h every 12h#0 cancelled");
  EXPECT_EQ(reminders(notice), "0#0 cancelled");

  clock_.set(at("2026-06-20T08:00:00Z"));
  EXPECT_EQ(scheduler().run_once(), 0);
  EXPECT_EQ(count("SELECT count(*) FROM notification WHERE kind = 'reminder' AND state <> "
                  "'cancelled' AND obligation_id IN (" +
                  std::to_string(art33) + ", " + std::to_string(notice) + ")"),
            0);
}

// A mail server that does what the test says.
class FunctionMailer final : public notify::Mailer {
 public:
  using Send = std::function<notify::SendResult(const notify::MailMessage&)>;
  explicit FunctionMailer(Send send) : send_(std::move(send)) {}
  notify::SendResult send(const notify::MailMessage& m) override { return send_(m); }

 private:
  Send send_;
};

class OutboxOfRemindersTest : public EscalationTest {
 protected:
  OutboxOfRemindersTest() { policies_.escalation["protocol.breach_notice"] = {}; }

  // Dispatches one batch to `mailer`.
  void dispatch(notify::Mailer& mailer) {
    const jobs::NoticeComposer composer(clock_, store(), demo_directory(), templates_,
                                        "termijn@herent.example");
    jobs::OutboxDispatcher outbox(
        clock_, store(), composer, mailer, {}, [] { return 0.5; },
        [](std::chrono::milliseconds) {});
    const auto handled = outbox.dispatch();
    ASSERT_TRUE(handled.ok()) << handled.status();
  }

  // An incident's art. 33 obligation, at 50 % of its window: its reminder is queued.
  int64_t art33_at_its_first_reminder() {
    const int64_t art33 = by_rule(report(kAware).obligations, "gdpr.art33_authority").id;
    clock_.set(at("2026-06-11T08:00:00Z"));
    scheduler().run_once();
    EXPECT_EQ(reminders(art33), "50%#0 pending");
    return art33;
  }
  // How the Message-ID of the (one) queued reminder begins.
  static std::string reminder_message_id_prefix() {
    return "notification-" + db().scalar("SELECT id FROM notification WHERE kind = 'reminder'") +
           ".";
  }

  void fulfil(int64_t obligation) {
    app::CloseObligation close(clock_, store());
    ASSERT_TRUE(close.fulfil(kHerentDpo, obligation, "Melding GBA ingediend").ok());
  }

  const notify::TemplateSet templates_ = [] {
    auto t = notify::TemplateSet::load(TERMIJN_TEMPLATES_DIR);
    if (!t.ok()) throw std::runtime_error(std::string(t.status().message()));
    return std::move(*t);
  }();
};

TEST_F(OutboxOfRemindersTest, AReminderWhoseObligationClosesWhileItsBatchIsSentIsNotSent) {
  // Two reminders are claimed in one batch with the incidents' notices; while the first notice is
  // being sent, the DPO meets both obligations. Neither reminder is sent; both stay cancelled.
  //
  // Before: the batch sent every reminder it had claimed, and recording the send overwrote the
  // cancellation.
  const int64_t first = by_rule(report(kAware).obligations, "gdpr.art33_authority").id;
  const int64_t second = by_rule(report(kAware).obligations, "gdpr.art33_authority").id;
  clock_.set(at("2026-06-11T08:00:00Z"));  // art. 33 at 50%
  scheduler().run_once();
  ASSERT_EQ(reminders(first), "50%#0 pending");
  ASSERT_EQ(reminders(second), "50%#0 pending");

  const ScopedTempDir mail_dir("termijn-reminders");
  notify::EmlDirectoryMailer files(mail_dir.path());
  int sends = 0;
  FunctionMailer closing([&](const notify::MailMessage& m) {
    if (++sends == 1) {
      fulfil(first);
      fulfil(second);
    }
    return files.send(m);
  });
  dispatch(closing);

  EXPECT_EQ(sends, 2) << "the two notices";
  EXPECT_EQ(reminders(first) + ", " + reminders(second), "50%#0 cancelled, 50%#0 cancelled");
}

TEST_F(OutboxOfRemindersTest, AReminderGoesToTheRecipientsTheServerAcceptsANoticeToAllOrNone) {
  // A reminder reaches whom it can: an escalation contact who left must not keep it from the
  // DPO. A notice goes to the other party's DPO as addressed, or fails and alerts. Before: one
  // refused address failed a reminder for all its recipients, and nobody heard of it.
  art33_at_its_first_reminder();
  const std::string reminder = reminder_message_id_prefix();
  std::vector<std::string> sent;
  FunctionMailer mailer([&](const notify::MailMessage& m) {
    sent.push_back((m.message_id.rfind(reminder, 0) == 0 ? "reminder " : "notice ") +
                   std::string(m.partial_delivery ? "partial" : "all or none"));
    return notify::SendResult{notify::SendResult::Outcome::kAccepted, "250"};
  });
  dispatch(mailer);

  std::sort(sent.begin(), sent.end());
  EXPECT_EQ(sent, (std::vector<std::string>{"notice all or none", "reminder partial"}));
}

TEST_F(OutboxOfRemindersTest, AReminderCancelledDuringAFailedSendIsNotRetried) {
  // The DPO meets the obligation while its reminder is being sent, and the server refuses that
  // message for now: the reminder stays cancelled, is not retried and alerts nobody.
  //
  // Before: the failed attempt was recorded over the cancellation: "pending" again, and retried.
  const int64_t art33 = art33_at_its_first_reminder();
  const std::string reminder = reminder_message_id_prefix();
  FunctionMailer refusing([&](const notify::MailMessage& m) {
    using Outcome = notify::SendResult::Outcome;
    if (m.message_id.rfind(reminder, 0) != 0) return notify::SendResult{Outcome::kAccepted, "250"};
    fulfil(art33);  // while the reminder is on its way
    return notify::SendResult{Outcome::kTemporaryFailure, "451 4.3.0 later"};
  });
  dispatch(refusing);

  EXPECT_EQ(reminders(art33), "50%#0 cancelled");
  EXPECT_EQ(count("SELECT count(*) FROM notification WHERE kind = 'failure-alert' AND "
                  "obligation_id = " +
                  std::to_string(art33)),
            0);
}

TEST_F(EscalationTest, StepHeldWhileTheObligationClosesIsCancelledNotFired) {
  // Verifies a step held while its obligation closes is cancelled, not fired.
  // The claim locks the obligation, so closing waits for the scheduler (here: one that dies) and
  // then cancels every pending step.
  policies_.escalation["protocol.breach_notice"] = {};
  const app::IncidentRecord record = report(kAware);
  const int64_t art33 = by_rule(record.obligations, "gdpr.art33_authority").id;
  clock_.set(step_time(art33, "50%"));
  store::PgStore other(db().url(), 2);
  std::thread closing;
  {
    auto tx = other.begin();
    ASSERT_TRUE(tx.ok()) << tx.status();
    const auto claimed = (*tx)->claim_step(clock_.now());
    ASSERT_TRUE(claimed.ok() && claimed->has_value());
    closing = std::thread([&] {
      app::CloseObligation close(clock_, store());
      EXPECT_TRUE(close.waive(kHerentDpo, art33, "Versleutelde stick: geen risico").ok());
    });
  }  // the scheduler dies: rolled back, and the close goes ahead
  closing.join();
  EXPECT_EQ(scheduler().run_once(), 0);
  EXPECT_EQ(steps(art33),
            "50%#0 cancelled, 80%#0 cancelled, -2h#0 cancelled, 0#0 cancelled, "
            "+12h every 12h#0 cancelled");
  EXPECT_EQ(reminders(art33), "");
  EXPECT_EQ(audit("escalation.fired", art33), 0);
}

TEST_F(EscalationTest, NoticeOnItsWayDoesNotEscalateAFailingOneDoes) {
  // Verifies a notice on its way suppresses reminders; a failing or failed notice escalates.
  // Pending without error: due steps skipped. Retrying with an error, or failed: steps fire.
  const app::IncidentRecord record = report(kAware);
  const int64_t notice = by_rule(record.obligations, "protocol.breach_notice").id;
  const std::string where = " WHERE kind = 'notice' AND obligation_id = " + std::to_string(notice);
  ASSERT_EQ(db().scalar("SELECT state FROM notification" + where), "pending");

  clock_.set(step_time(notice, "80%"));
  scheduler().run_once();
  EXPECT_EQ(steps(notice),
            "50%#0 skipped, 80%#0 skipped, -2h#0 pending, 0#0 pending, +12h every 12h#0 pending");
  EXPECT_EQ(reminders(notice), "");
  EXPECT_EQ(count("SELECT count(*) FROM audit_queue WHERE action = 'escalation.skipped' AND "
                  "subject = 'obligations/" +
                  std::to_string(notice) +
                  "' AND details LIKE "
                  "'%the notice is being delivered%'"),
            1);

  // A temporary failure: still pending, but with an error; the DPO must hear of it.
  db().scalar("UPDATE notification SET attempts = 1, last_error = '451 4.3.0 try again later'" +
              where);
  clock_.set(step_time(notice, "-2h"));
  scheduler().run_once();
  EXPECT_EQ(reminders(notice), "-2h#0 pending");

  // Failed for good.
  db().scalar("UPDATE notification SET state = 'failed', last_error = '550 5.1.1 no such user'" +
              where);
  clock_.set(step_time(notice, "0"));
  scheduler().run_once();
  EXPECT_EQ(reminders(notice), "-2h#0 pending, 0#0 pending");
  EXPECT_EQ(steps(notice),
            "50%#0 skipped, 80%#0 skipped, -2h#0 fired, 0#0 fired, +12h every 12h#0 pending");
}

TEST_F(EscalationTest, HeldNoticeEscalates) {
  // Verifies a notice held for review (auto_send = false) does not suppress its reminders.
  policies_.reviewed_rules.insert("protocol.breach_notice");
  const app::IncidentRecord record = report(kAware);
  const int64_t notice = by_rule(record.obligations, "protocol.breach_notice").id;
  ASSERT_EQ(db().scalar("SELECT state FROM notification WHERE kind = 'notice' AND obligation_id "
                        "= " +
                        std::to_string(notice)),
            "held");
  clock_.set(step_time(notice, "50%"));
  scheduler().run_once();
  EXPECT_EQ(reminders(notice), "50%#0 pending");
}

}  // namespace
}  // namespace termijn::testing
