#include "server/notify/mime.h"

#include <absl/strings/match.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <regex>
#include <vector>

#include "server/notify/text.h"

// Why the MIME text is rendered here and not with libcurl's mime API (curl_mime_*): libcurl picks
// a random boundary per transfer and only produces the bytes while uploading. A resend of a
// notification must be recognisably the same message, and EmlDirectoryMailer must write exactly
// what SMTP would send; both need the bytes as a deterministic function of the MailMessage. This
// renderer is small, fully unit-tested, and SmtpMailer uploads its output unchanged.

namespace termijn::notify {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr size_t kLineLimit = 78;         // RFC 5322 2.1.1 (SHOULD; 998 is the MUST)
constexpr size_t kEncodedWordLimit = 75;  // RFC 2047 2
constexpr size_t kQpLineLimit = 76;       // RFC 2045 6.7 (5)
constexpr size_t kBase64LineLimit = 76;   // RFC 2045 6.8

bool is_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

// Builds one header field, folding (CRLF SP) between words so lines stay within 78 octets.
class HeaderWriter {
 public:
  explicit HeaderWriter(std::string_view name) : text_(name) {
    text_ += ':';
    line_length_ = text_.size();
  }

  // Appends `w` after a space; folds before it when the line would get too long. Never folds
  // right after the field name, so each field keeps at least one word on its first line.
  void word(std::string_view w) {
    if (has_word_ && line_length_ + 1 + w.size() > kLineLimit) {
      text_ += kCrlf;
      line_length_ = 0;
    }
    text_ += ' ';
    text_ += w;
    line_length_ += 1 + w.size();
    has_word_ = true;
  }

  // Appends `s` directly (a separator such as ","); never folds.
  void glue(std::string_view s) {
    text_ += s;
    line_length_ += s.size();
  }

  // Octets a word appended now could have without folding (after its leading space).
  size_t room() const { return line_length_ + 1 < kLineLimit ? kLineLimit - line_length_ - 1 : 0; }
  std::string finish() && { return std::move(text_) + std::string(kCrlf); }

 private:
  std::string text_;
  size_t line_length_ = 0;
  bool has_word_ = false;
};

// RFC 2047 "B" encoded words for UTF-8 `text`, each at most 75 octets and each holding whole
// characters (RFC 2047 5). `first_room` is what is left on the current line; when that is too
// little the first word gets a full line, as HeaderWriter folds before it anyway.
//
// Words are split before a space where possible, the space starting the next word: decoders drop
// the white space *between* encoded words, and some (Python's email package in display names)
// wrongly turn it into a space, which would otherwise split a name in the middle of a word.
std::vector<std::string> encoded_words(std::string_view text, size_t first_room) {
  constexpr std::string_view kPrefix = "=?UTF-8?B?";
  constexpr std::string_view kSuffix = "?=";
  constexpr size_t kMinRoom = 40;
  std::vector<std::string> words;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t room = words.empty() && first_room >= kMinRoom
                            ? std::min(kEncodedWordLimit, first_room)
                            : kEncodedWordLimit;
    const size_t max_bytes = (room - kPrefix.size() - kSuffix.size()) / 4 * 3;
    size_t end = std::min(text.size(), pos + max_bytes);
    if (end < text.size()) {
      const size_t space = text.rfind(' ', end);
      if (space != std::string_view::npos && space > pos + max_bytes / 2) {
        end = space;
      } else {
        // Back up to a character boundary: never end before a UTF-8 continuation byte.
        while (end > pos + 1 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
      }
    }
    words.push_back(std::string(kPrefix) + base64(text.substr(pos, end - pos)) +
                    std::string(kSuffix));
    pos = end;
  }
  return words;
}

// An addr-spec reduced to the characters an address may have: what check_message() refuses is
// still rendered harmlessly.
std::string safe_email(std::string_view email) {
  std::string out;
  for (unsigned char c : email) {
    if (c > 0x20 && c < 0x7f && std::string_view("<>()[]\\,;:\"").find(c) == std::string::npos) {
      out += static_cast<char>(c);
    }
  }
  return out;
}

void append_mailbox(HeaderWriter& h, const MailAddress& address) {
  const std::string email = safe_email(address.email);
  const std::string name = one_line(address.name);
  if (name.empty()) {
    h.word(email);
    return;
  }
  if (is_ascii(name) && name.size() <= 60 && name.find("=?") == std::string::npos) {
    std::string quoted = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    quoted += '"';
    h.word(quoted);
  } else {
    for (const std::string& w : encoded_words(name, h.room())) h.word(w);
  }
  h.word("<" + email + ">");
}

std::string address_field(std::string_view name, const std::vector<MailAddress>& addresses) {
  HeaderWriter h(name);
  for (size_t i = 0; i < addresses.size(); ++i) {
    if (i > 0) h.glue(",");
    append_mailbox(h, addresses[i]);
  }
  return std::move(h).finish();
}

std::string subject_field(std::string_view subject) {
  HeaderWriter h("Subject");
  const std::string text = one_line(subject);
  std::vector<std::string_view> words;
  bool plain = is_ascii(text) && text.find("=?") == std::string::npos;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    words.push_back(std::string_view(text).substr(pos, end - pos));
    if (end - pos > kEncodedWordLimit - 10) plain = false;  // a word too long to fold around
    pos = end + 1;
  }
  if (plain) {
    for (std::string_view w : words) h.word(w);
  } else {
    for (const std::string& w : encoded_words(text, h.room())) h.word(w);
  }
  return std::move(h).finish();
}

