#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <pqxx/transaction>

#include <exception>
#include <string_view>

namespace termijn::store {

/// Maps a libpqxx exception to a status: unique violation -> ALREADY_EXISTS, serialization
/// failure or deadlock -> ABORTED, broken connection -> UNAVAILABLE, anything else -> INTERNAL.
/// The detail is logged with `what`; the status message carries none of it.
absl::Status to_status(const std::exception& e, std::string_view what);

/// Runs `body`, turning libpqxx exceptions into statuses.
template <typename Body>
auto guarded(std::string_view what, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    return to_status(e, what);
  }
}

/// Runs `body(tx)` in a read-only transaction on a connection `pool` lends for `use` (a call's
/// or a background worker's), exceptions as statuses.
template <typename Result, typename Pool, typename Use, typename Body>
absl::StatusOr<Result> read_only(Pool& pool, Use use, std::string_view what, Body body) {
  return guarded(what, [&]() -> absl::StatusOr<Result> {
    auto lease = pool.acquire(use);
    pqxx::read_transaction tx(*lease);
    return body(tx);
  });
}

}  // namespace termijn::store
