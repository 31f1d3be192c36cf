#include "server/app/close_record.h"

#include "server/app/audit.h"
#include "server/app/json.h"
#include "server/app/limits.h"

namespace termijn::app {

namespace {

// Closes `record` (an incident or a request, locked by the caller) in `tx`: refuses while an
// obligation is open, sets the closing fields and audits "<noun>.closed".
template <typename Subject>
absl::Status close_subject(StoreTransaction& tx, const Actor& actor, domain::Instant now,
                           const std::string& noun, int64_t id, const std::string& summary,
                           const std::vector<domain::Obligation>& obligations, Subject& subject) {
  const std::string name = noun + "s/" + std::to_string(id);
  if (subject.close_time) {
    return absl::FailedPreconditionError(name + " was closed already at " +
                                         domain::format_utc(*subject.close_time) + " by " +
                                         subject.closed_by);
  }
  std::string open;
  for (const domain::Obligation& o : obligations) {
    if (o.state != domain::ObligationState::kOpen) continue;
    open += (open.empty() ? "" : ", ") + ("obligations/" + std::to_string(o.id)) + " (" + o.rule +
            (o.recipient_party.empty() ? "" : " to " + o.recipient_party) + ")";
  }
  if (!open.empty()) {
    return absl::FailedPreconditionError(name + " has open obligations: " + open +
                                         "; fulfil or waive them first");
  }
  subject.close_time = now;
  subject.closing_summary = summary;
  subject.closed_by = actor.principal;
  return tx.append_audit(audit_record(actor, now, noun + ".closed", name, "",
                                      JsonObject()
                                          .add("close_time", domain::format_utc(now))
                                          .add("closing_summary", summary)
                                          .str()));
}

}  // namespace

absl::StatusOr<IncidentRecord> CloseIncident::run(const Actor& actor, int64_t id,
                                                  const std::string& summary) {
  if (auto s = check_text("summary", summary, kMaxText, true); !s.ok()) return s;
  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  auto incident = (*tx)->lock_incident(id);
  if (!incident.ok()) return incident.status();
  auto obligations = (*tx)->obligations_of(id, 0);
  if (!obligations.ok()) return obligations.status();
  if (auto s = close_subject(**tx, actor, clock_.now(), "incident", id, summary, *obligations,
                             *incident);
      !s.ok()) {
    return s;
  }
  if (auto s = (*tx)->update_incident(*incident); !s.ok()) return s;
  if (auto s = (*tx)->commit(); !s.ok()) return s;
  return IncidentRecord{std::move(*incident), std::move(*obligations)};
}

absl::StatusOr<RequestRecord> CloseRequest::run(const Actor& actor, int64_t id,
                                                const std::string& summary) {
  if (auto s = check_text("summary", summary, kMaxText, true); !s.ok()) return s;
  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  auto request = (*tx)->lock_request(id);
  if (!request.ok()) return request.status();
  auto obligations = (*tx)->obligations_of(0, id);
  if (!obligations.ok()) return obligations.status();
  if (auto s =
          close_subject(**tx, actor, clock_.now(), "request", id, summary, *obligations, *request);
      !s.ok()) {
    return s;
  }
  if (auto s = (*tx)->update_request(*request); !s.ok()) return s;
  if (auto s = (*tx)->commit(); !s.ok()) return s;
  return RequestRecord{std::move(*request), std::move(*obligations)};
}

}  // namespace termijn::app
