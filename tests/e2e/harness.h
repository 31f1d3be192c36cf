#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/poll.h"
#include "tests/support/test_database.h"

namespace termijn::testing {

/// What a finished command printed and how it exited.
struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `argv` to completion with extra environment variables; captures stdout and stderr.
Outcome run_command(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env = {});

/// Starts `argv` in the background with extra environment variables, stdout and stderr to the
/// files given; returns its pid (the caller waits for it).
pid_t spawn_process(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env, const std::string& out_file,
                    const std::string& err_file);

/// A command left running (e.g. `termijn events watch`), its output read while it runs.
/// Stopped with SIGTERM on destruction.
class Background {
 public:
  Background(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env);
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  /// What it printed so far.
  std::string out() const;
  std::string err() const;
  /// Sends SIGTERM and waits; returns the exit status.
  int stop();
  /// Its exit status if it has exited, else -1.
  int exited();

 private:
  std::string dir_;
  pid_t pid_ = -1;
  int status_ = -1;
};

/// Development certificates made once per test process with scripts/dev-certs, or copied from
/// TERMIJN_TEST_CERTIFICATES (made once per test run by tests/scripts/test_certificates.sh): the
/// demo principals, plus "stranger" (right CA, unknown subject) and "expired-dpo" (right CA, CN
/// herent-dpo, expired); `other_ca_dir` holds a second CA with its own herent-dpo.
struct Certificates {
  std::string dir;
  std::string other_ca_dir;
  static const Certificates& get();
  ~Certificates();
};

/// How a test's termijnd differs from the demo.
struct TermijndOptions {
  /// Notices wait for review unless a test is about mail: the other tests stay independent of
  /// the asynchronous dispatcher.
  bool auto_send = false;
  /// Text replacements in config/demo.toml, in order.
  std::vector<std::pair<std::string, std::string>> edits;
  /// Extra environment for termijnd (e.g. TERMIJN_SMTP_URL).
  std::map<std::string, std::string> env;
  /// Passed as --tls-crl when not empty.
  std::string crl_file;
  /// Passed as --tls-ca; empty: the test CA's certificate (Certificates::dir + "/ca.crt").
  std::string ca_file;
  /// The database role termijnd runs as: the service role with migrations as the schema owner
  /// (as deployed), the schema owner migrating as itself, or the cluster's superuser.
  enum class Role { kService, kOwner, kSuperuser };
  Role role = Role::kService;
  /// The audit signing key; empty: the development one made with the certificates.
  std::string audit_signing_key;
  /// More arguments, after the harness's own.
  std::vector<std::string> args;
};

/// A real termijnd on 127.0.0.1 port 0 with mutual TLS, a fresh database and the demo
/// configuration; mail goes to .eml files in mail_dir() unless env says otherwise. Stopped with
/// SIGTERM on destruction.
class Termijnd {
 public:
  explicit Termijnd(TermijndOptions options = {});
  /// A second process on the database of `other`, with the same options.
  static std::unique_ptr<Termijnd> sharing_database_of(const Termijnd& other);
  /// A second process on the database of `other` with its own options (e.g. another party).
  static std::unique_ptr<Termijnd> sharing_database_of(const Termijnd& other,
                                                       TermijndOptions options);
  ~Termijnd();

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const TestDatabase& database() const { return *db_; }

  /// Runs the real CLI as `principal` (a certificate name in Certificates::dir).
  Outcome cli(const std::string& principal, const std::vector<std::string>& args) const;
  /// The environment the CLI runs in as `principal` (server, CA, certificate and key).
  std::map<std::string, std::string> cli_environment(const std::string& principal) const;
  /// The real CLI as `principal`, left running.
  std::unique_ptr<Background> cli_background(const std::string& principal,
                                             const std::vector<std::string>& args) const;

  /// Sends SIGHUP and waits until termijnd has logged the outcome of the reload.
  void reload();

  /// Sends SIGTERM and waits; returns the exit status.
  int stop();
  /// Sends SIGTERM and waits at most `limit`; returns the exit status, or -1 when it had not
  /// exited by then (it is then killed).
  int stop_within(std::chrono::seconds limit);

  /// Where mail goes as .eml files when no SMTP server is configured.
  std::string mail_dir() const { return work_dir_ + "/mail"; }

  /// This server's own folder, removed with it: a test's files (letters to attach, files the
  /// CLI saves) go here, so that parallel tests do not share names and nothing is left behind.
  const std::string& work_dir() const { return work_dir_; }

  /// The configuration file it runs with (config/demo.toml plus the test's edits).
  std::string config_file() const { return work_dir_ + "/termijn.toml"; }

  /// The server's log so far.
  std::string log() const;

 private:
  Termijnd(std::shared_ptr<TestDatabase> db, TermijndOptions options);
  /// The port termijnd writes to `port_file` once it listens; throws with its log when it exits
  /// or has not written it within 30 s.
  int wait_for_port(const std::string& port_file);
  std::shared_ptr<TestDatabase> db_;
  TermijndOptions options_;
  std::string work_dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

std::string binary(const std::string& name);

/// The whole content of the file at `path` ("" when it cannot be read).
std::string read_file(const std::string& path);

/// A path named `name` in a folder of this test process's own, removed when the process exits:
/// for the files a test hands to the CLI or a script.
std::string scratch_path(const std::string& name);

/// The instant `ago` before now, in RFC 3339 UTC ("2026-11-27T13:20:00Z"): events are back-dated
/// instead of waiting for deadlines.
std::string utc_ago(std::chrono::seconds ago);

/// Issues a certificate for `names` from the test CA (scripts/dev-certs DIR NAME...), or with
/// `revoke`, revokes them and rewrites the CA's CRL (Certificates::dir + "/ca.crl").
void dev_certs(const std::vector<std::string>& names, bool revoke = false);

/// TERMIJN_TEST_SUPERUSER_URL on the database `name`; throws when the variable is not set.
std::string superuser_url(const std::string& name);

}  // namespace termijn::testing
