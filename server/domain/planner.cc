#include "server/domain/planner.h"

namespace termijn::domain {

namespace {

Obligation make_obligation(const Rule& rule, const Event& event, const Party& owner) {
  const Deadline deadline =
      compute_deadline(event.time, rule.period, *owner.zone, owner.calendar, rule.event_noun);
  Obligation o;
  o.rule = std::string(rule.id);
  o.legal_basis = std::string(rule.legal_basis);
  o.owner_party = owner.id;
  o.recipient_kind = rule.recipient;
  o.start_time = event.time;
  o.due_time = deadline.due_time;
  o.legal_due_time = deadline.legal_due_time;
  o.explanation = deadline.explanation;
  return o;
}

}  // namespace

std::vector<Obligation> plan_obligations(const Event& event, const Party& owner,
                                         const std::vector<Party>& parties) {
  std::vector<Obligation> planned;
  for (const Rule& rule : rules()) {
    if (rule.trigger != event.trigger) continue;
    if (rule.data_subject_requests_only &&
        event.request_kind == RequestKind::kAuthorityMessage) {
      continue;
    }
    if (rule.recipient != RecipientKind::kPartyDpo) {
      planned.push_back(make_obligation(rule, event, owner));
      continue;
    }
    for (const Party& other : parties) {
      if (other.id == owner.id) continue;
      Obligation o = make_obligation(rule, event, owner);
      o.recipient_party = other.id;
      planned.push_back(std::move(o));
    }
  }
  return planned;
}

}  // namespace termijn::domain
