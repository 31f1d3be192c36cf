#include "server/app/record_consultation.h"

#include "server/app/audit.h"
#include "server/app/audit_details.h"
#include "server/app/event_time.h"
#include "server/app/json.h"
#include "server/app/limits.h"
#include "server/domain/rules.h"

namespace termijn::app {

namespace {

constexpr std::string_view kConsultationRule = domain::rule_id::kBreachConsultation;

// Whether `o` is the consultation between `party` and `counterpart` (any other party if empty).
bool between(const domain::Obligation& o, const std::string& party,
             const std::string& counterpart) {
  if (o.rule != kConsultationRule || o.state != domain::ObligationState::kOpen) return false;
  if (o.owner_party == party) return counterpart.empty() || o.recipient_party == counterpart;
  if (o.recipient_party == party) return counterpart.empty() || o.owner_party == counterpart;
  return false;
}

}  // namespace

absl::StatusOr<IncidentRecord> RecordConsultation::run(const Actor& actor, int64_t incident_id,
                                                       const ConsultationInput& input) {
  if (auto s = check_text("participants", input.participants, kMaxText, true); !s.ok()) return s;
  if (auto s = check_text("agreed", input.agreed, kMaxText, true); !s.ok()) return s;
  if (auto s = check_line("party", input.party, kMaxShort, false); !s.ok()) return s;
  if (!input.party.empty()) {
    if (auto other = directory_.find(input.party, "party"); !other.ok()) return other.status();
  }
  const auto own = directory_.find(actor.party, "party");
  if (!own.ok()) return own.status();
  const domain::Instant now = clock_.now();
  const auto held = read_event_time(input.consult_time, "consult_time", **own, now, false);
  if (!held.ok()) return held.status();
  const std::string name = "incidents/" + std::to_string(incident_id);

  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  auto incident = (*tx)->lock_incident(incident_id);
  if (!incident.ok()) return incident.status();
  if (incident->close_time) {
    return absl::FailedPreconditionError(name + " is closed; a closed incident does not change");
  }
  if (*held < incident->aware_time) {
    return absl::InvalidArgumentError("consult_time: before the awareness of the breach at " +
                                      domain::format_local(incident->aware_time, *(*own)->zone));
  }
  auto obligations = (*tx)->obligations_of(incident_id, 0);
  if (!obligations.ok()) return obligations.status();

  const std::string evidence =
      "Consulted at " + domain::format_local(*held, *(*own)->zone) +
      " (protocol art. 13, second paragraph). Participants: " + input.participants +
      ". Agreed: " + input.agreed;
  std::vector<int64_t> shared;
  for (const domain::Obligation& o : *obligations) {
    if (between(o, actor.party, input.party)) shared.push_back(o.id);
  }
  // In the order every transaction that locks several obligations keeps.
  if (auto s = (*tx)->lock_in_id_order({}, shared); !s.ok()) return s;
  std::vector<std::string> consulted;
  for (domain::Obligation& o : *obligations) {
    if (!between(o, actor.party, input.party)) continue;
    // Held against a fulfilment or waiver in another transaction.
    auto locked = (*tx)->lock_obligation(o.id);
    if (!locked.ok()) return locked.status();
    if (locked->state != domain::ObligationState::kOpen) continue;
    o = std::move(*locked);
    if (auto s = close_open_obligation(**tx, o, actor, now, true, evidence, *held); !s.ok()) {
      return s;
    }
    consulted.push_back(o.owner_party == actor.party ? o.recipient_party : o.owner_party);
  }
  if (consulted.empty()) {
    return absl::FailedPreconditionError(
        name + " has no open consultation (" + std::string(kConsultationRule) + ") between " +
        actor.party + (input.party.empty() ? " and another party" : " and " + input.party));
  }
  if (auto s = (*tx)->append_audit(audit_record(actor, now, "incident.consulted", name, "",
                                                JsonObject()
                                                    .add("consult_time", domain::format_utc(*held))
                                                    .add("parties", consulted)
                                                    .add("participants", input.participants)
                                                    .add("agreed", input.agreed)
                                                    .str()));
      !s.ok()) {
    return s;
  }
  if (auto s = (*tx)->commit(); !s.ok()) return s;
  return IncidentRecord{std::move(*incident), std::move(*obligations)};
}

}  // namespace termijn::app
