#include "server/notify/ics.h"

#include <algorithm>
#include <string_view>

#include "server/notify/text.h"

namespace termijn::notify {
namespace {

constexpr size_t kFoldAt = 75;  // RFC 5545 3.1: octets per line, excluding the line break

// RFC 5545 3.3.11: TEXT escapes backslash, semicolon, comma and line breaks; other control
// characters are not allowed in a content line and are dropped.
std::string escape_text(std::string_view text) {
  const std::string utf8 = valid_utf8(text);
  std::string out;
  for (size_t i = 0; i < utf8.size(); ++i) {
    const char c = utf8[i];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\r':
        if (i + 1 < utf8.size() && utf8[i + 1] == '\n') ++i;
        out += "\\n";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f)
          out += c;
        else if (c == '\t')
          out += ' ';
    }
  }
  return out;
}

// Appends one content line, folded (CRLF + space) so that no line exceeds 75 octets and no
// UTF-8 character is split (RFC 5545 3.1).
void add_line(std::string& out, std::string_view line) {
  size_t pos = 0;
  bool first = true;
  while (true) {
    const size_t room = first ? kFoldAt : kFoldAt - 1;  // a continuation starts with a space
    size_t end = std::min(line.size(), pos + room);
    while (end < line.size() && end > pos &&
           (static_cast<unsigned char>(line[end]) & 0xC0) == 0x80) {
      --end;
    }
    if (!first) out += ' ';
    out.append(line.substr(pos, end - pos));
    out += "\r\n";
    pos = end;
    first = false;
    if (pos >= line.size()) break;
  }
}

std::string utc(domain::Instant t) { return date::format("%Y%m%dT%H%M%SZ", t); }

}  // namespace

std::string render_ics(const std::string& uid, const std::string& summary,
                       const std::string& description, domain::Instant start,
                       domain::Instant end_or_same, domain::Instant stamp) {
  std::string out;
  add_line(out, "BEGIN:VCALENDAR");
  add_line(out, "VERSION:2.0");
  add_line(out, "PRODID:-//Termijn//EN");
  add_line(out, "CALSCALE:GREGORIAN");
  add_line(out, "METHOD:PUBLISH");
  add_line(out, "BEGIN:VEVENT");
  add_line(out, "UID:" + escape_text(uid));
  add_line(out, "DTSTAMP:" + utc(stamp));
  add_line(out, "DTSTART:" + utc(start));
  if (end_or_same > start) add_line(out, "DTEND:" + utc(end_or_same));
  add_line(out, "SUMMARY:" + escape_text(summary));
  add_line(out, "DESCRIPTION:" + escape_text(description));
  add_line(out, "CLASS:PRIVATE");
  add_line(out, "TRANSP:TRANSPARENT");  // a deadline does not make anyone busy
  add_line(out, "STATUS:CONFIRMED");
  add_line(out, "SEQUENCE:0");
  add_line(out, "BEGIN:VALARM");
  add_line(out, "ACTION:DISPLAY");
  add_line(out, "DESCRIPTION:" + escape_text(summary));
  add_line(out, "TRIGGER;RELATED=START:-PT2H");
  add_line(out, "END:VALARM");
  add_line(out, "END:VEVENT");
  add_line(out, "END:VCALENDAR");
  return out;
}

}  // namespace termijn::notify
