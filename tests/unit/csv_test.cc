// The CSV the registers are written in: RFC 4180 quoting, CRLF records, UTF-8 kept as it is.
#include "client/csv.h"

#include <gtest/gtest.h>

namespace termijn::cli {
namespace {

TEST(CsvTest, PlainFieldsStayAsTheyAre) {
  // A field without a separator, quote, line break or edge space is written bare.
  EXPECT_EQ(csv_field("incidents/4"), "incidents/4");
  EXPECT_EQ(csv_field(""), "");
  EXPECT_EQ(csv_field("2026-11-27T14:20:00+01:00"), "2026-11-27T14:20:00+01:00");
}

TEST(CsvTest, CommasQuotesAndLineBreaksAreQuoted) {
  // RFC 4180 2.6 and 2.7: such fields are enclosed in double quotes, each quote doubled.
  EXPECT_EQ(csv_field("identification, medical"), "\"identification, medical\"");
  EXPECT_EQ(csv_field("the \"USB\" stick"), "\"the \"\"USB\"\" stick\"");
  EXPECT_EQ(csv_field("\""), "\"\"\"\"");
  EXPECT_EQ(csv_field("line one\nline two"), "\"line one\nline two\"");
  EXPECT_EQ(csv_field("line one\r\nline two"), "\"line one\r\nline two\"");
  EXPECT_EQ(csv_field("ends in CR\r"), "\"ends in CR\r\"");
}

TEST(CsvTest, EdgeSpacesAreQuotedSoThatSpreadsheetsKeepThem) {
  // A spreadsheet trims unquoted leading and trailing spaces.
  EXPECT_EQ(csv_field(" indented"), "\" indented\"");
  EXPECT_EQ(csv_field("trailing "), "\"trailing \"");
  EXPECT_EQ(csv_field("inner space"), "inner space");
}

TEST(CsvTest, FieldsThatAFormulaWouldStartWithAreWrittenAsText) {
  // CSV injection: a reporter's description "=HYPERLINK(...)" must not run in the DPO's
  // spreadsheet. A leading apostrophe makes LibreOffice Calc and Excel show it as text.
  EXPECT_EQ(csv_field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(csv_field("+32 2 274 48 00"), "'+32 2 274 48 00");
  EXPECT_EQ(csv_field("-1+1"), "'-1+1");
  EXPECT_EQ(csv_field("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_field("\t=1"), "\"'\t'=1\"");
  EXPECT_EQ(csv_field("\r=1"), "\"'\r'=1\"");
  // Only the first character counts.
  EXPECT_EQ(csv_field("a=b"), "a=b");
  EXPECT_EQ(csv_field("2026-11-27"), "2026-11-27");
}

TEST(CsvTest, SemicolonsAndTabsAreQuotedSoThatNoCellStartsAfterThem) {
  // Excel with Belgian (nl-BE) regional settings splits a CSV on semicolons, LibreOffice when
  // asked to: unquoted, "Laptop;=HYPERLINK(...)" would put a formula in a cell of its own.
  //
  // Before: a semicolon or a tab was written bare; only a formula at the field's start was
  // defused.
  EXPECT_EQ(csv_field("Laptop;HYPERLINK"), "\"Laptop;HYPERLINK\"");
  EXPECT_EQ(csv_field("scan;1;.pdf"), "\"scan;1;.pdf\"");
  EXPECT_EQ(csv_field("a\tb"), "\"a\tb\"");
}

TEST(CsvTest, NoCellOfARecordSplitOnSemicolonsOrLinesStartsAFormula) {
  // A spreadsheet splitting on semicolons takes a quote in mid-cell as a plain character, so
  // quoting does not keep "x;=1+1" in one cell when it is not the first field, and a line break
  // ends the row. Every place where a cell or row may start is defused instead, spaces before
  // the sign skipped; a list's "- item" gets its apostrophe too (a formula may follow a space).
  //
  // Before: the record below split into the cells ..."x | =1+1 | y"... and a row "=2+2".
  const std::string record =
      csv_record({"incidents/4", "herent", "x;=1+1;y", "line\n=2+2", "a\t@SUM(A1)", "a;= 1+1",
                  "a; =1+1", "a;- 2+3+cmd|' /C calc'!A0", " =1"});
  std::vector<std::string> cells{""};
  for (const char c : record) {
    if (c == ';' || c == '\n' || c == '\t' || c == '\r') {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  for (const std::string& cell : cells) {
    const size_t first = cell.find_first_not_of(" \"");
    EXPECT_TRUE(first == std::string::npos ||
                std::string("=+-@").find(cell[first]) == std::string::npos)
        << "a cell starts a formula: " << cell;
  }
  EXPECT_EQ(csv_field("x;=1+1;y"), "\"x;'=1+1;y\"");
  EXPECT_EQ(csv_field("a; =1+1"), "\"a; '=1+1\"");
  EXPECT_EQ(csv_field("list:\n- one\n- two"), "\"list:\n'- one\n'- two\"");
  EXPECT_EQ(csv_field("a;-1"), "\"a;'-1\"");
  EXPECT_EQ(csv_field(" =1"), "\" '=1\"");
}

TEST(CsvTest, NonAsciiPassesThroughByteForByte) {
  // UTF-8 in, the same bytes out; the BOM at the start of the file declares the encoding.
  EXPECT_EQ(csv_field("Cliëntenlijst naar verkeerd adres — €, ½"),
            "\"Cliëntenlijst naar verkeerd adres — €, ½\"");
  EXPECT_EQ(csv_field("Ingeschat risico: hoog ✓"), "Ingeschat risico: hoog ✓");
  EXPECT_EQ(kUtf8Bom, "\xEF\xBB\xBF");
}

TEST(CsvTest, RecordsJoinFieldsWithCommasAndEndInCrlf) {
  // RFC 4180 2.1 and 2.4: CRLF after every record, fields separated by commas.
  EXPECT_EQ(csv_record({"a", "b,c", "", "d\"e"}), "a,\"b,c\",,\"d\"\"e\"\r\n");
  EXPECT_EQ(csv_record({}), "\r\n");
  EXPECT_EQ(csv_record({""}), "\r\n");
}

}  // namespace
}  // namespace termijn::cli
