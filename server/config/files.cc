#include "server/config/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <system_error>

namespace termijn::config {
namespace {

absl::Status unreadable(const std::string& path, int error) {
  return absl::InvalidArgumentError("cannot read " + path + ": " +
                                    std::generic_category().message(error));
}

class OpenFile {
 public:
  explicit OpenFile(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  ~OpenFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

absl::StatusOr<std::string> read(const std::string& path, bool private_only) {
  const OpenFile file(path);
  if (file.fd() < 0) return unreadable(path, errno);
  struct stat info {};
  if (::fstat(file.fd(), &info) != 0) return unreadable(path, errno);
  // A directory opens, and only its read fails; said before any other complaint about it.
  if (S_ISDIR(info.st_mode)) return unreadable(path, EISDIR);
  if (private_only && (info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return absl::FailedPreconditionError(path + " may be read by its group or others (mode " +
                                         mode + "); chmod 600 it");
  }
  std::string content;
  std::array<char, 64 * 1024> buffer{};
  for (;;) {
    const ssize_t n = ::read(file.fd(), buffer.data(), buffer.size());
    if (n == 0) return content;
    if (n < 0) {
      if (errno == EINTR) continue;
      return unreadable(path, errno);
    }
    content.append(buffer.data(), static_cast<size_t>(n));
  }
}

}  // namespace

absl::StatusOr<std::string> read_file(const std::string& path) { return read(path, false); }

absl::StatusOr<std::string> read_private_file(const std::string& path) { return read(path, true); }

absl::Status replace_file(const std::string& path, const std::string& content) {
  const std::string part = path + ".part";
  const int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int error = fd < 0 ? errno : 0;
  for (size_t written = 0; error == 0 && written < content.size();) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n >= 0) {
      written += static_cast<size_t>(n);
    } else if (errno != EINTR) {
      error = errno;
    }
  }
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (fd >= 0 && ::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && ::rename(part.c_str(), path.c_str()) != 0) error = errno;
  if (error == 0) return absl::OkStatus();
  if (fd >= 0) ::unlink(part.c_str());
  return absl::InvalidArgumentError("cannot write " + path + ": " +
                                    std::generic_category().message(error));
}

std::string read_file_at_start(const std::string& path, const std::string& what) {
  absl::StatusOr<std::string> text = read_file(path);
  if (!text.ok()) throw std::runtime_error(what + ": " + std::string(text.status().message()));
  return *std::move(text);
}

}  // namespace termijn::config
