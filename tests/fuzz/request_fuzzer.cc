// libFuzzer target: request validation. The input is a ReportIncidentRequest or a LogRequestRequest
// in protobuf text format (first line "incident" or "request"), as a client could send it; it
// goes through the API's conversion and the use case's checks, as herent-dpo on the demo
// configuration, against a store that has no database. Bad input must end in INVALID_ARGUMENT
// (or NOT_FOUND for an unknown party); input that passes every check reaches the store (whose
// begin() answers UNAVAILABLE). Anything else, a crash or a sanitizer report is a finding.
#include <google/protobuf/text_format.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "server/api/convert.h"
#include "server/app/log_request.h"
#include "server/app/report_incident.h"
#include "server/config/config.h"

namespace {

using namespace termijn;

const absl::Status kNoDatabase = absl::UnavailableError("fuzz: no database");

// Validation only: every read and begin() answer UNAVAILABLE.
class NoDatabase final : public app::Store {
 public:
  absl::StatusOr<std::unique_ptr<app::StoreTransaction>> begin() override { return kNoDatabase; }
  absl::StatusOr<domain::Incident> get_incident(int64_t id) override { return kNoDatabase; }
  absl::StatusOr<app::IncidentRecord> incident_record(int64_t id) override { return kNoDatabase; }
  absl::StatusOr<std::vector<domain::Incident>> list_incidents(
      const app::RecordFilter& f) override {
    return kNoDatabase;
  }
  absl::StatusOr<domain::Request> get_request(int64_t id, bool with_copy) override {
    return kNoDatabase;
  }
  absl::StatusOr<std::vector<domain::Request>> list_requests(const app::RecordFilter& f) override {
    return kNoDatabase;
  }
  absl::StatusOr<domain::Matter> get_matter(int64_t id) override { return kNoDatabase; }
  absl::StatusOr<std::vector<domain::Matter>> list_matters(const app::RecordFilter& f) override {
    return kNoDatabase;
  }
  absl::StatusOr<int64_t> find_external_ref(std::string_view collection, const std::string& party,
                                            const std::string& external_ref) override {
    return kNoDatabase;
  }
  absl::StatusOr<domain::Obligation> get_obligation(int64_t id) override { return kNoDatabase; }
  absl::StatusOr<std::vector<domain::Obligation>> list_obligations(
      const app::ObligationFilter& f) override {
    return kNoDatabase;
  }
  absl::StatusOr<std::vector<domain::Obligation>> obligations_of(int64_t incident_id,
                                                                 int64_t request_id,
                                                                 int64_t matter_id) override {
    return kNoDatabase;
  }
  absl::StatusOr<domain::Notification> get_notification(int64_t id) override { return kNoDatabase; }
  absl::StatusOr<std::vector<domain::Notification>> list_notifications(
      const app::NotificationFilter& f) override {
    return kNoDatabase;
  }
  absl::StatusOr<domain::ScheduledStep> get_step(int64_t id) override { return kNoDatabase; }
  absl::StatusOr<int> fired_steps_until(int64_t obligation_id, domain::Instant fire_time) override {
    return kNoDatabase;
  }
  absl::StatusOr<std::vector<domain::FieldChange>> notification_changes(
      int64_t notification_id) override {
    return kNoDatabase;
  }
  absl::StatusOr<app::NoticeSources> notice_sources(
      const std::vector<domain::Notification>& notifications) override {
    return kNoDatabase;
  }
  absl::StatusOr<domain::AuditCheckpoint> get_audit_checkpoint(int64_t id) override {
    return kNoDatabase;
  }
  absl::StatusOr<std::vector<domain::Incident>> register_incidents(
      const app::RegisterFilter& f) override {
    return kNoDatabase;
  }
  absl::StatusOr<std::vector<domain::Request>> register_requests(
      const app::RegisterFilter& f) override {
    return kNoDatabase;
  }
  absl::StatusOr<std::vector<domain::Obligation>> obligations_of_all(
      std::string_view collection, const std::vector<int64_t>& ids) override {
    return kNoDatabase;
  }
  absl::StatusOr<app::WebhookDelivery> get_webhook_delivery(int64_t id) override {
    return kNoDatabase;
  }
  absl::StatusOr<std::optional<domain::Instant>> next_notification_time() override {
    return std::nullopt;
  }
  absl::StatusOr<std::optional<domain::Instant>> next_step_time() override { return std::nullopt; }
  absl::StatusOr<app::RecordParties> parties_of(std::string_view, int64_t) override {
    return absl::NotFoundError("fuzz");
  }
};

class FixedClock final : public app::Clock {
 public:
  domain::Instant now() const override {
    return domain::Instant{std::chrono::seconds{1795000000}};  // 2026-11-17
  }
};

struct World {
  config::Config config;
  app::Directory directory;
  NoDatabase store;
  FixedClock clock;
  app::ReportIncident report;
  app::LogRequest log;

  explicit World(config::Config c)
      : config(std::move(c)),
        directory(config.parties),
        report(clock, store, directory),
        log(clock, store, directory, config.max_copy_bytes) {}
};

World& world() {
  static World* w = [] {
    std::ifstream in(TERMIJN_DEMO_CONFIG);
    std::stringstream text;
    text << in.rdbuf();
    return new World(config::parse_config(text.str(), "demo.toml"));
  }();
  return *w;
}

// The outcomes a request may have; anything else aborts with the status.
void expect_validated(const absl::Status& s, const char* what) {
  if (s.ok() || s.code() == absl::StatusCode::kInvalidArgument ||
      s.code() == absl::StatusCode::kNotFound ||
      (s.code() == absl::StatusCode::kUnavailable && s == kNoDatabase)) {
    if (s.code() == absl::StatusCode::kInvalidArgument && s.message().empty()) {
      std::fprintf(stderr, "%s: INVALID_ARGUMENT without a message\n", what);
      std::abort();
    }
    return;
  }
  std::fprintf(stderr, "%s: unexpected %s\n", what, s.ToString().c_str());
  std::abort();
}

// Parses `body` as a `Request`, converts it and runs it through `use_case`.
template <typename Request, typename UseCase>
void validate(const std::string& body, UseCase& use_case, const char* name) {
  Request request;
  if (!google::protobuf::TextFormat::ParseFromString(body, &request)) return;
  const auto input = api::from_proto(request);
  if (!input.ok()) {
    expect_validated(input.status(), name);
    return;
  }
  expect_validated(use_case.run(app::Actor{"herent-dpo", "herent"}, *input).status(), name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const size_t eol = text.find('\n');
  if (eol == std::string::npos) return 0;
  const std::string kind = text.substr(0, eol), body = text.substr(eol + 1);
  World& w = world();
  if (kind == "incident") {
    validate<v1::ReportIncidentRequest>(body, w.report, "ReportIncident");
  } else if (kind == "request") {
    validate<v1::LogRequestRequest>(body, w.log, "LogRequest");
  }
  return 0;
}
