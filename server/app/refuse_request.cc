#include "server/app/refuse_request.h"

#include "server/app/audit.h"
#include "server/app/audit_details.h"
#include "server/app/json.h"
#include "server/app/limits.h"
#include "server/app/request_answer.h"
#include "server/domain/planner.h"
#include "server/domain/rules.h"

namespace termijn::app {

absl::StatusOr<RequestRecord> RefuseRequest::run(const Actor& actor, int64_t id,
                                                 const std::string& ground,
                                                 const std::string& reason) {
  const domain::Rule& answer_rule = *domain::find_rule(domain::rule_id::kAnswer);
  const domain::WaiverGround* refusal = domain::find_refusal_ground(answer_rule, ground);
  if (refusal == nullptr) {
    return not_one_of_the_grounds(ground, "a request", "refused", answer_rule.refusal_grounds);
  }
  if (auto s = check_text("reason", reason, kMaxText, true); !s.ok()) return s;
  const domain::Instant now = clock_.now();
  const std::string name = "requests/" + std::to_string(id);
  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  auto request = lock_open_request(**tx, id);
  if (!request.ok()) return request.status();
  auto obligations = (*tx)->obligations_of(0, id);
  if (!obligations.ok()) return obligations.status();
  const auto found = lock_answer(**tx, *request, *obligations, "to refuse");
  if (!found.ok()) return found.status();
  domain::Obligation& answer = **found;
  if (answer.state != domain::ObligationState::kOpen) {
    return absl::FailedPreconditionError(
        "obligations/" + std::to_string(answer.id) + " (the answer) is " +
        std::string(domain::name_of(answer.state)) + "; only an open answer can be refused");
  }
  const auto party = directory_.find(request->party, "party");
  if (!party.ok()) return party.status();

  if (auto s = close_open_obligation(**tx, answer, actor, now, /*fulfilled=*/false,
                                     "Refused. " + std::string(refusal->text) + ". " + reason);
      !s.ok()) {
    return s;
  }
  if (auto s = (*tx)->append_audit(
          audit_record(actor, now, "request.refused", name, "",
                       JsonObject().add("ground", ground).add("reason", reason).str()));
      !s.ok()) {
    return s;
  }
  std::vector<domain::Obligation> planned{domain::plan_refusal_notice(*request, **party)};
  if (auto s = insert_obligations(**tx, planned, actor, now, policy_, **party); !s.ok()) return s;
  obligations->insert(obligations->end(), planned.begin(), planned.end());
  if (auto s = (*tx)->commit(); !s.ok()) return s;
  return RequestRecord{std::move(*request), std::move(*obligations)};
}

}  // namespace termijn::app
