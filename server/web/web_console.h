#pragma once

#include <absl/status/statusor.h>

#include <memory>
#include <string>
#include <vector>

#include "server/api/certificate_trust.h"
#include "server/app/audit.h"
#include "server/app/clock.h"
#include "server/app/close_obligation.h"
#include "server/app/close_record.h"
#include "server/app/directory.h"
#include "server/app/extend_request.h"
#include "server/app/log_request.h"
#include "server/app/notifications.h"
#include "server/app/preview_obligations.h"
#include "server/app/queries.h"
#include "server/app/record_consultation.h"
#include "server/app/record_identification.h"
#include "server/app/refuse_request.h"
#include "server/app/registers.h"
#include "server/app/report_incident.h"
#include "server/app/report_matter.h"
#include "server/app/update_incident.h"
#include "server/jobs/notice_composer.h"
#include "server/web/listen_thread.h"

namespace termijn::web {

/// The use cases the console calls: the very ones the gRPC API calls.
struct UseCases {
  const app::Directory& directory;
  app::ReportIncident& report_incident;
  app::LogRequest& log_request;
  app::CloseObligation& close_obligation;
  app::Queries& queries;
  app::Notifications& notifications;
  app::AuditTrail& audit_trail;
  app::CloseIncident& close_incident;
  app::CloseRequest& close_request;
  app::UpdateIncident& update_incident;
  app::Registers& registers;
  app::ExtendRequest& extend_request;
  app::RecordConsultation& record_consultation;
  app::RecordIdentification& record_identification;
  app::RefuseRequest& refuse_request;
  const jobs::NoticeComposer& composer;  ///< the preview of a held notice
  const app::PreviewObligations& preview;
  app::ReportMatter& report_matter;
};

struct Settings {
  std::string listen;   ///< "127.0.0.1:8443"; port 0: any free port
  api::TrustFiles tls;  ///< the gRPC server's CA, certificate and key
  /// Proxies (IP addresses) trusted to name the principal in `proxy_header`; they still need a
  /// client certificate of their own that logs in as one of `proxy_principals` (CA, pin,
  /// revocation checked).
  std::vector<std::string> trusted_proxies;
  std::string proxy_header = "X-Termijn-Principal";
  std::vector<std::string> proxy_principals;
  int64_t max_copy_bytes = 10 * 1024 * 1024;
  std::string assets_dir;  ///< templates, style sheet and script
  /// The key of the form tokens (at least 32 characters, mode 0600), shared by every termijnd
  /// behind one balancer; empty: a random key of this process.
  std::string form_key_file;
};

/// The web console: HTTPS with client certificates (cpp-httplib over OpenSSL), pages rendered on
/// the server from Mustache templates that escape every value. Who may see and do what is
/// decided by api::policy, as for the gRPC API.
class WebConsole {
 public:
  WebConsole(const app::Clock& clock, const api::CertificateTrust& trust, UseCases uc,
             Settings settings);
  ~WebConsole();

  /// Binds and serves on a thread of its own; returns the bound port. INVALID_ARGUMENT when the
  /// TLS files or templates cannot be loaded, UNAVAILABLE when the address cannot be bound.
  absl::StatusOr<int> start();
  /// Stops serving; requests in progress finish.
  void stop();

  /// SIGHUP: re-reads the server certificate (chain), its key and the CA bundle; handshakes from
  /// now on present them and accept client certificates of those CAs. INVALID_ARGUMENT
  /// "FILE: reason" if they cannot be read or key and certificate do not belong together; the
  /// previous ones stay then.
  absl::Status reload_certificate();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  ListenThread listening_;  // after impl_: stopped before the server goes
};

}  // namespace termijn::web
