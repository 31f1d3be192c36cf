#pragma once

#include <absl/status/status.h>

#include <cstddef>
#include <string_view>

namespace termijn::app {

inline constexpr size_t kMaxTitle = 200;
inline constexpr size_t kMaxText = 20000;

/// INVALID_ARGUMENT naming `field` if `text` is required and blank, too long, or not UTF-8
/// printable (control characters other than newline and tab).
absl::Status check_text(std::string_view field, std::string_view text, size_t max_bytes,
                        bool required);

}  // namespace termijn::app
