#include "server/domain/rules.h"

namespace termijn::domain {

const std::vector<Rule>& rules() {
  static const std::vector<Rule> kRules{
      {.id = "protocol.breach_notice",
       .legal_basis = "Protocol art. 13",
       .trigger = Trigger::kIncident,
       .period = Period::hours(36),
       .recipient = RecipientKind::kPartyDpo,
       .event_noun = "awareness",
       .duty_en = "notify the other parties' data protection officers of the breach",
       .duty_nl = "de functionarissen voor gegevensbescherming van de andere partijen inlichten "
                  "over de inbreuk"},
      {.id = "gdpr.art33_authority",
       .legal_basis = "GDPR art. 33(1)",
       .trigger = Trigger::kIncident,
       .period = Period::hours(72),
       .recipient = RecipientKind::kAuthority,
       .event_noun = "awareness",
       .duty_en = "notify the supervisory authority of the breach, or document why it is "
                  "unlikely to result in a risk",
       .duty_nl = "de inbreuk melden aan de toezichthoudende autoriteit, of documenteren waarom "
                  "ze waarschijnlijk geen risico inhoudt"},
      {.id = "protocol.request_notice",
       .legal_basis = "Protocol art. 14",
       .trigger = Trigger::kRequest,
       .period = Period::hours(48),
       .recipient = RecipientKind::kPartyDpo,
       .event_noun = "receipt",
       .duty_en = "inform the other parties of the request or message, with a copy",
       .duty_nl = "de andere partijen inlichten over het verzoek of bericht, met een kopie"},
      {.id = "gdpr.art12_response",
       .legal_basis = "GDPR art. 12(3)",
       .trigger = Trigger::kRequest,
       .period = Period::months(1),
       .recipient = RecipientKind::kDataSubject,
       .event_noun = "receipt",
       .data_subject_requests_only = true,
       .duty_en = "answer the data subject",
       .duty_nl = "de betrokkene antwoorden"},
      // "Without undue delay": the 72 h are the parties' policy, counted from the assessment.
      {.id = "gdpr.art34_subjects",
       .legal_basis = "GDPR art. 34(1)",
       .trigger = Trigger::kHighRisk,
       .period = Period::hours(72),
       .recipient = RecipientKind::kDataSubject,
       .event_noun = "the assessment of a high risk",
       .policy_target = true,
       .duty_en = "inform the data subjects of the breach without undue delay",
       .duty_nl = "de betrokkenen onverwijld inlichten over de inbreuk",
       .waiver_grounds =
           {{"a",
             "GDPR art. 34(3)(a): appropriate technical and organisational protection "
             "measures (such as encryption) were applied to the data affected"},
            {"b",
             "GDPR art. 34(3)(b): subsequent measures ensure that the high risk is no "
             "longer likely to materialise"},
            {"c",
             "GDPR art. 34(3)(c): it would involve disproportionate effort; a public "
             "communication informs the data subjects as effectively instead"}}},
      // Art. 12(3): the extension and its reasons are told within one month of receipt, i.e. by
      // the answer's original deadline.
      {.id = "gdpr.art12_extension_notice",
       .legal_basis = "GDPR art. 12(3)",
       .trigger = Trigger::kExtension,
       .period = Period::months(1),
       .recipient = RecipientKind::kDataSubject,
       .event_noun = "receipt",
       .data_subject_requests_only = true,
       .duty_en = "inform the data subject of the extension and the reasons for it",
       .duty_nl = "de betrokkene inlichten over de verlenging en de redenen ervan"},
  };
  return kRules;
}

const Rule* find_rule(std::string_view id) {
  for (const Rule& rule : rules()) {
    if (rule.id == id) return &rule;
  }
  return nullptr;
}

const WaiverGround* find_waiver_ground(const Rule& rule, std::string_view code) {
  for (const WaiverGround& ground : rule.waiver_grounds) {
    if (ground.code == code) return &ground;
  }
  return nullptr;
}

}  // namespace termijn::domain
