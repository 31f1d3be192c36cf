#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/domain/holidays.h"
#include "server/domain/time.h"

namespace termijn::domain {

enum class RequestKind {
  kAccess,
  kRectification,
  kErasure,
  kRestriction,
  kPortability,
  kObjection,
  kAutomatedDecision,
  kAuthorityMessage,  ///< a message from the supervisory authority, not a data-subject request
};
enum class DataCategory { kIdentification, kContact, kFinancial, kPlanning, kMedical, kCriminal };
enum class SubjectGroup { kStaff, kClients, kRepresentatives };
enum class Risk { kUnknown, kNone, kRisk, kHigh };
enum class RecipientKind { kPartyDpo, kAuthority, kDataSubject };
enum class ObligationState { kOpen, kMet, kMetLate, kWaived };
/// kCheckpoint: a signed audit checkpoint to a party's DPO; it has no obligation.
/// kWebhookAlert: tells a party's DPO that a webhook delivery failed for good; it has no
/// obligation either, but a webhook delivery.
enum class NotificationKind { kNotice, kFailureAlert, kReminder, kCheckpoint, kWebhookAlert };
enum class NotificationState { kHeld, kPending, kSent, kFailed, kCancelled };
/// What a protocol matter records (protocol art. 9, 10, 12, 15, 18).
enum class MatterKind {
  kDataQuality,
  kLawChange,
  kProcessorChange,
  kStaffDeparture,
  kTerminationArt10,
  kTerminationArt18,
};

/// The one spelling of each value, used by the database, the CLI and messages
/// ("automated-decision").
std::string_view name_of(RequestKind v);
std::string_view name_of(DataCategory v);
std::string_view name_of(SubjectGroup v);
std::string_view name_of(Risk v);
std::string_view name_of(RecipientKind v);
std::string_view name_of(ObligationState v);
std::string_view name_of(NotificationKind v);
std::string_view name_of(NotificationState v);
std::string_view name_of(MatterKind v);

/// The inverse of name_of; nullopt for an unknown name.
template <typename Enum>
std::optional<Enum> parse_name(std::string_view name);

/// Every name of Enum in order, comma-separated ("held, pending, sent, failed, cancelled"), for
/// messages that list the choices.
template <typename Enum>
std::string all_names();

struct Contact {
  std::string name;
  std::string email;
};

/// Whether `email` is a plain addr-spec ("local@domain", printable ASCII without spaces, quotes,
/// brackets or control characters): what a mail to it may carry in To, Cc or From.
bool is_valid_email(std::string_view email);

/// A controller bound by the protocol.
struct Party {
  std::string id;  ///< "herent"
  std::string name;
  Contact dpo;
  std::optional<Contact> dpo_deputy;
  std::vector<Contact> escalation;
  std::string locale = "nl";
  const TimeZone* zone = nullptr;
  HolidayCalendar calendar = HolidayCalendar::belgium();
  /// GDPR art. 12(6): whether this party counts a request's answer period from the receipt of
  /// the information that identifies the subject (true) or from the receipt of the request.
  bool answer_from_identification = false;
};

struct Incident {
  int64_t id = 0;
  std::string party;
  Instant aware_time{};
  std::optional<Instant> occurred_time;
  std::string title;
  std::string description;
  std::vector<DataCategory> categories;
  std::vector<SubjectGroup> subject_groups;
  std::optional<int64_t> subject_count;
  Risk risk = Risk::kUnknown;
  std::string ticket_ref;
  std::string reported_by;  ///< principal
  Instant create_time{};
  int64_t escalation_step_id = 0;     ///< for a reminder
  int64_t audit_checkpoint_id = 0;    ///< for a checkpoint mail (obligation_id is then 0)
  std::string recipient_party;        ///< for a checkpoint mail: whose DPO receives it
  std::string consequences;           ///< GDPR art. 33(3)(c): the likely consequences
  std::string measures;               ///< GDPR art. 33(3)(d): measures taken or proposed
  std::optional<Instant> close_time;  ///< set once closed; a closed incident does not change
  std::string closing_summary;
  std::string closed_by;
};

/// A copy of an original request or message.
struct Attachment {
  std::string file_name;
  std::string media_type;
  std::string sha256;  ///< lower-case hex
  int64_t size = 0;
  std::string bytes;  ///< may be empty when only the metadata was loaded
};

struct Request {
  int64_t id = 0;
  std::string party;
  RequestKind kind = RequestKind::kAccess;
  Instant receive_time{};
  std::string summary;
  std::optional<Attachment> copy;
  std::string external_ref;  ///< the id of its ticket elsewhere; unique per party when set
  std::string logged_by;     ///< principal
  Instant create_time{};
  int64_t escalation_step_id = 0;   ///< for a reminder
  int64_t audit_checkpoint_id = 0;  ///< for a checkpoint mail (obligation_id is then 0)
  std::string recipient_party;      ///< for a checkpoint mail: whose DPO receives it
  int extension_months = 0;         ///< GDPR art. 12(3): 0, or the 1 or 2 months it was extended by
  std::string extension_reason;
  std::optional<Instant> extend_time;
  /// GDPR art. 12(6): when more information to identify the subject was asked, and received.
  std::optional<Instant> identification_asked_time;
  std::optional<Instant> identification_time;
  std::optional<Instant> close_time;  ///< set once closed; a closed request does not change
  std::string closing_summary;
  std::string closed_by;
};

/// Something one party records that concerns the other parties and starts obligations (protocol
/// art. 9, 10, 12, 15, 18).
struct Matter {
  int64_t id = 0;
  std::string party;
  MatterKind kind = MatterKind::kDataQuality;
  Instant event_time{};  ///< the finding, the change, the departure, the notice of termination
  std::string summary;
  std::string staff_ref;    ///< art. 9: an opaque reference to the staff member; never a name
  std::string reported_by;  ///< principal
  Instant create_time{};
};

/// One field of a record as it was before a change and after it, in the spelling the database
/// and the audit trail use ("high", "identification,medical", RFC 3339 UTC).
struct FieldChange {
  std::string field;  ///< the field-mask path: "risk", "description" ...
  std::string before;
  std::string after;
};

/// One deadline: one row per (subject, rule, recipient).
struct Obligation {
  int64_t id = 0;
  int64_t incident_id = 0;  ///< exactly one of incident_id, request_id and matter_id is set
  int64_t request_id = 0;
  int64_t matter_id = 0;
  std::string rule;
  std::string legal_basis;
  std::string owner_party;
  RecipientKind recipient_kind = RecipientKind::kPartyDpo;
  std::string recipient_party;  ///< for kPartyDpo
  Instant start_time{};
  Instant due_time{};
  Instant legal_due_time{};
  std::string explanation;  ///< how the deadline was computed, in English
  /// The same in Dutch; empty for obligations stored before Termijn wrote it (migration 0026).
  std::string explanation_nl;
  ObligationState state = ObligationState::kOpen;
  std::optional<Instant> closed_time;
  std::string evidence;  ///< what fulfilled it, or why it was waived
  std::string closed_by;
  std::string notice_state;  ///< state of its latest notice mail, if it has one ("sent", ...)
  std::optional<Instant> next_step_time;  ///< its next reminder or escalation, if any
  std::string next_step;                  ///< that step's label ("80%", "+12h every 12h")
  int escalation_level = 0;               ///< how many reminder steps have fired

