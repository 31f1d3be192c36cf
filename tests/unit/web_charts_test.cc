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

TEST(WebI18nTest, BothLanguagesHaveEveryLabel) {
  // One table holds both languages; a key missing shows itself rather than crashing.
  EXPECT_EQ(labels("nl").size(), labels("en").size());
  EXPECT_EQ(label("nl", "deadlines"), "Termijnen");
  EXPECT_EQ(label("en", "deadlines"), "Deadlines");
  EXPECT_EQ(label("en", "no.such.key"), "no.such.key");
}

}  // namespace
}  // namespace termijn::web
