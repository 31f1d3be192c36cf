#pragma once

#include <absl/status/statusor.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "server/app/store.h"
#include "server/domain/model.h"

namespace termijn::app {

/// Locks request `id` in `tx` for a change: NOT_FOUND if there is none, FAILED_PRECONDITION once
/// it is closed (a closed request does not change).
absl::StatusOr<domain::Request> lock_open_request(StoreTransaction& tx, int64_t id);

/// The GDPR art. 12(3) answer among `obligations` (those of `request`), locked in `tx` against a
/// change in another transaction and re-read in place. FAILED_PRECONDITION, saying that there is
/// none `to_do` ("to extend", or empty), for a request without one (an authority message).
absl::StatusOr<domain::Obligation*> lock_answer(StoreTransaction& tx,
                                                const domain::Request& request,
                                                std::vector<domain::Obligation>& obligations,
                                                std::string_view to_do);

}  // namespace termijn::app
