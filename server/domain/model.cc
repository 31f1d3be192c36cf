#include "server/domain/model.h"

#include <array>
#include <cctype>
#include <utility>

namespace termijn::domain {

namespace {

template <typename Enum, size_t N>
using Names = std::array<std::pair<Enum, std::string_view>, N>;

constexpr Names<RequestKind, 8> kRequestKinds{{
    {RequestKind::kAccess, "access"},
    {RequestKind::kRectification, "rectification"},
    {RequestKind::kErasure, "erasure"},
    {RequestKind::kRestriction, "restriction"},
    {RequestKind::kPortability, "portability"},
    {RequestKind::kObjection, "objection"},
    {RequestKind::kAutomatedDecision, "automated-decision"},
    {RequestKind::kAuthorityMessage, "authority-message"},
}};
constexpr Names<MatterKind, 6> kMatterKinds{{
    {MatterKind::kDataQuality, "data-quality"},
    {MatterKind::kLawChange, "law-change"},
    {MatterKind::kProcessorChange, "processor-change"},
    {MatterKind::kStaffDeparture, "staff-departure"},
    {MatterKind::kTerminationArt10, "termination-art10"},
    {MatterKind::kTerminationArt18, "termination-art18"},
}};
constexpr Names<DataCategory, 6> kDataCategories{{
    {DataCategory::kIdentification, "identification"},
    {DataCategory::kContact, "contact"},
    {DataCategory::kFinancial, "financial"},
    {DataCategory::kPlanning, "planning"},
    {DataCategory::kMedical, "medical"},
    {DataCategory::kCriminal, "criminal"},
}};
constexpr Names<SubjectGroup, 3> kSubjectGroups{{
    {SubjectGroup::kStaff, "staff"},
    {SubjectGroup::kClients, "clients"},
    {SubjectGroup::kRepresentatives, "representatives"},
}};
constexpr Names<Risk, 4> kRisks{{
    {Risk::kUnknown, "unknown"},
    {Risk::kNone, "none"},
    {Risk::kRisk, "risk"},
    {Risk::kHigh, "high"},
}};
constexpr Names<RecipientKind, 3> kRecipientKinds{{
    {RecipientKind::kPartyDpo, "party-dpo"},
    {RecipientKind::kAuthority, "authority"},
    {RecipientKind::kDataSubject, "data-subject"},
}};
constexpr Names<ObligationState, 4> kObligationStates{{
    {ObligationState::kOpen, "open"},
    {ObligationState::kMet, "met"},
    {ObligationState::kMetLate, "met-late"},
    {ObligationState::kWaived, "waived"},
}};

constexpr Names<NotificationKind, 5> kNotificationKinds{{
    {NotificationKind::kNotice, "notice"},
    {NotificationKind::kFailureAlert, "failure-alert"},
    {NotificationKind::kReminder, "reminder"},
    {NotificationKind::kCheckpoint, "checkpoint"},
    {NotificationKind::kWebhookAlert, "webhook-alert"},
}};
constexpr Names<NotificationState, 5> kNotificationStates{{
    {NotificationState::kHeld, "held"},
    {NotificationState::kPending, "pending"},
    {NotificationState::kSent, "sent"},
    {NotificationState::kFailed, "failed"},
    {NotificationState::kCancelled, "cancelled"},
}};

template <typename Enum, size_t N>
std::string_view lookup(const Names<Enum, N>& names, Enum v) {
  for (const auto& [value, name] : names) {
    if (value == v) return name;
  }
  return "?";
}

template <typename Enum, size_t N>
std::optional<Enum> reverse(const Names<Enum, N>& names, std::string_view name) {
  for (const auto& [value, n] : names) {
    if (n == name) return value;
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
std::string joined(const Names<Enum, N>& names) {
  std::string out;
  for (const auto& [value, name] : names) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

}  // namespace

std::string_view name_of(RequestKind v) { return lookup(kRequestKinds, v); }
std::string_view name_of(DataCategory v) { return lookup(kDataCategories, v); }
std::string_view name_of(SubjectGroup v) { return lookup(kSubjectGroups, v); }
std::string_view name_of(Risk v) { return lookup(kRisks, v); }
std::string_view name_of(RecipientKind v) { return lookup(kRecipientKinds, v); }
std::string_view name_of(ObligationState v) { return lookup(kObligationStates, v); }
std::string_view name_of(NotificationKind v) { return lookup(kNotificationKinds, v); }
std::string_view name_of(NotificationState v) { return lookup(kNotificationStates, v); }
std::string_view name_of(MatterKind v) { return lookup(kMatterKinds, v); }

template <>
std::optional<RequestKind> parse_name(std::string_view n) { return reverse(kRequestKinds, n); }
template <>
std::optional<MatterKind> parse_name(std::string_view n) { return reverse(kMatterKinds, n); }
template <>
std::optional<DataCategory> parse_name(std::string_view n) { return reverse(kDataCategories, n); }
template <>
std::optional<SubjectGroup> parse_name(std::string_view n) { return reverse(kSubjectGroups, n); }
template <>
std::optional<Risk> parse_name(std::string_view n) { return reverse(kRisks, n); }
template <>
std::optional<RecipientKind> parse_name(std::string_view n) { return reverse(kRecipientKinds, n); }
template <>
std::optional<ObligationState> parse_name(std::string_view n) {
  return reverse(kObligationStates, n);
}

template <>
std::optional<NotificationKind> parse_name(std::string_view n) {
  return reverse(kNotificationKinds, n);
}
template <>
std::optional<NotificationState> parse_name(std::string_view n) {
  return reverse(kNotificationStates, n);
}

template <>
std::string all_names<NotificationState>() {
  return joined(kNotificationStates);
}

std::string Obligation::subject() const {
  if (matter_id != 0) return "matters/" + std::to_string(matter_id);
  return incident_id != 0 ? "incidents/" + std::to_string(incident_id)
                          : "requests/" + std::to_string(request_id);
}

bool is_valid_email(std::string_view email) {
  if (email.size() > 254) return false;
  const size_t at = email.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == email.size()) return false;
  for (size_t i = 0; i < at; ++i) {
    const unsigned char c = email[i];
    if (c >= 0x80 || !(std::isalnum(c) ||
                       std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string::npos)) {
      return false;
    }
  }
  const std::string_view domain = email.substr(at + 1);
  if (domain.front() == '.' || domain.back() == '.' || domain.front() == '-') return false;
  for (unsigned char c : domain) {
    if (c >= 0x80 || !(std::isalnum(c) || c == '-' || c == '.')) return false;
  }
  return true;
}

}  // namespace termijn::domain
