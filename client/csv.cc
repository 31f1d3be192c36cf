#include "client/csv.h"

namespace termijn::cli {

namespace {

// The first characters with which a spreadsheet starts a formula (or, for tab and CR, hides one).
bool starts_a_formula(std::string_view value) {
  return !value.empty() && std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos;
}

}  // namespace

std::string csv_field(std::string_view value) {
  const std::string text = starts_a_formula(value) ? "'" + std::string(value) : std::string(value);
  // Semicolons and tabs too: a spreadsheet that splits on them (Excel with Belgian regional
  // settings, LibreOffice when asked) would start a cell after one, perhaps with a formula.
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
