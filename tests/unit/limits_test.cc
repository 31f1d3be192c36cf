// Unit: the bounds every text input gets, and how refused input is quoted and stored.
#include "server/app/limits.h"

#include <gtest/gtest.h>

#include <string>

namespace termijn::app {
namespace {

TEST(LimitsTest, TextThatIsNotUtf8OrHoldsControlCharactersIsRefusedNamingTheField) {
  // Invalid UTF-8 (a lone Latin-1 byte, an overlong slash, a surrogate) and control characters
  // are INVALID_ARGUMENT naming the field; newline and tab are text.
  for (const std::string& bad : {std::string("caf\xE9"), std::string("\xC0\xAF"),
                                std::string("\xED\xA0\x80"), std::string("a\x01")}) {
    const absl::Status s = check_text("title", bad, kMaxTitle, true);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(s.message().substr(0, 7), "title: ");
  }
  EXPECT_TRUE(
      check_text("title", "caf\xC3\xA9\tline\nnext \xF0\x9F\x98\x80", kMaxTitle, true).ok());
  EXPECT_EQ(check_text("title", std::string(kMaxTitle + 1, 'a'), kMaxTitle, true).message(),
            "title: longer than 200 bytes");
}

TEST(LimitsTest, PrintablePrefixIsValidShortTextWhateverComesIn) {
  // Invalid bytes become U+FFFD, control characters spaces; a long text is cut at a character
  // boundary with "..." and never exceeds the limit.
  EXPECT_EQ(printable_prefix("250 ok caf\xE9\r\n", 100), "250 ok caf\xEF\xBF\xBD \n");
  EXPECT_EQ(printable_prefix(std::string(50, 'x'), 10), "xxxxxxx...");
  const std::string euros = "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC";  // four euro signs
  EXPECT_EQ(printable_prefix(euros, 8), "\xE2\x82\xAC...");
  EXPECT_EQ(printable_prefix(euros, 12), euros);
  EXPECT_EQ(printable_prefix("", 5), "");
}

TEST(LimitsTest, EscapedControlsKeepTextOnOneLine) {
  // Newline, carriage return and tab by name, other control characters in hex; the rest, UTF-8
  // included, as it is.
  EXPECT_EQ(escape_controls("/x\n[info] forged\r\t\x1b\x7f caf\xC3\xA9 \\"),
            "/x\\n[info] forged\\r\\t\\x1b\\x7f caf\xC3\xA9 \\");
  EXPECT_EQ(escape_controls(std::string("a\0b", 3)), "a\\x00b");
}

TEST(LimitsTest, QuotedInputIsAtMostAShortPrefix) {
  // An error message quotes at most kMaxQuote bytes of what it refuses.
  const std::string quoted = quote_input(std::string(100000, 'A'));
  EXPECT_LE(quoted.size(), kMaxQuote + 2);
  EXPECT_EQ(quoted.front(), '\'');
  EXPECT_EQ(quoted.back(), '\'');
  EXPECT_EQ(quote_input("herent"), "'herent'");
}

TEST(LimitsTest, AGroundThatIsNoneOfTheRulesNamesTheFieldAndListsTheChoices) {
  // One message for every rule with grounds: what was wrong, then what may be chosen.
  const std::vector<domain::WaiverGround> grounds = {{"a", "First ground"}, {"b", "Second"}};
  const absl::Status missing = not_one_of_the_grounds("", "a request", "refused", grounds);
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.message(),
            "ground: required; a request may be refused only on one of these grounds: "
            "a = First ground; b = Second");
  EXPECT_EQ(not_one_of_the_grounds("zz", "gdpr.art34_subjects", "waived", grounds).message(),
            "ground: 'zz' is not one; gdpr.art34_subjects may be waived only on one of these "
            "grounds: a = First ground; b = Second");
}

}  // namespace
}  // namespace termijn::app
