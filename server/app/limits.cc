#include "server/app/limits.h"

#include <string>

namespace termijn::app {

namespace {

// The length of the valid UTF-8 sequence at the start of `s`, or 0 if it is not one (overlong
// forms, surrogates and code points above U+10FFFF are invalid).
size_t utf8_length(std::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = byte(0);
  if (c < 0x80) return 1;
  size_t n = 0;
  char32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i) & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

bool disallowed_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\n' && c != '\t') || u == 0x7F;
}

}  // namespace

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
  for (size_t i = 0; i < text.size();) {
    const size_t n = utf8_length(text.substr(i));
    if (n == 0) {
      return absl::InvalidArgumentError(name + ": not valid UTF-8 (at byte " + std::to_string(i) +
                                        ")");
    }
    if (n == 1 && disallowed_control(text[i])) {
      return absl::InvalidArgumentError(name + ": contains a control character");
    }
    i += n;
  }
  return absl::OkStatus();
}

std::string printable_prefix(std::string_view text, size_t max_bytes) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  static constexpr std::string_view kCut = "...";
  std::string out;
  for (size_t i = 0; i < text.size() && out.size() <= max_bytes;) {
    const size_t n = utf8_length(text.substr(i));
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    out += n == 1 && disallowed_control(text[i]) ? std::string_view(" ") : text.substr(i, n);
    i += n;
  }
  if (out.size() <= max_bytes) return out;
  size_t keep = max_bytes > kCut.size() ? max_bytes - kCut.size() : 0;
  // Back to the start of a character.
  while (keep > 0 && (static_cast<unsigned char>(out[keep]) & 0xC0) == 0x80) --keep;
  out.resize(keep);
  return out + std::string(kCut.substr(0, max_bytes - keep));
}

std::string quote_input(std::string_view text) {
  return "'" + printable_prefix(text, kMaxQuote) + "'";
}

}  // namespace termijn::app
