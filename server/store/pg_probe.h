#pragma once

#include <absl/status/status.h>

#include <chrono>
#include <string>

struct pg_conn;

namespace termijn::store {

/// Asks PostgreSQL whether it answers, on a connection of its own, and never waits longer than
/// `within` for the answer. A database that is down refuses the connection; one that hangs (its
/// processes stopped, its storage frozen) keeps the connection open and answers nothing, which
/// neither the kernel nor TCP's timeouts report: a statement on a pooled connection would wait
/// for it for ever. The pool is not asked either, so that a busy pool is not taken for a
/// database that does not answer.
class PgProbe {
 public:
  static constexpr std::chrono::milliseconds kWithin{5000};

  explicit PgProbe(std::string url, std::chrono::milliseconds within = kWithin);
  ~PgProbe();
  PgProbe(const PgProbe&) = delete;
  PgProbe& operator=(const PgProbe&) = delete;

  /// OK when the database answered a trivial statement within `within`, connecting first if
  /// need be; UNAVAILABLE (naming what failed) otherwise. After a failure the connection is
  /// dropped and the next ping opens a new one.
  absl::Status ping();

 private:
  using Deadline = std::chrono::steady_clock::time_point;

  absl::Status connect(Deadline deadline);
  absl::Status ask(Deadline deadline);
  /// Waits until the connection's socket can be read (or written) or `deadline` passes.
  absl::Status wait(bool for_reading, Deadline deadline, const char* what);
  absl::Status fail(const std::string& what);

  const std::string url_;
  const std::chrono::milliseconds within_;
  pg_conn* conn_ = nullptr;
};

}  // namespace termijn::store
