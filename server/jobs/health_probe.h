#pragma once

#include <absl/status/status.h>

#include <chrono>
#include <functional>
#include <optional>
#include <stop_token>

namespace termijn::jobs {

/// Tells the health service whether this process can do its work: SERVING while the database
/// answers, NOT_SERVING while it does not, so that a load balancer sends calls elsewhere.
class HealthProbe {
 public:
  /// Asks the database once; OK when it answered. Returns within a bound of its own
  /// (store::PgProbe's), also when the database hangs.
  using Ping = std::function<absl::Status()>;
  /// Receives every change of state, and the first one.
  using Report = std::function<void(bool serving)>;
  /// Blocks for the given time or until stopped.
  using Wait = std::function<void(std::chrono::milliseconds, std::stop_token)>;

  static constexpr std::chrono::milliseconds kInterval{1000};

  HealthProbe(Ping ping, Report report, Wait wait)
      : ping_(std::move(ping)), report_(std::move(report)), wait_(std::move(wait)) {}

  /// Asks the database once; reports when the answer differs from the last one.
  bool check_once();

  /// Checks every kInterval until `stop`.
  void run(std::stop_token stop);

 private:
  Ping ping_;
  Report report_;
  Wait wait_;
  std::optional<bool> last_;
};

}  // namespace termijn::jobs
