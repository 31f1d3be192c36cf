#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/domain/model.h"
#include "server/notify/mailer.h"
#include "server/notify/templates.h"

namespace termijn::notify {

/// Everything one notice (protocol art. 13 or art. 14) is made of. The outbox dispatcher loads
/// the rows and fills this in; nothing here is read from a clock, a file or the database.
struct NoticeContext {
  const domain::Party& owner;      ///< the party that must notify (reported / received it)
  const domain::Party& recipient;  ///< the party whose DPO is notified
  const domain::Obligation& obligation;
  const domain::Incident* incident = nullptr;  ///< set for protocol.breach_notice
  const domain::Request* request = nullptr;    ///< set for protocol.request_notice; with the copy's
                                               ///< bytes loaded when it has a copy
  int64_t notification_id = 0;                 ///< the outbox row; shown in the ack command
  std::string from_address;  ///< "termijn@herent.example"; its domain ends the Message-ID
  /// When the notification was queued (the outbox row's creation time, which never changes). It is
  /// the .ics DTSTAMP, and it makes the Message-ID unique across databases, so that every resend
  /// of one notification has the same Message-ID. The Date header is left to the sender: when the
  /// mail is composed (a held notice may be released days after it was queued).
  domain::Instant created_time{};
  /// For a follow-up notice (protocol art. 13, third paragraph; GDPR art. 33(4)): what changed
  /// since the first notice. It is composed from the template `<rule>.update.<locale>.txt`.
  const std::vector<domain::FieldChange>* changes = nullptr;
  /// Set for the notice of a protocol matter (art. 12, 15): composed from the template
  /// `protocol.matter_notice.<locale>.txt`, whatever its rule.
  const domain::Matter* matter = nullptr;
};

/// Composes the notice mail for `ctx`: the template `<rule>.<locale>.txt` of the obligation's rule
/// in the recipient party's locale (else "en"), To the recipient's DPO, Cc its deputy, Reply-To
/// the owner's DPO, times in the owner's zone. Attaches the copy of the original request (art.
/// 14) when there is one, and always `deadline.ics`, an event at the obligation's due time.
///
/// Errors, none of which another attempt would fix: InvalidArgument for an inconsistent context
/// (neither or both of incident and request, rows that do not belong together, a recipient that is
/// not a party DPO, an invalid address, no created_time), FailedPrecondition when the request's
/// copy bytes were not loaded or the owner has no time zone, DataLoss when the copy's bytes do not
/// match its SHA-256, NotFound / InvalidArgument from the templates.
absl::StatusOr<MailMessage> compose_notice(const TemplateSet& templates, const NoticeContext& ctx);

/// The values compose_notice() gives the template, with labels in `locale` ("nl", else English).
/// For both kinds: notification_id, ack_command, reference, rule, legal_basis, owner_party,
/// owner_party_id, owner_dpo_name, owner_dpo_email, recipient_party, recipient_dpo_name, due_time,
/// legal_due_time, deadline_explanation. Breach (incident): reporter, title, description,
/// aware_time, occurred_time, data_categories, subject_groups, subject_count, risk, ticket_ref.
/// Request: request_kind, receive_time, summary, copy, logged_by. Matter: matter_kind,
/// event_time, summary, reporter, duty (the rule's duty in `locale`). A follow-up also: changes (one
/// line per changed field, "label: before -> after", in `locale`), consequences, measures.
absl::StatusOr<TemplateValues> notice_values(const NoticeContext& ctx, const std::string& locale);

/// Checks at start that the notice templates are usable: protocol.breach_notice,
/// protocol.request_notice and protocol.matter_notice each have an "en" template (the fallback), and every locale of them
/// renders with the values above. InvalidArgument / NotFound naming the file otherwise.
absl::Status check_notice_templates(const TemplateSet& templates);

/// How a mail names a party's DPO: by name, or, where the configuration gives none, by the role
/// in the mail's language ("Geachte functionaris voor de gegevensbescherming,", not the address).
std::string dpo_name(const domain::Contact& dpo, bool dutch);

/// "notification-17.3f2a9c01@herent.example": the Message-ID (without <>) for one notification.
/// The same arguments always give the same id. `discriminator` (compose_notice passes the
/// notification's created_time) keeps ids of two databases that both have a notification 17
/// apart; without it mail clients may drop the second as a duplicate. Record the message_id of the
/// composed MailMessage as evidence rather than calling this again with other arguments.
std::string notice_message_id(int64_t notification_id, const std::string& domain,
                              std::string_view discriminator = {});

}  // namespace termijn::notify
