#include "server/app/log_request.h"

#include "server/app/audit.h"
#include "server/app/audit_details.h"
#include "server/app/event_time.h"
#include "server/app/external_ref.h"
#include "server/app/limits.h"
#include "server/app/sha256.h"
#include "server/domain/media_type.h"
#include "server/domain/planner.h"

namespace termijn::app {

namespace {

absl::Status check_copy(domain::Attachment& copy, int64_t max_bytes) {
  if (copy.bytes.empty()) return absl::InvalidArgumentError("copy.content: empty file");
  if (static_cast<int64_t>(copy.bytes.size()) > max_bytes) {
    return absl::InvalidArgumentError("copy.content: " + std::to_string(copy.bytes.size()) +
                                      " bytes exceeds the limit of " + std::to_string(max_bytes) +
                                      " bytes");
  }
  if (auto s = check_line("copy.file_name", copy.file_name, kMaxTitle, true); !s.ok()) return s;
  if (copy.file_name.find_first_of("/\\") != std::string::npos) {
    return absl::InvalidArgumentError("copy.file_name: must not contain a path");
  }
  if (copy.file_name == "." || copy.file_name == "..") {
    return absl::InvalidArgumentError("copy.file_name: '" + copy.file_name +
                                      "' is not a file name");
  }
  if (auto s = check_line("copy.media_type", copy.media_type, 100, false); !s.ok()) return s;
  std::string media_type_error;
  const auto media_type =
      domain::checked_media_type(copy.media_type, copy.bytes, &media_type_error);
  if (!media_type) return absl::InvalidArgumentError(media_type_error);
  copy.media_type = *media_type;
  const std::string digest = sha256_hex(copy.bytes);
  if (!copy.sha256.empty() && copy.sha256 != digest) {
    return absl::InvalidArgumentError("copy.sha256: does not match the content (content has " +
                                      digest + ")");
  }
  copy.sha256 = digest;
  copy.size = static_cast<int64_t>(copy.bytes.size());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RequestRecord> LogRequest::run(const Actor& actor, const LogRequestInput& input) {
  const domain::Instant now = clock_.now();
  const auto party = directory_.find(input.party, "party");
  if (!party.ok()) return party.status();
  if (!input.kind) return absl::InvalidArgumentError("kind: required");
  const auto received = read_event_time(input.receive_time, "receive_time", **party, now, false);
  if (!received.ok()) return received.status();
  if (auto s = check_text("summary", input.summary, kMaxText, true); !s.ok()) return s;
  if (auto s = check_request_id(input.create_id.request_id); !s.ok()) return s;

  RequestRecord record;
  domain::Request& request = record.request;
  request.party = (*party)->id;
  request.kind = *input.kind;
  request.receive_time = *received;
  request.summary = input.summary;
  if (input.copy) {
    request.copy = *input.copy;
    if (auto s = check_copy(*request.copy, max_copy_bytes_); !s.ok()) return s;
  }
  request.external_ref = input.external_ref;
  request.logged_by = actor.principal;
  request.create_time = now;

  record.obligations =
      domain::plan_obligations({domain::Trigger::kRequest, *received, request.kind}, **party,
                               directory_.parties(), policy_.targets);

  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  const auto earlier = claim_create(**tx, actor, "LogRequest", input.create_id, "requests", now);
  if (!earlier.ok()) return earlier.status();
  if (*earlier != 0) {
    auto first = (*tx)->get_request(*earlier, false);
    if (!first.ok()) return first.status();
    auto obligations = (*tx)->obligations_of(0, *earlier);
    if (!obligations.ok()) return obligations.status();
    return RequestRecord{std::move(*first), std::move(*obligations)};
  }
  if (auto s = check_external_ref(**tx, "requests", request.party, request.external_ref); !s.ok()) {
    return s;
  }
  const auto id = (*tx)->insert_request(request);
  if (!id.ok()) return id.status();
  request.id = *id;
  if (auto s = finish_create(**tx, actor, input.create_id, "requests", *id); !s.ok()) return s;
  if (auto s = (*tx)->append_audit(audit_record(actor, now, "request.logged",
                                                "requests/" + std::to_string(*id), "",
                                                request_details(request)));
      !s.ok()) {
    return s;
  }
  for (domain::Obligation& o : record.obligations) o.request_id = *id;
  if (auto s = insert_obligations(**tx, record.obligations, actor, now, policy_, **party); !s.ok()) return s;
  if (auto s = (*tx)->commit(); !s.ok()) return s;
  if (request.copy) request.copy->bytes.clear();  // the caller gets the metadata, not the file
  return record;
}

}  // namespace termijn::app
