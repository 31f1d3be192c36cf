#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace termijn::rt {

/// What the connector must remember across a crash.
struct ConnectorState {
  int64_t position = 0;  ///< the seq of the last event fully applied to RT
  /// The seq of an event whose effects may be partly in RT (written before applying it; equal
  /// to position once applied). A replay of it checks RT before commenting again.
  int64_t pending = 0;
  std::map<std::string, int64_t> tickets;  ///< "incidents/4" -> RT ticket id
  /// Records whose ticket create was sent and got no answer (or is on the way), and until when
  /// RT may still make that ticket: until then the record's ticket is looked for, not created.
  std::map<std::string, absl::Time> creating;
};

/// The state as a small text file, replaced atomically (temporary file, fsync, rename, fsync of
/// the folder), so that a crash leaves either the old or the new state, never a mix.
class StateFile {
 public:
  explicit StateFile(std::string path) : path_(std::move(path)) {}
  /// The saved state; an empty one when the file does not exist yet.
  absl::StatusOr<ConnectorState> load() const;
  absl::Status save(const ConnectorState& state) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace termijn::rt