std::string rfc5322_date(domain::Instant t) {
  static constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed",
                                                    "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const date::sys_days day = date::floor<date::days>(t);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<std::chrono::seconds> time{t - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d +0000",
                kDays[date::weekday{day}.c_encoding()], static_cast<unsigned>(ymd.day()),
                kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return buf;
}

// RFC 5322 atext plus '.' and '@': what a msg-id may contain between its angle brackets.
bool is_msg_id_char(unsigned char c) {
  return std::isalnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~.@").find(c) != std::string::npos;
}

std::string safe_message_id(std::string_view id) {
  std::string out;
  for (unsigned char c : id) {
    if (c < 0x80 && is_msg_id_char(c)) out += static_cast<char>(c);
  }
  return out;
}

// A boundary that cannot occur in the body: "=_" is never produced by base64 nor by
// quoted-printable (where '=' is always followed by hex digits or a line break), and part
// headers never start a line with "--". Derived from the Message-ID to keep output deterministic.
std::string boundary_for(std::string_view message_id) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(message_id.data(), message_id.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "=_termijn_";
  for (unsigned int i = 0; i < 12 && i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

std::string quoted_printable(std::string_view text) {
  std::string out;
  size_t line_length = 0;
  auto emit = [&](std::string_view token) {
    if (line_length + token.size() > kQpLineLimit - 1) {  // leave room for the soft break '='
      out += "=\r\n";
      line_length = 0;
    }
    out += token;
    line_length += token.size();
  };
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    for (size_t i = 0; i < line.size(); ++i) {
      const unsigned char c = line[i];
      const bool last = i + 1 == line.size();
      const bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
      // A '.' opening a line is encoded too, so no relay can mistake it for the end of DATA.
      const bool leading_dot = c == '.' && (line_length == 0 || line_length + 1 > kQpLineLimit - 1);
      if (literal && !leading_dot) {
        emit(std::string_view(line).substr(i, 1));
      } else {
        char hex[4];
        std::snprintf(hex, sizeof hex, "=%02X", c);
        emit(hex);
      }
    }
    if (end == text.size()) break;
    out += kCrlf;
    line_length = 0;
    pos = end + ((text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ? 2 : 1);
  }
  return out;
}

std::string base64_lines(std::string_view bytes) {
  const std::string encoded = base64(bytes);
  std::string out;
  for (size_t pos = 0; pos < encoded.size(); pos += kBase64LineLimit) {
    if (pos > 0) out += kCrlf;
    out += encoded.substr(pos, kBase64LineLimit);
  }
  return out;
}

std::string safe_file_name(std::string_view file_name) {
  std::string name = one_line(file_name);
  const size_t slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name = one_line(name.substr(slash + 1));
  if (name.empty() || name == "." || name == "..") name = "attachment";
  return name;
}

// A file name as MIME parameter(s), each on its own folded line: attr="name" for short ASCII,
// otherwise RFC 2231 extended values (attr*=UTF-8''..., split as attr*0*=, attr*1*= ... when long).
std::vector<std::string> file_name_params(std::string_view attr, const std::string& name) {
  if (is_ascii(name) && name.size() <= 60) {
    std::string quoted = std::string(attr) + "=\"";
    for (char c : name) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    return {quoted + "\""};
  }
  std::vector<std::string> chunks{"UTF-8''"};
  for (unsigned char c : name) {
    std::string piece;
    if (std::isalnum(c) || std::string_view("-._~!#$&+^`{|}").find(c) != std::string::npos) {
      piece = static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      piece = hex;
    }
    if (chunks.back().size() + piece.size() > 60) chunks.emplace_back();
    chunks.back() += piece;
  }
  if (chunks.size() == 1) return {std::string(attr) + "*=" + chunks[0]};
  std::vector<std::string> params;
  for (size_t i = 0; i < chunks.size(); ++i) {
    params.push_back(std::string(attr) + "*" + std::to_string(i) + "*=" + chunks[i]);
  }
  return params;
}

// The media type if it is a well-formed type/subtype with parameters, else a safe default.
// The Content-Type of a base64-encoded attachment: `media_type` if it is one. A message/* part
// may not be base64-encoded (RFC 2046 5.2.1; readers show it without its headers), so an attached
// mail goes as a file its reader opens (the name keeps .eml).
std::string safe_media_type(std::string_view media_type) {
  static const std::regex kMediaType(
      R"(^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+)"
      R"((\s*;\s*[A-Za-z0-9!#$&^_.+*-]+=("[^"\\]*"|[A-Za-z0-9!#$&^_.+%'-]+))*$)");
  const std::string type = one_line(media_type);
  const bool message = absl::StartsWithIgnoreCase(type, "message/");
  return std::regex_match(type, kMediaType) && !message ? type : "application/octet-stream";
}

std::string with_params(std::string head, const std::vector<std::string>& params) {
  for (const std::string& p : params) head += ";\r\n " + p;
  return head + std::string(kCrlf);
}

}  // namespace

std::string render_message(const MailMessage& m) {
  const std::string message_id = safe_message_id(m.message_id);
  const std::string boundary = boundary_for(message_id);
  std::string out;
  out += "Date: " + rfc5322_date(m.date) + std::string(kCrlf);
  out += address_field("From", {m.from});
  out += address_field("To", m.to);
  if (!m.cc.empty()) out += address_field("Cc", m.cc);
  if (!m.reply_to.empty()) out += address_field("Reply-To", m.reply_to);
  out += subject_field(m.subject);
  out += "Message-ID: <" + message_id + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  // RFC 3834: every Termijn mail is machine-made; asks for no vacation auto-replies.
  out += "Auto-Submitted: auto-generated\r\n";
  out += "Content-Type: multipart/mixed;\r\n boundary=\"" + boundary + "\"\r\n";
  out += "\r\nThis is a multi-part message in MIME format.\r\n";

  out += "\r\n--" + boundary + "\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += quoted_printable(valid_utf8(m.text_body));

  for (const MailAttachment& a : m.attachments) {
    const std::string name = safe_file_name(a.file_name);
    out += "\r\n--" + boundary + "\r\n";
    out += with_params("Content-Type: " + safe_media_type(a.media_type),
                       file_name_params("name", name));
    out += "Content-Transfer-Encoding: base64\r\n";
    out += with_params("Content-Disposition: attachment", file_name_params("filename", name));
    out += kCrlf;
    out += base64_lines(a.content);
  }
  out += "\r\n--" + boundary + "--\r\n";
  return out;
}

absl::Status check_message(const MailMessage& m) {
  const std::string& id = m.message_id;
  const size_t at = id.find('@');
  if (id.empty() || id.size() > 250 || safe_message_id(id) != id || at == std::string::npos ||
      at == 0 || at + 1 == id.size() || id.find('@', at + 1) != std::string::npos) {
    return absl::InvalidArgumentError("message_id '" + one_line(id) +
                                      "' is not of the form left@right in plain ASCII");
  }
  if (!is_valid_email(m.from.email)) {
    return absl::InvalidArgumentError("from address '" + one_line(m.from.email) +
                                      "' is not a valid e-mail address");
  }
  if (m.to.empty()) return absl::InvalidArgumentError("the message has no To recipient");
  const std::array<std::pair<const char*, const std::vector<MailAddress>*>, 3> lists{
      {{"to", &m.to}, {"cc", &m.cc}, {"reply_to", &m.reply_to}}};
  for (const auto& [field, list] : lists) {
    for (const MailAddress& a : *list) {
      if (!is_valid_email(a.email)) {
        return absl::InvalidArgumentError(std::string(field) + " address '" + one_line(a.email) +
                                          "' is not a valid e-mail address");
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace termijn::notify
