#include "client/csv.h"

namespace termijn::cli {

namespace {

// Where a spreadsheet that splits on something other than commas (Excel with Belgian regional
// settings splits on semicolons) starts a new cell or row: to it, a quote in mid-cell is no
// quote, so quoting the field does not keep these inside it.
bool ends_a_cell(char c) { return c == ';' || c == '\t' || c == '\r' || c == '\n'; }

// `value` with an apostrophe before every formula a spreadsheet could find in it: wherever a
// cell may start (the field's start, after a semicolon, tab or line break), spaces skipped, a
// sign that starts a formula (= + - @) is made text. A tab or CR at the field's start, which
// would hide one, is made text too.
std::string defused(std::string_view value) {
  std::string out;
  bool cell_start = true;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (cell_start && c != ' ') {
      const bool sign = std::string_view("=+-@").find(c) != std::string_view::npos;
      if (sign || (i == 0 && (c == '\t' || c == '\r'))) out += '\'';
      cell_start = false;
    }
    out += c;
    if (ends_a_cell(c)) cell_start = true;
  }
  return out;
}

}  // namespace

std::string csv_field(std::string_view value) {
  const std::string text = defused(value);
  // Semicolons and tabs too, for a spreadsheet that splits on them when the field is the first.
  const bool quoted = text.find_first_of(",;\t\"\r\n") != std::string::npos ||
                      (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quoted) return text;
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_record(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_field(fields[i]);
  }
  out += "\r\n";
  return out;
}

}  // namespace termijn::cli
