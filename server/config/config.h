#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "server/domain/escalation.h"
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
  std::string email;               ///< optional: where reminders to a reporter go
};

struct Tls {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

/// Signed checkpoints of the audit trail.
struct Audit {
  std::string signing_key_file;  ///< Ed25519 private key, PEM, mode 0600
  int checkpoint_interval_hours = 24;
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

/// Mail delivery. Without an SMTP URL, mail is written as .eml files into eml_dir.
struct Mail {
  std::string from = "termijn@localhost";
  std::string eml_dir;
  std::string smtp_url;  ///< smtp://host:587 (STARTTLS) or smtps://host:465; TERMIJN_SMTP_URL
  std::string smtp_user;      ///< TERMIJN_SMTP_USER
  std::string smtp_password;  ///< TERMIJN_SMTP_PASSWORD
  bool require_starttls = true;
  std::string ca_file;
  std::string helo_domain;
  int max_attempts = 8;
  int retry_initial_seconds = 30;
  int retry_max_seconds = 1800;
  std::string templates_dir;  ///< empty: the templates shipped with Termijn
};

/// The whole configuration, checked at start.
struct Config {
  std::vector<domain::Party> parties;
  std::vector<Principal> principals;
  Tls tls;
  Audit audit;
  Database database;
  int64_t max_copy_bytes = 10 * 1024 * 1024;
  Mail mail;
  /// Rules whose notices wait for a DPO's review ([rules."<id>"] auto_send = false).
  std::set<std::string> reviewed_rules;
  /// Configured reminder steps per rule ([[rules."<id>".reminders]]); others use the default.
  std::map<std::string, domain::EscalationPolicy> escalation;
};

/// Reads and checks a TOML file. Throws std::runtime_error with "FILE: what is wrong" when the
/// file cannot be read or is not a valid configuration.
Config load_config(const std::string& path);

/// Same, from TOML text; `origin` names it in errors.
Config parse_config(const std::string& text, const std::string& origin);

}  // namespace termijn::config
