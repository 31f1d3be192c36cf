#include "server/jobs/health_probe.h"

#include <spdlog/spdlog.h>

namespace termijn::jobs {

bool HealthProbe::check_once() {
  const absl::Status answer = ping_();
  const bool serving = answer.ok();
  if (last_ != serving) {
    if (serving) {
      spdlog::info("health: the database answers; SERVING");
    } else {
      spdlog::error("health: {}; NOT_SERVING", answer.ToString());
    }
    report_(serving);
    last_ = serving;
  }
  return serving;
}

void HealthProbe::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    check_once();
    wait_(kInterval, stop);
  }
}

}  // namespace termijn::jobs
