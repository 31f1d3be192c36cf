#include "server/notify/eml_mailer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "server/notify/mime.h"
#include "tests/support/smtp_server.h"

namespace termijn::notify {
namespace {

namespace fs = std::filesystem;
using Outcome = SendResult::Outcome;

MailMessage Sample() {
  MailMessage m;
  m.message_id = "notification-17.3f2a9c01@herent.example";
  m.from = {"Termijn (OCMW Herent)", "termijn@herent.example"};
  m.to = {{"DPO OCMW Kortenberg", "dpo@kortenberg.example"}};
  m.subject = "Melding inbreuk – incidents/12";
  m.text_body = "Geachte DPO,\n";
  m.attachments = {{"deadline.ics", "text/calendar; method=PUBLISH", "BEGIN:VCALENDAR\r\n"}};
  m.date = date::sys_days{date::year{2026} / 10 / 24};
  return m;
}

std::vector<std::string> FileNames(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(EmlDirectoryMailerTest, WritesExactlyTheRenderedBytes) {
  // Verifies <dir>/<message_id>.eml holds exactly render_message()'s bytes.
  testing::ScopedTempDir tmp("termijn-eml");
  const std::string dir = tmp.path() + "/mail/outbox";
  EmlDirectoryMailer mailer(dir);
  const MailMessage m = Sample();
  const SendResult result = mailer.send(m);
  ASSERT_EQ(result.outcome, Outcome::kAccepted) << result.server_reply;
  const std::string path = dir + "/notification-17.3f2a9c01@herent.example.eml";
  EXPECT_EQ(result.server_reply, "written to " + path);
  EXPECT_EQ(mailer.path_for(m), path);
  EXPECT_EQ(testing::ReadFile(path), render_message(m));
}

TEST(EmlDirectoryMailerTest, ResendReplacesWithTheSameBytesAndLeavesNoTemporaryFiles) {
  // Verifies a resend leaves one identical file and no temporary file.
  testing::ScopedTempDir tmp("termijn-eml");
  EmlDirectoryMailer mailer(tmp.path());
  const MailMessage m = Sample();
  ASSERT_TRUE(mailer.send(m).accepted());
  const std::string first = testing::ReadFile(mailer.path_for(m));
  ASSERT_TRUE(mailer.send(m).accepted());
  EXPECT_EQ(testing::ReadFile(mailer.path_for(m)), first);
  EXPECT_EQ(FileNames(tmp.path()),
            std::vector<std::string>{"notification-17.3f2a9c01@herent.example.eml"});
}

TEST(EmlDirectoryMailerTest, MessageIdCannotEscapeTheDirectory) {
  // Verifies a '/' in a Message-ID (legal in a msg-id) does not become a directory.
  testing::ScopedTempDir tmp("termijn-eml");
  EmlDirectoryMailer mailer(tmp.path() + "/out");
  MailMessage m = Sample();
  m.message_id = "../../x/y@herent.example";
  ASSERT_TRUE(mailer.send(m).accepted());
  EXPECT_EQ(FileNames(tmp.path() + "/out"),
            std::vector<std::string>{".._.._x_y@herent.example.eml"});
}

TEST(EmlDirectoryMailerTest, InvalidMessageIsPermanentAndUnwritableDirectoryTemporary) {
  // Verifies a refused message is permanent and an unwritable directory temporary.
  testing::ScopedTempDir tmp("termijn-eml");
  EmlDirectoryMailer mailer(tmp.path());
  MailMessage bad = Sample();
  bad.to.clear();
  EXPECT_EQ(mailer.send(bad).outcome, Outcome::kPermanentFailure);
  EXPECT_TRUE(FileNames(tmp.path()).empty());

  std::ofstream(tmp.path() + "/file") << "not a directory";
  EmlDirectoryMailer blocked(tmp.path() + "/file/mail");
  const SendResult result = blocked.send(Sample());
  EXPECT_EQ(result.outcome, Outcome::kTemporaryFailure);
  EXPECT_NE(result.server_reply.find("/file/mail"), std::string::npos) << result.server_reply;
}

TEST(EmlDirectoryMailerTest, MailIsForItsOwnerOnly) {
  // Breach descriptions are personal data: the .eml file is 0600 and a folder it makes 0700,
  // whatever the process's umask.
  testing::ScopedTempDir tmp("termijn-eml");
  const mode_t old_umask = ::umask(022);
  EmlDirectoryMailer mailer(tmp.path() + "/mail");
  const SendResult result = mailer.send(Sample());
  ::umask(old_umask);
  ASSERT_EQ(result.outcome, Outcome::kAccepted) << result.server_reply;
  const auto mode = [](const std::string& path) {
    return fs::status(path).permissions() & fs::perms::mask;
  };
  EXPECT_EQ(mode(tmp.path() + "/mail"), fs::perms::owner_all);
  EXPECT_EQ(mode(tmp.path() + "/mail/" + FileNames(tmp.path() + "/mail").at(0)),
            fs::perms::owner_read | fs::perms::owner_write);
}

}  // namespace
}  // namespace termijn::notify
