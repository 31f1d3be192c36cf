#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "server/connectors/rt/connector.h"
#include "server/connectors/rt/rt_client.h"

namespace termijn::rt {

/// termijn-rt's configuration file (TOML); see the README, "Request Tracker".
struct ConnectorConfig {
  // [termijn]: the gRPC connection, with a client certificate like the CLI's.
  std::string server = "127.0.0.1:50051";
  std::string ca, cert, key;
  /// A quiet event stream is pinged after this long; a connection dropped without a word is
  /// noticed within it plus 20 s (see set_keepalive).
  int keepalive_seconds = 60;
  ConnectorOptions options;  // [termijn] party
  // [rt]
  RestRtSettings rt;  // url, queue, token (read from token_file, which must be 0600), ...
  // [connector]
  std::string state_file;
  int retry_initial_seconds = 1;
  int retry_max_seconds = 60;
};

/// Reads and checks the file; INVALID_ARGUMENT / FAILED_PRECONDITION naming the key and the
/// reason.
absl::StatusOr<ConnectorConfig> load_config(const std::string& path);

}  // namespace termijn::rt
