// Benchmark (not a test): the escalation scheduler with one million open obligations.
// Measures how late steps fire (p50, p99, max), the scheduler's CPU time and memory, and the
// plan of the claim query.
//
//   scripts/bench escalation [OBLIGATIONS] [DUE_STEPS] [SECONDS]
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <pqxx/pqxx>
#include <thread>

#include "server/app/clock.h"
#include "server/app/directory.h"
#include "server/app/rule_policies.h"
#include "server/jobs/escalation_scheduler.h"
#include "server/store/pg_audit_store.h"
#include "server/store/pg_store.h"
#include "server/store/statements.h"
#include "tests/support/test_database.h"

namespace {

using namespace termijn;

void exec(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::work tx(c);
  tx.exec(sql);
  tx.commit();
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long max_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
  const long obligations = argc > 1 ? std::atol(argv[1]) : 1000000;
  const long due_steps = argc > 2 ? std::atol(argv[2]) : 1000;
  const int seconds = argc > 3 ? std::atoi(argv[3]) : 20;
  spdlog::set_level(spdlog::level::warn);
  testing::TestDatabase db;
  const auto load_start = std::chrono::steady_clock::now();
  // One incident and one open obligation each, with a pending step a week away; `due_steps` of
  // them get a step due during the run, spread evenly over it.
  exec(db.url(),
       "INSERT INTO incident (party, aware_time, title, reported_by, create_time) "
       "SELECT 'herent', now(), 'Benchmark', 'bench', now() FROM generate_series(1, " +
           std::to_string(obligations) + ")");
  exec(db.url(),
       "INSERT INTO obligation (incident_id, rule, legal_basis, owner_party, recipient_kind, "
       "start_time, due_time, legal_due_time, explanation) SELECT id, 'gdpr.art33_authority', "
       "'GDPR art. 33(1)', 'herent', 'authority', now(), now() + interval '7 days', "
       "now() + interval '7 days 1 hour', 'benchmark' FROM incident");
  exec(db.url(),
       "INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time) "
       "SELECT id, 0, 0, '50%', 'owner_dpo', now() + interval '6 days' FROM obligation");
  exec(db.url(), "ANALYZE");
  const double load_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
  // When each step really fired: recorded by the database clock, outside the code under test.
  exec(db.url(),
       "CREATE TABLE bench_fired (step_id bigint, fired_at timestamptz);"
       "GRANT INSERT ON bench_fired TO termijn_service;"
       "CREATE FUNCTION bench_record() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
       "IF NEW.state = 'fired' AND OLD.state = 'pending' THEN INSERT INTO bench_fired VALUES "
       "(NEW.id, clock_timestamp()); END IF; RETURN NEW; END $$;"
       "CREATE TRIGGER bench_record AFTER UPDATE ON escalation_step FOR EACH ROW EXECUTE "
       "FUNCTION bench_record()");
  const std::string spread = std::to_string(seconds * 1000.0 / due_steps);
  exec(db.url(),
       "INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, fire_time) "
       "SELECT id, 1, 0, '80%', 'owner_dpo', date_trunc('second', now()) + interval '3 seconds' "
       "+ (row_number() OVER (ORDER BY id)) * interval '" +
           spread +
           " milliseconds' "
           "FROM obligation ORDER BY id LIMIT " +
           std::to_string(due_steps));
  // Steps carry whole seconds: a step is due from the start of its second.
  exec(db.url(),
       "UPDATE escalation_step SET fire_time = date_trunc('second', fire_time) WHERE step = 1");

  std::string plan;
  {
    pqxx::connection c(db.url());
    pqxx::work tx(c);
    for (const auto& row : tx.exec(
             "EXPLAIN (ANALYZE, BUFFERS) SELECT s.id FROM escalation_step s WHERE s.state = "
             "'pending' AND s.fire_time <= now() + interval '1 hour' ORDER BY s.fire_time, s.id "
             "LIMIT 1 FOR UPDATE SKIP LOCKED")) {
      plan += "    " + row[0].as<std::string>() + "\n";
    }
  }

  app::SystemClock clock;
  store::PgStore store(db.app_url(), 4);
  const app::RulePolicies policies;
  domain::Party herent;  // the owner of every obligation above
  herent.id = "herent";
  herent.zone = domain::TimeZone::find("Europe/Brussels");
  const app::Directory directory({herent});
  store::PgListener listener(db.app_url(), store::kStepChannel);
  jobs::EscalationScheduler scheduler(clock, store, directory, policies,
                                      [&](std::chrono::milliseconds t) { listener.wait(t); });
  const double cpu_before = cpu_seconds();
  {
    std::jthread running([&](std::stop_token stop) { scheduler.run(stop); });
    std::this_thread::sleep_for(std::chrono::seconds(seconds + 5));  // the run being measured
  }
  const double cpu = cpu_seconds() - cpu_before;

  pqxx::connection c(db.url());
  pqxx::work tx(c);
  std::vector<double> late;
  for (const auto& row :
       tx.exec("SELECT extract(epoch FROM f.fired_at - s.fire_time) FROM bench_fired f JOIN "
               "escalation_step s ON s.id = f.step_id")) {
    late.push_back(row[0].as<double>() * 1000);
  }
  std::sort(late.begin(), late.end());
  const auto pct = [&](double p) {
    return late.empty() ? 0.0 : late[std::min(late.size() - 1, size_t(p * late.size()))];
  };
  std::printf(
      "Escalation scheduler, %ld open obligations (%ld pending steps), %ld steps due over %d s\n",
      obligations, obligations + due_steps, due_steps, seconds);
  std::printf("  loaded in %.1f s\n", load_seconds);
  std::printf(
      "  fired %zu of %ld; lateness after the start of the due second: p50 %.0f ms, p99 %.0f ms, "
      "max %.0f ms\n",
      late.size(), due_steps, pct(0.5), pct(0.99), late.empty() ? 0.0 : late.back());
  std::printf("  scheduler process: %.2f s CPU over %d s (%.1f %% of one core), max RSS %ld MiB\n",
              cpu, seconds + 5, 100 * cpu / (seconds + 5), max_rss_mib());
  std::printf("  claim query plan:\n%s", plan.c_str());
  return late.size() == static_cast<size_t>(due_steps) ? 0 : 1;
}
