// Benchmark (not a test): ReportIncident throughput against a real PostgreSQL, with the audit
// trail (entries queued in each transaction, chained by a running sequencer) and without it.
//
//   scripts/bench [THREADS] [INCIDENTS_PER_THREAD]
#include <pqxx/pqxx>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "server/app/audit.h"
#include "server/app/report_incident.h"
#include "server/config/config.h"
#include "server/jobs/audit_sequencer.h"
#include "server/store/pg_audit_store.h"
#include "server/store/pg_store.h"
#include "server/store/statements.h"
#include "tests/support/test_database.h"

namespace {

using namespace termijn;

// Without the audit trail: the database drops queued entries before they are stored, and no
// sequencer runs. What remains of the trail's cost is one statement per transaction.
void drop_audit_entries(const testing::TestDatabase& db) {
  pqxx::connection c(db.url());
  pqxx::work tx(c);
  tx.exec(
      "CREATE FUNCTION benchmark_drop() RETURNS trigger LANGUAGE plpgsql AS "
      "$$ BEGIN RETURN NULL; END $$");
  tx.exec(
      "CREATE TRIGGER benchmark_drop BEFORE INSERT ON audit_queue FOR EACH ROW EXECUTE FUNCTION "
      "benchmark_drop()");
  tx.commit();
}

// Reports threads * per_thread incidents; returns incidents per second.
double run(app::Store& store, const app::Directory& directory, int threads, int per_thread) {
  app::SystemClock clock;
  app::ReportIncident report(clock, store, directory);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      app::ReportIncidentInput input;
      input.party = "herent";
      input.title = "Benchmark incident";
      input.categories = {domain::DataCategory::kIdentification};
      for (int i = 0; i < per_thread; ++i) {
        if (!report.run({"bench", "herent"}, input).ok()) std::abort();
      }
    });
  }
  for (auto& w : workers) w.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return threads * per_thread / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 8;
  const int per_thread = argc > 2 ? std::atoi(argv[2]) : 500;
  const config::Config config = config::load_config(TERMIJN_DEMO_CONFIG);
  const app::Directory directory(config.parties);

  double without = 0, with = 0;
  int64_t chained = 0;
  {
    testing::TestDatabase db;
    drop_audit_entries(db);
    store::PgStore pg(db.app_url(), threads);
    run(pg, directory, threads, per_thread / 10);  // warm-up
    without = run(pg, directory, threads, per_thread);
    if (db.scalar("SELECT count(*) FROM audit_queue") != "0") std::abort();
  }
  {
    testing::TestDatabase db;
    store::PgStore pg(db.app_url(), threads + 1);
    store::PgAuditStore audit(pg.pool());
    store::PgListener listener(db.app_url(), store::kAuditChannel);
    jobs::AuditSequencer sequencer(audit, [&](std::chrono::milliseconds t) { listener.wait(t); });
    std::jthread sequencing([&](std::stop_token stop) { sequencer.run(stop); });
    run(pg, directory, threads, per_thread / 10);
    with = run(pg, directory, threads, per_thread);
    sequencing.request_stop();
    sequencing.join();
    app::AuditTrail trail(audit);
    const auto v = trail.verify();
    if (!v.ok() || !v->verified) {
      std::fprintf(stderr, "audit trail does not verify\n");
      return 1;
    }
    chained = v->event_count;
  }
  std::printf("ReportIncident, %d threads x %d incidents, PostgreSQL 15 on a unix socket\n",
              threads, per_thread);
  std::printf("  without audit trail: %8.0f incidents/s\n", without);
  std::printf("  with audit trail:    %8.0f incidents/s (%lld events chained and verified)\n",
              with, static_cast<long long>(chained));
  std::printf("  cost of the trail:   %8.1f %%\n", 100.0 * (without - with) / without);
  return 0;
}
