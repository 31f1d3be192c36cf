#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace termijn::config {

/// The whole content of the file at `path`, as bytes. Why it cannot be had is said in the
/// system's words, after the path: "cannot read /etc/termijn.toml: No such file or directory",
/// "...: Is a directory", "...: Permission denied" (InvalidArgument). Callers put the setting or
/// flag that named the file in front.
absl::StatusOr<std::string> read_file(const std::string& path);

/// As read_file, for a file that holds a secret (a key, a token): refused, unread, when its
/// group or others may read it ("PATH may be read by its group or others (mode 0644); chmod 600
/// it", FailedPrecondition). Checked on the file opened, not on its name, so that what is read is
/// what was checked.
absl::StatusOr<std::string> read_private_file(const std::string& path);

/// Puts `content` in the file at `path` whole or not at all: written to PATH.part, flushed, then
/// renamed over PATH, so that a reader sees the old file, no file, or all of the new one. Why it
/// cannot be done is said as by read_file ("cannot write PATH: No such file or directory").
absl::Status replace_file(const std::string& path, const std::string& content);

/// read_file for a program's start: throws std::runtime_error naming `what` (the setting or
/// flag that named the file) before the reason ("tls ca: cannot read /x: Is a directory").
std::string read_file_at_start(const std::string& path, const std::string& what);

}  // namespace termijn::config
