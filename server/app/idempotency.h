#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "server/app/actor.h"
#include "server/app/store.h"

namespace termijn::app {

/// What makes a create repeatable (AIP-155): the client's request_id, a UUID, and the SHA-256
/// (hex) of the rest of its request. Both empty: the create is not idempotent.
struct CreateRequestId {
  std::string request_id;
  std::string body_sha256;
};

/// INVALID_ARGUMENT naming request_id unless it is empty or a UUID (8-4-4-4-12 hex digits).
absl::Status check_request_id(std::string_view request_id);

/// Claims `id` for `actor` and `method` in `tx` before the record is written. Returns 0 when the
/// create is new (or not idempotent): write the record, then finish_create(). Returns the id of
/// the record of `collection` an earlier create with the same id made, which the caller returns
/// instead of creating another; INVALID_ARGUMENT if that create had a different request.
absl::StatusOr<int64_t> claim_create(StoreTransaction& tx, const Actor& actor,
                                     std::string_view method, const CreateRequestId& id,
                                     std::string_view collection, domain::Instant now);

/// Records which record the claimed create made: `collection`/`record_id`.
absl::Status finish_create(StoreTransaction& tx, const Actor& actor, const CreateRequestId& id,
                           std::string_view collection, int64_t record_id);

}  // namespace termijn::app
