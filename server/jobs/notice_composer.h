#pragma once

#include <absl/status/statusor.h>

#include <map>
#include <string>

#include "server/app/clock.h"
#include "server/app/directory.h"
#include "server/app/store.h"
#include "server/notify/mailer.h"
#include "server/notify/templates.h"

namespace termijn::jobs {

/// Turns an outbox row into the mail it stands for: a notice to another party's DPO (protocol
/// art. 13, 14), a reminder or escalation to the owner, the alert to the owner's DPO that a
/// notice could not be delivered, or a signed audit checkpoint to a party's DPO (attached as
/// the file `termijn audit verify --checkpoint` reads). Reads the rows it needs; the same row always gives the same
/// Message-ID. Countdowns ("12 h left") are computed when the message is composed, from the
/// clock: a reminder sent late says the time actually left.
class NoticeComposer {
 public:
  /// `principal_emails` maps principal names to addresses, for reminders to a reporter.
  NoticeComposer(const app::Clock& clock, app::Store& store, const app::Directory& directory,
                 const notify::TemplateSet& templates, std::string from_address,
                 std::map<std::string, std::string> principal_emails = {})
      : clock_(clock),
        store_(store),
        directory_(directory),
        templates_(templates),
        from_address_(std::move(from_address)),
        principal_emails_(std::move(principal_emails)) {}

  /// Reads through `reader`: a worker passes its transaction, so that composing takes no
  /// second connection.
  absl::StatusOr<notify::MailMessage> compose(app::StoreReader& reader,
                                              const domain::Notification& n) const;
  /// Reads from the store: a preview of what would be sent now.
  absl::StatusOr<notify::MailMessage> compose(const domain::Notification& n) const {
    return compose(store_, n);
  }

 private:
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
  /// From, Message-ID and Date of a message about `n`.
  notify::MailMessage envelope(const domain::Notification& n) const;
  const app::Clock& clock_;
  app::Store& store_;
  const app::Directory& directory_;
  const notify::TemplateSet& templates_;
  const std::string from_address_;
  const std::map<std::string, std::string> principal_emails_;
};

/// The addresses a message goes to, "a@x, b@y", for the evidence.
std::string recipients_of(const notify::MailMessage& m);

}  // namespace termijn::jobs
