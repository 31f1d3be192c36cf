#include "server/notify/templates.h"

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "server/config/files.h"
#include "server/domain/utf8.h"
#include "server/notify/text.h"

namespace termijn::notify {
namespace {

constexpr std::string_view kSubjectPrefix = "Subject:";

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

std::string normalize_line_ends(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string language_of(const std::string& locale) {
  const size_t dash = locale.find_first_of("-_");
  return dash == std::string::npos ? locale : locale.substr(0, dash);
}

}  // namespace

absl::StatusOr<TemplateSet> TemplateSet::load(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError("mail template directory '" + dir + "' does not exist");
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".txt" && it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) {
    return absl::UnavailableError("cannot list mail template directory '" + dir +
                                  "': " + ec.message());
  }
  std::sort(files.begin(), files.end());
  TemplateSet set;
  for (const fs::path& path : files) {
    const absl::StatusOr<std::string> text = config::read_file(path.string());
    if (!text.ok()) {
      return absl::UnavailableError("mail template: " + std::string(text.status().message()));
    }
    absl::Status status = set.add(path.filename().string(), *text);
    if (!status.ok()) {
      return absl::Status(status.code(), dir + "/" + std::string(status.message()));
    }
  }
  if (set.templates_.empty()) {
    return absl::NotFoundError("mail template directory '" + dir + "' holds no *.txt template");
  }
  return set;
}

absl::Status TemplateSet::add(const std::string& file_name, const std::string& raw_text) {
  static const std::regex kFileName(
      R"(^([a-z0-9_]+(?:\.[a-z0-9_]+)*)\.([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)\.txt$)");
  std::smatch m;
  if (!std::regex_match(file_name, m, kFileName)) {
    return absl::InvalidArgumentError(file_name +
                                      ": a template file is named <rule>.<locale>.txt, e.g. "
                                      "protocol.breach_notice.nl.txt");
  }
  const std::pair<std::string, std::string> key{m[1], m[2]};
  if (templates_.count(key) != 0) {
    return absl::AlreadyExistsError(file_name + ": a second template for " + key.first + " in " +
                                    key.second);
  }
  if (valid_utf8(raw_text) != raw_text) {
    return absl::InvalidArgumentError(file_name + ": not valid UTF-8");
  }
  const std::string text = normalize_line_ends(raw_text);
  const size_t first_end = text.find('\n');
  const std::string first_line = text.substr(0, first_end);
  if (first_line.rfind(kSubjectPrefix, 0) != 0) {
    return absl::InvalidArgumentError(file_name + ":1: the first line must be 'Subject: ...'");
  }
  if (first_end == std::string::npos || text.compare(first_end + 1, 1, "\n") != 0) {
    return absl::InvalidArgumentError(file_name +
                                      ":2: the subject line must be followed by an empty line");
  }

  Template t;
  t.file_name = file_name;
  // Splits `s` into literal text and placeholders; `line` is where `s` starts, for errors.
  auto parse = [&](std::string_view s, int line, std::vector<Piece>& pieces) -> absl::Status {
    size_t pos = 0;
    while (pos < s.size()) {
      const size_t open = s.find("{{", pos);
      const size_t literal_end = open == std::string::npos ? s.size() : open;
      if (literal_end > pos)
        pieces.push_back({false, std::string(s.substr(pos, literal_end - pos))});
      if (open == std::string::npos) break;
      const size_t close = s.find("}}", open + 2);
      const int at_line = line + static_cast<int>(std::count(s.begin(), s.begin() + open, '\n'));
      std::string name;
      if (close != std::string::npos) {
        name = std::string(s.substr(open + 2, close - open - 2));
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
      }
      if (close == std::string::npos || name.empty() ||
          !std::all_of(name.begin(), name.end(), is_name_char)) {
        return absl::InvalidArgumentError(
            file_name + ":" + std::to_string(at_line) +
            ": '{{' must start a placeholder like {{party_name}} (a-z, 0-9, _) closed by '}}'");
      }
      pieces.push_back({true, name});
      pos = close + 2;
    }
    return absl::OkStatus();
  };
  absl::Status status =
      parse(std::string_view(first_line).substr(kSubjectPrefix.size()), 1, t.subject);
  if (!status.ok()) return status;
  status = parse(std::string_view(text).substr(first_end + 2), 3, t.body);
  if (!status.ok()) return status;
  templates_.emplace(key, std::move(t));
  return absl::OkStatus();
}

std::string TemplateSet::resolve_locale(const std::string& rule, const std::string& locale) const {
  for (const std::string& candidate : {locale, language_of(locale), std::string("en")}) {
    if (templates_.count({rule, candidate}) != 0) return candidate;
  }
  return "";
}

namespace {

// Appends `value` to `out`; a value of several lines goes on at the column it started at, so
// that a description under an indented label, or a server's reply of several lines after
// "Last error:", stays in its column. Empty lines stay empty.
void append_hanging(std::string& out, std::string_view value) {
  const size_t last_break = out.rfind('\n');
  const size_t column = domain::utf8_chars(
      std::string_view(out).substr(last_break == std::string::npos ? 0 : last_break + 1));
  for (size_t pos = 0;;) {
    const size_t end = value.find('\n', pos);
    const std::string_view line = value.substr(pos, end - pos);
    if (pos > 0 && !line.empty()) out.append(column, ' ');
    out += line;
    if (end == std::string_view::npos) return;
    out += '\n';
    pos = end + 1;
  }
}

}  // namespace

absl::StatusOr<RenderedTemplate> TemplateSet::render(const std::string& rule,
                                                     const std::string& locale,
                                                     const TemplateValues& values) const {
  const std::string used = resolve_locale(rule, locale);
  if (used.empty()) {
    return absl::NotFoundError("no mail template for " + rule + " in '" + locale +
                               "' nor in 'en' (" + rule + "." + locale + ".txt)");
  }
  const Template& t = templates_.at({rule, used});
  auto fill = [&](const std::vector<Piece>& pieces, std::string& out) -> absl::Status {
    for (const Piece& piece : pieces) {
      if (!piece.placeholder) {
        out += piece.text;
        continue;
      }
      const auto it = values.find(piece.text);
      if (it == values.end()) {
        return absl::InvalidArgumentError(t.file_name + " uses {{" + piece.text +
                                          "}}, which is not a known value here");
      }
      append_hanging(out, it->second);
    }
    return absl::OkStatus();
  };
  RenderedTemplate result;
  std::string subject;
  absl::Status status = fill(t.subject, subject);
  if (!status.ok()) return status;
  status = fill(t.body, result.body);
  if (!status.ok()) return status;
  result.subject = one_line(subject);
  result.locale = used;
  return result;
}

std::vector<std::pair<std::string, std::string>> TemplateSet::keys() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, t] : templates_) out.push_back(key);
  return out;
}

std::vector<std::string> TemplateSet::placeholders(const std::string& rule,
                                                   const std::string& locale) const {
  const auto it = templates_.find({rule, locale});
  if (it == templates_.end()) return {};
  std::set<std::string> names;
  for (const auto* pieces : {&it->second.subject, &it->second.body}) {
    for (const Piece& piece : *pieces) {
      if (piece.placeholder) names.insert(piece.text);
    }
  }
  return {names.begin(), names.end()};
}

}  // namespace termijn::notify
