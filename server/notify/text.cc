#include "server/notify/text.h"

#include "server/domain/utf8.h"

#include <cstdint>

namespace termijn::notify {

std::string valid_utf8(std::string_view s) { return domain::valid_utf8(s); }

std::string one_line(std::string_view s) {
  std::string out;
  bool pending_space = false;
  for (unsigned char c : s) {
    if (c <= 0x20 || c == 0x7f) {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty()) out += ' ';
    pending_space = false;
    out += static_cast<char>(c);
  }
  return valid_utf8(out);
}

std::string headline(std::string_view s, size_t max_chars) {
  std::string line;
  for (size_t start = 0; start <= s.size() && line.empty();) {
    size_t end = s.find('\n', start);
    if (end == std::string_view::npos) end = s.size();
    line = one_line(s.substr(start, end - start));
    start = end + 1;
  }
  // Cut before the character that would make it longer than max_chars.
  size_t chars = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;
    if (++chars > max_chars) return line.substr(0, i) + "...";
  }
  return line;
}

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace termijn::notify
