#include "client/csv.h"

namespace termijn::cli {

namespace {

// The first characters with which a spreadsheet starts a formula (or, for tab and CR, hides one).
bool starts_a_formula(std::string_view value) {
  return !value.empty() &&
         std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos;
}

// Where a spreadsheet that splits on something other than commas (Excel with Belgian regional
// settings splits on semicolons) starts a new cell or row: to it, a quote in mid-cell is no
// quote, so quoting the field does not keep these inside it.
bool ends_a_cell(char c) { return c == ';' || c == '\t' || c == '\r' || c == '\n'; }

// `value` with an apostrophe before every formula a spreadsheet could find in it: at its start,
// and after each place where a cell may end, unless a space follows the sign ("- item" in a list
// stays as written).
std::string defused(std::string_view value) {
  std::string out = starts_a_formula(value) ? "'" : "";
  for (size_t i = 0; i < value.size(); ++i) {
    if (i > 0 && ends_a_cell(value[i - 1]) &&
        std::string_view("=+-@").find(value[i]) != std::string_view::npos &&
        (i + 1 == value.size() || value[i + 1] != ' ')) {
      out += '\'';
    }
    out += value[i];
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
