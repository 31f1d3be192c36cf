#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/web/charts.h"
#include "server/web/i18n.h"

namespace termijn::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(WebChartsTest, EveryTextIsEscaped) {
  // Rule names and titles come from data: they cannot break out of the SVG.
  const std::string svg = bar_chart_svg("On time <b>", {"2026-11", "<script>"},
                                        {{"rule \"x\" & y", {50.0, std::nullopt}}}, 100, "%");
  EXPECT_THAT(svg, HasSubstr("<title>On time &lt;b&gt;</title>"));
  EXPECT_THAT(svg, HasSubstr("&lt;script&gt;"));
  EXPECT_THAT(svg, HasSubstr("rule &quot;x&quot; &amp; y"));
  EXPECT_THAT(svg, Not(HasSubstr("<script>")));
}

TEST(WebChartsTest, BarsAreScaledToTheMaximumAndMissingValuesLeftOut) {
  // 50 of 100 on a 180-pixel plot is a 90-pixel bar; a month without a value draws no bar.
  const std::string svg = bar_chart_svg("t", {"a", "b"}, {{"s", {50.0, std::nullopt}}}, 100, "%");
  EXPECT_THAT(svg, HasSubstr("height=\"90\""));
  EXPECT_EQ(svg.find("s, b:"), std::string::npos);
}

TEST(WebChartsTest, TheLegendIsWideEnoughForItsLongestName) {
  // One month of one rule: the bars need some 100 pixels, the rule's name in the legend some
  // 400; the chart is as wide as its legend, which the browser would cut off at the edge.
  const std::string name = "Melding van de inbreuk aan de toezichthoudende autoriteit";
  const std::string svg = bar_chart_svg("t", {"2026-11"}, {{name, {100.0}}}, 100, "%");
  const auto at = svg.find("width=\"") + 7;
  const int width = std::stoi(svg.substr(at));
  EXPECT_GE(width, 48 + 18 + static_cast<int>(name.size()) * 6) << svg.substr(0, 120);
}

TEST(WebI18nTest, BothLanguagesHaveEveryLabel) {
  // One table holds both languages; a key missing shows itself rather than crashing.
  EXPECT_EQ(labels("nl").size(), labels("en").size());
  EXPECT_EQ(label("nl", "deadlines"), "Termijnen");
  EXPECT_EQ(label("en", "deadlines"), "Deadlines");
  EXPECT_EQ(label("en", "no.such.key"), "no.such.key");
}

TEST(WebI18nTest, AnAuditEventIsSaidInWords) {
  // The history of a record says what happened in the reader's language; an event type this
  // version has no words for shows as the type.
  EXPECT_EQ(event_label("nl", "incident.reported"), "Incident gemeld");
  EXPECT_EQ(event_label("en", "obligation.overdue"), "Deadline passed: escalation queued");
  EXPECT_EQ(event_label("nl", "thing.happened"), "thing.happened");
}

}  // namespace
}  // namespace termijn::web
