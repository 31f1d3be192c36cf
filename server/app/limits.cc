#include "server/app/limits.h"

#include <string>

#include "server/domain/utf8.h"

namespace termijn::app {

namespace {

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
    const size_t n = domain::utf8_length(text.substr(i));
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
