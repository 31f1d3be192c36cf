#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace termijn::cli {

/// A table cell on one line: its first line, " …" when more followed (a second line would start
/// at column 0 and read as another row); a tab is a space; trailing line ends are dropped.
std::string one_line(std::string cell);

/// Rows printed as aligned columns: each column as wide as its widest cell (in characters, not
/// bytes: a title with "é" lines up), two spaces between columns, no line ending in spaces. A cell
/// of several lines shows its first, marked " …". A row may carry a note, printed indented on
/// the line below it.
class Table {
 public:
  explicit Table(std::vector<std::string> header);

  void add(std::vector<std::string> row, std::string note = "");
  void print(std::ostream& out) const;

 private:
  struct Row {
    std::vector<std::string> cells;
    std::string note;
  };
  std::vector<Row> rows_;
};

/// A record's facts, one a line: "  label: value", the values in one column after the longest
/// label; a value not given shows as "-", one of several lines goes on in the value column.
class Facts {
 public:
  void add(std::string label, std::string value);
  void print(std::ostream& out) const;

 private:
  std::vector<std::pair<std::string, std::string>> facts_;
};

}  // namespace termijn::cli
