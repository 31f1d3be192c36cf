#include "server/app/extend_request.h"

#include <algorithm>

#include "server/app/audit.h"
#include "server/app/audit_details.h"
#include "server/app/json.h"
#include "server/app/limits.h"
#include "server/app/request_answer.h"
#include "server/domain/planner.h"

namespace termijn::app {

absl::StatusOr<RequestRecord> ExtendRequest::run(const Actor& actor, int64_t id, int months,
                                                 const std::string& reason) {
  if (months != 1 && months != 2) {
    return absl::InvalidArgumentError(
        "months: must be 1 or 2 (GDPR art. 12(3): by two further months at most)");
  }
  if (auto s = check_text("reason", reason, kMaxText, true); !s.ok()) return s;
  const domain::Instant now = clock_.now();
  const std::string name = "requests/" + std::to_string(id);
  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  auto request = lock_open_request(**tx, id);
  if (!request.ok()) return request.status();
  if (request->extend_time) {
    return absl::FailedPreconditionError(
        name + " was extended already, by " + std::to_string(request->extension_months) +
        " month(s) at " + domain::format_utc(*request->extend_time) +
        "; GDPR art. 12(3) allows one extension");
  }
  auto obligations = (*tx)->obligations_of(0, id);
  if (!obligations.ok()) return obligations.status();
  const auto found = lock_answer(**tx, *request, *obligations, "to extend");
  if (!found.ok()) return found.status();
  domain::Obligation& answer = **found;
  const std::string answer_name = "obligations/" + std::to_string(answer.id);
  if (answer.state != domain::ObligationState::kOpen) {
    return absl::FailedPreconditionError(answer_name + " (the answer) is " +
                                         std::string(domain::name_of(answer.state)) +
                                         "; only an open answer period can be extended");
  }
  const auto party = directory_.find(request->party, "party");
  if (!party.ok()) return party.status();
  // GDPR art. 12(3): the extension is decided, and told to the subject, within one month of the
  // receipt, also when the answer runs from the identification (art. 12(6)). The duty to tell is
  // planned first, and its limit is the one the decision must keep.
  auto planned =
      domain::plan_obligations({domain::Trigger::kExtension, request->receive_time, request->kind},
                               **party, directory_.parties(), policy_.targets);
  for (const domain::Obligation& tell : planned) {
    if (now >= tell.legal_due_time) {
      return absl::FailedPreconditionError(
          "the month from the receipt of " + name + " ended at " +
          domain::format_local(tell.legal_due_time, *(*party)->zone) +
          "; GDPR art. 12(3): an extension must be decided and told to the subject within it");
    }
  }

  const domain::Obligation original = answer;
  domain::Request extended = *request;
  extended.extension_months = months;
  answer = domain::plan_answer(answer, extended, **party);
  if (auto s = (*tx)->move_obligation(answer); !s.ok()) return s;
  if (auto s = replan_steps(**tx, answer, policy_, **party, now); !s.ok()) return s;
  if (auto s = (*tx)->append_audit(audit_record(actor, now, "obligation.moved", answer_name,
                                                answer.subject(), obligation_details(answer)));
      !s.ok()) {
    return s;
  }

  request->extension_months = months;
  request->extension_reason = reason;
  request->extend_time = now;
  if (auto s = (*tx)->update_request(*request); !s.ok()) return s;
  if (auto s = (*tx)->append_audit(audit_record(
          actor, now, "request.extended", name, "",
          JsonObject()
              .add("months", int64_t{months})
              .add("reason", reason)
              .add("due_time_before", domain::format_utc(original.due_time))
              .add("due_time_after", domain::format_utc(answer.due_time))
              .add("legal_due_time_before", domain::format_utc(original.legal_due_time))
              .add("legal_due_time_after", domain::format_utc(answer.legal_due_time))
              .str()));
      !s.ok()) {
    return s;
  }

  for (domain::Obligation& o : planned) o.request_id = id;
  if (auto s = insert_obligations(**tx, planned, actor, now, policy_, **party); !s.ok()) return s;
  // As stored: the answer's reminders were planned anew.
  auto changed = (*tx)->obligations_of(0, id);
  if (!changed.ok()) return changed.status();
  if (auto s = (*tx)->commit(); !s.ok()) return s;
  return RequestRecord{std::move(*request), std::move(*changed)};
}

}  // namespace termijn::app
