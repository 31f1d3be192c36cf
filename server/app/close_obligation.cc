#include "server/app/close_obligation.h"

#include "server/app/audit.h"
#include "server/app/audit_details.h"
#include "server/app/limits.h"

namespace termijn::app {

absl::StatusOr<domain::Obligation> CloseObligation::fulfil(const Actor& actor, int64_t id,
                                                           const std::string& evidence) {
  if (auto s = check_text("evidence", evidence, kMaxText, true); !s.ok()) return s;
  return close(actor, id, true, evidence);
}

absl::StatusOr<domain::Obligation> CloseObligation::waive(const Actor& actor, int64_t id,
                                                          const std::string& reason) {
  if (auto s = check_text("reason", reason, kMaxText, true); !s.ok()) return s;
  return close(actor, id, false, reason);
}

absl::StatusOr<domain::Obligation> CloseObligation::close(const Actor& actor, int64_t id,
                                                          bool fulfilled, const std::string& text) {
  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  auto obligation = (*tx)->lock_obligation(id);
  if (!obligation.ok()) return obligation.status();
  if (obligation->state != domain::ObligationState::kOpen) {
    return absl::FailedPreconditionError("obligations/" + std::to_string(id) + " is already " +
                                         std::string(domain::name_of(obligation->state)) +
                                         "; only open obligations can be fulfilled or waived");
  }
  if (auto s = close_open_obligation(**tx, *obligation, actor, clock_.now(), fulfilled, text);
      !s.ok()) {
    return s;
  }
  if (auto s = (*tx)->commit(); !s.ok()) return s;
  return obligation;
}

}  // namespace termijn::app
