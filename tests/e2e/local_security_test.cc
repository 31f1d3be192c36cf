// End-to-end: what termijnd accepts as a copy of a request, and what it says about secrets at
// start. The real termijnd and the real termijn CLI.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "tests/e2e/harness.h"
#include "tests/support/zip_builder.h"

namespace termijn::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::string_literals;

class CopyTypeTest : public ::testing::Test {
 protected:
  // The file goes into the server's own folder: tests running in parallel do not share it.
  Outcome log_request_with(const std::string& file_name, const std::string& bytes) {
    const std::string path = server_.work_dir() + "/" + file_name;
    std::ofstream(path, std::ios::binary) << bytes;
    return server_.cli("herent-dpo", {"request", "log", "--kind", "access", "--summary",
                                      "Inzageverzoek", "--copy", path});
  }
  std::string requests() const { return server_.database().scalar("SELECT count(*) FROM request"); }

  Termijnd server_;
};

TEST_F(CopyTypeTest, HtmlAndAnExecutableCalledPdfAreRefusedAndStoreNothing) {
  // HTML and an ELF executable renamed to .pdf exit 2 with one line naming the field and what
  // the content is; no request is stored.
  const Outcome html = log_request_with("evil.html", "<!DOCTYPE html><script>steal()</script>");
  EXPECT_EQ(html.exit_code, 2) << html.err;
  EXPECT_THAT(html.err,
              HasSubstr("copy.media_type: text/html is not accepted (the content is HTML"));
  EXPECT_EQ(std::count(html.err.begin(), html.err.end(), '\n'), 1) << html.err;

  std::ifstream true_program("/usr/bin/true", std::ios::binary);
  const std::string executable((std::istreambuf_iterator<char>(true_program)),
                               std::istreambuf_iterator<char>());
  ASSERT_FALSE(executable.empty());
  const Outcome renamed = log_request_with("brief.pdf", executable);
  EXPECT_EQ(renamed.exit_code, 2) << renamed.err;
  EXPECT_THAT(renamed.err,
              HasSubstr("copy.content: is an ELF executable (application/x-executable), "
                        "not application/pdf"));
  EXPECT_EQ(requests(), "0");
}

TEST_F(CopyTypeTest, DocumentsAndImagesOnTheAllowlistAreAccepted) {
  // A PDF, a PNG, an ODT and a DOCX are stored with the media type their content shows.
  const std::vector<std::pair<std::string, std::string>> files{
      {"brief.pdf", "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"},
      {"scan.png", "\x89PNG\r\n\x1A\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0"s},
      {"brief.odt", odt_bytes()},
      {"brief.docx", docx_bytes()}};
  const std::vector<std::string> types{
      "application/pdf", "image/png", "application/vnd.oasis.opendocument.text",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document"};
  for (size_t i = 0; i < files.size(); ++i) {
    const Outcome o = log_request_with(files[i].first, files[i].second);
    EXPECT_EQ(o.exit_code, 0) << files[i].first << ": " << o.err;
    EXPECT_THAT(o.out, HasSubstr(files[i].first + " (" + types[i] + ", "));
  }
  EXPECT_EQ(requests(), "4");
}

TEST(SecretsAtStartTest, ConfigWithSmtpPasswordReadableByOthersIsWarnedAbout) {
  // termijnd warns at start when its config file holds smtp_password and others can read it
  // (the harness writes it under umask 022, so mode 0644); without the password it does not.
  const mode_t old_umask = ::umask(022);
  Termijnd with_password(
      {.edits = {{"max_attempts = 8", "smtp_password = \"s3cret\"\nmax_attempts = 8"}}});
  Termijnd without_password;
  ::umask(old_umask);
  EXPECT_THAT(with_password.log(),
              HasSubstr("holds a password (mail.smtp_password or database.url) "
                        "and other local users can read it (mode 0644)"));
  EXPECT_THAT(without_password.log(), Not(HasSubstr("holds a password")));
}

}  // namespace
}  // namespace termijn::testing
