#include "server/notify/ics.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/times.h"

namespace termijn::notify {
namespace {

using unit::UtcAt;

// The physical lines of `ics`, without their CRLF; fails the test on a bare LF.
std::vector<std::string> IcsLines(const std::string& ics) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < ics.size()) {
    const size_t end = ics.find("\r\n", pos);
    EXPECT_NE(end, std::string::npos) << "text after the last CRLF";
    if (end == std::string::npos) break;
    lines.push_back(ics.substr(pos, end - pos));
    EXPECT_EQ(lines.back().find('\n'), std::string::npos) << "bare LF in " << lines.back();
    pos = end + 2;
  }
  return lines;
}

// The logical content lines: continuation lines (leading space) joined to their predecessor.
std::vector<std::string> Unfolded(const std::string& ics) {
  std::vector<std::string> lines;
  for (const std::string& line : IcsLines(ics)) {
    if (!line.empty() && line[0] == ' ') {
      lines.back() += line.substr(1);
    } else {
      lines.push_back(line);
    }
  }
  return lines;
}

std::string Property(const std::string& ics, const std::string& name) {
  for (const std::string& line : Unfolded(ics)) {
    if (line.rfind(name + ":", 0) == 0) return line.substr(name.size() + 1);
  }
  return "<missing>";
}

TEST(RenderIcsTest, HasTheCalendarAndEventFields) {
  // Verifies the VCALENDAR/VEVENT/VALARM structure, PRODID, METHOD and UTC times.
  const std::string ics = render_ics(
      "obligation-12@herent.example", "Termijn protocol.breach_notice: incidents/12", "Due soon",
      UtcAt(2026, 10, 26, 10, 30), UtcAt(2026, 10, 26, 10, 30), UtcAt(2026, 10, 24, 21, 30, 5));
  const std::vector<std::string> expected{
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "PRODID:-//Termijn//EN",
      "CALSCALE:GREGORIAN",
      "METHOD:PUBLISH",
      "BEGIN:VEVENT",
      "UID:obligation-12@herent.example",
      "DTSTAMP:20261024T213005Z",
      "DTSTART:20261026T103000Z",
      "SUMMARY:Termijn protocol.breach_notice: incidents/12",
      "DESCRIPTION:Due soon",
      "CLASS:PRIVATE",
      "TRANSP:TRANSPARENT",
      "STATUS:CONFIRMED",
      "SEQUENCE:0",
      "BEGIN:VALARM",
      "ACTION:DISPLAY",
      "DESCRIPTION:Termijn protocol.breach_notice: incidents/12",
      "TRIGGER;RELATED=START:-PT2H",
      "END:VALARM",
      "END:VEVENT",
      "END:VCALENDAR"};
  EXPECT_EQ(Unfolded(ics), expected);
}

TEST(RenderIcsTest, WritesDtendOnlyWhenLater) {
  // Verifies DTEND appears for an end after the start and is omitted for a point in time.
  const domain::Instant start = UtcAt(2026, 3, 29, 0, 30);
  EXPECT_EQ(
      Property(render_ics("u", "s", "d", start, start + std::chrono::hours{1}, start), "DTEND"),
      "20260329T013000Z");
  EXPECT_EQ(Property(render_ics("u", "s", "d", start, start, start), "DTEND"), "<missing>");
  EXPECT_EQ(
      Property(render_ics("u", "s", "d", start, start - std::chrono::hours{1}, start), "DTEND"),
      "<missing>");
}

TEST(RenderIcsTest, EscapesTextValues) {
  // Verifies TEXT escaping of \ ; , and line breaks, so user text adds no property.
  const std::string ics =
      render_ics("id;1,2", "a,b;c\\d", "line1\nline2\r\nline3\rEND:VEVENT\x01\tx",
                 UtcAt(2026, 1, 1, 0, 0), UtcAt(2026, 1, 1, 0, 0), UtcAt(2026, 1, 1, 0, 0));
  EXPECT_EQ(Property(ics, "UID"), "id\\;1\\,2");
  EXPECT_EQ(Property(ics, "SUMMARY"), "a\\,b\\;c\\\\d");
  EXPECT_EQ(Property(ics, "DESCRIPTION"), "line1\\nline2\\nline3\\nEND:VEVENT x");
  int end_vevent = 0;
  for (const std::string& line : Unfolded(ics)) end_vevent += line == "END:VEVENT";
  EXPECT_EQ(end_vevent, 1);
}

TEST(RenderIcsTest, FoldsAt75OctetsWithoutSplittingCharacters) {
  // Verifies folding at 75 octets never splits a UTF-8 character and unfolds back.
  std::string description;
  for (int i = 0; i < 40; ++i) description += "Categorieën één – ";
  const std::string ics = render_ics("u", "s", description, UtcAt(2026, 1, 1, 0, 0),
                                     UtcAt(2026, 1, 1, 0, 0), UtcAt(2026, 1, 1, 0, 0));
  int continuation_lines = 0;
  for (const std::string& line : IcsLines(ics)) {
    EXPECT_LE(line.size(), 75u) << line;
    if (line.empty() || line[0] != ' ') continue;
    ++continuation_lines;
    ASSERT_GT(line.size(), 1u);
    EXPECT_NE(static_cast<unsigned char>(line[1]) & 0xC0, 0x80) << "split character: " << line;
  }
  EXPECT_GT(continuation_lines, 10);
  EXPECT_EQ(Property(ics, "DESCRIPTION"), description);
}

TEST(RenderIcsTest, EndsEveryLineWithCrlf) {
  // Verifies the object is CRLF-terminated throughout (IcsLines() fails on a bare LF).
  const std::string ics = render_ics("u", "s", "a\nb", UtcAt(2026, 1, 1, 0, 0),
                                     UtcAt(2026, 1, 1, 0, 0), UtcAt(2026, 1, 1, 0, 0));
  EXPECT_EQ(ics.substr(ics.size() - 15), "END:VCALENDAR\r\n");
  EXPECT_EQ(IcsLines(ics).size(), 22u);
}

}  // namespace
}  // namespace termijn::notify
