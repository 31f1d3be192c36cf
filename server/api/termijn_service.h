#pragma once

#include "server/api/authenticator.h"
#include "server/api/call_executor.h"
#include "server/api/event_stream.h"
#include "server/app/audit.h"
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
#include "server/app/webhooks.h"
#include "server/config/config.h"
#include "server/jobs/notice_composer.h"
#include "server/notify/webhook_sender.h"
#include "termijn/v1/termijn.grpc.pb.h"

namespace termijn::api {

/// The use cases the service exposes; owned by main.
struct UseCases {
  const app::Directory& directory;
  app::ReportIncident& report_incident;
  app::LogRequest& log_request;
  app::CloseObligation& close_obligation;
  app::PreviewObligations& preview_obligations;
  app::Queries& queries;
  app::AuditTrail& audit_trail;
  app::Notifications& notifications;
  const jobs::NoticeComposer& composer;
  app::AuditCheckpoints& audit_checkpoints;
  app::UpdateIncident& update_incident;
  app::CloseIncident& close_incident;
  app::CloseRequest& close_request;
  app::ExtendRequest& extend_request;
  app::Registers& registers;
  const std::vector<config::Webhook>& webhooks;
  app::WebhookStore& webhook_store;
  notify::WebhookSender& webhook_sender;
  const app::Clock& clock;
  app::RecordConsultation& record_consultation;
  app::RecordIdentification& record_identification;
  app::RefuseRequest& refuse_request;
  app::ReportMatter& report_matter;
};

/// termijn.v1.Termijn: authenticates, authorises, converts, and calls the use cases.
///
/// Handlers run on gRPC's callback threads, which must not block: they authenticate (in memory)
/// and hand the rest to `executor`, which finishes the call. A call whose deadline passed or
/// that was cancelled while it waited there is not started; a started one runs under its
/// deadline (app::CallDeadline), which bounds its waits for a connection and its statements.
class TermijnService final : public v1::Termijn::CallbackService {
 public:
  TermijnService(const Authenticator& authenticator, UseCases use_cases, CallExecutor& executor,
                 EventStreams& event_streams);

