#pragma once

#include <string>
#include <string_view>

namespace termijn::app {

/// Lower-case hex SHA-256 of `bytes` (OpenSSL).
std::string sha256_hex(std::string_view bytes);

}  // namespace termijn::app
