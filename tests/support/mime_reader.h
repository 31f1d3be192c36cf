#pragma once

// A small, independent MIME reader for the mail tests: it decodes what server/notify renders
// (headers, RFC 2047 words, RFC 2231 parameters, quoted-printable, base64, multipart) without
// sharing code with it, so a test checks the renderer against a second implementation.

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace termijn::testing {

inline std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

inline std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

inline std::string Base64Decode(const std::string& in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  int bits = 0;
  unsigned buffer = 0;
  for (char c : in) {
    if (c == '=') break;
    const int v = value(c);
    if (v < 0) {
      if (c == '\r' || c == '\n') continue;
      throw std::runtime_error(std::string("not base64: '") + c + "'");
    }
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

/// Quoted-printable (RFC 2045 6.7) to bytes; hard line breaks become "\n".
inline std::string QpDecode(const std::string& in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r' && i + 1 < in.size() && in[i + 1] == '\n') {
      out += '\n';
      ++i;
    } else if (in[i] == '=') {
      if (i + 1 < in.size() && (in[i + 1] == '\r' || in[i + 1] == '\n')) {  // soft line break
        i += (in[i + 1] == '\r' && i + 2 < in.size() && in[i + 2] == '\n') ? 2 : 1;
      } else if (i + 2 < in.size()) {
        out += static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        throw std::runtime_error("truncated quoted-printable");
      }
    } else {
      out += in[i];
    }
  }
  return out;
}

/// Decodes RFC 2047 encoded words (B and Q, UTF-8); white space between two encoded words goes.
inline std::string DecodeWords(const std::string& value) {
  std::string out;
  size_t pos = 0;
  bool previous_was_word = false;
  while (pos < value.size()) {
    const size_t start = value.find("=?", pos);
    if (start == std::string::npos) {
      out += value.substr(pos);
      break;
    }
    const size_t q1 = value.find('?', start + 2);
    const size_t q2 = q1 == std::string::npos ? q1 : value.find('?', q1 + 1);
    const size_t end = q2 == std::string::npos ? q2 : value.find("?=", q2 + 1);
    if (end == std::string::npos) {
      out += value.substr(pos);
      break;
    }
    const std::string between = value.substr(pos, start - pos);
    if (!(previous_was_word && Trim(between).empty())) out += between;
    const std::string encoding = Lower(value.substr(q1 + 1, q2 - q1 - 1));
    const std::string text = value.substr(q2 + 1, end - q2 - 1);
    if (encoding == "b") {
      out += Base64Decode(text);
    } else {
      std::string q = text;
      std::replace(q.begin(), q.end(), '_', ' ');
      out += QpDecode(q);
    }
    previous_was_word = true;
    pos = end + 2;
  }
  return out;
}

inline std::string PercentDecode(const std::string& in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      out += static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

/// One entity: its header fields in order (names as written, values unfolded) and its raw body.
struct MimeEntity {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// The first field named `name` (any case), unfolded, or "" if absent.
  std::string Header(const std::string& name) const {
    for (const auto& [n, v] : headers) {
      if (Lower(n) == Lower(name)) return v;
    }
    return "";
  }
  int Count(const std::string& name) const {
    return static_cast<int>(std::count_if(headers.begin(), headers.end(), [&](const auto& h) {
      return Lower(h.first) == Lower(name);
    }));
  }

  /// A parameter of a structured field ("boundary", "filename"), with RFC 2231 extended values
  /// and continuations decoded.
  std::string Param(const std::string& field, const std::string& name) const {
    const std::string value = Header(field);
    std::map<int, std::string> pieces;
    std::string plain;
    bool extended = false;
    size_t pos = value.find(';');
    while (pos != std::string::npos && pos < value.size()) {
      ++pos;
      while (pos < value.size() && value[pos] == ' ') ++pos;
      const size_t eq = value.find('=', pos);
      if (eq == std::string::npos) break;
      std::string key = Lower(Trim(value.substr(pos, eq - pos)));
      std::string v;
      size_t next;
      if (eq + 1 < value.size() && value[eq + 1] == '"') {
        size_t i = eq + 2;
        for (; i < value.size() && value[i] != '"'; ++i) {
          if (value[i] == '\\' && i + 1 < value.size()) ++i;
          v += value[i];
        }
        next = value.find(';', i);
      } else {
        next = value.find(';', eq);
        v = Trim(
            value.substr(eq + 1, next == std::string::npos ? std::string::npos : next - eq - 1));
      }
      pos = next;
      const std::string lname = Lower(name);
      if (key == lname) {
        plain = v;
      } else if (key.rfind(lname + "*", 0) == 0) {
        std::string rest = key.substr(lname.size() + 1);  // "", "0*", "1", ...
        const bool encoded = rest.empty() || rest.back() == '*';
        if (!rest.empty() && rest.back() == '*') rest.pop_back();
        const int index = rest.empty() ? 0 : std::stoi(rest);
        pieces[index] = v;
        extended = extended || encoded;
      }
    }
    if (pieces.empty()) return plain;
    std::string joined;
    for (const auto& [i, piece] : pieces) joined += piece;
    if (extended) {
      const size_t quote = joined.find('\'', joined.find('\'') + 1);
      joined = PercentDecode(joined.substr(quote + 1));
    }
    return joined;
  }
};

/// Splits raw message text (CRLF or LF) into header fields and body; folded lines are unfolded
/// by removing the line break only (RFC 5322 2.2.3).
inline MimeEntity ParseEntity(const std::string& raw) {
  MimeEntity e;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t eol = raw.find('\n', pos);
    if (eol == std::string::npos) eol = raw.size();
    std::string line = raw.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    pos = eol + 1;
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !e.headers.empty()) {
      e.headers.back().second += line;
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string::npos) throw std::runtime_error("not a header line: " + line);
    e.headers.emplace_back(line.substr(0, colon), Trim(line.substr(colon + 1)));
  }
  e.body = pos < raw.size() ? raw.substr(pos) : "";
  return e;
}

/// The body parts of a multipart entity.
inline std::vector<MimeEntity> Parts(const MimeEntity& e) {
  const std::string boundary = e.Param("Content-Type", "boundary");
  if (boundary.empty()) throw std::runtime_error("no boundary");
  const std::string delimiter = "--" + boundary;
  std::vector<MimeEntity> parts;
  size_t pos = e.body.find(delimiter);
  while (pos != std::string::npos) {
    size_t start = e.body.find('\n', pos);
    if (e.body.compare(pos + delimiter.size(), 2, "--") == 0 || start == std::string::npos) break;
    ++start;
    size_t next = e.body.find("\n" + delimiter, start);
    if (next == std::string::npos) throw std::runtime_error("unterminated multipart");
    size_t end = next;
    if (end > start && e.body[end - 1] == '\r') --end;  // the line break belongs to the delimiter
    parts.push_back(ParseEntity(e.body.substr(start, end - start)));
    pos = next + 1;
  }
  return parts;
}

/// The decoded body of a part, by its Content-Transfer-Encoding.
inline std::string DecodedBody(const MimeEntity& part) {
  const std::string encoding = Lower(part.Header("Content-Transfer-Encoding"));
  if (encoding == "base64") return Base64Decode(part.body);
  if (encoding == "quoted-printable") return QpDecode(part.body);
  return part.body;
}

}  // namespace termijn::testing
