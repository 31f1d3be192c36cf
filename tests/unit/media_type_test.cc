#include "server/domain/media_type.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/zip_builder.h"

namespace termijn::domain {
namespace {

using namespace std::string_literals;
using testing::docx_bytes;
using testing::odt_bytes;
using testing::stored_zip;

const std::string kPdf = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n";
const std::string kPng = "\x89PNG\r\n\x1A\n\0\0\0\rIHDR"s;
const std::string kJpeg = "\xFF\xD8\xFF\xE0\0\x10JFIF\0"s;
const std::string kTiff = "II*\0\x08\0\0\0"s;
const std::string kElf =
    "\x7F"
    "ELF\x02\x01\x01\0\0\0\0\0"s;
const std::string kWindowsExe = "MZ\x90\0\x03\0\0\0This program cannot be run in DOS mode"s;
const std::string kMail =
    "Return-Path: <jan@example.be>\r\nFrom: Jan <jan@example.be>\r\nTo: dpo@herent.be\r\n"
    "Subject: Inzage\r\n =?utf-8?q?dossier?=\r\n\r\nGraag mijn dossier.\r\n";

std::string error_of(std::string_view declared, std::string_view content) {
  std::string error;
  const auto type = checked_media_type(declared, content, &error);
  EXPECT_FALSE(type.has_value()) << "accepted as " << *type;
  return error;
}

std::string accepted(std::string_view declared, std::string_view content) {
  std::string error;
  const auto type = checked_media_type(declared, content, &error);
  EXPECT_TRUE(type.has_value()) << error;
  return type.value_or("");
}

TEST(MediaTypeTest, DetectsEachAllowedTypeFromItsBytes) {
  // Each allowlisted format is recognised by its magic bytes or container structure.
  EXPECT_EQ(detect_media_type(kPdf).media_type, "application/pdf");
  EXPECT_EQ(detect_media_type(kPng).media_type, "image/png");
  EXPECT_EQ(detect_media_type(kJpeg).media_type, "image/jpeg");
  EXPECT_EQ(detect_media_type(kTiff).media_type, "image/tiff");
  EXPECT_EQ(detect_media_type("MM\0*\0\0\0\x08"s).media_type, "image/tiff");
  EXPECT_EQ(detect_media_type("Beste,\nik vraag inzage. Zoë\n").media_type, "text/plain");
  EXPECT_EQ(detect_media_type(kMail).media_type, "message/rfc822");
  EXPECT_EQ(detect_media_type(odt_bytes()).media_type, "application/vnd.oasis.opendocument.text");
  EXPECT_EQ(detect_media_type(docx_bytes()).media_type,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  EXPECT_EQ(detect_media_type(stored_zip({{"[Content_Types].xml", ""}, {"xl/workbook.xml", ""}}))
                .media_type,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  for (const std::string& content : {kPdf, kPng, kJpeg, kTiff, kMail, odt_bytes(), docx_bytes()}) {
    EXPECT_TRUE(detect_media_type(content).allowed) << detect_media_type(content).media_type;
  }
}

TEST(MediaTypeTest, ACopyIsSavedUnderANameThatOpensItAsWhatItWasCheckedToBe) {
  // Plain text named .html would open in a browser as a page (scripts and all): the download
  // name ends in the checked type's extension.
  EXPECT_EQ(download_name("brief.pdf", "application/pdf"), "brief.pdf");
  EXPECT_EQ(download_name("Scan.JPEG", "image/jpeg"), "Scan.JPEG");
  EXPECT_EQ(download_name("brief.html", "text/plain"), "brief.html.txt");
  EXPECT_EQ(download_name("brief", "application/pdf"), "brief.pdf");
  EXPECT_EQ(download_name("x.odt", "application/vnd.oasis.opendocument.text"), "x.odt");
  EXPECT_EQ(download_name("x.svg", "application/vnd.oasis.opendocument.formula"), "x.svg.bin");
}

TEST(MediaTypeTest, DeclaredTypeMatchingTheContentIsKeptNormalised) {
  // A matching declaration is accepted, lower-cased, without parameters, aliases resolved.
  EXPECT_EQ(accepted("application/pdf", kPdf), "application/pdf");
  EXPECT_EQ(accepted("Image/JPG", kJpeg), "image/jpeg");
  EXPECT_EQ(accepted("text/plain; charset=utf-8", "Beste DPO"), "text/plain");
  EXPECT_EQ(accepted(" \tApplication/X-PDF \t; name=a.pdf", kPdf), "application/pdf");
  EXPECT_EQ(accepted("application/vnd.oasis.opendocument.text", odt_bytes()),
            "application/vnd.oasis.opendocument.text");
  EXPECT_EQ(accepted("message/rfc822", kMail), "message/rfc822");
  EXPECT_EQ(accepted("text/plain", kMail), "text/plain") << "an e-mail saved as text is text";
}

TEST(MediaTypeTest, MissingOrGenericDeclarationTakesTheDetectedType) {
  // Without a useful declaration the content decides, if it is on the allowlist.
  EXPECT_EQ(accepted("", kPng), "image/png");
  EXPECT_EQ(accepted("application/octet-stream", docx_bytes()),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  EXPECT_EQ(error_of("", kElf).rfind("copy.content: is an ELF executable", 0), 0u);
}

TEST(MediaTypeTest, ExecutablesAreRefusedWhateverTheyAreCalled) {
  // An executable declared as a PDF is refused naming copy.content and what it really is.
  EXPECT_EQ(error_of("application/pdf", kElf)
                .rfind("copy.content: is an ELF executable (application/x-executable), not "
                       "application/pdf",
                       0),
            0u);
  EXPECT_NE(error_of("application/pdf", kWindowsExe).find("a Windows executable"),
            std::string::npos);
  EXPECT_NE(error_of("text/plain", "#!/bin/sh\nrm -rf ~\n").find("a script"), std::string::npos);
  EXPECT_NE(error_of("image/png", "\xCF\xFA\xED\xFE\x07\0\0\x01"s).find("Mach-O"),
            std::string::npos);
}

TEST(MediaTypeTest, HtmlAndSvgAreRefused) {
  // HTML is refused both as a declared type and as content passed off as text.
  EXPECT_EQ(error_of("text/html", "<!DOCTYPE html><p>hi</p>")
                .rfind("copy.media_type: text/html is not accepted (the content is HTML", 0),
            0u);
  EXPECT_EQ(error_of("text/plain", "\xEF\xBB\xBF  <html>\n<script>x()</script>")
                .rfind("copy.content: is HTML (text/html), not text/plain", 0),
            0u);
  EXPECT_EQ(error_of("text/plain", "<SCRIPT>alert(1)</SCRIPT>").rfind("copy.content: is HTML", 0),
            0u);
  EXPECT_NE(error_of("text/plain", "<?xml version=\"1.0\"?>\n<svg onload=\"x()\"/>").find("SVG"),
            std::string::npos);
  EXPECT_EQ(accepted("text/plain", "<3 to the DPO team"), "text/plain") << "not a tag";
}

TEST(MediaTypeTest, DeclaredTypeNotMatchingTheContentIsRefused) {
  // A PNG declared as a PDF names copy.media_type and both types.
  EXPECT_EQ(error_of("application/pdf", kPng),
            "copy.media_type: declared application/pdf but the content is a PNG image "
            "(image/png)");
  EXPECT_NE(error_of("application/vnd.oasis.opendocument.spreadsheet", odt_bytes())
                .find("application/vnd.oasis.opendocument.text"),
            std::string::npos);
  EXPECT_NE(error_of("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     odt_bytes())
                .find("copy.media_type: declared"),
            std::string::npos);
}

TEST(MediaTypeTest, TypesOffTheAllowlistAreRefused) {
  // Archives, macro documents, legacy Office files, non-UTF-8 and binary data are not accepted.
  EXPECT_NE(error_of("application/zip", stored_zip({{"a.txt", "x"}})).find("copy.media_type:"),
            std::string::npos);
  EXPECT_NE(error_of("", stored_zip({{"a.exe", "MZ"}})).find("a ZIP archive"), std::string::npos);
  const std::string docm = stored_zip(
      {{"[Content_Types].xml", ""}, {"word/document.xml", ""}, {"word/vbaProject.bin", ""}});
  EXPECT_NE(
      error_of("application/vnd.openxmlformats-officedocument.wordprocessingml.document", docm)
          .find("with macros"),
      std::string::npos);
  EXPECT_NE(error_of("", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0"s).find("OLE"), std::string::npos);
  EXPECT_NE(error_of("text/plain", "caf\xE9 (latin-1)").find("nor UTF-8 text"), std::string::npos);
  EXPECT_NE(error_of("text/plain", "a\0b"s).find("binary data"), std::string::npos);
  EXPECT_NE(error_of("text/plain", "\xED\xA0\x80 surrogate").find("nor UTF-8 text"),
            std::string::npos);
  EXPECT_NE(error_of("text/plain", "\xC0\xAF overlong").find("nor UTF-8 text"), std::string::npos);
}

TEST(MediaTypeTest, DamagedContainersAreNotMistakenForDocuments) {
  // A ZIP signature without a readable directory, or ODF without its mimetype entry, is refused.
  const std::string docx = docx_bytes();
  EXPECT_FALSE(detect_media_type(docx.substr(0, docx.size() - 10)).allowed);
  EXPECT_FALSE(detect_media_type(stored_zip({{"content.xml", ""},
                                             {"mimetype",
                                              "application/vnd.oasis"
                                              ".opendocument.text"}}))
                   .allowed);
  EXPECT_FALSE(detect_media_type(stored_zip({{"mimetype",
                                              "application/vnd.oasis.opendocument"
                                              ".text<script>"}}))
                   .allowed);
  EXPECT_FALSE(detect_media_type("PK\x03\x04").allowed);
}

TEST(MediaTypeTest, TextThatOnlyLooksLikeAHeaderIsText) {
  // One "Name: value" line does not make a mail; it stays plain text.
  EXPECT_EQ(detect_media_type("Note: call back on Monday\nThanks").media_type, "text/plain");
  EXPECT_EQ(detect_media_type("X-A: 1\nX-B: 2\n\nbody").media_type, "text/plain");
}

}  // namespace
}  // namespace termijn::domain
