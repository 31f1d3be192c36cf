#include "server/domain/planner.h"

namespace termijn::domain {

namespace {

Obligation make_obligation(const Rule& rule, const Event& event, const Party& owner,
                           const PolicyTargets& targets) {
  Period period = rule.period;
  if (const auto it = targets.find(rule.id); rule.policy_target && it != targets.end()) {
    period = it->second;
  }
  Deadline deadline;
  if (rule.takes_effect) {
    // Reg. 1182/71 art. 4: the day of taking effect is both the target and the limit.
    const TerminationEffect effect =
        termination_effect(*rule.takes_effect, event.time, *owner.zone, owner.calendar);
    deadline = {effect.effective_time, effect.effective_time, effect.explanation,
                effect.explanation_nl};
  } else {
    deadline = compute_deadline(event.time, period, *owner.zone, owner.calendar, rule.event_noun);
  }
  if (rule.policy_target) {
    // The text sets no limit ("without undue delay", "onmiddellijk"): the target is the only
    // deadline.
    deadline.legal_due_time = deadline.due_time;
    const std::string at = format_local(event.time, *owner.zone),
                      due = format_local(deadline.due_time, *owner.zone);
    deadline.explanation = "Policy target: " + describe(period) + " after " +
                           std::string(rule.event_noun.en) + " at " + at + ": due " + due + ". " +
                           std::string(rule.legal_basis) + " " + std::string(rule.time_in_text) +
                           ".";
    deadline.explanation_nl = "Beleidsdoel: " + describe(period, true) + " na " +
                              std::string(rule.event_noun.nl) + " op " + at + ": uiterlijk " + due +
                              ". " + std::string(rule.legal_basis_nl) + " " +
                              std::string(rule.time_in_text_nl) + ".";
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
  o.explanation_nl = deadline.explanation_nl;
  return o;
}

}  // namespace

std::vector<Obligation> plan_obligations(const Event& event, const Party& owner,
                                         const std::vector<Party>& parties,
                                         const PolicyTargets& targets) {
  std::vector<Obligation> planned;
  for (const Rule& rule : rules()) {
    if (rule.trigger != event.trigger) continue;
    if (rule.data_subject_requests_only && event.request_kind == RequestKind::kAuthorityMessage) {
      continue;
    }
    if (rule.every_party) {
      // Each party owes it in its own zone and calendar, from the same event.
      for (const Party& party : parties) {
        Obligation o = make_obligation(rule, event, party, targets);
        o.recipient_party = party.id;
        planned.push_back(std::move(o));
      }
      continue;
    }
    if (rule.recipient != RecipientKind::kPartyDpo) {
      planned.push_back(make_obligation(rule, event, owner, targets));
      continue;
    }
    for (const Party& other : parties) {
      if (other.id == owner.id) continue;
      Obligation o = make_obligation(rule, event, owner, targets);
      o.recipient_party = other.id;
      planned.push_back(std::move(o));
    }
  }
  return planned;
}

Obligation plan_answer(Obligation answer, const Request& request, const Party& owner) {
  const Rule& rule = *find_rule(rule_id::kAnswer);
  const bool from_identification =
      owner.answer_from_identification && request.identification_time.has_value();
  const Instant start = from_identification ? *request.identification_time : request.receive_time;
  const Period period = Period::months(rule.period.count + request.extension_months);
  const Deadline d = compute_deadline(
      start, period, *owner.zone, owner.calendar,
      from_identification ? EventNoun{"identification", "de identificatie"} : rule.event_noun);
  answer.due_time = d.due_time;
  answer.legal_due_time = d.legal_due_time;
  answer.explanation = d.explanation;
  answer.explanation_nl = d.explanation_nl;
  if (request.extension_months > 0) {
    const Period extension = Period::months(request.extension_months);
    answer.explanation = "Extended by " + describe(extension) + " (" +
                         std::string(rule.legal_basis) + "): " + answer.explanation;
    answer.explanation_nl = "Verlengd met " + describe(extension, true) + " (" +
                            std::string(rule.legal_basis_nl) + "): " + answer.explanation_nl;
  }
  if (request.identification_asked_time) {
    const std::string asked = format_local(*request.identification_asked_time, *owner.zone);
    const std::string received =
        request.identification_time ? format_local(*request.identification_time, *owner.zone) : "";
    answer.explanation =
        "Identification (GDPR art. 12(6)): more information asked at " + asked +
        (received.empty() ? std::string(", not yet received") : ", received at " + received) +
        "; the policy of " + owner.name + " counts the answer period from the " +
        (owner.answer_from_identification ? "identification" : "receipt of the request") + ". " +
        answer.explanation;
    answer.explanation_nl =
        "Identificatie (art. 12, lid 6 AVG): bijkomende informatie gevraagd op " + asked +
        (received.empty() ? std::string(", nog niet ontvangen") : ", ontvangen op " + received) +
        "; het beleid van " + owner.name + " laat de antwoordtermijn lopen vanaf " +
        (owner.answer_from_identification ? "de identificatie" : "de ontvangst van het verzoek") +
        ". " + answer.explanation_nl;
  }
  return answer;
}

Obligation plan_refusal_notice(const Request& request, const Party& owner) {
  const Rule& rule = *find_rule(rule_id::kRefusalNotice);
  // GDPR art. 12(4): "at the latest within one month of receipt of the request": neither an
  // extension nor a start at the identification moves it.
  Obligation o =
      make_obligation(rule, {rule.trigger, request.receive_time, request.kind}, owner, {});
  o.request_id = request.id;
  o.explanation = std::string(rule.legal_basis) +
                  ": within one month of the receipt, whatever moved the answer. " + o.explanation;
  o.explanation_nl = std::string(rule.legal_basis_nl) +
                     ": binnen een maand na de ontvangst, wat het antwoord ook verschoof. " +
                     o.explanation_nl;
  return o;
}

Obligation extend_answer(Obligation answer, Instant receipt, int months, const Party& owner) {
  Request request;
  request.receive_time = receipt;
  request.extension_months = months;
  return plan_answer(std::move(answer), request, owner);
}

}  // namespace termijn::domain
