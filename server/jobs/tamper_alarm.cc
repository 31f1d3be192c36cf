#include "server/jobs/tamper_alarm.h"

#include <spdlog/spdlog.h>

namespace termijn::jobs {

int TamperAlarm::raise(const std::string& reason) {
  std::lock_guard lock(mutex_);
  int told = 0;
  for (const domain::Party& party : directory_.parties()) {
    if (const auto it = told_.find(party.id); it != told_.end() && it->second == reason) continue;
    const auto mail = composer_.compose_tamper_alert(party, reason);
    if (!mail.ok()) {
      spdlog::error("audit alert to the DPO of {} not composed: {}", party.id,
                    mail.status().ToString());
      continue;
    }
    const notify::SendResult sent = mailer_.send(*mail);
    if (sent.outcome == notify::SendResult::Outcome::kStopped) return told;
    if (!sent.accepted()) {
      spdlog::error("audit alert to the DPO of {} ({}) not sent, tried again at the next check: {}",
                    party.id, party.dpo.email, sent.server_reply);
      continue;
    }
    spdlog::warn("audit alert sent to the DPO of {} ({})", party.id, party.dpo.email);
    told_[party.id] = reason;
    ++told;
  }
  return told;
}

}  // namespace termijn::jobs
