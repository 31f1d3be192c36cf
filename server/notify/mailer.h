#pragma once

#include <string>
#include <vector>

#include "server/domain/time.h"

namespace termijn::notify {

/// A mailbox: an optional display name (any UTF-8) and an addr-spec ("dpo@herent.example").
struct MailAddress {
  std::string name;
  std::string email;
};

struct MailAttachment {
  std::string file_name;   ///< any UTF-8; directory parts are dropped when rendered
  std::string media_type;  ///< "application/pdf", "text/calendar; method=PUBLISH; charset=UTF-8"
  std::string content;     ///< the exact bytes
};

/// One message. Rendering it (render_message in mime.h) is deterministic: the same MailMessage
/// always gives the same bytes. A resend after a crash is the same message, same Message-ID,
/// dated when it is composed again.
struct MailMessage {
  /// Without <>, e.g. "notification-17.3f2a@termijn.herent.example"; stable per notification.
  std::string message_id;
  MailAddress from;
  std::vector<MailAddress> to;
  std::vector<MailAddress> cc;
  std::vector<MailAddress> reply_to;  ///< optional; where answers should go (the owner's DPO)
  std::string subject;                ///< any UTF-8, one line (line breaks become spaces)
  std::string text_body;              ///< UTF-8 plain text, '\n' or "\r\n" line ends
  std::vector<MailAttachment> attachments;
  domain::Instant date{};  ///< the Date header: when the message was ready to send
  /// Goes to the recipients the server accepts even when it refuses some of them (a reminder
  /// reaches whom it can: one contact who left must not keep it from the DPO); the refusals are
  /// kept in the result's reply. Otherwise one refused recipient sends nothing (a notice reaches
  /// the other party's DPO, or fails and alerts).
  bool partial_delivery = false;
};

/// What the mail server (or the file system) said about one message.
struct SendResult {
  enum class Outcome {
    kAccepted,          ///< the server took responsibility for the message; record the evidence
    kTemporaryFailure,  ///< nothing was accepted and a later retry may succeed (4xx, network)
    kPermanentFailure,  ///< retrying the same message will fail the same way (5xx, bad address)
    /// Not sent, or cut off before the server answered, because the sender is stopping: no
    /// attempt of the message; it is sent again after the restart.
    kStopped,
  };
  Outcome outcome = Outcome::kTemporaryFailure;
  /// The server's reply ("250 2.0.0 Ok: queued as 4Fx"), or why it failed (curl's error text).
  std::string server_reply;

  bool accepted() const { return outcome == Outcome::kAccepted; }
};

/// Delivers messages. Implementations are thread-safe: several dispatcher threads may share one.
class Mailer {
 public:
  virtual ~Mailer() = default;

  /// Delivers `m` to every address in m.to and m.cc (and never to anyone else; with
  /// m.partial_delivery, to those the server accepts). Blocks until the server answered or the
  /// configured timeout passed. Never throws.
  virtual SendResult send(const MailMessage& m) = 0;

  /// Ends the sends in progress soon and refuses later ones at once (both kStopped): for
  /// shutdown, so that a hung server does not hold the process. Thread-safe.
  virtual void stop() {}

  /// How many messages are worth sending at once, given `configured` ([mail] connections): each
  /// sender costs a claim and a wake-up per notice, which only a network round trip repays.
  virtual int useful_senders(int configured) const { return configured; }
};

}  // namespace termijn::notify
