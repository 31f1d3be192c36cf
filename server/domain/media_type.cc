#include "server/domain/media_type.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <utility>

#include "server/domain/utf8.h"

namespace termijn::domain {

namespace {

constexpr std::string_view kOdfPrefix = "application/vnd.oasis.opendocument.";
constexpr std::string_view kDocx =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
constexpr std::string_view kXlsx =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
constexpr std::string_view kPptx =
    "application/vnd.openxmlformats-officedocument.presentationml.presentation";
constexpr std::string_view kAllowedSummary =
    "PDF, PNG, JPEG, TIFF, plain text (UTF-8), message/rfc822, OOXML (docx, xlsx, pptx) and ODF "
    "documents";

bool is_allowed(std::string_view type) {
  const auto& list = allowed_media_types();
  return std::find(list.begin(), list.end(), type) != list.end() ||
         (type.size() > kOdfPrefix.size() && type.substr(0, kOdfPrefix.size()) == kOdfPrefix);
}

DetectedType detected(std::string_view type, std::string_view description) {
  return {std::string(type), std::string(description), is_allowed(type)};
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Little-endian integers of the ZIP format; nullopt past the end.
std::optional<uint32_t> le(std::string_view s, size_t offset, size_t width) {
  if (offset + width > s.size()) return std::nullopt;
  uint32_t value = 0;
  for (size_t i = width; i-- > 0;) value = (value << 8) | static_cast<unsigned char>(s[offset + i]);
  return value;
}

// The entry names of a ZIP archive from its central directory (APPNOTE.TXT 4.3.12, 4.3.16);
// nullopt when the archive is malformed.
std::optional<std::vector<std::string>> zip_entry_names(std::string_view zip) {
  constexpr std::string_view kEnd("PK\x05\x06", 4), kEntry("PK\x01\x02", 4);
  if (zip.size() < 22) return std::nullopt;
  // The end record is the last 22 bytes plus a comment of at most 65535.
  const size_t lowest = zip.size() > 22 + 65535 ? zip.size() - 22 - 65535 : 0;
  size_t end = zip.size() - 22;
  while (zip.substr(end, 4) != kEnd) {
    if (end == lowest) return std::nullopt;
    --end;
  }
  const auto count = le(zip, end + 10, 2);
  auto offset = le(zip, end + 16, 4);
  if (!count || !offset) return std::nullopt;
  std::vector<std::string> names;
  size_t at = *offset;
  for (uint32_t i = 0; i < *count; ++i) {
    if (zip.substr(at, 4) != kEntry) return std::nullopt;
    const auto name_length = le(zip, at + 28, 2);
    const auto extra_length = le(zip, at + 30, 2);
    const auto comment_length = le(zip, at + 32, 2);
    if (!name_length || !extra_length || !comment_length || at + 46 + *name_length > zip.size()) {
      return std::nullopt;
    }
    names.emplace_back(zip.substr(at + 46, *name_length));
    at += 46 + *name_length + *extra_length + *comment_length;
  }
  return names;
}

// ODF 1.2 part 3, 3.3: the first entry is "mimetype", stored uncompressed, holding the type.
std::optional<std::string> odf_mimetype(std::string_view zip) {
  const auto method = le(zip, 8, 2);
  const auto size = le(zip, 18, 4);
  const auto name_length = le(zip, 26, 2);
  const auto extra_length = le(zip, 28, 2);
  if (!method || !size || !name_length || !extra_length || *method != 0 ||
      zip.substr(30, *name_length) != "mimetype") {
    return std::nullopt;
  }
  const size_t start = 30 + *name_length + *extra_length;
  if (start + *size > zip.size()) return std::nullopt;
  const std::string type(zip.substr(start, *size));
  if (!starts_with(type, kOdfPrefix) ||
      type.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.+-/") != std::string::npos) {
    return std::nullopt;
  }
  return type;
}

DetectedType detect_zip(std::string_view zip) {
  if (const auto odf = odf_mimetype(zip)) return detected(*odf, "an ODF document");
  const auto names = zip_entry_names(zip);
  if (!names) return detected("application/zip", "a damaged ZIP archive");
  const auto has = [&names](std::string_view wanted) {
    return std::find(names->begin(), names->end(), wanted) != names->end();
  };
  if (!has("[Content_Types].xml")) return detected("application/zip", "a ZIP archive");
  for (const std::string& name : *names) {
    if (name.size() >= 14 && lower(name).ends_with("vbaproject.bin")) {
      return detected("application/vnd.ms-office.macroenabled", "an Office document with macros");
    }
  }
  if (has("word/document.xml")) return detected(kDocx, "a Word (OOXML) document");
  if (has("xl/workbook.xml")) return detected(kXlsx, "an Excel (OOXML) workbook");
  if (has("ppt/presentation.xml")) return detected(kPptx, "a PowerPoint (OOXML) presentation");
  return detected("application/zip", "an OOXML package of an unknown kind");
}

// RFC 3629: well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
bool is_utf8(std::string_view s) { return !invalid_utf8_at(s).has_value(); }

// The WHATWG MIME Sniffing standard's HTML patterns (7.1, "text/html"), and SVG, which can
// carry scripts just as well.
bool looks_like_markup(std::string_view text, std::string* type) {
  if (starts_with(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  while (!text.empty() && (text[0] == ' ' || text[0] == '\t' || text[0] == '\n' ||
                           text[0] == '\r' || text[0] == '\f')) {
    text.remove_prefix(1);
  }
  static const std::vector<std::string> kHtml{"<!doctype html",
                                              "<html",
                                              "<head",
                                              "<script",
                                              "<iframe",
                                              "<h1",
                                              "<div",
                                              "<font",
                                              "<table",
                                              "<a",
                                              "<style",
                                              "<title",
                                              "<b",
                                              "<body",
                                              "<br",
                                              "<p",
                                              "<!--"};
  const std::string head = lower(text.substr(0, 16));
  for (const std::string& tag : kHtml) {
    if (starts_with(head, tag) && head.size() > tag.size() &&
        (head[tag.size()] == ' ' || head[tag.size()] == '>')) {
      *type = "text/html";
      return true;
    }
  }
  if (starts_with(head, "<svg") ||
      (starts_with(head, "<?xml") &&
       lower(text.substr(0, 1024)).find("<svg") != std::string::npos)) {
    *type = "image/svg+xml";
    return true;
  }
  return false;
}

// RFC 5322 section 2.2: a message starts with header fields ("Name: value", continued on lines
// that start with white space) up to an empty line. At least one field a mail always has.
bool looks_like_message(std::string_view text) {
  static const std::vector<std::string> kMailFields{
      "from", "date", "received", "message-id", "return-path", "mime-version", "subject"};
  bool mail_field = false;
  size_t fields = 0;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if (line[0] == ' ' || line[0] == '\t') {
      if (fields == 0) return false;
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) return false;
    for (char c : line.substr(0, colon)) {
      if (c < 33 || c > 126) return false;
    }
    ++fields;
    const std::string name = lower(line.substr(0, colon));
    mail_field =
        mail_field || std::find(kMailFields.begin(), kMailFields.end(), name) != kMailFields.end();
  }
  return fields >= 2 && mail_field;
}

// "Application/PDF; charset=x" -> "application/pdf", with common aliases resolved.
std::string normalized(std::string_view declared) {
  std::string_view trimmed = declared.substr(0, declared.find(';'));
  const size_t first = trimmed.find_first_not_of(" \t");
  trimmed = first == std::string_view::npos
                ? std::string_view()
                : trimmed.substr(first, trimmed.find_last_not_of(" \t") - first + 1);
  const std::string type = lower(trimmed);
  if (type == "image/jpg" || type == "image/pjpeg") return "image/jpeg";
  if (type == "application/x-pdf") return "application/pdf";
  return type;
}

}  // namespace

const std::vector<std::string>& allowed_media_types() {
  static const std::vector<std::string> kAllowed{
      "application/pdf", "image/png",        "image/jpeg",       "image/tiff",      "text/plain",
      "message/rfc822",  std::string(kDocx), std::string(kXlsx), std::string(kPptx)};
  return kAllowed;
}

DetectedType detect_media_type(std::string_view content) {
  using namespace std::string_view_literals;
  // Executables and scripts first: whatever else the bytes claim, they run.
  if (starts_with(content, "MZ")) {
    return detected("application/vnd.microsoft.portable-executable", "a Windows executable");
  }
  if (starts_with(content,
                  "\x7F"
                  "ELF"))
    return detected("application/x-executable", "an ELF executable");
  for (std::string_view magic : {"\xFE\xED\xFA\xCE"sv, "\xFE\xED\xFA\xCF"sv, "\xCE\xFA\xED\xFE"sv,
                                 "\xCF\xFA\xED\xFE"sv, "\xCA\xFE\xBA\xBE"sv}) {
    if (starts_with(content, magic)) {
      return detected("application/x-mach-binary", "a Mach-O executable or Java class");
    }
  }
  if (starts_with(content, "#!")) return detected("text/x-script", "a script (#!)");
  if (starts_with(content, "%PDF-")) return detected("application/pdf", "a PDF document");
  if (starts_with(content, "\x89PNG\r\n\x1A\n")) return detected("image/png", "a PNG image");
  if (starts_with(content, "\xFF\xD8\xFF")) return detected("image/jpeg", "a JPEG image");
  if (starts_with(content, "II*\0"sv) || starts_with(content, "MM\0*"sv)) {
    return detected("image/tiff", "a TIFF image");
  }
  if (starts_with(content, "PK\x03\x04")) return detect_zip(content);
  if (starts_with(content, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
    return detected("application/x-ole-storage",
                    "a legacy Office (OLE) file, which can carry macros");
  }
  if (content.find('\0') != std::string_view::npos) {
    return detected("application/octet-stream", "binary data of an unknown kind");
  }
  std::string markup;
  if (looks_like_markup(content, &markup)) {
    return detected(markup, markup == "text/html" ? "HTML" : "SVG (which can carry scripts)");
  }
  if (looks_like_message(content)) return detected("message/rfc822", "an e-mail message");
  if (is_utf8(content)) return detected("text/plain", "plain text");
  return detected("application/octet-stream", "neither a known format nor UTF-8 text");
}

std::optional<std::string> checked_media_type(std::string_view declared, std::string_view content,
                                              std::string* error) {
  const DetectedType found = detect_media_type(content);
  const std::string what = found.description + " (" + found.media_type + ")";
  const std::string type = normalized(declared);
  if (type.empty() || type == "application/octet-stream") {
    if (found.allowed) return found.media_type;
    *error = "copy.content: is " + what + ", which is not accepted; accepted are " +
             std::string(kAllowedSummary);
    return std::nullopt;
  }
  if (!is_allowed(type)) {
    *error = "copy.media_type: " + type + " is not accepted (the content is " + what +
             "); accepted are " + std::string(kAllowedSummary);
    return std::nullopt;
  }
  if (!found.allowed) {
    *error = "copy.content: is " + what + ", not " + type + "; accepted are " +
             std::string(kAllowedSummary);
    return std::nullopt;
  }
  // An e-mail saved as text is still text.
  const bool text_of_mail =
      type == "text/plain" && found.media_type == "message/rfc822" && is_utf8(content);
  if (type != found.media_type && !text_of_mail) {
    *error = "copy.media_type: declared " + type + " but the content is " + what;
    return std::nullopt;
  }
  return type;
}

std::string download_name(const std::string& file_name, std::string_view media_type) {
  // The extensions of each allowed type; the first is the one added.
  static const std::vector<std::pair<std::string_view, std::vector<std::string_view>>> kExtensions{
      {"application/pdf", {"pdf"}},
      {"image/png", {"png"}},
      {"image/jpeg", {"jpg", "jpeg"}},
      {"image/tiff", {"tif", "tiff"}},
      {"text/plain", {"txt", "text", "csv", "log"}},
      {"message/rfc822", {"eml"}},
      {kDocx, {"docx"}},
      {kXlsx, {"xlsx"}},
      {kPptx, {"pptx"}},
      {"application/vnd.oasis.opendocument.text", {"odt"}},
      {"application/vnd.oasis.opendocument.spreadsheet", {"ods"}},
      {"application/vnd.oasis.opendocument.presentation", {"odp"}},
      {"application/vnd.oasis.opendocument.graphics", {"odg"}},
  };
  const size_t dot = file_name.rfind('.');
  std::string ext = dot == std::string::npos ? "" : file_name.substr(dot + 1);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [type, extensions] : kExtensions) {
    if (type != media_type) continue;
    for (std::string_view e : extensions) {
      if (e == ext) return file_name;
    }
    return file_name + "." + std::string(extensions.front());
  }
  return file_name + ".bin";  // a type without a known extension: opened by no program
}

}  // namespace termijn::domain
