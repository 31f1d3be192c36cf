#include "client/table.h"

#include <algorithm>

#include "server/domain/utf8.h"

namespace termijn::cli {

std::string one_line(std::string cell) {
  std::replace(cell.begin(), cell.end(), '\t', ' ');
  cell.erase(0, cell.find_first_not_of("\r\n "));  // a cell may start with a blank line
  const size_t end = cell.find_last_not_of("\r\n");
  cell.erase(end == std::string::npos ? 0 : end + 1);
  if (const size_t at = cell.find_first_of("\r\n"); at != std::string::npos) {
    cell.erase(at);
    cell += " …";
  }
  return cell;
}

Table::Table(std::vector<std::string> header) { rows_.push_back({std::move(header), ""}); }

void Table::add(std::vector<std::string> row, std::string note) {
  for (std::string& cell : row) cell = one_line(std::move(cell));
  rows_.push_back({std::move(row), std::move(note)});
}

void Table::print(std::ostream& out) const {
  std::vector<size_t> widths;
  for (const Row& row : rows_) {
    widths.resize(std::max(widths.size(), row.cells.size()), 0);
    for (size_t c = 0; c < row.cells.size(); ++c) {
      widths[c] = std::max(widths[c], domain::utf8_chars(row.cells[c]));
    }
  }
  for (const Row& row : rows_) {
    std::string line;
    for (size_t c = 0; c < row.cells.size(); ++c) {
      line += row.cells[c];
      if (c + 1 < row.cells.size())
        line += std::string(widths[c] - domain::utf8_chars(row.cells[c]) + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);  // an empty last cell leaves no padding behind
    out << line << "\n";
    if (!row.note.empty()) out << "    " << row.note << "\n";
  }
}

void Facts::add(std::string label, std::string value) {
  facts_.emplace_back(std::move(label), std::move(value));
}

void Facts::print(std::ostream& out) const {
  size_t width = 0;
  for (const auto& [label, value] : facts_) width = std::max(width, domain::utf8_chars(label));
  const std::string indent(2 + width + 2, ' ');
  for (const auto& [label, value] : facts_) {
    out << "  " << label << ":" << std::string(width - domain::utf8_chars(label) + 1, ' ');
    std::string text = value;
    text.erase(text.find_last_not_of("\r\n") + 1);
    if (text.empty()) text = "-";
    for (size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 1)) {
      text.insert(at + 1, indent);
    }
    out << text << "\n";
  }
}

}  // namespace termijn::cli
