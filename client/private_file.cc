#include "client/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "client/context.h"

namespace termijn::cli {

namespace {

// Made by this user or by root: a link or a pipe another user may have planted is neither.
bool trusted(const struct stat& st) { return st.st_uid == ::geteuid() || st.st_uid == 0; }

}  // namespace

PrivateFile::PrivateFile(std::string path, std::string option)
    : path_(std::move(path)), option_(std::move(option)) {
  const auto refuse = [&](const std::string& why) {
    throw CliError(2, option_ + ": " + path_ + " " + why);
  };
  struct stat link {};
  struct stat target {};
  struct stat stdout_file {};
  const bool exists = ::lstat(path_.c_str(), &link) == 0;
  const bool reached = exists && ::stat(path_.c_str(), &target) == 0;
  if (exists && S_ISLNK(link.st_mode) && !trusted(link)) {
    refuse("is a link another user made: not followed");
  }
  int fd = -1;
  if (reached && ::fstat(STDOUT_FILENO, &stdout_file) == 0 && stdout_file.st_dev == target.st_dev &&
      stdout_file.st_ino == target.st_ino) {
    // This process's own standard output (/dev/stdout), wherever it was redirected.
    direct_ = true;
    fd = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
  } else if (reached && S_ISCHR(target.st_mode)) {
    direct_ = true;  // a terminal, /dev/null
    fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
  } else if (reached && (S_ISFIFO(target.st_mode) || S_ISSOCK(target.st_mode))) {
    if (target.st_uid != ::geteuid()) refuse("is a pipe another user made: not written to");
    direct_ = true;
    fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
  } else {
    // A link of this user's (or root's) names the file to write: it is replaced as any other.
    if (exists && S_ISLNK(link.st_mode)) {
      std::error_code error;
      const auto resolved = std::filesystem::weakly_canonical(path_, error);
      if (error) refuse("is a link that cannot be followed: " + error.message());
      path_ = resolved.string();
    }
    // A PATH.part left by an earlier run that was killed goes first; O_EXCL then makes sure the
    // file written is the one made here, not a link someone put in its place meanwhile.
    ::unlink(part().c_str());
    fd = ::open(part().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  }
  if (fd < 0) {
    throw CliError(
        2, option_ + ": cannot write " + (direct_ ? path_ : part()) + ": " + std::strerror(errno));
  }
  buffer_ = std::make_unique<__gnu_cxx::stdio_filebuf<char>>(fd, std::ios::out | std::ios::binary);
  out_ = std::make_unique<std::ostream>(buffer_.get());
}

PrivateFile::~PrivateFile() {
  if (committed_) return;
  out_.reset();
  buffer_.reset();  // closes the file
  if (!direct_) ::unlink(part().c_str());
}

void PrivateFile::commit() {
  out_->flush();
  std::string failure;
  if (!*out_) {
    failure = "the write failed";  // errno is long gone: the stream failed at an earlier flush
  } else if (direct_) {
    out_.reset();
    buffer_.reset();
    committed_ = true;
    return;
  } else if (::fsync(buffer_->fd()) != 0) {
    failure = std::strerror(errno);
  }
  out_.reset();
  buffer_.reset();
  if (failure.empty() && ::rename(part().c_str(), path_.c_str()) != 0) {
    failure = std::strerror(errno);
  }
  if (!failure.empty()) throw CliError(1, option_ + ": cannot write " + path_ + ": " + failure);
  committed_ = true;
  // The rename itself is on disk once the directory is.
  const std::string dir = std::filesystem::path(path_).parent_path().string();
  if (const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace termijn::cli
