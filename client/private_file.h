#pragma once

#include <ext/stdio_filebuf.h>
#include <iostream>
#include <memory>
#include <ostream>
#include <string>

namespace termijn::cli {

/// A file only its owner may read, written whole or not at all. The data goes to PATH.part,
/// made anew with mode 0600 (never through a symbolic link, whatever the umask), and replaces
/// PATH once it is complete and on disk. A register or a data subject's copy is personal data
/// that other users of a shared host must not read; a failed write leaves no partial file.
/// The process's own standard output (/dev/stdout), a terminal or device, and a pipe of this
/// user's are written as they are. A link this user (or root) made names the file to replace;
/// a link or a pipe another user made is refused (exit 2): it may lead the data to them.
class PrivateFile {
 public:
  /// `option` names the option the path came from, for errors: "--file: cannot write ...".
  /// Throws CliError (exit 2) when PATH.part cannot be made.
  PrivateFile(std::string path, std::string option);
  /// Removes PATH.part unless committed.
  ~PrivateFile();
  PrivateFile(const PrivateFile&) = delete;
  PrivateFile& operator=(const PrivateFile&) = delete;

  std::ostream& out() { return *out_; }
  /// Flushes, syncs and renames PATH.part to PATH. Throws CliError (exit 1) when that fails.
  void commit();

 private:
  std::string part() const { return path_ + ".part"; }
  std::string path_;
  std::string option_;
  std::unique_ptr<__gnu_cxx::stdio_filebuf<char>> buffer_;
  std::unique_ptr<std::ostream> out_;
  bool direct_ = false;  ///< PATH is standard output, a device or a pipe: written as it is
  bool committed_ = false;
};

/// Where a command's output goes: standard output, or FILE given with --file (a PrivateFile,
/// there once commit() is called, not at all if the command fails before).
class Output {
 public:
  explicit Output(const std::string& path) {
    if (!path.empty()) file_ = std::make_unique<PrivateFile>(path, "--file");
  }
  std::ostream& out() { return file_ ? file_->out() : std::cout; }
  void commit() {
    out().flush();
    if (file_) file_->commit();
  }

 private:
  std::unique_ptr<PrivateFile> file_;
};

}  // namespace termijn::cli
