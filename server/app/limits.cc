#include "server/app/limits.h"

#include <cstdio>
#include <string>

#include "server/domain/utf8.h"

namespace termijn::app {

namespace {

// The code point of the valid UTF-8 sequence of `n` bytes `s` starts with.
char32_t code_point(std::string_view s, size_t n) {
  if (n == 1) return static_cast<unsigned char>(s[0]);
  char32_t c = static_cast<unsigned char>(s[0]) & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) c = (c << 6) | (static_cast<unsigned char>(s[k]) & 0x3F);
  return c;
}

// C0 controls other than newline and tab, DEL, and the C1 controls.
bool is_control(char32_t c) {
  return (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7F && c <= 0x9F);
}

bool breaks_line(char32_t c) {
  return c == '\n' || c == '\r' || c == '\t' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

// The bidi embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069).
bool is_direction_control(char32_t c) {
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

// Shows as nothing: white space (Unicode's White_Space) and the invisible format characters
// (soft hyphen, zero-width space and joiners, direction marks and controls, word joiner,
// variation selectors, byte order mark, Hangul fillers).
bool is_invisible(char32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0xAD ||
         c == 0x34F || c == 0x61C || c == 0x115F || c == 0x1160 || c == 0x1680 ||
         (c >= 0x180B && c <= 0x180E) || (c >= 0x2000 && c <= 0x200F) ||
         (c >= 0x2028 && c <= 0x202F) || (c >= 0x205F && c <= 0x206F) || c == 0x3000 ||
         c == 0x3164 || (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFEFF || c == 0xFFA0;
}

// Whether `text` is valid UTF-8 of invisible characters only (or empty).
bool blank(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = domain::utf8_length(text.substr(i));
    if (n == 0 || !is_invisible(code_point(text.substr(i), n))) return false;
    i += n;
  }
  return true;
}

absl::Status check(std::string_view field, std::string_view text, size_t max_bytes, bool required,
                   bool one_line) {
  const std::string name(field);
  if (required && blank(text)) return absl::InvalidArgumentError(name + ": must not be empty");
  if (text.size() > max_bytes) {
    return absl::InvalidArgumentError(name + ": longer than " + std::to_string(max_bytes) +
                                      " bytes");
  }
  for (size_t i = 0; i < text.size();) {
    const size_t n = domain::utf8_length(text.substr(i));
    if (n == 0) {
      // Bytes counted from 1, as the CLI counts them for the same text.
      return absl::InvalidArgumentError(name + ": not valid UTF-8 (at byte " +
                                        std::to_string(i + 1) + ")");
    }
    const char32_t c = code_point(text.substr(i), n);
    if (one_line && breaks_line(c)) return absl::InvalidArgumentError(name + ": must be one line");
    if (is_control(c)) return absl::InvalidArgumentError(name + ": contains a control character");
    if (one_line && is_direction_control(c)) {
      char code[8];
      std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(c));
      return absl::InvalidArgumentError(name + ": must not contain " + code +
                                        " (a direction control)");
    }
    i += n;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status check_text(std::string_view field, std::string_view text, size_t max_bytes,
                        bool required) {
  return check(field, text, max_bytes, required, /*one_line=*/false);
}

absl::Status check_line(std::string_view field, std::string_view text, size_t max_bytes,
                        bool required) {
  return check(field, text, max_bytes, required, /*one_line=*/true);
}

absl::Status check_subject_count(int64_t count) {
  if (count < 0 || count > kMaxSubjectCount) {
    return absl::InvalidArgumentError("subject_count: must lie between 0 and " +
                                      std::to_string(kMaxSubjectCount));
  }
  return absl::OkStatus();
}

std::string printable_prefix(std::string_view text, size_t max_bytes) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  static constexpr std::string_view kCut = "...";
  std::string out;
  for (size_t i = 0; i < text.size() && out.size() <= max_bytes;) {
    const size_t n = domain::utf8_length(text.substr(i));
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    const char32_t c = code_point(text.substr(i), n);
    out += is_control(c) || is_direction_control(c) ? std::string_view(" ") : text.substr(i, n);
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

std::string escape_controls(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xF]};
    } else {
      out += c;
    }
  }
  return out;
}

absl::Status not_one_of_the_grounds(std::string_view ground, std::string_view subject,
                                    std::string_view verb,
                                    const std::vector<domain::WaiverGround>& grounds) {
  std::string choices;
  for (const domain::WaiverGround& g : grounds) {
    choices += (choices.empty() ? " " : "; ") + std::string(g.code) + " = " + std::string(g.text);
  }
  return absl::InvalidArgumentError(
      "ground: " + (ground.empty() ? std::string("required") : quote_input(ground) + " is not one") +
      "; " + std::string(subject) + " may be " + std::string(verb) +
      " only on one of these grounds:" + choices);
}

}  // namespace termijn::app