  grpc::ServerUnaryReactor* ListParties(grpc::CallbackServerContext* ctx,
                                        const v1::ListPartiesRequest* req,
                                        v1::ListPartiesResponse* resp) override;
  grpc::ServerUnaryReactor* ReportIncident(grpc::CallbackServerContext* ctx,
                                           const v1::ReportIncidentRequest* req,
                                           v1::Incident* resp) override;
  grpc::ServerUnaryReactor* GetIncident(grpc::CallbackServerContext* ctx,
                                        const v1::GetIncidentRequest* req,
                                        v1::Incident* resp) override;
  grpc::ServerUnaryReactor* ListIncidents(grpc::CallbackServerContext* ctx,
                                          const v1::ListIncidentsRequest* req,
                                          v1::ListIncidentsResponse* resp) override;
  grpc::ServerUnaryReactor* LogRequest(grpc::CallbackServerContext* ctx,
                                       const v1::LogRequestRequest* req,
                                       v1::Request* resp) override;
  grpc::ServerUnaryReactor* GetRequest(grpc::CallbackServerContext* ctx,
                                       const v1::GetRequestRequest* req,
                                       v1::Request* resp) override;
  grpc::ServerUnaryReactor* ListRequests(grpc::CallbackServerContext* ctx,
                                         const v1::ListRequestsRequest* req,
                                         v1::ListRequestsResponse* resp) override;
  grpc::ServerUnaryReactor* UpdateIncident(grpc::CallbackServerContext* ctx,
                                           const v1::UpdateIncidentRequest* req,
                                           v1::Incident* resp) override;
  grpc::ServerUnaryReactor* CloseIncident(grpc::CallbackServerContext* ctx,
                                          const v1::CloseIncidentRequest* req,
                                          v1::Incident* resp) override;
  grpc::ServerUnaryReactor* ExtendRequest(grpc::CallbackServerContext* ctx,
                                          const v1::ExtendRequestRequest* req,
                                          v1::Request* resp) override;
  grpc::ServerUnaryReactor* CloseRequest(grpc::CallbackServerContext* ctx,
                                         const v1::CloseRequestRequest* req,
                                         v1::Request* resp) override;
  grpc::ServerUnaryReactor* RecordConsultation(grpc::CallbackServerContext* ctx,
                                               const v1::RecordConsultationRequest* req,
                                               v1::Incident* resp) override;
  grpc::ServerUnaryReactor* RecordIdentification(grpc::CallbackServerContext* ctx,
                                                 const v1::RecordIdentificationRequest* req,
                                                 v1::Request* resp) override;
  grpc::ServerUnaryReactor* RefuseRequest(grpc::CallbackServerContext* ctx,
                                          const v1::RefuseRequestRequest* req,
                                          v1::Request* resp) override;
  grpc::ServerUnaryReactor* ListObligations(grpc::CallbackServerContext* ctx,
                                            const v1::ListObligationsRequest* req,
                                            v1::ListObligationsResponse* resp) override;
  grpc::ServerUnaryReactor* GetObligation(grpc::CallbackServerContext* ctx,
                                          const v1::GetObligationRequest* req,
                                          v1::Obligation* resp) override;
  grpc::ServerUnaryReactor* FulfilObligation(grpc::CallbackServerContext* ctx,
                                             const v1::FulfilObligationRequest* req,
                                             v1::Obligation* resp) override;
  grpc::ServerUnaryReactor* WaiveObligation(grpc::CallbackServerContext* ctx,
                                            const v1::WaiveObligationRequest* req,
                                            v1::Obligation* resp) override;
  grpc::ServerUnaryReactor* PreviewObligations(grpc::CallbackServerContext* ctx,
                                               const v1::PreviewObligationsRequest* req,
                                               v1::PreviewObligationsResponse* resp) override;
  grpc::ServerUnaryReactor* ListNotifications(grpc::CallbackServerContext* ctx,
                                              const v1::ListNotificationsRequest* req,
                                              v1::ListNotificationsResponse* resp) override;
  grpc::ServerUnaryReactor* GetNotification(grpc::CallbackServerContext* ctx,
                                            const v1::GetNotificationRequest* req,
                                            v1::NotificationPreview* resp) override;
  grpc::ServerUnaryReactor* SendNotification(grpc::CallbackServerContext* ctx,
                                             const v1::SendNotificationRequest* req,
                                             v1::Notification* resp) override;
  grpc::ServerUnaryReactor* AcknowledgeNotification(grpc::CallbackServerContext* ctx,
                                                    const v1::AcknowledgeNotificationRequest* req,
                                                    v1::Notification* resp) override;
  grpc::ServerUnaryReactor* ListAuditEvents(grpc::CallbackServerContext* ctx,
                                            const v1::ListAuditEventsRequest* req,
                                            v1::ListAuditEventsResponse* resp) override;
  grpc::ServerUnaryReactor* GetAuditEvent(grpc::CallbackServerContext* ctx,
                                          const v1::GetAuditEventRequest* req,
                                          v1::AuditEvent* resp) override;
  grpc::ServerUnaryReactor* VerifyAuditTrail(grpc::CallbackServerContext* ctx,
                                             const v1::VerifyAuditTrailRequest* req,
                                             v1::VerifyAuditTrailResponse* resp) override;
  grpc::ServerUnaryReactor* GetAuditCheckpoint(grpc::CallbackServerContext* ctx,
                                               const v1::GetAuditCheckpointRequest* req,
                                               v1::AuditCheckpoint* resp) override;
  grpc::ServerUnaryReactor* CreateAuditCheckpoint(grpc::CallbackServerContext* ctx,
                                                  const v1::CreateAuditCheckpointRequest* req,
                                                  v1::AuditCheckpoint* resp) override;
  grpc::ServerWriteReactor<v1::IncidentRegisterEntry>* ExportIncidentRegister(
      grpc::CallbackServerContext* ctx, const v1::ExportRegisterRequest* req) override;
  grpc::ServerWriteReactor<v1::RequestRegisterEntry>* ExportRequestRegister(
      grpc::CallbackServerContext* ctx, const v1::ExportRegisterRequest* req) override;

