#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace termijn::notify {

/// Values for a template's {{placeholders}}, by name.
using TemplateValues = std::map<std::string, std::string>;

struct RenderedTemplate {
  std::string subject;  ///< one line
  std::string body;     ///< plain text, '\n' line ends
  std::string locale;   ///< the locale actually used ("en" after a fallback)
};

/// The mail templates: one file per rule and locale, "<rule>.<locale>.txt", e.g.
/// "protocol.breach_notice.nl.txt". A file is a first line "Subject: ...", an empty line, and the
/// body. Both may use placeholders "{{name}}" (name: a-z, 0-9, '_'), replaced by the values
/// verbatim (plain text, no escaping, no second pass). Immutable once loaded, so one TemplateSet
/// may be shared by all threads.
class TemplateSet {
 public:
  /// Reads every *.txt file in `dir` (other files are ignored). Errors name the file and what is
  /// wrong: NotFound when `dir` does not exist or holds no template, InvalidArgument for a file
  /// that is not a template (bad name, no "Subject:" line, no empty second line, an unclosed or
  /// malformed placeholder). Call it once at start and refuse to start on an error.
  static absl::StatusOr<TemplateSet> load(const std::string& dir);

  /// Adds one template from its file name and text (what load() does per file; tests use it).
  /// InvalidArgument as for load(); AlreadyExists for a second template of the same rule and
  /// locale.
  absl::Status add(const std::string& file_name, const std::string& text);

  /// Renders `rule` in `locale`, falling back to the language alone ("nl-BE" -> "nl") and then to
  /// "en" when there is no such file. NotFound when neither exists; InvalidArgument when the
  /// template uses a placeholder that `values` does not define (values it does not use are fine).
  /// Line breaks in values used in the subject become spaces.
  absl::StatusOr<RenderedTemplate> render(const std::string& rule, const std::string& locale,
                                          const TemplateValues& values) const;

  /// The locale render() would use for `rule` and `locale`, or "" when there is none.
  std::string resolve_locale(const std::string& rule, const std::string& locale) const;

  /// Every (rule, locale) present, sorted.
  std::vector<std::pair<std::string, std::string>> keys() const;

  /// The placeholder names one template uses, sorted, without duplicates; empty if absent.
  std::vector<std::string> placeholders(const std::string& rule, const std::string& locale) const;

 private:
  struct Piece {
    bool placeholder = false;
    std::string text;  ///< literal text, or the placeholder's name
  };
  struct Template {
    std::string file_name;
    std::vector<Piece> subject;
    std::vector<Piece> body;
  };

  std::map<std::pair<std::string, std::string>, Template> templates_;
};

}  // namespace termijn::notify
