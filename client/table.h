#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace termijn::cli {

/// Rows printed as aligned columns: each column as wide as its widest cell (in characters, not
/// bytes: a title with "é" lines up), two spaces between columns, no line ending in spaces. A row
/// may carry a note, printed indented on the line below it.
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

}  // namespace termijn::cli