  /// "incidents/12", "requests/7" or "matters/3".
  std::string subject() const;
};

/// A message to deliver, from the outbox.
struct Notification {
  int64_t id = 0;
  int64_t obligation_id = 0;
  NotificationKind kind = NotificationKind::kNotice;
  NotificationState state = NotificationState::kPending;
  int attempts = 0;
  Instant next_attempt_time{};
  std::string last_error;
  std::string message_id;
  std::string recipients;  ///< as delivered: "dpo@kortenberg.example, deputy@..."
  std::string server_reply;
  std::optional<Instant> sent_time;
  std::optional<Instant> ack_time;
  std::string ack_by;
  Instant create_time{};
  int64_t escalation_step_id = 0;      ///< for a reminder
  int64_t audit_checkpoint_id = 0;     ///< for a checkpoint mail (obligation_id is then 0)
  std::string recipient_party;         ///< for a checkpoint mail: whose DPO receives it
  int64_t webhook_delivery_id = 0;     ///< for a webhook alert: the delivery that failed
  int64_t failed_notification_id = 0;  ///< for a failure alert: the mail that failed (0: unknown)
  /// A follow-up notice (protocol art. 13, third paragraph; GDPR art. 33(4)): what changed since
  /// the first notice. Empty for every other notification.
  std::vector<FieldChange> changes;
};

}  // namespace termijn::domain
