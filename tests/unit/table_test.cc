// The CLI's aligned tables.
#include "client/table.h"

#include <gtest/gtest.h>

#include <sstream>

namespace termijn::cli {
namespace {

std::string printed(const Table& table) {
  std::ostringstream out;
  table.print(out);
  return out.str();
}

TEST(TableTest, EachColumnIsAsWideAsItsWidestCellCountedInCharacters) {
  // A rule id longer than any before it widens its column instead of pushing its row out of
  // line; "é" is one character, two bytes.
  Table table({"ID", "RULE", "STATE"});
  table.add({"obligations/1", "protocol.breach_consultation", "open"});
  table.add({"obligations/10", "gdpr.art33_authority", "met"}, "72 h after awareness");
  table.add({"x", "café", "open"});
  EXPECT_EQ(printed(table),
            "ID              RULE                          STATE\n"
            "obligations/1   protocol.breach_consultation  open\n"
            "obligations/10  gdpr.art33_authority          met\n"
            "    72 h after awareness\n"
            "x               café                          open\n");
}

TEST(TableTest, NoLineEndsInSpaces) {
  Table table({"ID", "TITLE", "LAST ERROR"});
  table.add({"incidents/1", "Lost laptop", ""});
  EXPECT_EQ(printed(table),
            "ID           TITLE        LAST ERROR\n"
            "incidents/1  Lost laptop\n");
}

TEST(TableTest, ACellOfSeveralLinesShowsItsFirstLine) {
  // A summary keeps its line breaks and tabs; printed whole, its second line would start at
  // column 0 and read as another row.
  Table table({"ID", "SUMMARY", "STATE"});
  table.add({"requests/1", "Inzage dossier\nrequests/2  Forged  open", "open"});
  table.add({"requests/3", "Kopie\tbrief\r\n", "met"});
  EXPECT_EQ(printed(table),
            "ID          SUMMARY           STATE\n"
            "requests/1  Inzage dossier …  open\n"
            "requests/3  Kopie brief       met\n");
}

TEST(FactsTest, ValuesLineUpAfterTheLongestLabelAndGoOnInTheirColumn) {
  // "consequences:" pushed its value a column further than the others; a fact not given shows
  // "-"; a description of two lines goes on under its first.
  Facts facts;
  facts.add("party", "herent");
  facts.add("description", "Mailed to the wrong address.\nThe list had 37 clients.\n");
  facts.add("consequences", "Health data may have been read");
  facts.add("external ref", "");
  std::ostringstream out;
  facts.print(out);
  EXPECT_EQ(out.str(),
            "  party:        herent\n"
            "  description:  Mailed to the wrong address.\n"
            "                The list had 37 clients.\n"
            "  consequences: Health data may have been read\n"
            "  external ref: -\n");
}

}  // namespace
}  // namespace termijn::cli
