#include "server/app/limits.h"

#include <string>

namespace termijn::app {

absl::Status check_text(std::string_view field, std::string_view text, size_t max_bytes,
                        bool required) {
  const std::string name(field);
  if (required && text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return absl::InvalidArgumentError(name + ": must not be empty");
  }
  if (text.size() > max_bytes) {
    return absl::InvalidArgumentError(name + ": longer than " + std::to_string(max_bytes) +
                                      " bytes");
  }
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\n' && c != '\t') {
      return absl::InvalidArgumentError(name + ": contains a control character");
    }
  }
  return absl::OkStatus();
}

}  // namespace termijn::app
