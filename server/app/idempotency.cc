#include "server/app/idempotency.h"

#include <absl/strings/numbers.h>

#include <cctype>

#include "server/app/limits.h"

namespace termijn::app {

absl::Status check_request_id(std::string_view request_id) {
  if (request_id.empty()) return absl::OkStatus();
  bool uuid = request_id.size() == 36;
  for (size_t i = 0; uuid && i < request_id.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    uuid = dash_position ? request_id[i] == '-'
                         : std::isxdigit(static_cast<unsigned char>(request_id[i])) != 0;
  }
  if (uuid) return absl::OkStatus();
  return absl::InvalidArgumentError("request_id: " + quote_input(request_id) +
                                    " is not a UUID (AIP-155); send a new UUID per create");
}

absl::StatusOr<int64_t> claim_create(StoreTransaction& tx, const Actor& actor,
                                     std::string_view method, const CreateRequestId& id,
                                     std::string_view collection, domain::Instant now) {
  if (id.request_id.empty()) return int64_t{0};
  const auto earlier =
      tx.claim_create({actor.principal, id.request_id, std::string(method), id.body_sha256}, now);
  if (!earlier.ok()) return earlier.status();
  if (!earlier->has_value()) return int64_t{0};
  const CreateKey& prior = **earlier;
  const std::string prefix = std::string(collection) + "/";
  int64_t record_id = 0;
  if (prior.method != method || prior.body_sha256 != id.body_sha256 ||
      prior.subject.rfind(prefix, 0) != 0 ||
      !absl::SimpleAtoi(prior.subject.substr(prefix.size()), &record_id)) {
    // AIP-155: a request_id names one request; reusing it for another is the client's error.
    return absl::InvalidArgumentError("request_id: already used for a different request (" +
                                      prior.method + ", " + prior.subject +
                                      "); send a new request_id for a new create");
  }
  return record_id;
}

absl::Status finish_create(StoreTransaction& tx, const Actor& actor, const CreateRequestId& id,
                           std::string_view collection, int64_t record_id) {
  if (id.request_id.empty()) return absl::OkStatus();
  return tx.finish_create(actor.principal, id.request_id,
                          std::string(collection) + "/" + std::to_string(record_id));
}

}  // namespace termijn::app
