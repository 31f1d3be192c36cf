#pragma once

#include <absl/status/statusor.h>

#include <map>
#include <string>

#include "server/app/clock.h"
#include "server/app/directory.h"
#include "server/app/store.h"
#include "server/config/config.h"
#include "server/notify/mailer.h"
#include "server/notify/templates.h"

namespace termijn::jobs {

/// Turns an outbox row into the mail it stands for: a notice to another party's DPO (protocol
/// art. 13, 14), a reminder or escalation to the owner, the alert to the owner's DPO that a
/// notice could not be delivered, or a signed audit checkpoint to a party's DPO (attached as
/// the file `termijn audit verify --checkpoint` reads), or the alert to a party's DPO that a
/// webhook delivery failed for good. Reads the rows it needs; the same row always gives the same
/// Message-ID. Countdowns ("12 h left") are computed when the message is composed, from the
/// clock: a reminder sent late says the time actually left.
class NoticeComposer {
 public:
  /// `principal_emails` maps principal names to addresses, for reminders to a reporter;
  /// `webhooks` are the configured endpoints, named in a webhook alert; `checkpoint_keys` are the
  /// public keys (hex) of this termijnd's audit checkpoints, its current key first, then those
  /// of [audit] previous_public_keys: only a checkpoint one of them signed is mailed.
  NoticeComposer(const app::Clock& clock, app::Store& store, const app::Directory& directory,
                 const notify::TemplateSet& templates, std::string from_address,
                 std::map<std::string, std::string> principal_emails = {},
                 std::vector<config::Webhook> webhooks = {},
                 std::vector<std::string> checkpoint_keys = {})
      : clock_(clock),
        store_(store),
        directory_(directory),
        templates_(templates),
        from_address_(std::move(from_address)),
        principal_emails_(std::move(principal_emails)),
        webhooks_(std::move(webhooks)),
        checkpoint_keys_(std::move(checkpoint_keys)) {}

  /// Reads through `reader`: a worker passes its transaction, so that composing takes no
  /// second connection. A notice among those `read` (app::StoreReader::notice_sources, for a
  /// batch) is composed from them; anything else reads what it needs.
  absl::StatusOr<notify::MailMessage> compose(app::StoreReader& reader,
                                              const domain::Notification& n,
                                              const app::NoticeSources& read = {}) const;
  /// The alert to `party`'s DPO (cc the deputy) that the audit trail no longer extends its last
  /// signed checkpoint, `reason` saying where it breaks. Reads nothing: what it reports is that
  /// the database can no longer be trusted.
  absl::StatusOr<notify::MailMessage> compose_tamper_alert(const domain::Party& party,
                                                           const std::string& reason) const;
  /// Reads from the store: a preview of what would be sent now.
  absl::StatusOr<notify::MailMessage> compose(const domain::Notification& n) const {
    return compose(store_, n);
  }

 private:
  /// A notice to the other party's DPO, from its rows in `read`.
  absl::StatusOr<notify::MailMessage> compose_notice(const domain::Notification& n,
                                                     const app::NoticeSources& read) const;
  absl::StatusOr<notify::MailMessage> compose_alert(app::StoreReader& reader,
                                                    const domain::Notification& alert,
                                                    const domain::Obligation& o,
                                                    const domain::Party& owner,
                                                    const domain::Party& recipient) const;
  absl::StatusOr<notify::MailMessage> compose_reminder(app::StoreReader& reader,
                                                       const domain::Notification& reminder,
                                                       const domain::Obligation& o,
                                                       const domain::Party& owner) const;
  absl::StatusOr<notify::MailMessage> compose_checkpoint(app::StoreReader& reader,
                                                         const domain::Notification& n) const;
  absl::StatusOr<notify::MailMessage> compose_webhook_alert(app::StoreReader& reader,
                                                            const domain::Notification& n) const;
  /// The message about `n` to `party`'s DPO (cc the deputy): `template_name` in its locale.
  absl::StatusOr<notify::MailMessage> to_dpo(const domain::Notification& n,
                                             const domain::Party& party,
                                             const std::string& template_name,
                                             const notify::TemplateValues& values) const;
  /// The checkpoint keys as a DPO reads them: "NEW (before a key change: OLD)".
  std::string signing_keys() const;
  /// From, Message-ID and Date of a message about `n`.
  notify::MailMessage envelope(const domain::Notification& n) const;
  const app::Clock& clock_;
  app::Store& store_;
  const app::Directory& directory_;
  const notify::TemplateSet& templates_;
  const std::string from_address_;
  const std::map<std::string, std::string> principal_emails_;
  const std::vector<config::Webhook> webhooks_;
  const std::vector<std::string> checkpoint_keys_;  ///< hex; the current key first
};

/// The templates NoticeComposer renders besides the notices (notify::check_notice_templates
/// checks those).
inline constexpr const char* kReminderTemplate = "reminder";
inline constexpr const char* kOverdueTemplate = "overdue";
inline constexpr const char* kNoticeFailedTemplate = "notification.failed";
inline constexpr const char* kCheckpointTemplate = "audit.checkpoint";
inline constexpr const char* kCheckpointFailedTemplate = "audit.checkpoint.failed";
inline constexpr const char* kWebhookFailedTemplate = "webhook.failed";
inline constexpr const char* kTamperedTemplate = "audit.tampered";

/// OK when each of those exists in English, the fallback of every language; otherwise NOT_FOUND
/// naming the file. Without it every reminder (or alert) would fail for good, unseen: check at
/// start, with the notices'.
absl::Status check_composer_templates(const notify::TemplateSet& templates);

/// The addresses a message goes to, "a@x, b@y", for the evidence.
std::string recipients_of(const notify::MailMessage& m);

}  // namespace termijn::jobs
