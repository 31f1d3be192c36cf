#include "server/config/files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace termijn::config {
namespace {

using std::string_literals::operator""s;

// A folder of its own under /tmp, removed with the test.
class Scratch {
 public:
  Scratch() {
    char name[] = "/tmp/termijn-files-XXXXXX";
    dir_ = ::mkdtemp(name);
  }
  ~Scratch() { std::filesystem::remove_all(dir_); }
  std::string file(const std::string& name, const std::string& content, mode_t mode) const {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    ::chmod(path.c_str(), mode);
    return path;
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

TEST(ReadFileTest, ReadsEveryByteOfAFile) {
  const Scratch scratch;
  std::string content = "line one\r\nzero \0 byte\n"s;
  content += std::string(200 * 1024, 'x');  // more than one read
  const auto text = read_file(scratch.file("data", content, 0644));
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, content);
  EXPECT_EQ(*read_file(scratch.file("empty", "", 0644)), "");
}

TEST(ReadFileTest, SaysWhyAFileCannotBeRead) {
  // Before, a folder read as an empty file (a configuration "without parties", a CA file "with
  // no PEM certificate"), and a missing file was "cannot be read" without a reason.
  const Scratch scratch;
  const auto missing = read_file(scratch.dir() + "/missing.toml");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(),
            "cannot read " + scratch.dir() + "/missing.toml: No such file or directory");
  EXPECT_EQ(read_file(scratch.dir()).status().message(),
            "cannot read " + scratch.dir() + ": Is a directory");
  EXPECT_EQ(read_private_file(scratch.dir()).status().message(),
            "cannot read " + scratch.dir() + ": Is a directory");
  const std::string plain = scratch.file("plain", "text", 0644);
  EXPECT_EQ(read_file(plain + "/below").status().message(),
            "cannot read " + plain + "/below: Not a directory");
}

TEST(ReadFileTest, APrivateFileIsRefusedWhenItsGroupOrOthersMayReadIt) {
  const Scratch scratch;
  EXPECT_EQ(*read_private_file(scratch.file("owner", "secret", 0600)), "secret");
  EXPECT_EQ(*read_private_file(scratch.file("owner-read-only", "secret", 0400)), "secret");
  for (const mode_t mode : {0640, 0604, 0660}) {
    const std::string path = scratch.file("shared-" + std::to_string(mode), "secret", mode);
    const auto refused = read_private_file(path);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode));
    EXPECT_EQ(refused.status().message(),
              path + " may be read by its group or others (mode " + octal + "); chmod 600 it");
    EXPECT_EQ(*read_file(path), "secret");  // a file that need not be private
  }
}

TEST(ReplaceFileTest, PutsTheWholeContentInPlaceAndLeavesNoPartBehind) {
  const Scratch scratch;
  const std::string path = scratch.file("port", "old\n", 0644);
  ASSERT_TRUE(replace_file(path, "50051\n").ok());
  EXPECT_EQ(*read_file(path), "50051\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".part"));
  const std::string fresh = scratch.dir() + "/web-port";
  ASSERT_TRUE(replace_file(fresh, "8443\n").ok());
  EXPECT_EQ(*read_file(fresh), "8443\n");
}

TEST(ReplaceFileTest, SaysWhyAFileCannotBeWritten) {
  const Scratch scratch;
  const absl::Status missing = replace_file(scratch.dir() + "/none/port", "1\n");
  EXPECT_EQ(missing.message(),
            "cannot write " + scratch.dir() + "/none/port: No such file or directory");
  const absl::Status folder = replace_file(scratch.dir(), "1\n");
  EXPECT_EQ(folder.message(), "cannot write " + scratch.dir() + ": Is a directory");
  EXPECT_FALSE(std::filesystem::exists(scratch.dir() + ".part"));
}

TEST(ReadFileTest, AtStartThrowsNamingTheSettingAndTheReason) {
  const Scratch scratch;
  try {
    read_file_at_start(scratch.dir(), "tls ca");
    ADD_FAILURE() << "a folder was read";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "tls ca: cannot read " + scratch.dir() + ": Is a directory");
  }
  EXPECT_EQ(read_file_at_start(scratch.file("ca", "pem", 0644), "tls ca"), "pem");
}

}  // namespace
}  // namespace termijn::config
