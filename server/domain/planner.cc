#include "server/domain/planner.h"

namespace termijn::domain {

namespace {

Obligation make_obligation(const Rule& rule, const Event& event, const Party& owner) {
  Deadline deadline =
      compute_deadline(event.time, rule.period, *owner.zone, owner.calendar, rule.event_noun);
  if (rule.policy_target) {
    // The law sets no limit ("without undue delay"): the target is the only deadline.
    deadline.legal_due_time = deadline.due_time;
    deadline.explanation =
        "Policy target: " + describe(rule.period) + " after " + std::string(rule.event_noun) +
        " at " + format_local(event.time, *owner.zone) + ": due " +
        format_local(deadline.due_time, *owner.zone) + ". " + std::string(rule.legal_basis) +
        " sets no fixed limit: without undue delay.";
  }
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

Obligation extend_answer(Obligation answer, Instant receipt, int months, const Party& owner) {
  const Rule& rule = *find_rule("gdpr.art12_response");
  const Period extended = Period::months(rule.period.count + months);
  const Deadline d =
      compute_deadline(receipt, extended, *owner.zone, owner.calendar, rule.event_noun);
  answer.due_time = d.due_time;
  answer.legal_due_time = d.legal_due_time;
  answer.explanation = "Extended by " + describe(Period::months(months)) + " (" +
                       std::string(rule.legal_basis) + "): " + d.explanation;
  return answer;
}

}  // namespace termijn::domain
