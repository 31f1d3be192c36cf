#pragma once

#include <string>

#include "server/notify/mailer.h"

namespace termijn::notify {

/// "Sends" mail by writing each message as `<dir>/<message_id>.eml`: the exact bytes
/// render_message() gives, which SmtpMailer would upload. For the demo and for development, when
/// no SMTP server is configured: a new user opens the files with any mail client.
///
/// A write is atomic (temporary file in `dir`, fsync, rename), so readers never see half a
/// message; a resend of the same message (same Message-ID) replaces the file. Thread-safe.
class EmlDirectoryMailer final : public Mailer {
 public:
  /// `dir` is created (with its parents) on the first send if it does not exist.
  explicit EmlDirectoryMailer(std::string dir);

  /// kAccepted with "written to <path>"; kPermanentFailure when check_message() refuses `m`;
  /// kTemporaryFailure when the file cannot be written (the disk may get space again).
  SendResult send(const MailMessage& m) override;
  /// Writing files to a local disk gains nothing from several writers.
  int useful_senders(int) const override { return 1; }

  /// Where `m` is (or would be) written.
  std::string path_for(const MailMessage& m) const;

 private:
  std::string dir_;
};

}  // namespace termijn::notify
