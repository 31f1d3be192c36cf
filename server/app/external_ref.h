#pragma once

#include <absl/status/status.h>

#include <string>
#include <string_view>

#include "server/app/store.h"

namespace termijn::app {

/// Checks a new record's `external_ref` (the id of its ticket elsewhere): INVALID_ARGUMENT if it
/// is not a short printable text; ALREADY_EXISTS naming the record if `party` already holds one
/// of `collection` ("incidents", "requests") under it. Read through the creating transaction;
/// the unique index of migration 0005 settles a race between two.
absl::Status check_external_ref(StoreReader& reader, std::string_view collection,
                                const std::string& party, const std::string& external_ref);

}  // namespace termijn::app
