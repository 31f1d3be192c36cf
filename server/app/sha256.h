#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace termijn::app {

/// SHA-256 of the concatenation of `parts` (OpenSSL), 32 raw bytes.
std::string sha256(std::initializer_list<std::string_view> parts);

/// Lower-case hex of raw bytes.
std::string to_hex(std::string_view bytes);

/// The raw bytes of hex text (either case); nullopt when it is not hex.
std::optional<std::string> from_hex(std::string_view hex);

/// Lower-case hex SHA-256 of `bytes`.
inline std::string sha256_hex(std::string_view bytes) { return to_hex(sha256({bytes})); }

}  // namespace termijn::app
