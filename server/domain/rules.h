#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/domain/model.h"
#include "server/domain/periods.h"
#include "server/domain/termination.h"

namespace termijn::domain {

/// The ids of the rules the code itself names (the table in rules.cc holds every rule).
namespace rule_id {
inline constexpr char kBreachNotice[] = "protocol.breach_notice";              ///< protocol art. 13
inline constexpr char kBreachConsultation[] = "protocol.breach_consultation";  ///< art. 13
inline constexpr char kRequestNotice[] = "protocol.request_notice";            ///< protocol art. 14
inline constexpr char kAuthorityNotice[] = "gdpr.art33_authority";             ///< GDPR art. 33
inline constexpr char kSubjectsNotice[] = "gdpr.art34_subjects";               ///< GDPR art. 34
inline constexpr char kAnswer[] = "gdpr.art12_response";                       ///< GDPR art. 12(3)
inline constexpr char kExtensionNotice[] = "gdpr.art12_extension_notice";      ///< art. 12(3)
inline constexpr char kRefusalNotice[] = "gdpr.art12_refusal_notice";          ///< art. 12(4)
}  // namespace rule_id

/// What starts a rule's clock.
enum class Trigger {
  kIncident,   ///< awareness of a breach
  kRequest,    ///< receipt of a request or message
  kHighRisk,   ///< the assessment that a breach is likely to result in a high risk
  kExtension,  ///< the extension of a request's answer period (its clock runs from the receipt)
  kRefusal,    ///< the refusal to act on a request (its clock runs from the receipt)
  // Protocol matters: what a party records that concerns the other parties.
  kDataQuality,        ///< protocol art. 12: a party finds wrong, missing or outdated shared data
  kLawChange,          ///< protocol art. 15: a change in law with an impact on the protocol
  kProcessorChange,    ///< protocol art. 15: a change concerning the processors
  kStaffDeparture,     ///< protocol art. 9: a staff member the data is shared for leaves
  kTerminationBreach,  ///< protocol art. 10: termination for processing in breach
  kTerminationNotice,  ///< protocol art. 18: ordinary notice of three months
};

/// One ground on which a rule's obligation may be waived, e.g. GDPR art. 34(3)(a).
struct WaiverGround {
  std::string_view code;  ///< "a"
  std::string_view text;  ///< what the ground is, in English, as the law says it
};

/// One duty from the protocol or the GDPR. The table in rules.cc is the single source of truth.
struct Rule {
  std::string_view id;              ///< stable: API, CLI, configuration
  std::string_view name_en;         ///< what a person calls the duty: "Breach notice to ..."
  std::string_view name_nl;         ///< the same in Dutch
  std::string_view legal_basis;     ///< "Protocol art. 13"
  std::string_view legal_basis_nl;  ///< the same in Dutch: "art. 13 protocol"
  Trigger trigger;
  Period period;
  RecipientKind recipient;                  ///< kPartyDpo: one obligation towards each other party
  EventNoun event_noun;                     ///< what the period counts from, in English and Dutch
  bool data_subject_requests_only = false;  ///< not for supervisory-authority messages
  /// The text sets no limit ("without undue delay", "onmiddellijk"): the period is the parties'
  /// policy.
  bool policy_target = false;
  /// For a policy target: what its legal basis says of the time, as the explanation quotes it
  /// after the basis's name ("sets no fixed limit: without undue delay").
  std::string_view time_in_text;
  std::string_view time_in_text_nl;  ///< the same in Dutch: "legt geen vaste termijn op: ..."
  std::string_view duty_en;          ///< what the owner must do, in English
  std::string_view duty_nl;          ///< the same in Dutch
  /// When not empty, a waiver must name one of these grounds.
  std::vector<WaiverGround> waiver_grounds = {};
  /// The grounds on which the owner may refuse to act (GDPR art. 12(5)); empty: no refusal.
  std::vector<WaiverGround> refusal_grounds = {};
  /// For kPartyDpo: a notice mail to the other party's DPO is queued with the obligation and
  /// fulfils it. Without it, the obligation is fulfilled by recording what was done.
  bool notice_mail = true;
  /// Every party owes it, the one the event happened to included: one obligation owned by each
  /// party, recorded towards that party's own DPO (recipient_party = owner_party).
  bool every_party = false;
  /// The duty falls on the day a termination takes effect (domain/termination), not after
  /// `period`; `period` then only chooses the default reminders (months: 14, 7, 2 days before).
  std::optional<TerminationKind> takes_effect = std::nullopt;
};

/// The configured target of a policy-target rule ([rules."<id>"] target_hours), by rule id;
/// a rule not named keeps the period of the table.
using PolicyTargets = std::map<std::string, Period, std::less<>>;

/// What recording a protocol matter of `kind` starts.
Trigger trigger_of(MatterKind kind);

/// All rules, in a stable order.
const std::vector<Rule>& rules();

/// The rule with `id`, or nullptr.
const Rule* find_rule(std::string_view id);

/// Whether the duty of rule `id` has no legal limit: the law or the protocol sets none ("without
/// undue delay", "at once"), so its due time is the parties' policy target (Rule::policy_target).
bool sets_no_limit(std::string_view id);

/// What a person calls the duty of rule `rule_id`, in Dutch or English; the id itself for a rule
/// this version does not know.
std::string rule_name(std::string_view rule_id, bool dutch);

/// The legal basis of an obligation of rule `rule_id` as a text in Dutch or English says it:
/// `stored` (the basis the obligation was created with, in English) unless Dutch is asked for
/// and the rule is known.
std::string legal_basis_in(std::string_view rule_id, const std::string& stored, bool dutch);

/// The ground `code` of `rule`, or nullptr when the rule has no such ground.
const WaiverGround* find_waiver_ground(const Rule& rule, std::string_view code);

/// The refusal ground `code` of `rule`, or nullptr when the rule has no such ground.
const WaiverGround* find_refusal_ground(const Rule& rule, std::string_view code);

}  // namespace termijn::domain
