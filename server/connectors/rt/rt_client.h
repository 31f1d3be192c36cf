#pragma once

#include <google/protobuf/struct.pb.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace termijn::rt {

/// What a new ticket carries.
struct NewTicket {
  std::string subject;
  std::string text;    ///< the ticket's first message, plain text
  std::string record;  ///< "incidents/4": the value of the record custom field
  std::optional<absl::Time> due;
};

/// Request Tracker, as far as the connector uses it. Every method returns UNAVAILABLE when RT
/// cannot be reached or answers 5xx (retry later), other codes for answers that a retry will not
/// change.
class RtClient {
 public:
  virtual ~RtClient() = default;
  /// OK when the queue exists and its tickets have the record custom field, visible to the
  /// connector's user: without it the connector could not find a ticket again after a crash.
  virtual absl::Status check_queue() = 0;
  /// The id of the ticket whose record custom field is `record`, or 0 when there is none.
  virtual absl::StatusOr<int64_t> find_ticket(const std::string& record) = 0;
  /// Whether ticket `id` may become `record`'s ticket: it exists, the connector may see it, and
  /// its record custom field is empty or `record` already. A ticket another record holds is
  /// never taken over.
  virtual absl::StatusOr<bool> may_link(int64_t id, const std::string& record) = 0;
  /// Creates a ticket in the configured queue; returns its id.
  virtual absl::StatusOr<int64_t> create_ticket(const NewTicket& ticket) = 0;
  /// Sets the record custom field of an existing ticket (linking a ticket made elsewhere).
  virtual absl::Status set_record(int64_t id, const std::string& record) = 0;
  /// Sets Due, or clears it when `due` is empty. FAILED_PRECONDITION when RT answered but left
  /// Due as it was (RT says 200 also to a change it refused, e.g. without ModifyTicket).
  virtual absl::Status set_due(int64_t id, std::optional<absl::Time> due) = 0;
  /// Adds a comment (not sent to requestors).
  virtual absl::Status comment(int64_t id, const std::string& subject, const std::string& text) = 0;
  /// Whether the ticket has a comment whose subject starts with `subject_prefix`.
  virtual absl::StatusOr<bool> has_comment(int64_t id, const std::string& subject_prefix) = 0;
  /// Sets the status to "resolved". FAILED_PRECONDITION, with what RT said, when RT answered
  /// but did not resolve it (e.g. a ticket it depends on is open).
  virtual absl::Status resolve(int64_t id) = 0;
};

/// How to reach RT's REST 2.0 API.
struct RestRtSettings {
  std::string base_url;  ///< "https://rt.example.org" (the REST API is base_url + "/REST/2.0")
  std::string token;     ///< an RT auth token of the connector's RT user
  std::string queue;     ///< where new tickets go
  std::string record_field = "Termijn record";  ///< the ticket custom field holding "incidents/4"
  std::string ca_file;                          ///< extra CA for HTTPS; empty: the system's
  long timeout_seconds = 30;
};

/// RtClient over RT 5's REST 2.0 API with libcurl: JSON bodies, "Authorization: token".
class RestRtClient final : public RtClient {
 public:
  explicit RestRtClient(RestRtSettings settings);
  absl::Status check_queue() override;
  absl::StatusOr<int64_t> find_ticket(const std::string& record) override;
  absl::StatusOr<bool> may_link(int64_t id, const std::string& record) override;
  absl::StatusOr<int64_t> create_ticket(const NewTicket& ticket) override;
  absl::Status set_record(int64_t id, const std::string& record) override;
  absl::Status set_due(int64_t id, std::optional<absl::Time> due) override;
  absl::Status comment(int64_t id, const std::string& subject, const std::string& text) override;
  absl::StatusOr<bool> has_comment(int64_t id, const std::string& subject_prefix) override;
  absl::Status resolve(int64_t id) override;

 private:
  struct Response {
    long code = 0;
    std::string body;
  };
  /// One HTTP exchange; UNAVAILABLE when RT cannot be reached.
  absl::StatusOr<Response> call(const std::string& method, const std::string& path,
                                const std::string& body);
  /// OK for a 2xx answer; otherwise what a retry may do about it: UNAVAILABLE (5xx, 429),
  /// PERMISSION_DENIED (401, 403), NOT_FOUND (404), FAILED_PRECONDITION.
  static absl::Status status_of(const std::string& method, const std::string& path,
                                const Response& response);
  /// The lowest id of the tickets TicketSQL `query` finds that the connector may see, 0 if none.
  absl::StatusOr<int64_t> first_ticket(const std::string& query);
  /// call() that also turns non-2xx answers into statuses.
  absl::StatusOr<std::string> call_ok(const std::string& method, const std::string& path,
                                      const std::string& body);
  /// PUTs `change` to ticket `id`, then reads the ticket back: FAILED_PRECONDITION naming `what`
  /// and RT's messages unless `took(ticket)`.
  absl::Status update(int64_t id, const google::protobuf::Struct& change, const std::string& what,
                      const std::function<bool(const google::protobuf::Struct&)>& took);
  RestRtSettings settings_;
  bool loopback_ = false;  ///< RT on this machine: never through a proxy from the environment
};

/// An instant as RT takes it in JSON: "2026-12-03 10:00:00" (UTC).
std::string rt_time(absl::Time t);

}  // namespace termijn::rt
