#pragma once

#include <optional>
#include <string>
#include <vector>

namespace termijn::web {

/// One series of a bar chart: a value (or none) per category.
struct Series {
  std::string label;
  std::vector<std::optional<double>> values;
};

/// A grouped bar chart as an SVG element, readable without JavaScript: one group of bars per
/// category (e.g. a month), one bar per series, a y axis from 0 to `max` labelled with `unit`,
/// a legend, and `title` as its accessible name. Every text is escaped.
std::string bar_chart_svg(const std::string& title, const std::vector<std::string>& categories,
                          const std::vector<Series>& series, double max, const std::string& unit);

}  // namespace termijn::web
