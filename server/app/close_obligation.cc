#include "server/app/close_obligation.h"

#include "server/app/audit.h"
#include "server/app/audit_details.h"
#include "server/app/limits.h"
#include "server/domain/rules.h"

namespace termijn::app {

absl::StatusOr<domain::Obligation> CloseObligation::fulfil(const Actor& actor, int64_t id,
                                                           const std::string& evidence) {
  if (auto s = check_text("evidence", evidence, kMaxText, true); !s.ok()) return s;
  return close(actor, id, true, evidence, "");
}

absl::StatusOr<domain::Obligation> CloseObligation::waive(const Actor& actor, int64_t id,
                                                          const std::string& reason,
                                                          const std::string& ground) {
  if (auto s = check_text("reason", reason, kMaxText, true); !s.ok()) return s;
  if (auto s = check_line("ground", ground, kMaxShort, false); !s.ok()) return s;
  return close(actor, id, false, reason, ground);
}

namespace {

// The text a waiver records: the ground the rule requires, if any, then the reason.
absl::StatusOr<std::string> waiver_text(const domain::Obligation& o, const std::string& reason,
                                        const std::string& ground) {
  const domain::Rule* rule = domain::find_rule(o.rule);
  if (rule == nullptr || rule->waiver_grounds.empty()) {
    if (ground.empty()) return reason;
    return absl::InvalidArgumentError("ground: " + o.rule + " is waived without a ground");
  }
  if (const domain::WaiverGround* g = domain::find_waiver_ground(*rule, ground)) {
    return std::string(g->text) + ". " + reason;
  }
  return not_one_of_the_grounds(ground, o.rule, "waived", rule->waiver_grounds);
}

}  // namespace

absl::StatusOr<domain::Obligation> CloseObligation::close(const Actor& actor, int64_t id,
                                                          bool fulfilled, const std::string& text,
                                                          const std::string& ground) {
  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  auto obligation = (*tx)->lock_obligation(id);
  if (!obligation.ok()) return obligation.status();
  if (obligation->state != domain::ObligationState::kOpen) {
    return absl::FailedPreconditionError("obligations/" + std::to_string(id) + " is already " +
                                         std::string(domain::name_of(obligation->state)) +
                                         "; only open obligations can be fulfilled or waived");
  }
  const auto recorded =
      fulfilled ? absl::StatusOr<std::string>(text) : waiver_text(*obligation, text, ground);
  if (!recorded.ok()) return recorded.status();
  if (auto s = close_open_obligation(**tx, *obligation, actor, clock_.now(), fulfilled, *recorded);
      !s.ok()) {
    return s;
  }
  if (auto s = (*tx)->commit(); !s.ok()) return s;
  return obligation;
}

}  // namespace termijn::app
