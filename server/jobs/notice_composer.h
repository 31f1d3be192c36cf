#pragma once

#include <absl/status/statusor.h>

#include <map>
#include <string>

#include "server/app/directory.h"
#include "server/app/store.h"
#include "server/notify/mailer.h"
#include "server/notify/templates.h"

namespace termijn::jobs {

/// Turns an outbox row into the mail it stands for: a notice to another party's DPO (protocol
/// art. 13, 14), or the alert to the owner's DPO that such a notice could not be delivered.
/// Reads the rows it needs; the same row always gives the same message (same Message-ID).
class NoticeComposer {
 public:
  /// `principal_emails` maps principal names to addresses, for reminders to a reporter.
  NoticeComposer(app::Store& store, const app::Directory& directory,
                 const notify::TemplateSet& templates, std::string from_address,
                 std::map<std::string, std::string> principal_emails = {})
      : store_(store),
        directory_(directory),
        templates_(templates),
        from_address_(std::move(from_address)),
        principal_emails_(std::move(principal_emails)) {}

  absl::StatusOr<notify::MailMessage> compose(const domain::Notification& n) const;

 private:
  absl::StatusOr<notify::MailMessage> compose_alert(const domain::Notification& alert,
                                                    const domain::Obligation& o,
                                                    const domain::Party& owner,
                                                    const domain::Party& recipient) const;
  absl::StatusOr<notify::MailMessage> compose_reminder(const domain::Notification& reminder,
                                                       const domain::Obligation& o,
                                                       const domain::Party& owner) const;
  /// From, Message-ID and Date of a message about `n`.
  notify::MailMessage envelope(const domain::Notification& n) const;
  app::Store& store_;
  const app::Directory& directory_;
  const notify::TemplateSet& templates_;
  const std::string from_address_;
  const std::map<std::string, std::string> principal_emails_;
};

/// The addresses a message goes to, "a@x, b@y", for the evidence.
std::string recipients_of(const notify::MailMessage& m);

}  // namespace termijn::jobs
