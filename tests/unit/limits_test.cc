// Unit: the bounds every text input gets, and how refused input is quoted and stored.
#include "server/app/limits.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

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
  // The byte where it breaks, counted from 1 as the CLI does for the same value.
  EXPECT_EQ(check_text("title", "caf\xE9", kMaxTitle, true).message(),
            "title: not valid UTF-8 (at byte 4)");
  EXPECT_EQ(check_line("title", "\x80", kMaxTitle, true).message(),
            "title: not valid UTF-8 (at byte 1)");
  EXPECT_TRUE(
      check_text("title", "caf\xC3\xA9\tline\nnext \xF0\x9F\x98\x80", kMaxTitle, true).ok());
  EXPECT_EQ(check_text("title", std::string(kMaxTitle + 1, 'a'), kMaxTitle, true).message(),
            "title: longer than 200 bytes");
}

TEST(LimitsTest, ALineHoldsNoLineBreakTabOrDirectionControl) {
  // A one-line value (a title, a reference, a file name) is refused with a line break, a tab or
  // a bidi control that would make it show as something else; multi-line text keeps newlines
  // and tabs.
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"a\nb", "must be one line"},
      {"a\tb", "must be one line"},
      {"x\nBcc: evil@example.com\n.txt", "must be one line"},
      {"a\xE2\x80\xA8"
       "b",
       "must be one line"},  // U+2028
      {"a\xE2\x80\xA9"
       "b",
       "must be one line"},  // U+2029
      {"a\xE2\x80\xAE"
       "fdp.exe",
       "must not contain U+202E (a direction control)"},
      {"a\xE2\x80\xAA"
       "b",
       "must not contain U+202A (a direction control)"},
      {"a\xE2\x81\xA6"
       "b",
       "must not contain U+2066 (a direction control)"},
      {"a\xE2\x81\xA9"
       "b",
       "must not contain U+2069 (a direction control)"},
      {"a\xC2\x85"
       "b",
       "must be one line"},  // U+0085, next line (C1)
      {"a\xC2\x9B"
       "b",
       "contains a control character"},  // U+009B
  };
  for (const auto& [text, reason] : refused) {
    const absl::Status s = check_line("file_name", text, kMaxTitle, true);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(s.message(), "file_name: " + reason) << text;
  }
  EXPECT_TRUE(
      check_line("title", "Caf\xC3\xA9 \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D", kMaxTitle, true).ok());
  EXPECT_TRUE(check_text("description", "one\n\ttwo", kMaxText, true).ok());
  EXPECT_EQ(check_text("description",
                       "a\xC2\x85"
                       "b",
                       kMaxText, true)
                .message(),
            "description: contains a control character");
}

TEST(LimitsTest, TextOfOnlyInvisibleOrSpaceCharactersIsEmpty) {
  // "Empty" is judged by what a reader sees: no-break space, ideographic space, zero-width space
  // and the like alone are no text.
  for (const std::string& blank :
       {std::string(" \t\n"), std::string("\xC2\xA0"), std::string("\xE3\x80\x80"),
        std::string("\xE2\x80\x8B"), std::string("\xC2\xA0\xE3\x80\x80\xE2\x80\x8B"),
        std::string("\xEF\xBB\xBF"), std::string("\xE2\x81\xA0")}) {
    EXPECT_EQ(check_text("summary", blank, kMaxText, true).message(), "summary: must not be empty")
        << blank;
    EXPECT_TRUE(check_text("summary", blank, kMaxText, false).ok()) << blank;
  }
  EXPECT_EQ(check_line("title", "\xC2\xA0\xE3\x80\x80", kMaxTitle, true).message(),
            "title: must not be empty");
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
  // C1 controls (NEL, CSI) and bidi overrides would reorder or restyle what a terminal or the web
  // console shows around them.
  EXPECT_EQ(printable_prefix("a\xC2\x85"
                             "b\xC2\x9B"
                             "c\xE2\x80\xAE"
                             "d\xE2\x81\xA6"
                             "e",
                             100),
            "a b c d e");
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
  // What would restyle or reorder a terminal's line is a space; a line break is kept, for the
  // CLI to show escaped.
  EXPECT_EQ(quote_input("a\x1b[2J\xE2\x80\xAE"
                        "b\nc"),
            "'a [2J b\nc'");
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
