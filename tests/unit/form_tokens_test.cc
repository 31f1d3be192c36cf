#include "server/web/form_tokens.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace termijn::web {
namespace {

// A key file with `text` and `mode`, removed with the test.
class KeyFile {
 public:
  KeyFile(const std::string& text, mode_t mode) {
    char name[] = "/tmp/termijn-form-key-XXXXXX";
    const int fd = ::mkstemp(name);
    ::close(fd);
    path_ = name;
    std::ofstream(path_) << text;
    ::chmod(path_.c_str(), mode);
  }
  ~KeyFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const std::string kKey(64, 'k');

TEST(FormTokensTest, ATokenIsValidOnlyForItsOwnPrincipalAndNonce) {
  const KeyFile file(kKey, 0600);
  const auto tokens = FormTokens::load(file.path());
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  const std::string nonce = FormTokens::new_nonce();
  const std::string token = tokens->token("herent-dpo", nonce);
  EXPECT_EQ(token.size(), 64u);
  EXPECT_TRUE(tokens->valid("herent-dpo", nonce, token));
  // Another principal's page, or another browser's, cannot post with it.
  EXPECT_FALSE(tokens->valid("kortenberg-dpo", nonce, token));
  EXPECT_FALSE(tokens->valid("herent-dpo", FormTokens::new_nonce(), token));
  // Nor without a nonce, nor with a token cut short or lengthened.
  EXPECT_FALSE(tokens->valid("herent-dpo", "", tokens->token("herent-dpo", "")));
  EXPECT_FALSE(tokens->valid("herent-dpo", nonce, token.substr(0, 63)));
  EXPECT_FALSE(tokens->valid("herent-dpo", nonce, token + "0"));
  EXPECT_FALSE(tokens->valid("herent-dpo", nonce, ""));
}

TEST(FormTokensTest, NoncesAreThirtyTwoHexDigitsAndDiffer) {
  const std::string a = FormTokens::new_nonce(), b = FormTokens::new_nonce();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
  EXPECT_NE(a, b);
}

TEST(FormTokensTest, TheKeyFileKeepsTokensAcrossRestartsARandomKeyDoesNot) {
  // Surrounding white space is not part of the key: the same file with a line end agrees.
  const KeyFile file(kKey, 0600), with_line_end("  " + kKey + "\n", 0600);
  const auto first = FormTokens::load(file.path()), again = FormTokens::load(with_line_end.path());
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(first->token("herent-dpo", "n"), again->token("herent-dpo", "n"));
  const auto random = FormTokens::load(""), other = FormTokens::load("");
  ASSERT_TRUE(random.ok() && other.ok());
  EXPECT_NE(random->token("herent-dpo", "n"), other->token("herent-dpo", "n"));
  EXPECT_NE(random->token("herent-dpo", "n"), first->token("herent-dpo", "n"));
}

TEST(FormTokensTest, AKeyFileOthersMayReadOrTooShortIsRefusedNamingTheSetting) {
  const KeyFile readable(kKey, 0644), short_key(std::string(31, 'k') + "\n", 0600);
  auto status = FormTokens::load(readable.path()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "web.form_key_file: " + readable.path() +
                                  " may be read by its group or others (mode 0644); chmod 600 it");
  status = FormTokens::load(short_key.path()).status();
  EXPECT_EQ(status.message(), "web.form_key_file: " + short_key.path() +
                                  " must hold at least 32 characters (openssl rand -hex 32)");
  status = FormTokens::load("/nonexistent/form.key").status();
  EXPECT_EQ(status.message(),
            "web.form_key_file: cannot read /nonexistent/form.key: No such file or directory");
  status = FormTokens::load("/tmp").status();
  EXPECT_EQ(status.message(), "web.form_key_file: cannot read /tmp: Is a directory");
}

}  // namespace
}  // namespace termijn::web
