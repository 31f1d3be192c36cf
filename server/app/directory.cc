#include "server/app/directory.h"

#include <absl/status/status.h>

#include "server/app/limits.h"

namespace termijn::app {

absl::StatusOr<const domain::Party*> Directory::find(std::string_view id,
                                                     std::string_view field) const {
  std::string known;
  for (const domain::Party& p : parties_) {
    if (p.id == id) return &p;
    known += (known.empty() ? "" : ", ") + p.id;
  }
  if (id.empty()) {
    return absl::InvalidArgumentError(std::string(field) + ": required (one of " + known + ")");
  }
  return absl::InvalidArgumentError(std::string(field) + ": unknown party " + quote_input(id) +
                                    " (known: " + known + ")");
}

}  // namespace termijn::app
