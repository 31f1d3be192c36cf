#include "server/connectors/rt/state_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace termijn::rt {
namespace {

// Version 2 has "creating" lines; a file without them is written as version 1, which a
// termijn-rt from before them reads too.
constexpr char kHeader[] = "termijn-rt state 1";
constexpr char kHeaderWithCreates[] = "termijn-rt state 2";

absl::Status errno_status(const std::string& what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

absl::Status fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) return errno_status("cannot open", path);
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? absl::OkStatus() : errno_status("cannot fsync", path);
}

}  // namespace

absl::StatusOr<ConnectorState> StateFile::load() const {
  ConnectorState state;
  std::ifstream in(path_);
  if (!in) {
    if (errno == ENOENT) return state;
    return errno_status("cannot read the state file", path_);
  }
  std::string line;
  if (!std::getline(in, line) || (line != kHeader && line != kHeaderWithCreates)) {
    return absl::FailedPreconditionError(path_ + " is not a termijn-rt state file");
  }
  for (int number = 2; std::getline(in, line); ++number) {
    std::istringstream fields(line);
    std::string key, record;
    int64_t value = 0;
    fields >> key;
    bool ok;
    if (key == "position") {
      ok = static_cast<bool>(fields >> state.position);
    } else if (key == "pending") {
      ok = static_cast<bool>(fields >> state.pending);
    } else if (key == "ticket") {
      ok = static_cast<bool>(fields >> record >> value);
      state.tickets[record] = value;
    } else if (key == "creating") {
      ok = static_cast<bool>(fields >> record >> value);
      state.creating[record] = absl::FromUnixSeconds(value);
    } else {
      ok = key.empty();
    }
    if (!ok) return absl::FailedPreconditionError(absl::StrCat(path_, ":", number, ": bad line"));
  }
  return state;
}

absl::Status StateFile::save(const ConnectorState& state) const {
  std::string text = absl::StrCat(state.creating.empty() ? kHeader : kHeaderWithCreates,
                                  "\nposition ", state.position, "\npending ", state.pending, "\n");
  for (const auto& [record, ticket] : state.tickets) {
    absl::StrAppend(&text, "ticket ", record, " ", ticket, "\n");
  }
  for (const auto& [record, until] : state.creating) {
    absl::StrAppend(&text, "creating ", record, " ", absl::ToUnixSeconds(until), "\n");
  }
  const std::string temporary = path_ + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return errno_status("cannot write", temporary);
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return errno_status("cannot write", temporary);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return errno_status("cannot fsync", temporary);
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path_.c_str()) != 0) return errno_status("cannot replace", path_);
  const auto slash = path_.rfind('/');
  const std::string folder = slash == std::string::npos ? "." : path_.substr(0, slash);
  return fsync_path(folder.empty() ? "/" : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

}  // namespace termijn::rt
