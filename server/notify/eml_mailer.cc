#include "server/notify/eml_mailer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "server/notify/mime.h"

namespace termijn::notify {
namespace {

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

// Writes all of `bytes` to `fd`, retrying short writes; false with errno set on failure.
bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

EmlDirectoryMailer::EmlDirectoryMailer(std::string dir) : dir_(std::move(dir)) {}

std::string EmlDirectoryMailer::path_for(const MailMessage& m) const {
  // check_message() allows '/' in a Message-ID; it must not become a directory here.
  std::string name = m.message_id;
  for (char& c : name) {
    if (c == '/' || c == '\\') c = '_';
  }
  return (std::filesystem::path(dir_) / (name + ".eml")).string();
}

SendResult EmlDirectoryMailer::send(const MailMessage& m) {
  using Outcome = SendResult::Outcome;
  if (absl::Status status = check_message(m); !status.ok()) {
    return {Outcome::kPermanentFailure, std::string(status.message())};
  }
  // Breach descriptions and request copies are personal data: for the service's user only.
  std::error_code ec;
  if (std::filesystem::create_directories(dir_, ec)) {
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all, ec);
  }
  if (ec) return {Outcome::kTemporaryFailure, "cannot create " + dir_ + ": " + ec.message()};

  const std::string path = path_for(m);
  const std::string bytes = render_message(m);
  // A unique temporary name in the same directory (rename is atomic only within a file system);
  // the leading '.' keeps half-written files out of "*.eml" globs.
  std::string temp = (std::filesystem::path(dir_) / ".termijn-eml-XXXXXX").string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return {Outcome::kTemporaryFailure, errno_text("cannot create a file in " + dir_)};
  ::fchmod(fd, 0600);
  const bool written = write_all(fd, bytes) && ::fsync(fd) == 0;
  const std::string write_error = written ? "" : errno_text("cannot write " + temp);
  ::close(fd);
  if (!written) {
    ::unlink(temp.c_str());
    return {Outcome::kTemporaryFailure, write_error};
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string error = errno_text("cannot rename " + temp + " to " + path);
    ::unlink(temp.c_str());
    return {Outcome::kTemporaryFailure, error};
  }
  // Make the rename itself durable: "accepted" must survive a crash like an SMTP server's 250.
  if (const int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY); dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return {Outcome::kAccepted, "written to " + path};
}

}  // namespace termijn::notify
