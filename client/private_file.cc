#include "client/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "client/context.h"

namespace termijn::cli {

PrivateFile::PrivateFile(std::string path, std::string option)
    : path_(std::move(path)), option_(std::move(option)) {
  // A link (/dev/stdout) or a device or pipe is written as it is, through the link: the user
  // named what to write into, and renaming PATH.part over it would replace the link itself.
  // (The kernel's protected_symlinks keeps a link another user planted in /tmp from being
  // followed.)
  struct stat link {};
  struct stat target {};
  direct_ = ::lstat(path_.c_str(), &link) == 0 &&
            (S_ISLNK(link.st_mode) || (::stat(path_.c_str(), &target) == 0 &&
                                       !S_ISREG(target.st_mode) && !S_ISDIR(target.st_mode)));
  int fd = -1;
  if (direct_) {
    fd = ::open(path_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  } else {
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
