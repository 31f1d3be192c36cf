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
  std::string name;                ///< "herent-dpo"
  std::string party;               ///< empty for an auditor of every party
  std::vector<std::string> roles;  ///< "reporter", "dpo", "auditor"
  std::string certificate_cn;      ///< subject CN that identifies it
  std::string certificate_email;   ///< or an e-mail SAN
  /// Optional pin: SHA-256 fingerprint of the DER, normalised to 64 lower-case hex digits (the
  /// file may write it with or without colons, in any case).
  std::string certificate_sha256;
  std::string email;  ///< optional: where reminders to a reporter go
};

struct Tls {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string crl_file;  ///< PEM certificate revocation list(s) of the CA; re-read on SIGHUP
};

/// Signed checkpoints of the audit trail.
struct Audit {
  std::string signing_key_file;  ///< Ed25519 private key, PEM, mode 0600
  int checkpoint_interval_hours = 24;
  /// The public keys (hex) of earlier signing keys: their checkpoints still count after a key
  /// change (mailed, served, and the trail checked against them).
  std::vector<std::string> previous_public_keys;
};

struct Database {
  std::string url;  ///< libpq connection string or URI
  int pool_size = 8;
  /// How long a unit of work waits for a free connection before UNAVAILABLE.
  int acquire_timeout_ms = 5000;
  /// No statement runs longer; a call with a shorter deadline gets a shorter one.
  int statement_timeout_ms = 30000;
  /// No row lock is waited for longer (ABORTED: retry).
  int lock_timeout_ms = 10000;
  /// TLS to PostgreSQL (libpq's parameters); verify-full is recommended for remote databases.
  std::string sslmode;
  std::string sslrootcert;
  std::string sslcert;
  std::string sslkey;
};

/// `url` with the TLS settings of `db` added (as URI query parameters or conninfo keywords). A
/// database on another host gets sslmode=verify-full unless a mode is set in `db` or the URL.
std::string with_tls(const std::string& url, const Database& db);

/// `url` with client-side limits for a database host that stops answering (a frozen host, a
/// failover that sends no reset), unless the URL sets them: a connection attempt gives up after
/// 10 s (connect_timeout), and a connection whose host stopped acknowledging is dropped after
/// 30 s (tcp_user_timeout) or, when idle, a minute (TCP keepalives), instead of the kernel's
/// 15 minutes to 2 hours during which a worker would wait. The unix socket ignores them.
std::string with_client_timeouts(const std::string& url);

/// Mail delivery. Without an SMTP URL, mail is written as .eml files into eml_dir.
struct Mail {
  std::string from = "termijn@localhost";
  std::string eml_dir;
  std::string smtp_url;       ///< smtp://host:587 (STARTTLS) or smtps://host:465; TERMIJN_SMTP_URL
  std::string smtp_user;      ///< TERMIJN_SMTP_USER
  std::string smtp_password;  ///< TERMIJN_SMTP_PASSWORD
  bool require_starttls = true;
  std::string ca_file;
  std::string helo_domain;
  int max_attempts = 8;
  int retry_initial_seconds = 30;
  int retry_max_seconds = 1800;
  std::string templates_dir;  ///< empty: the templates shipped with Termijn
  /// Messages sent at once, each sender over its own SMTP connection kept open between messages.
  int connections = 4;
  int connect_timeout_seconds = 10;  ///< to open a connection
  int timeout_seconds = 60;          ///< one message, connect to final reply
};

/// An endpoint that receives the events of one party as signed HTTP POSTs ([[webhook]]).
struct Webhook {
  std::string name;    ///< stable id: part of every Termijn-Delivery id
  std::string url;     ///< https://...; http:// only to a loopback address (development)
  std::string party;   ///< whose events, as that party's DPO sees them; its DPO is told of failures
  std::string secret;  ///< from the environment variable secret_env or the 0600 file secret_file
  std::vector<std::string> types;  ///< event types or prefixes ending in "."; empty: all
  std::string subject;             ///< one record and what belongs to it; empty: all
  std::string ca_file;             ///< CA bundle to verify the endpoint with; empty: the system's
  int timeout_seconds = 10;
  int max_attempts = 8;
  int retry_initial_seconds = 30;
  int retry_max_seconds = 3600;
};

/// The largest limits.max_copy_bytes: a request with its copy must fit in one gRPC message.
inline constexpr int64_t kMaxCopyBytesLimit = int64_t{64} << 20;

/// The web console ([web]); off when `listen` is empty.
struct Web {
  std::string listen;  ///< "127.0.0.1:8443"; port 0: any free port
  /// Reverse proxies (IP addresses) whose `proxy_header` names the principal. Each must still
  /// present a client certificate the CA signed that identifies one of `proxy_principals` and
  /// is not revoked (its own). Empty: only client certificates log in.
  std::vector<std::string> trusted_proxies;
  /// The principals whose certificates the proxies present: only they may name another
  /// principal. Required with trusted_proxies.
  std::vector<std::string> proxy_principals;
  std::string proxy_header = "X-Termijn-Principal";
  /// The key of the console's form tokens, shared by the termijnd behind one balancer (mode
  /// 0600); empty: random per process.
  std::string form_key_file;
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
  std::vector<Webhook> webhooks;
  Web web;
  /// Configured targets of policy-target rules ([rules."<id>"] target_hours); others the table's.
  domain::PolicyTargets targets;
};

/// A SHA-256 fingerprint as 64 lower-case hex digits: colons dropped, letters lowered (as
/// `openssl x509 -fingerprint -sha256` prints it, or plain hex). Empty if `text` is not one.
std::string normalized_fingerprint(const std::string& text);

/// Reads and checks a TOML file. Throws std::runtime_error with "FILE: what is wrong" when the
/// file cannot be read or is not a valid configuration.
Config load_config(const std::string& path);

/// Same, from TOML text; `origin` names it in errors.
Config parse_config(const std::string& text, const std::string& origin);

/// Warnings for the log at start: `config_file` holds a password (mail.smtp_password, or one in
/// database.url) and other local users can read it; `database_url` (as with_tls() made it)
/// reaches another host with a TLS mode weaker than verify-full.
std::vector<std::string> security_warnings(const std::string& config_file, const Config& config,
                                           const std::string& database_url);

/// An error naming the option when a connection string among `args` (a command line) holds a
/// password: every local user can read command lines (ps, /proc/PID/cmdline). Empty if none.
std::string command_line_password(const std::vector<std::string>& args);

}  // namespace termijn::config
