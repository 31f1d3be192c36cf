#include "server/app/record_identification.h"

#include "server/app/audit.h"
#include "server/app/audit_details.h"
#include "server/app/event_time.h"
#include "server/app/json.h"
#include "server/app/request_answer.h"
#include "server/domain/planner.h"

namespace termijn::app {

absl::StatusOr<RequestRecord> RecordIdentification::run(const Actor& actor, int64_t id,
                                                        const std::string& asked_time,
                                                        const std::string& received_time) {
  if (asked_time.empty() == received_time.empty()) {
    return absl::InvalidArgumentError(
        "asked_time, received_time: give exactly one (when the information was asked, or when "
        "it came)");
  }
  const bool asked = !asked_time.empty();
  const std::string field = asked ? "asked_time" : "received_time";
  const domain::Instant now = clock_.now();
  const std::string name = "requests/" + std::to_string(id);
  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  auto request = lock_open_request(**tx, id);
  if (!request.ok()) return request.status();
  const auto party = directory_.find(request->party, "party");
  if (!party.ok()) return party.status();
  const auto at = read_event_time(asked ? asked_time : received_time, field, **party, now, false);
  if (!at.ok()) return at.status();
  if (*at < request->receive_time) {
    return absl::InvalidArgumentError(field + ": before the receipt of the request at " +
                                      domain::format_local(request->receive_time, *(*party)->zone));
  }
  if (asked && request->identification_asked_time) {
    return absl::FailedPreconditionError(
        name + ": more information was asked already, at " +
        domain::format_local(*request->identification_asked_time, *(*party)->zone));
  }
  if (!asked && !request->identification_asked_time) {
    // Said for every client (the CLI's --asked-at, the console's form), not in one's terms.
    return absl::FailedPreconditionError(
        name + ": no information was asked yet; record first when it was asked");
  }
  if (!asked && request->identification_time) {
    return absl::FailedPreconditionError(
        name + ": the information came already, at " +
        domain::format_local(*request->identification_time, *(*party)->zone));
  }
  if (!asked && *at < *request->identification_asked_time) {
    return absl::InvalidArgumentError(
        "received_time: before the information was asked, at " +
        domain::format_local(*request->identification_asked_time, *(*party)->zone));
  }
  auto obligations = (*tx)->obligations_of(0, id);
  if (!obligations.ok()) return obligations.status();
  const auto found = lock_answer(**tx, *request, *obligations, "");
  if (!found.ok()) return found.status();
  domain::Obligation& answer = **found;

  (asked ? request->identification_asked_time : request->identification_time) = *at;
  if (auto s = (*tx)->update_request(*request); !s.ok()) return s;
  if (auto s = (*tx)->append_audit(
          audit_record(actor, now, asked ? "request.identification_asked" : "request.identified",
                       name, "", JsonObject().add(field, domain::format_utc(*at)).str()));
      !s.ok()) {
    return s;
  }

  if (answer.state == domain::ObligationState::kOpen) {
    const domain::Obligation before = answer;
    answer = domain::plan_answer(answer, *request, **party);
    if (auto s = (*tx)->move_obligation(answer); !s.ok()) return s;
    if (answer.due_time != before.due_time) {
      if (auto s = replan_steps(**tx, answer, policy_, **party, now); !s.ok()) return s;
    }
    if (auto s = (*tx)->append_audit(audit_record(actor, now, "obligation.moved",
                                                  "obligations/" + std::to_string(answer.id),
                                                  answer.subject(), obligation_details(answer)));
        !s.ok()) {
      return s;
    }
  }
  // As stored: the answer's reminders may have been planned anew.
  auto changed = (*tx)->obligations_of(0, id);
  if (!changed.ok()) return changed.status();
  if (auto s = (*tx)->commit(); !s.ok()) return s;
  return RequestRecord{std::move(*request), std::move(*changed)};
}

}  // namespace termijn::app
