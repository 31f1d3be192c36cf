#include "server/domain/rules.h"

namespace termijn::domain {

const std::vector<Rule>& rules() {
  static const std::vector<Rule> kRules{
      {.id = rule_id::kBreachNotice,
       .name_en = "Breach notice to the other parties",
       .name_nl = "Melding van de inbreuk aan de andere partijen",
       .legal_basis = "Protocol art. 13",
       .legal_basis_nl = "art. 13 protocol",
       .trigger = Trigger::kIncident,
       .period = Period::hours(36),
       .recipient = RecipientKind::kPartyDpo,
       .event_noun = {"awareness", "kennisname"},
       .duty_en = "notify the other parties' data protection officers of the breach",
       .duty_nl = "de functionarissen voor gegevensbescherming van de andere partijen inlichten "
                  "over de inbreuk"},
      {.id = rule_id::kAuthorityNotice,
       .name_en = "Breach notification to the supervisory authority",
       .name_nl = "Melding van de inbreuk aan de toezichthoudende autoriteit",
       .legal_basis = "GDPR art. 33(1)",
       .legal_basis_nl = "art. 33, lid 1 AVG",
       .trigger = Trigger::kIncident,
       .period = Period::hours(72),
       .recipient = RecipientKind::kAuthority,
       .event_noun = {"awareness", "kennisname"},
       .duty_en = "notify the supervisory authority of the breach, or document why it is "
                  "unlikely to result in a risk",
       .duty_nl = "de inbreuk melden aan de toezichthoudende autoriteit, of documenteren waarom "
                  "ze waarschijnlijk geen risico inhoudt"},
      {.id = rule_id::kRequestNotice,
       .name_en = "Notice of the request to the other parties",
       .name_nl = "Kennisgeving van het verzoek aan de andere partijen",
       .legal_basis = "Protocol art. 14",
       .legal_basis_nl = "art. 14 protocol",
       .trigger = Trigger::kRequest,
       .period = Period::hours(48),
       .recipient = RecipientKind::kPartyDpo,
       .event_noun = {"receipt", "ontvangst"},
       .duty_en = "inform the other parties of the request or message, with a copy",
       .duty_nl = "de andere partijen inlichten over het verzoek of bericht, met een kopie"},
      {.id = rule_id::kAnswer,
       .name_en = "Answer to the data subject",
       .name_nl = "Antwoord aan de betrokkene",
       .legal_basis = "GDPR art. 12(3)",
       .legal_basis_nl = "art. 12, lid 3 AVG",
       .trigger = Trigger::kRequest,
       .period = Period::months(1),
       .recipient = RecipientKind::kDataSubject,
       .event_noun = {"receipt", "ontvangst"},
       .data_subject_requests_only = true,
       .duty_en = "answer the data subject",
       .duty_nl = "de betrokkene antwoorden",
       .refusal_grounds =
           {{"unfounded", "GDPR art. 12(5)(b): the request is manifestly unfounded"},
            {"excessive",
             "GDPR art. 12(5)(b): the request is manifestly excessive, in particular because of "
             "its repetitive character"},
            {"unidentified",
             "GDPR art. 11(2) and 12(2): the controller demonstrates that it is not in a position "
             "to identify the data subject"}}},
      // "Without undue delay": the 72 h are the parties' policy, counted from the assessment.
      {.id = rule_id::kSubjectsNotice,
       .name_en = "Communication of the breach to the data subjects",
       .name_nl = "Mededeling van de inbreuk aan de betrokkenen",
       .legal_basis = "GDPR art. 34(1)",
       .legal_basis_nl = "art. 34, lid 1 AVG",
       .trigger = Trigger::kHighRisk,
       .period = Period::hours(72),
       .recipient = RecipientKind::kDataSubject,
       .event_noun = {"the assessment of a high risk", "de inschatting van een hoog risico"},
       .policy_target = true,
       .time_in_text = "sets no fixed limit: without undue delay",
       .time_in_text_nl = "legt geen vaste termijn op: onverwijld",
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
      // Art. 12(3): the extension and its reasons are told within one month of receipt, also
      // when the answer runs from the identification (art. 12(6)).
      {.id = rule_id::kExtensionNotice,
       .name_en = "Notice of the extension to the data subject",
       .name_nl = "Kennisgeving van de verlenging aan de betrokkene",
       .legal_basis = "GDPR art. 12(3)",
       .legal_basis_nl = "art. 12, lid 3 AVG",
       .trigger = Trigger::kExtension,
       .period = Period::months(1),
       .recipient = RecipientKind::kDataSubject,
       .event_noun = {"receipt", "ontvangst"},
       .data_subject_requests_only = true,
       .duty_en = "inform the data subject of the extension and the reasons for it",
       .duty_nl = "de betrokkene inlichten over de verlenging en de redenen ervan"},
      // Protocol art. 13, second paragraph: "onmiddellijk gezamenlijk overleggen". Both parties
      // are bound; one obligation per pair, met by recording the consultation they held.
      {.id = rule_id::kBreachConsultation,
       .name_en = "Joint consultation on the breach",
       .name_nl = "Gezamenlijk overleg over de inbreuk",
       .legal_basis = "Protocol art. 13, second paragraph",
       .legal_basis_nl = "art. 13, tweede lid, protocol",
       .trigger = Trigger::kIncident,
       .period = Period::hours(24),
       .recipient = RecipientKind::kPartyDpo,
       .event_noun = {"awareness", "kennisname"},
       .policy_target = true,
       .time_in_text = "sets no fixed limit: immediately (\"onmiddellijk\")",
       .time_in_text_nl = "legt geen vaste termijn op: onmiddellijk",
       .duty_en = "consult the other party jointly, at once, on the measures that limit and "
                  "repair the consequences of the breach",
       .duty_nl = "onmiddellijk gezamenlijk overleggen met de andere partij over gepaste "
                  "maatregelen om de gevolgen van de inbreuk te beperken en te herstellen",
       .notice_mail = false},
      // GDPR art. 12(4): a controller that does not act on a request tells the subject why, and
      // that it may complain to the supervisory authority and seek a judicial remedy, within one
      // month of receipt of the request, whatever an extension did to the answer.
      {.id = rule_id::kRefusalNotice,
       .name_en = "Notice of the refusal to the data subject",
       .name_nl = "Kennisgeving van de weigering aan de betrokkene",
       .legal_basis = "GDPR art. 12(4)",
       .legal_basis_nl = "art. 12, lid 4 AVG",
       .trigger = Trigger::kRefusal,
       .period = Period::months(1),
       .recipient = RecipientKind::kDataSubject,
       .event_noun = {"receipt", "ontvangst"},
       .data_subject_requests_only = true,
       .duty_en = "tell the data subject why the request is refused, and of the right to lodge a "
                  "complaint with the supervisory authority and to seek a judicial remedy",
       .duty_nl = "de betrokkene meedelen waarom het verzoek geweigerd wordt, en dat hij klacht "
                  "kan indienen bij de toezichthoudende autoriteit en beroep kan instellen bij de "
                  "rechter"},
      // Protocol art. 12, first paragraph: a party that finds wrong, inaccurate, incomplete,
      // missing, outdated or superfluous shared data reports it to the other parties at once.
      {.id = "protocol.quality_notice",
       .name_en = "Report of the data-quality finding",
       .name_nl = "Melding van de vaststelling over de gegevenskwaliteit",
       .legal_basis = "Protocol art. 12, first paragraph",
       .legal_basis_nl = "art. 12, eerste lid, protocol",
       .trigger = Trigger::kDataQuality,
       .period = Period::hours(24),
       .recipient = RecipientKind::kPartyDpo,
       .event_noun = {"the finding", "de vaststelling"},
       .policy_target = true,
       .time_in_text = "sets no fixed limit: immediately (\"onmiddellijk\")",
       .time_in_text_nl = "legt geen vaste termijn op: onmiddellijk",
       .duty_en = "report the finding about the quality of the shared data to the other party "
                  "at once",
       .duty_nl = "de vaststelling over de kwaliteit van de meegedeelde gegevens onmiddellijk "
                  "melden aan de andere partij"},
      // Art. 12, second paragraph: appropriate measures without undue delay, and the parties
      // inform each other of them.
      {.id = "protocol.quality_measures",
       .name_en = "Measures for the data quality",
       .name_nl = "Maatregelen voor de gegevenskwaliteit",
       .legal_basis = "Protocol art. 12, second paragraph",
       .legal_basis_nl = "art. 12, tweede lid, protocol",
       .trigger = Trigger::kDataQuality,
       .period = Period::hours(14 * 24),
       .recipient = RecipientKind::kPartyDpo,
       .event_noun = {"the finding", "de vaststelling"},
       .policy_target = true,
       .time_in_text = "sets no fixed limit: without undue delay "
                       "(\"zonder onredelijke vertraging\")",
       .time_in_text_nl = "legt geen vaste termijn op: zonder onredelijke vertraging",
       .duty_en = "take the appropriate measures without undue delay and inform the other party "
                  "of them",
       .duty_nl = "zonder onredelijke vertraging de gepaste maatregelen treffen en de andere "
                  "partij inlichten over de genomen maatregelen",
       .notice_mail = false},
      // Protocol art. 15: the parties inform each other at once of changes in law with an
      // impact on the protocol and of changes concerning the processors.
      {.id = "protocol.law_change_notice",
       .name_en = "Notice of the change in law",
       .name_nl = "Kennisgeving van de wijziging van wetgeving",
       .legal_basis = "Protocol art. 15",
       .legal_basis_nl = "art. 15 protocol",
       .trigger = Trigger::kLawChange,
       .period = Period::hours(24),
       .recipient = RecipientKind::kPartyDpo,
       .event_noun = {"the change in law", "de wijziging van wetgeving"},
       .policy_target = true,
       .time_in_text = "sets no fixed limit: immediately (\"onmiddellijk\")",
       .time_in_text_nl = "legt geen vaste termijn op: onmiddellijk",
       .duty_en = "inform the other party at once of the change in law with an impact on the "
                  "protocol",
       .duty_nl = "de andere partij onmiddellijk op de hoogte brengen van de wijziging van "
                  "wetgeving met impact op het protocol"},
      {.id = "protocol.law_change_measures",
       .name_en = "Measures for the change in law",
       .name_nl = "Maatregelen voor de wijziging van wetgeving",
       .legal_basis = "Protocol art. 15",
       .legal_basis_nl = "art. 15 protocol",
       .trigger = Trigger::kLawChange,
       .period = Period::hours(14 * 24),
       .recipient = RecipientKind::kPartyDpo,
       .event_noun = {"the change in law", "de wijziging van wetgeving"},
       .policy_target = true,
       .time_in_text = "sets no time limit for the measures",
       .time_in_text_nl = "legt geen termijn op voor de maatregelen",
       .duty_en = "take the measures the change in law requires and inform the other party of "
                  "them",
       .duty_nl = "de maatregelen treffen die de wijziging van wetgeving vraagt en de andere "
                  "partij erover inlichten",
       .notice_mail = false},
      {.id = "protocol.processor_change_notice",
       .name_en = "Notice of the change of processors",
       .name_nl = "Kennisgeving van de wijziging omtrent de verwerkers",
       .legal_basis = "Protocol art. 15",
       .legal_basis_nl = "art. 15 protocol",
       .trigger = Trigger::kProcessorChange,
       .period = Period::hours(24),
       .recipient = RecipientKind::kPartyDpo,
       .event_noun = {"the change of processors", "de wijziging omtrent de verwerkers"},
       .policy_target = true,
       .time_in_text = "sets no fixed limit: immediately (\"onmiddellijk\")",
       .time_in_text_nl = "legt geen vaste termijn op: onmiddellijk",
       .duty_en = "inform the other party at once of the change concerning the processors",
       .duty_nl = "de andere partij onmiddellijk op de hoogte brengen van de wijziging omtrent "
                  "de verwerkers"},
      {.id = "protocol.processor_change_measures",
       .name_en = "Measures for the change of processors",
       .name_nl = "Maatregelen voor de wijziging omtrent de verwerkers",
       .legal_basis = "Protocol art. 15",
       .legal_basis_nl = "art. 15 protocol",
       .trigger = Trigger::kProcessorChange,
       .period = Period::hours(14 * 24),
       .recipient = RecipientKind::kPartyDpo,
       .event_noun = {"the change of processors", "de wijziging omtrent de verwerkers"},
       .policy_target = true,
       .time_in_text = "sets no time limit for the measures",
       .time_in_text_nl = "legt geen termijn op voor de maatregelen",
       .duty_en = "take the measures the change of processors requires and inform the other "
                  "party of them",
       .duty_nl = "de maatregelen treffen die de wijziging omtrent de verwerkers vraagt en de "
                  "andere partij erover inlichten",
       .notice_mail = false},
      // Protocol art. 9: the shared data is processed only while the staff member is employed.
      // Every party erases what it holds on the member who left.
      {.id = "protocol.departure_erasure",
       .name_en = "Erasure after a staff member's departure",
       .name_nl = "Wissing na het vertrek van een personeelslid",
       .legal_basis = "Protocol art. 9",
       .legal_basis_nl = "art. 9 protocol",
       .trigger = Trigger::kStaffDeparture,
       .period = Period::hours(30 * 24),
       .recipient = RecipientKind::kPartyDpo,
       .event_noun = {"the departure", "het vertrek"},
       .policy_target = true,
       .time_in_text = "sets no fixed limit: the data is processed only while the "
                       "staff member is employed",
       .time_in_text_nl = "legt geen vaste termijn op: de gegevens worden enkel verwerkt zolang "
                          "het personeelslid in dienst is",
       .duty_en = "erase the shared data on the staff member who left, unless a law requires "
                  "keeping it longer",
       .duty_nl = "de meegedeelde gegevens over het vertrokken personeelslid wissen, "
                  "onverminderd afwijkende wettelijke bewaartermijnen",
       .notice_mail = false,
       .every_party = true},
      // Protocol art. 10 and 18: on the day the termination takes effect every party stops the
      // exchange; the reminders fall before it.
      {.id = "protocol.termination_art10",
       .name_en = "End of the exchange on termination for non-compliance",
       .name_nl = "Stopzetting van de mededeling bij beëindiging wegens niet-naleving",
       .legal_basis = "Protocol art. 10",
       .legal_basis_nl = "art. 10 protocol",
       .trigger = Trigger::kTerminationBreach,
       .period = Period::months(1),
       .recipient = RecipientKind::kPartyDpo,
       .event_noun = {"the notice of termination", "de opzegging"},
       .duty_en = "stop the exchange of data under the protocol when the termination takes "
                  "effect",
       .duty_nl = "de mededeling van gegevens onder het protocol stopzetten wanneer de "
                  "beëindiging uitwerking heeft",
       .notice_mail = false,
       .every_party = true,
       .takes_effect = TerminationKind::kBreach},
      {.id = "protocol.termination_art18",
       .name_en = "End of the exchange at the end of the notice period",
       .name_nl = "Stopzetting van de mededeling na de opzegtermijn",
       .legal_basis = "Protocol art. 18",
       .legal_basis_nl = "art. 18 protocol",
       .trigger = Trigger::kTerminationNotice,
       .period = Period::months(3),
       .recipient = RecipientKind::kPartyDpo,
       .event_noun = {"the notice of termination", "de opzegging"},
       .duty_en = "stop the exchange of data under the protocol when the notice period expires",
       .duty_nl = "de mededeling van gegevens onder het protocol stopzetten wanneer de "
                  "opzegtermijn verstrijkt",
       .notice_mail = false,
       .every_party = true,
       .takes_effect = TerminationKind::kNotice},
  };
  return kRules;
}

Trigger trigger_of(MatterKind kind) {
  switch (kind) {
    case MatterKind::kDataQuality:
      return Trigger::kDataQuality;
    case MatterKind::kLawChange:
      return Trigger::kLawChange;
    case MatterKind::kProcessorChange:
      return Trigger::kProcessorChange;
    case MatterKind::kStaffDeparture:
      return Trigger::kStaffDeparture;
    case MatterKind::kTerminationArt10:
      return Trigger::kTerminationBreach;
    case MatterKind::kTerminationArt18:
      return Trigger::kTerminationNotice;
  }
  return Trigger::kDataQuality;
}

const Rule* find_rule(std::string_view id) {
  for (const Rule& rule : rules()) {
    if (rule.id == id) return &rule;
  }
  return nullptr;
}

bool sets_no_limit(std::string_view id) {
  const Rule* rule = find_rule(id);
  return rule != nullptr && rule->policy_target;
}

std::string rule_name(std::string_view rule_id, bool dutch) {
  const Rule* rule = find_rule(rule_id);
  if (rule == nullptr) return std::string(rule_id);
  return std::string(dutch ? rule->name_nl : rule->name_en);
}

std::string legal_basis_in(std::string_view rule_id, const std::string& stored, bool dutch) {
  const Rule* rule = dutch ? find_rule(rule_id) : nullptr;
  return rule != nullptr ? std::string(rule->legal_basis_nl) : stored;
}

namespace {

const WaiverGround* find_ground(const std::vector<WaiverGround>& grounds, std::string_view code) {
  for (const WaiverGround& ground : grounds) {
    if (ground.code == code) return &ground;
  }
  return nullptr;
}

}  // namespace

const WaiverGround* find_waiver_ground(const Rule& rule, std::string_view code) {
  return find_ground(rule.waiver_grounds, code);
}

const WaiverGround* find_refusal_ground(const Rule& rule, std::string_view code) {
  return find_ground(rule.refusal_grounds, code);
}

}  // namespace termijn::domain
