#include "server/web/charts.h"

#include <algorithm>
#include <cmath>
#include <kainjow/mustache.hpp>
#include <sstream>

#include "server/domain/utf8.h"

namespace termijn::web {

namespace {

std::string esc(const std::string& s) { return kainjow::mustache::html_escape<std::string>(s); }

// The legend's font size and a width that holds its average character.
constexpr int kLegendFontSize = 12, kLegendCharWidth = 7;

// Fills with at least 3:1 contrast against white (WCAG 1.4.11, graphical objects).
constexpr const char* kFills[] = {"#1f5f99", "#a4461b", "#2d6a2d", "#6b3d8f", "#7a5c00"};

std::string number(double v) {
  std::ostringstream out;
  out.precision(v >= 100 ? 0 : 1);
  out << std::fixed << v;
  return out.str();
}

}  // namespace

std::string bar_chart_svg(const std::string& title, const std::vector<std::string>& categories,
                          const std::vector<Series>& series, double max, const std::string& unit) {
  constexpr int kLeft = 48, kTop = 16, kPlotHeight = 180, kBarWidth = 16, kGap = 24;
  const int n_series = std::max<int>(1, series.size());
  const int group_width = n_series * kBarWidth + kGap;
  // Wide enough for the bars and for the longest name in the legend, which is not cut off.
  size_t longest = 0;
  for (const Series& s : series) longest = std::max(longest, domain::utf8_chars(s.label));
  const int width = std::max(kLeft + std::max<int>(1, categories.size()) * group_width + 16,
                             kLeft + 18 + static_cast<int>(longest) * kLegendCharWidth + 8);
  const int legend_top = kTop + kPlotHeight + 40;
  const int height = legend_top + 20 * n_series + 8;
  if (max <= 0) max = 1;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" class=\"chart\" width=\"" << width
      << "\" height=\"" << height << "\" viewBox=\"0 0 " << width << ' ' << height << "\"><title>"
      << esc(title) << "</title>";
  // Axis with four steps.
  for (int step = 0; step <= 4; ++step) {
    const double value = max * step / 4;
    const int y = kTop + kPlotHeight - static_cast<int>(kPlotHeight * step / 4);
    svg << "<line x1=\"" << kLeft << "\" x2=\"" << width - 8 << "\" y1=\"" << y << "\" y2=\"" << y
        << "\" stroke=\"#767676\" stroke-width=\"" << (step == 0 ? 1 : 0.5) << "\"/>"
        << "<text x=\"" << kLeft - 6 << "\" y=\"" << y + 4
        << "\" text-anchor=\"end\" font-size=\"11\" fill=\"#222\">" << number(value) << "</text>";
  }
  svg << "<text x=\"4\" y=\"" << kTop - 4 << "\" font-size=\"11\" fill=\"#222\">" << esc(unit)
      << "</text>";
  for (size_t c = 0; c < categories.size(); ++c) {
    const int x0 = kLeft + static_cast<int>(c) * group_width + kGap / 2;
    for (size_t s = 0; s < series.size(); ++s) {
      if (c >= series[s].values.size() || !series[s].values[c]) continue;
      const double v = std::clamp(*series[s].values[c], 0.0, max);
      const int h = static_cast<int>(std::lround(kPlotHeight * v / max));
      svg << "<rect x=\"" << x0 + static_cast<int>(s) * kBarWidth << "\" y=\""
          << kTop + kPlotHeight - h << "\" width=\"" << kBarWidth - 2 << "\" height=\"" << h
          << "\" fill=\"" << kFills[s % std::size(kFills)] << "\"><title>"
          << esc(series[s].label + ", " + categories[c] + ": " + number(*series[s].values[c]) +
                 " " + unit)
          << "</title></rect>";
    }
    svg << "<text x=\"" << x0 + n_series * kBarWidth / 2 << "\" y=\"" << kTop + kPlotHeight + 16
        << "\" text-anchor=\"middle\" font-size=\"11\" fill=\"#222\">" << esc(categories[c])
        << "</text>";
  }
  for (size_t s = 0; s < series.size(); ++s) {
    const int y = legend_top + 20 * static_cast<int>(s);
    svg << "<rect x=\"" << kLeft << "\" y=\"" << y << "\" width=\"12\" height=\"12\" fill=\""
        << kFills[s % std::size(kFills)] << "\"/><text x=\"" << kLeft + 18 << "\" y=\"" << y + 11
        << "\" font-size=\"" << kLegendFontSize << "\" fill=\"#222\">" << esc(series[s].label)
        << "</text>";
  }
  svg << "</svg>";
  return svg.str();
}

}  // namespace termijn::web
