#pragma once

#include <absl/status/statusor.h>

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "server/api/convert.h"
#include "server/api/principal.h"
#include "server/app/directory.h"
#include "server/app/registers.h"
#include "termijn/v1/termijn.pb.h"

namespace termijn::api {

// The registers as callers read them, page by page, for the gRPC export and the web console
// alike.

/// Where the next page of a register starts: after this awareness (receipt) time and id; empty:
/// at the first record.
using RegisterCursor = std::optional<std::pair<domain::Instant, int64_t>>;

/// Records per page: one page is in memory per reader.
inline constexpr int kRegisterPageSize = 100;

/// The register of `party` for `year` (0: every year), if `principal` may read it
/// (policy::may_read_register); INVALID_ARGUMENT for an unknown party or a year out of range.
inline absl::StatusOr<app::RegisterScope> readable_register(const app::Registers& registers,
                                                            const Principal& principal,
                                                            const std::string& party, int year) {
  auto scope = registers.scope(party, year);
  if (!scope.ok()) return scope.status();
  if (auto s = policy::may_read_register(principal, party); !s.ok()) return s;
  return scope;
}

/// The next page of the register of `Entry`s (v1::IncidentRegisterEntry or
/// v1::RequestRegisterEntry) of `scope` after `after`; moves `after` on and sets `more` when
/// another page may follow.
template <typename Entry>
absl::StatusOr<std::vector<Entry>> next_register_page(app::Registers& registers,
                                                      const app::Directory& directory,
                                                      const app::RegisterScope& scope,
                                                      RegisterCursor& after, bool& more) {
  const auto entries = [&](auto page) -> absl::StatusOr<std::vector<Entry>> {
    if (!page.ok()) return page.status();
    after = page->next;
    more = page->more;
    std::vector<Entry> out(page->records.size());
    for (size_t i = 0; i < out.size(); ++i) {
      to_proto(page->records[i], directory, page->as_of, &out[i]);
    }
    return out;
  };
  static_assert(std::is_same_v<Entry, v1::IncidentRegisterEntry> ||
                std::is_same_v<Entry, v1::RequestRegisterEntry>);
  if constexpr (std::is_same_v<Entry, v1::IncidentRegisterEntry>) {
    return entries(registers.incidents(scope, after, kRegisterPageSize));
  } else {
    return entries(registers.requests(scope, after, kRegisterPageSize));
  }
}

}  // namespace termijn::api
