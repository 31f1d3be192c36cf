#pragma once

#include <absl/status/status.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "server/app/actor.h"
#include "server/app/directory.h"
#include "server/config/config.h"
#include "server/domain/model.h"
#include "server/domain/time.h"
#include "server/store/pg_store.h"
#include "tests/support/test_database.h"

namespace termijn::testing {

/// A fixture on one migrated database shared by the whole binary and emptied before every test:
/// creating a database costs 100-300 ms, emptying it a few. Each test gets its own PgStore (a
/// pool of 4). Set up in the constructor, so that derived fixtures can build use cases on
/// store() in their member initializers; without TERMIJN_TEST_DATABASE_URL the constructor
/// throws and every test fails with the reason.
class PgTest : public ::testing::Test {
 protected:
  PgTest() {
    if (!database_) database_ = std::make_unique<TestDatabase>();
    // DELETE rather than TRUNCATE: on a few rows it takes well under a millisecond, TRUNCATE ~10
    // ms (new files for every table and index). The audit queue is emptied too; the sequenced
    // trail (audit_event) is append-only and stays.
    database_->scalar(
        "DELETE FROM notification_change; DELETE FROM notification; DELETE FROM escalation_step; "
        "DELETE FROM obligation; DELETE FROM incident; DELETE FROM request; "
        "DELETE FROM create_request; "
        "ALTER SEQUENCE obligation_id_seq RESTART; ALTER SEQUENCE incident_id_seq RESTART; "
        "ALTER SEQUENCE request_id_seq RESTART; "
        "DO $$ BEGIN IF to_regclass('audit_queue') IS NOT NULL THEN DELETE FROM audit_queue; "
        "END IF; END $$");
    store_ = std::make_unique<store::PgStore>(database_->url(), 4);
  }

  static const TestDatabase& db() { return *database_; }
  store::PgStore& store() { return *store_; }

  /// The number of rows in `table`.
  static int64_t rows(std::string_view table) {
    return std::stoll(database_->scalar("SELECT count(*) FROM " + std::string(table)));
  }

 private:
  friend class DropSharedDatabase;
  static inline std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<store::PgStore> store_;
};

/// Drops the shared database after the last test.
class DropSharedDatabase final : public ::testing::Environment {
 public:
  void TearDown() override { PgTest::database_.reset(); }
};

inline ::testing::Environment* const kDropSharedDatabase =
    ::testing::AddGlobalTestEnvironment(new DropSharedDatabase);

/// The parties of config/demo.toml: herent and kortenberg, Europe/Brussels.
inline const app::Directory& demo_directory() {
  static const app::Directory directory(config::load_config(TERMIJN_DEMO_CONFIG).parties);
  return directory;
}

/// A party in Europe/Brussels with the Belgian calendar, for directories built in a test.
inline domain::Party make_party(const std::string& id) {
  domain::Party p;
  p.id = id;
  p.name = "OCMW " + id;
  p.dpo = {"DPO " + id, "dpo@" + id + ".example"};
  p.zone = domain::TimeZone::find("Europe/Brussels");
  return p;
}

inline const app::Actor kHerentReporter{"herent-reporter", "herent"};
inline const app::Actor kKortenbergReporter{"kortenberg-reporter", "kortenberg"};
inline const app::Actor kHerentDpo{"herent-dpo", "herent"};

/// An instant from RFC 3339 text with an offset ("2026-03-27T14:20:00+01:00").
inline domain::Instant at(std::string_view rfc3339) {
  const domain::ParsedTime parsed = domain::parse_time(rfc3339, *domain::TimeZone::find("UTC"));
  if (!parsed.ok()) throw std::invalid_argument(parsed.error);
  return parsed.instant;
}

/// "2026-03-29T01:20:00Z": instants compare as readable text in expectations.
inline std::string utc(domain::Instant t) { return date::format("%FT%TZ", t); }

/// Every field of an obligation on its own line, so that a mismatch shows which one differs.
inline std::string describe(const domain::Obligation& o) {
  return "id " + std::to_string(o.id) + "\nincident " + std::to_string(o.incident_id) +
         "\nrequest " + std::to_string(o.request_id) + "\nrule " + o.rule + "\nlegal_basis " +
         o.legal_basis + "\nowner " + o.owner_party + "\nrecipient " +
         std::string(domain::name_of(o.recipient_kind)) + " " + o.recipient_party + "\nstart " +
         utc(o.start_time) + "\ndue " + utc(o.due_time) + "\nlegal_due " + utc(o.legal_due_time) +
         "\nexplanation " + o.explanation + "\nexplanation_nl " + o.explanation_nl + "\nstate " +
         std::string(domain::name_of(o.state)) + "\nclosed " +
         (o.closed_time ? utc(*o.closed_time) : "-") + "\nevidence " + o.evidence + "\nclosed_by " +
         o.closed_by;
}

inline std::vector<std::string> describe(const std::vector<domain::Obligation>& list) {
  std::vector<std::string> out;
  for (const domain::Obligation& o : list) out.push_back(describe(o));
  return out;
}

/// Succeeds if `status` has `code` and a message starting with `prefix` (the field name).
inline ::testing::AssertionResult IsError(const absl::Status& status, absl::StatusCode code,
                                          std::string_view prefix) {
  const std::string message(status.message());  // absl::string_view is not std's here
  if (status.code() == code && message.compare(0, prefix.size(), prefix) == 0) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "expected " << absl::StatusCodeToString(code)
                                       << " starting with '" << prefix << "', got " << status;
}

}  // namespace termijn::testing
