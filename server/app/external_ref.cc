#include "server/app/external_ref.h"

#include "server/app/limits.h"

namespace termijn::app {

absl::Status check_external_ref(StoreReader& reader, std::string_view collection,
                                const std::string& party, const std::string& external_ref) {
  if (auto s = check_line("external_ref", external_ref, kMaxShort, false); !s.ok()) return s;
  if (external_ref.empty()) return absl::OkStatus();
  const auto existing = reader.find_external_ref(collection, party, external_ref);
  if (!existing.ok()) return existing.status();
  if (*existing == 0) return absl::OkStatus();
  return absl::AlreadyExistsError("external_ref: " + quote_input(external_ref) + " is already " +
                                  std::string(collection) + "/" + std::to_string(*existing) +
                                  " of " + party);
}

}  // namespace termijn::app
