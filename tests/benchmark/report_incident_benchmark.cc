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

// Drops audit entries: the use case exactly as it runs, minus the audit trail.
class NoAuditTransaction final : public app::StoreTransaction {
 public:
  explicit NoAuditTransaction(std::unique_ptr<app::StoreTransaction> inner)
      : inner_(std::move(inner)) {}
  absl::StatusOr<int64_t> insert_incident(const domain::Incident& i) override {
    return inner_->insert_incident(i);
  }
  absl::StatusOr<int64_t> insert_request(const domain::Request& r) override {
    return inner_->insert_request(r);
  }
  absl::StatusOr<int64_t> insert_obligation(const domain::Obligation& o) override {
    return inner_->insert_obligation(o);
  }
  absl::StatusOr<domain::Obligation> lock_obligation(int64_t id) override {
    return inner_->lock_obligation(id);
  }
  absl::Status close_obligation(const domain::Obligation& o) override {
    return inner_->close_obligation(o);
  }
  absl::StatusOr<int64_t> insert_notification(const domain::Notification& n) override {
    return inner_->insert_notification(n);
  }
  absl::StatusOr<std::optional<domain::Notification>> claim_notification(
      domain::Instant now) override {
    return inner_->claim_notification(now);
  }
  absl::StatusOr<domain::Notification> lock_notification(int64_t id) override {
    return inner_->lock_notification(id);
  }
  absl::Status update_notification(const domain::Notification& n) override {
    return inner_->update_notification(n);
  }
  absl::Status append_audit(const domain::AuditRecord&) override { return absl::OkStatus(); }
  absl::Status commit() override { return inner_->commit(); }

 private:
  std::unique_ptr<app::StoreTransaction> inner_;
};

class NoAuditStore final : public app::Store {
 public:
  explicit NoAuditStore(app::Store& inner) : inner_(inner) {}
  absl::StatusOr<std::unique_ptr<app::StoreTransaction>> begin() override {
    auto tx = inner_.begin();
    if (!tx.ok()) return tx.status();
    return std::make_unique<NoAuditTransaction>(std::move(*tx));
  }
  absl::StatusOr<domain::Incident> get_incident(int64_t id) override {
    return inner_.get_incident(id);
  }
  absl::StatusOr<std::vector<domain::Incident>> list_incidents(const app::RecordFilter& f) override {
    return inner_.list_incidents(f);
  }
  absl::StatusOr<domain::Request> get_request(int64_t id, bool c) override {
    return inner_.get_request(id, c);
  }
  absl::StatusOr<std::vector<domain::Request>> list_requests(const app::RecordFilter& f) override {
    return inner_.list_requests(f);
  }
  absl::StatusOr<domain::Obligation> get_obligation(int64_t id) override {
    return inner_.get_obligation(id);
  }
  absl::StatusOr<std::vector<domain::Obligation>> list_obligations(
      const app::ObligationFilter& f) override {
    return inner_.list_obligations(f);
  }
  absl::StatusOr<std::vector<domain::Obligation>> obligations_of(int64_t i, int64_t r) override {
    return inner_.obligations_of(i, r);
  }
  absl::StatusOr<domain::Notification> get_notification(int64_t id) override {
    return inner_.get_notification(id);
  }
  absl::StatusOr<std::vector<domain::Notification>> list_notifications(
      const app::NotificationFilter& f) override {
    return inner_.list_notifications(f);
  }
  absl::StatusOr<std::optional<domain::Instant>> next_notification_time() override {
    return inner_.next_notification_time();
  }

 private:
  app::Store& inner_;
};

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
    store::PgStore pg(db.app_url(), threads);
    NoAuditStore store(pg);
    run(store, directory, threads, per_thread / 10);  // warm-up
    without = run(store, directory, threads, per_thread);
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
