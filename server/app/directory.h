#pragma once

#include <absl/status/statusor.h>

#include <string_view>
#include <vector>

#include "server/domain/model.h"

namespace termijn::app {

/// The configured parties.
class Directory {
 public:
  explicit Directory(std::vector<domain::Party> parties) : parties_(std::move(parties)) {}

  const std::vector<domain::Party>& parties() const { return parties_; }

  /// The party `id`, or INVALID_ARGUMENT naming `field` and the known parties.
  absl::StatusOr<const domain::Party*> find(std::string_view id, std::string_view field) const;

 private:
  std::vector<domain::Party> parties_;
};

}  // namespace termijn::app