  grpc::ServerWriteReactor<v1::Event>* WatchEvents(grpc::CallbackServerContext* ctx,
                                                   const v1::WatchEventsRequest* req) override;
  grpc::ServerUnaryReactor* ListWebhooks(grpc::CallbackServerContext* ctx,
                                         const v1::ListWebhooksRequest* req,
                                         v1::ListWebhooksResponse* resp) override;
  grpc::ServerUnaryReactor* ListWebhookDeliveries(grpc::CallbackServerContext* ctx,
                                                  const v1::ListWebhookDeliveriesRequest* req,
                                                  v1::ListWebhookDeliveriesResponse* resp) override;
  grpc::ServerUnaryReactor* RedeliverWebhook(grpc::CallbackServerContext* ctx,
                                             const v1::RedeliverWebhookRequest* req,
                                             v1::WebhookDelivery* resp) override;
  grpc::ServerUnaryReactor* TestWebhook(grpc::CallbackServerContext* ctx,
                                        const v1::TestWebhookRequest* req,
                                        v1::TestWebhookResponse* resp) override;

  grpc::ServerUnaryReactor* ReportMatter(grpc::CallbackServerContext* ctx,
                                         const v1::ReportMatterRequest* req,
                                         v1::Matter* resp) override;
  grpc::ServerUnaryReactor* GetMatter(grpc::CallbackServerContext* ctx,
                                      const v1::GetMatterRequest* req, v1::Matter* resp) override;
  grpc::ServerUnaryReactor* ListMatters(grpc::CallbackServerContext* ctx,
                                        const v1::ListMattersRequest* req,
                                        v1::ListMattersResponse* resp) override;

 private:
  /// Where a call's work runs: on the executor (anything that may touch the database), or at
  /// once on the callback thread (pure, in-memory work).
  enum class Run { kOnExecutor, kInline };

  /// Authenticates the call, runs `body(principal)` and finishes the call with its status.
  /// `body` runs after the handler returned: it captures by value. `request_bytes`: what the
  /// request holds while it waits (large for a request with its copy), for the executor's bound.
  template <typename Body>
  grpc::ServerUnaryReactor* handle(grpc::CallbackServerContext* ctx, const char* method,
                                   Body&& body, Run run = Run::kOnExecutor,
                                   size_t request_bytes = 0);

  /// The notification `name` as `p` sees it (policy::view_of); NOT_FOUND if it does not
  /// concern p.
  absl::StatusOr<app::NotificationRecord> readable_notification(const Principal& p,
                                                                const std::string& name);
  absl::Status close(const Principal& p, const std::string& name, bool fulfil,
                     const std::string& text, const std::string& ground, v1::Obligation* resp);
  /// The id of `collection`/`name` if `p` may change it (policy::may_change); NOT_FOUND as
  /// for a read if it does not concern p.
  /// The configured webhooks `p` may read (its party's; an auditor's: all).
  std::vector<const config::Webhook*> readable_webhooks(const Principal& p) const;
  /// The endpoint `name` if `p` may read it (its party's DPO, auditors) or, with `change`,
  /// redeliver and test (its party's DPO); NOT_FOUND for an endpoint of another party.
  absl::StatusOr<const config::Webhook*> webhook(const Principal& p, const std::string& name,
                                                 bool change) const;
  absl::StatusOr<int64_t> changeable(const Principal& p, const std::string& name,
                                     std::string_view collection, std::string_view field);

  /// Streams the register of `Entry`s of the party `req` names (default: the caller's) to a
  /// principal policy::may_read_register allows, one page at a time.
  template <typename Entry>
  grpc::ServerWriteReactor<Entry>* export_register(grpc::CallbackServerContext* ctx,
                                                   const char* method,
                                                   const v1::ExportRegisterRequest& req);

  const Authenticator& authenticator_;
  UseCases uc_;
  CallExecutor& executor_;
  EventStreams& event_streams_;
};

}  // namespace termijn::api
