#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/test_database.h"

#include <memory>

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

/// Development certificates made once per test binary with scripts/dev-certs: the demo
/// principals, plus "stranger" (right CA, unknown subject) and "expired-dpo" (right CA, CN
/// herent-dpo, expired); `other_ca_dir` holds a second CA with its own herent-dpo.
struct Certificates {
  std::string dir;
  std::string other_ca_dir;
  static const Certificates& get();
  ~Certificates();
};

/// A real termijnd on 127.0.0.1 port 0 with mutual TLS, a fresh database and the demo
/// configuration (plus `extra_config` TOML appended). Stopped with SIGTERM on destruction.
class Termijnd {
 public:
  explicit Termijnd(const std::string& extra_config = "");
  /// A second process on the database of `other`.
  static std::unique_ptr<Termijnd> sharing_database_of(const Termijnd& other);
  ~Termijnd();

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const TestDatabase& database() const { return *db_; }

  /// Runs the real CLI as `principal` (a certificate name in Certificates::dir).
  Outcome cli(const std::string& principal, const std::vector<std::string>& args) const;

  /// Sends SIGTERM and waits; returns the exit status.
  int stop();

  /// The server's log so far.
  std::string log() const;

 private:
  Termijnd(std::shared_ptr<TestDatabase> db, const std::string& extra_config);
  std::shared_ptr<TestDatabase> db_;
  std::string work_dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

std::string binary(const std::string& name);

}  // namespace termijn::testing
