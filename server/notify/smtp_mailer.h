#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/notify/mailer.h"

namespace termijn::notify {

/// How to reach the SMTP server. The library reads no configuration and no environment: the
/// caller fills this in (from the TOML file, TERMIJN_SMTP_URL, TERMIJN_SMTP_USER and
/// TERMIJN_SMTP_PASSWORD) and checks it with validate() at start.
struct SmtpSettings {
  /// "smtp://host:port" (STARTTLS on the submission port, usually 587) or "smtps://host:port"
  /// (TLS from the first byte, usually 465). A path ("smtp://host/client.example") is the EHLO
  /// domain, as in curl; prefer helo_domain.
  std::string url;
  std::string user;      ///< empty: no SMTP AUTH
  std::string password;  ///< never logged, never part of a reply or status
  /// smtp:// must upgrade with STARTTLS and fails when the server does not offer it. Protocol art.
  /// 7.1.B wants TLS on every link, so false is allowed only for a loopback host (a local relay,
  /// the tests); validate() refuses it for any other host.
  bool require_starttls = true;
  long connect_timeout_seconds = 10;
  long timeout_seconds = 60;  ///< the whole transaction, connect to final reply
  std::string ca_file;        ///< PEM CA bundle for the server certificate; empty: system CAs
  std::string helo_domain;    ///< the name sent with EHLO; empty: libcurl's default
};

/// OK, or InvalidArgument saying what is wrong: a URL that is not smtp:// or smtps:// with a host;
/// require_starttls = false for a host that is not loopback (localhost, 127.0.0.0/8, ::1); a
/// password without user; timeouts not positive; a ca_file that cannot be read; a helo_domain that
/// is not a host name or that conflicts with a path in the URL.
absl::Status validate(const SmtpSettings& settings);

/// Sends mail with libcurl's SMTP client: MAIL FROM the From address, RCPT TO every To and Cc
/// address (all must be accepted, else nothing is sent), DATA the bytes of render_message().
///
/// Outcomes: a 2xx after DATA is kAccepted with the server's final reply line ("250 2.0.0 Ok:
/// queued as 4Fx"). A 4xx reply, a connection that fails, breaks or times out, and a TLS failure
/// (no STARTTLS offered, certificate not trusted) are kTemporaryFailure: the message is fine and a
/// later attempt may go through once the network or server is fixed; the dispatcher's retry limit
/// and deadline margin decide when to give up and alert a DPO. A 5xx reply (unknown recipient,
/// authentication refused, message rejected) and a message that check_message() refuses are
/// kPermanentFailure: the same attempt would fail the same way.
///
/// Connections are kept open and reused: a send() takes an idle connection (a curl easy handle
/// with its connection) or opens a new one, and puts it back when the server has answered, so
/// that each of several threads sending at once keeps one SMTP session for message after message
/// (as many connections as concurrent send() calls, never more). libcurl drops a kept connection
/// after 118 s idle, and detects one the server closed before reusing it; one that still breaks
/// before the server said anything to this message is replaced at once by a new one (a server
/// that never saw the message cannot have accepted it).
///
/// Thread-safe: concurrent send() calls use different connections.
class SmtpMailer final : public Mailer {
 public:
  /// The settings must pass validate(); otherwise this returns its error.
  static absl::StatusOr<std::unique_ptr<SmtpMailer>> create(SmtpSettings settings);
  ~SmtpMailer() override;

  SendResult send(const MailMessage& m) override;
  void stop() override { stopped_ = true; }

  /// The URL without credentials, for logs ("smtp://127.0.0.1:2525").
  const std::string& url() const { return settings_.url; }

 private:
  explicit SmtpMailer(SmtpSettings settings, std::string effective_url);
  struct Connection;
  struct Put;
  using Handle = std::unique_ptr<Connection, Put>;
  /// An idle connection, or a new handle that connects on its first use.
  Handle take();
  /// One SMTP transaction on `connection`.
  SendResult transfer(Connection& connection, const MailMessage& m, const std::string& bytes,
                      bool fresh, bool& reused_silent);

  SmtpSettings settings_;
  std::string effective_url_;  ///< url with the EHLO domain as its path
  bool loopback_ = false;      ///< to this machine: never through a proxy from the environment
  std::atomic<bool> stopped_{false};
  std::mutex mutex_;
  std::vector<Connection*> idle_;  ///< guarded by mutex_
};

}  // namespace termijn::notify
