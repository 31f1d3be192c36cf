#pragma once

#include <string_view>

namespace termijn::config {

/// Whether `url` keeps what it carries (a token, a signed event) off the wire in clear text:
/// https://, or http:// to a loopback address only.
inline bool secure_or_loopback(std::string_view url) {
  for (std::string_view ok : {"https://", "http://127.", "http://localhost", "http://[::1]"}) {
    if (url.substr(0, ok.size()) == ok) return true;
  }
  return false;
}

}  // namespace termijn::config
