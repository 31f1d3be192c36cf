#pragma once

#include <string>
#include <string_view>

namespace termijn::app {

/// SHA-256 of the concatenation of `parts` (OpenSSL), 32 raw bytes.
std::string sha256(std::initializer_list<std::string_view> parts);

/// Lower-case hex of raw bytes.
std::string to_hex(std::string_view bytes);

/// Lower-case hex SHA-256 of `bytes`.
inline std::string sha256_hex(std::string_view bytes) { return to_hex(sha256({bytes})); }

}  // namespace termijn::app
