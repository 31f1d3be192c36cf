#include "client/private_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "client/context.h"

namespace termijn::cli {

PrivateFile::PrivateFile(std::string path, std::string option)
    : path_(std::move(path)), option_(std::move(option)) {
  // A PATH.part left by an earlier run that was killed goes first; O_EXCL then makes sure the
  // file written is the one made here, not a link someone put in its place meanwhile.
  ::unlink(part().c_str());
  const int fd = ::open(part().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw CliError(2, option_ + ": cannot write " + part() + ": " + std::strerror(errno));
  }
  buffer_ = std::make_unique<__gnu_cxx::stdio_filebuf<char>>(fd, std::ios::out | std::ios::binary);
  out_ = std::make_unique<std::ostream>(buffer_.get());
}

PrivateFile::~PrivateFile() {
  if (committed_) return;
  out_.reset();
  buffer_.reset();  // closes the file
  ::unlink(part().c_str());
}

void PrivateFile::commit() {
  out_->flush();
  const bool written = static_cast<bool>(*out_) && ::fsync(buffer_->fd()) == 0;
  const int error = errno;
  out_.reset();
  buffer_.reset();
  if (!written || ::rename(part().c_str(), path_.c_str()) != 0) {
    throw CliError(
        1, option_ + ": cannot write " + path_ + ": " + std::strerror(written ? errno : error));
  }
  committed_ = true;
}

}  // namespace termijn::cli
