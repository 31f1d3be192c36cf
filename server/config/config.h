#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/domain/model.h"

namespace termijn::config {

/// How a client certificate maps to a principal (protocol art. 7.1.B, 7.A).
struct Principal {
  std::string name;   ///< "herent-dpo"
  std::string party;  ///< empty for an auditor of every party
  std::vector<std::string> roles;  ///< "reporter", "dpo", "auditor"
  std::string certificate_cn;      ///< subject CN that identifies it
  std::string certificate_email;   ///< or an e-mail SAN
  std::string certificate_sha256;  ///< optional pin: lower-case hex fingerprint of the DER
};

struct Tls {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

struct Database {
  std::string url;  ///< libpq connection string or URI
  int pool_size = 8;
  /// TLS to PostgreSQL (libpq's parameters); verify-full is recommended for remote databases.
  std::string sslmode;
  std::string sslrootcert;
  std::string sslcert;
  std::string sslkey;
};

/// `url` with the TLS settings of `db` added (as URI query parameters or conninfo keywords).
std::string with_tls(const std::string& url, const Database& db);

/// The whole configuration, checked at start.
struct Config {
  std::vector<domain::Party> parties;
  std::vector<Principal> principals;
  Tls tls;
  Database database;
  int64_t max_copy_bytes = 10 * 1024 * 1024;
};

/// Reads and checks a TOML file. Throws std::runtime_error with "FILE: what is wrong" when the
/// file cannot be read or is not a valid configuration.
Config load_config(const std::string& path);

/// Same, from TOML text; `origin` names it in errors.
Config parse_config(const std::string& text, const std::string& origin);

}  // namespace termijn::config
