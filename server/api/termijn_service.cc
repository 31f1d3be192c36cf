#include "server/api/termijn_service.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "server/api/arena_messages.h"
#include "server/api/convert.h"
#include "server/api/register_pages.h"
#include "server/api/register_stream.h"
#include "server/api/status.h"
#include "server/app/call_deadline.h"
#include "server/app/limits.h"

namespace termijn::api {

namespace {

// A call that takes this long or longer is logged as a warning.
constexpr std::chrono::seconds kSlowCall{1};

app::Actor actor_of(const Principal& p) { return {p.name, p.party}; }

// How `p` sees `collection`/`id`, decided from the parties it concerns before the record is read.
absl::StatusOr<app::View> view_for(const Principal& p, app::Queries& queries,
                                   std::string_view collection, int64_t id) {
  return policy::view_of(p, queries.parties_of(collection, id),
                         std::string(collection) + "/" + std::to_string(id));
}

// A listed record as `p` sees it; nullopt if it does not concern p (the list queries select by
// the same rule, so this only guards).
template <typename Record>
std::optional<Record> seen_by(const Principal& p, Record record) {
  const auto view = policy::view_of(p, app::parties_of(record), "");
  if (!view.ok()) return std::nullopt;
  return app::as_viewed(std::move(record), *view, p.party);
}

// Adds to a list response the items of `page` that `p` may see, as it sees them.
template <typename Record, typename Add>
void add_seen(const Principal& p, std::vector<Record>& items, Add add) {
  for (auto& item : items) {
    if (auto seen = seen_by(p, std::move(item))) add(*seen);
  }
}

std::string party_or_own(const std::string& requested, const Principal& p) {
  return requested.empty() ? p.party : requested;
}

}  // namespace

TermijnService::TermijnService(const Authenticator& authenticator, UseCases use_cases,
                               CallExecutor& executor, EventStreams& event_streams)
    : authenticator_(authenticator),
      uc_(use_cases),
      executor_(executor),
      event_streams_(event_streams) {
  // Every unary call's messages on an arena (the streams build theirs one by one).
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_ListParties);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_ReportIncident);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_GetIncident);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_ListIncidents);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_LogRequest);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_GetRequest);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_ListRequests);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_UpdateIncident);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_CloseIncident);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_ExtendRequest);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_CloseRequest);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_RecordConsultation);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_RecordIdentification);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_RefuseRequest);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_ListObligations);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_GetObligation);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_FulfilObligation);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_WaiveObligation);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_PreviewObligations);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_ListNotifications);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_GetNotification);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_SendNotification);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_AcknowledgeNotification);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_ListAuditEvents);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_GetAuditEvent);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_VerifyAuditTrail);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_GetAuditCheckpoint);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_CreateAuditCheckpoint);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_ListWebhooks);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_ListWebhookDeliveries);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_RedeliverWebhook);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_TestWebhook);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_ReportMatter);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_GetMatter);
  use_arenas(this, &TermijnService::SetMessageAllocatorFor_ListMatters);
}

template <typename Body>
grpc::ServerUnaryReactor* TermijnService::handle(grpc::CallbackServerContext* ctx,
                                                 const char* method, Body&& body, Run run,
                                                 size_t request_bytes) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  const auto received = std::chrono::steady_clock::now();
  auto principal = authenticator_.authenticate(*ctx);
  auto work = [ctx, reactor, method, received, principal = std::move(principal),
               body = std::forward<Body>(body)]() mutable {
    const auto started = std::chrono::steady_clock::now();
    absl::Status status = principal.status();
    const auto deadline = ctx->deadline();
    const bool has_deadline = deadline != std::chrono::system_clock::time_point::max();
    if (!status.ok()) {
      // refused before any work
    } else if (ctx->IsCancelled()) {
      status = absl::CancelledError("the call was cancelled before it started");
    } else if (has_deadline && deadline <= std::chrono::system_clock::now()) {
      status = absl::DeadlineExceededError("the call's deadline passed before it started");
    } else {
      const app::CallDeadline scope(has_deadline ? std::optional(deadline) : std::nullopt);
      try {
        status = body(*principal);
      } catch (const std::exception& e) {
        spdlog::error("{}: unexpected exception: {}", method, e.what());
        status = absl::InternalError("internal error (details in the server log)");
      }
    }
    // Ids and codes only: titles, summaries and evidence are personal data and stay out of the
    // log. How long the call took, and how much of that it waited for a thread: a slow call is a
    // warning.
    const auto finished = std::chrono::steady_clock::now();
    const auto ms = [](std::chrono::steady_clock::duration d) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    };
    spdlog::log(finished - received >= kSlowCall ? spdlog::level::warn : spdlog::level::info,
                "{} by {}: {} in {} ms ({} ms waiting for a thread)", method,
                principal.ok() ? principal->name : "(unauthenticated)",
                status.ok() ? "OK" : absl::StatusCodeToString(status.code()),
                ms(finished - received), ms(started - received));
    reactor->Finish(to_grpc(status));
  };
  if (run == Run::kInline || !principal.ok()) {
    work();
  } else if (!executor_.post(std::move(work), request_bytes)) {
    spdlog::warn("{}: refused, too many calls or bytes waiting", method);
    reactor->Finish(to_grpc(absl::ResourceExhaustedError(
        "the server is overloaded: too many calls waiting; retry later")));
  }
  return reactor;
}

grpc::ServerUnaryReactor* TermijnService::ListParties(grpc::CallbackServerContext* ctx,
                                                      const v1::ListPartiesRequest*,
                                                      v1::ListPartiesResponse* resp) {
  return handle(
      ctx, "ListParties",
      [this, resp](const Principal&) {
        for (const domain::Party& p : uc_.directory.parties()) to_proto(p, resp->add_parties());
        return absl::OkStatus();
      },
      Run::kInline);
}

grpc::ServerUnaryReactor* TermijnService::ReportIncident(grpc::CallbackServerContext* ctx,
                                                         const v1::ReportIncidentRequest* req,
                                                         v1::Incident* resp) {
  return handle(ctx, "ReportIncident", [=, this](const Principal& p) -> absl::Status {
    if (auto s = policy::may_record_anything(p); !s.ok()) return s;
    auto input = from_proto(*req);
    if (!input.ok()) return input.status();
    input->party = party_or_own(input->party, p);
    if (auto s = uc_.directory.find(input->party, "party"); !s.ok()) return s.status();
    if (auto s = policy::may_record(p, input->party); !s.ok()) return s;
    auto record = uc_.report_incident.run(actor_of(p), *input);
    if (!record.ok()) return record.status();
    to_proto(*record, uc_.directory, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::GetIncident(grpc::CallbackServerContext* ctx,
                                                      const v1::GetIncidentRequest* req,
                                                      v1::Incident* resp) {
  return handle(ctx, "GetIncident", [=, this](const Principal& p) -> absl::Status {
    const auto id = app::parse_resource_id(req->name(), "incidents", "name");
    if (!id.ok()) return id.status();
    // One read: whom the record concerns follows from the record itself (as for lists), and
    // nothing of it leaves unless it concerns the caller.
    auto record = uc_.queries.incident(*id);
    const auto view =
        policy::view_of(p,
                        record.ok() ? absl::StatusOr<app::RecordParties>(app::parties_of(*record))
                                    : record.status(),
                        "incidents/" + std::to_string(*id));
    if (!view.ok()) return view.status();
    to_proto(app::as_viewed(std::move(*record), *view, p.party), uc_.directory, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::ListIncidents(grpc::CallbackServerContext* ctx,
                                                        const v1::ListIncidentsRequest* req,
                                                        v1::ListIncidentsResponse* resp) {
  return handle(ctx, "ListIncidents", [=, this](const Principal& p) -> absl::Status {
    const auto scope = policy::list_scope(p, req->party(), uc_.directory);
    if (!scope.ok()) return scope.status();
    auto page = uc_.queries.incidents(
        {scope->party, req->page_size(), req->page_token(), scope->viewer, req->external_ref()});
    if (!page.ok()) return page.status();
    add_seen(p, page->items,
             [&](const auto& r) { to_proto(r, uc_.directory, resp->add_incidents()); });
    resp->set_next_page_token(page->next_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::LogRequest(grpc::CallbackServerContext* ctx,
                                                     const v1::LogRequestRequest* req,
                                                     v1::Request* resp) {
  return handle(
      ctx, "LogRequest",
      [=, this](const Principal& p) -> absl::Status {
        if (auto s = policy::may_record_anything(p); !s.ok()) return s;
        auto input = from_proto(*req);
        if (!input.ok()) return input.status();
        input->party = party_or_own(input->party, p);
        if (auto s = uc_.directory.find(input->party, "party"); !s.ok()) return s.status();
        if (auto s = policy::may_record(p, input->party); !s.ok()) return s;
        auto record = uc_.log_request.run(actor_of(p), *input);
        if (!record.ok()) return record.status();
        to_proto(*record, uc_.directory, resp);
        return absl::OkStatus();
      },
      Run::kOnExecutor, req->ByteSizeLong());
}

grpc::ServerUnaryReactor* TermijnService::GetRequest(grpc::CallbackServerContext* ctx,
                                                     const v1::GetRequestRequest* req,
                                                     v1::Request* resp) {
  return handle(ctx, "GetRequest", [=, this](const Principal& p) -> absl::Status {
    const auto id = app::parse_resource_id(req->name(), "requests", "name");
    if (!id.ok()) return id.status();
    const auto view = view_for(p, uc_.queries, "requests", *id);
    if (!view.ok()) return view.status();
    auto record = uc_.queries.request(*id, req->include_copy());
    if (!record.ok()) return record.status();
    to_proto(app::as_viewed(std::move(*record), *view, p.party), uc_.directory, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::ListRequests(grpc::CallbackServerContext* ctx,
                                                       const v1::ListRequestsRequest* req,
                                                       v1::ListRequestsResponse* resp) {
  return handle(ctx, "ListRequests", [=, this](const Principal& p) -> absl::Status {
    const auto scope = policy::list_scope(p, req->party(), uc_.directory);
    if (!scope.ok()) return scope.status();
    auto page = uc_.queries.requests(
        {scope->party, req->page_size(), req->page_token(), scope->viewer, req->external_ref()});
    if (!page.ok()) return page.status();
    add_seen(p, page->items,
             [&](const auto& r) { to_proto(r, uc_.directory, resp->add_requests()); });
    resp->set_next_page_token(page->next_token);
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> TermijnService::changeable(const Principal& p, const std::string& name,
                                                   std::string_view collection,
                                                   std::string_view field) {
  const auto id = app::parse_resource_id(name, collection, field);
  if (!id.ok()) return id.status();
  const auto parties = uc_.queries.parties_of(collection, *id);
  if (const auto view =
          policy::view_of(p, parties, std::string(collection) + "/" + std::to_string(*id));
      !view.ok()) {
    return view.status();
  }
  if (auto s = policy::may_change(p, parties->owner); !s.ok()) return s;
  return *id;
}

grpc::ServerUnaryReactor* TermijnService::UpdateIncident(grpc::CallbackServerContext* ctx,
                                                         const v1::UpdateIncidentRequest* req,
                                                         v1::Incident* resp) {
  return handle(ctx, "UpdateIncident", [=, this](const Principal& p) -> absl::Status {
    const auto id = changeable(p, req->incident().name(), "incidents", "incident.name");
    if (!id.ok()) return id.status();
    const auto change = from_proto(*req);
    if (!change.ok()) return change.status();
    auto record = uc_.update_incident.run(actor_of(p), *id, *change);
    if (!record.ok()) return record.status();
    to_proto(*record, uc_.directory, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::CloseIncident(grpc::CallbackServerContext* ctx,
                                                        const v1::CloseIncidentRequest* req,
                                                        v1::Incident* resp) {
  return handle(ctx, "CloseIncident", [=, this](const Principal& p) -> absl::Status {
    const auto id = changeable(p, req->name(), "incidents", "name");
    if (!id.ok()) return id.status();
    auto record = uc_.close_incident.run(actor_of(p), *id, req->summary());
    if (!record.ok()) return record.status();
    to_proto(*record, uc_.directory, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::ExtendRequest(grpc::CallbackServerContext* ctx,
                                                        const v1::ExtendRequestRequest* req,
                                                        v1::Request* resp) {
  return handle(ctx, "ExtendRequest", [=, this](const Principal& p) -> absl::Status {
    const auto id = changeable(p, req->name(), "requests", "name");
    if (!id.ok()) return id.status();
    auto record = uc_.extend_request.run(actor_of(p), *id, req->months(), req->reason());
    if (!record.ok()) return record.status();
    to_proto(*record, uc_.directory, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::CloseRequest(grpc::CallbackServerContext* ctx,
                                                       const v1::CloseRequestRequest* req,
                                                       v1::Request* resp) {
  return handle(ctx, "CloseRequest", [=, this](const Principal& p) -> absl::Status {
    const auto id = changeable(p, req->name(), "requests", "name");
    if (!id.ok()) return id.status();
    auto record = uc_.close_request.run(actor_of(p), *id, req->summary());
    if (!record.ok()) return record.status();
    to_proto(*record, uc_.directory, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::RecordConsultation(
    grpc::CallbackServerContext* ctx, const v1::RecordConsultationRequest* req,
    v1::Incident* resp) {
  return handle(ctx, "RecordConsultation", [=, this](const Principal& p) -> absl::Status {
    const auto id = app::parse_resource_id(req->name(), "incidents", "name");
    if (!id.ok()) return id.status();
    const auto parties = uc_.queries.parties_of("incidents", *id);
    const auto view = policy::view_of(p, parties, "incidents/" + std::to_string(*id));
    if (!view.ok()) return view.status();
    if (auto s = policy::may_consult(p, *parties); !s.ok()) return s;
    auto record = uc_.record_consultation.run(
        actor_of(p), *id, {req->consult_time(), req->party(), req->participants(), req->agreed()});
    if (!record.ok()) return record.status();
    to_proto(app::as_viewed(std::move(*record), *view, p.party), uc_.directory, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::RecordIdentification(
    grpc::CallbackServerContext* ctx, const v1::RecordIdentificationRequest* req,
    v1::Request* resp) {
  return handle(ctx, "RecordIdentification", [=, this](const Principal& p) -> absl::Status {
    const auto id = changeable(p, req->name(), "requests", "name");
    if (!id.ok()) return id.status();
    auto record =
        uc_.record_identification.run(actor_of(p), *id, req->asked_time(), req->received_time());
    if (!record.ok()) return record.status();
    to_proto(*record, uc_.directory, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::RefuseRequest(grpc::CallbackServerContext* ctx,
                                                        const v1::RefuseRequestRequest* req,
                                                        v1::Request* resp) {
  return handle(ctx, "RefuseRequest", [=, this](const Principal& p) -> absl::Status {
    const auto id = changeable(p, req->name(), "requests", "name");
    if (!id.ok()) return id.status();
    auto record = uc_.refuse_request.run(actor_of(p), *id, req->ground(), req->reason());
    if (!record.ok()) return record.status();
    to_proto(*record, uc_.directory, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::ListObligations(grpc::CallbackServerContext* ctx,
                                                          const v1::ListObligationsRequest* req,
                                                          v1::ListObligationsResponse* resp) {
  return handle(ctx, "ListObligations", [=, this](const Principal& p) -> absl::Status {
    const auto scope = policy::list_scope(p, req->party(), uc_.directory);
    if (!scope.ok()) return scope.status();
    app::ObligationQuery q;
    q.include_closed = req->include_closed();
    q.party = scope->party;
    q.viewer = scope->viewer;
    if (req->has_due_before()) {
      const auto due_before = instant_from_proto(req->due_before(), "due_before");
      if (!due_before.ok()) return due_before.status();
      q.due_before = *due_before;
    }
    q.page_size = req->page_size();
    q.page_token = req->page_token();
    auto page = uc_.queries.obligations(q);
    if (!page.ok()) return page.status();
    add_seen(p, page->items,
             [&](const auto& o) { to_proto(o, uc_.directory, resp->add_obligations()); });
    resp->set_next_page_token(page->next_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::GetObligation(grpc::CallbackServerContext* ctx,
                                                        const v1::GetObligationRequest* req,
                                                        v1::Obligation* resp) {
  return handle(ctx, "GetObligation", [=, this](const Principal& p) -> absl::Status {
    const auto id = app::parse_resource_id(req->name(), "obligations", "name");
    if (!id.ok()) return id.status();
    const auto view = view_for(p, uc_.queries, "obligations", *id);
    if (!view.ok()) return view.status();
    auto o = uc_.queries.obligation(*id);
    if (!o.ok()) return o.status();
    to_proto(app::as_viewed(std::move(*o), *view, p.party), uc_.directory, resp);
    return absl::OkStatus();
  });
}

absl::Status TermijnService::close(const Principal& p, const std::string& name, bool fulfil,
                                   const std::string& text, const std::string& ground,
                                   v1::Obligation* resp) {
  const auto id = app::parse_resource_id(name, "obligations", "name");
  if (!id.ok()) return id.status();
  if (const auto view = view_for(p, uc_.queries, "obligations", *id); !view.ok()) {
    return view.status();
  }
  const auto current = uc_.queries.obligation(*id);
  if (!current.ok()) return current.status();
  if (auto s = policy::may_close(p, current->owner_party); !s.ok()) return s;
  auto closed = fulfil ? uc_.close_obligation.fulfil(actor_of(p), *id, text)
                       : uc_.close_obligation.waive(actor_of(p), *id, text, ground);
  if (!closed.ok()) return closed.status();
  to_proto(*closed, uc_.directory, resp);
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* TermijnService::FulfilObligation(grpc::CallbackServerContext* ctx,
                                                           const v1::FulfilObligationRequest* req,
                                                           v1::Obligation* resp) {
  return handle(ctx, "FulfilObligation", [=, this](const Principal& p) {
    return close(p, req->name(), true, req->evidence(), "", resp);
  });
}

grpc::ServerUnaryReactor* TermijnService::WaiveObligation(grpc::CallbackServerContext* ctx,
                                                          const v1::WaiveObligationRequest* req,
                                                          v1::Obligation* resp) {
  return handle(ctx, "WaiveObligation", [=, this](const Principal& p) {
    return close(p, req->name(), false, req->reason(), req->ground(), resp);
  });
}

grpc::ServerUnaryReactor* TermijnService::PreviewObligations(
    grpc::CallbackServerContext* ctx, const v1::PreviewObligationsRequest* req,
    v1::PreviewObligationsResponse* resp) {
  return handle(ctx, "PreviewObligations", [=, this](const Principal& p) -> absl::Status {
    domain::Trigger trigger;
    std::optional<domain::RequestKind> kind;
    if (req->request_kind() != v1::REQUEST_KIND_UNSPECIFIED) {
      auto k = request_kind_from_proto(req->request_kind(), "request_kind");
      if (!k.ok()) return k.status();
      kind = *k;
    }
    switch (req->event()) {
      case v1::EVENT_KIND_INCIDENT:
        trigger = domain::Trigger::kIncident;
        break;
      case v1::EVENT_KIND_HIGH_RISK:
        trigger = domain::Trigger::kHighRisk;
        break;
      case v1::EVENT_KIND_REQUEST_EXTENSION:
      case v1::EVENT_KIND_REQUEST_REFUSAL:
      case v1::EVENT_KIND_REQUEST:
        trigger = req->event() == v1::EVENT_KIND_REQUEST           ? domain::Trigger::kRequest
                  : req->event() == v1::EVENT_KIND_REQUEST_REFUSAL ? domain::Trigger::kRefusal
                                                                   : domain::Trigger::kExtension;
        break;
      case v1::EVENT_KIND_DATA_QUALITY:
      case v1::EVENT_KIND_LAW_CHANGE:
      case v1::EVENT_KIND_PROCESSOR_CHANGE:
      case v1::EVENT_KIND_STAFF_DEPARTURE:
      case v1::EVENT_KIND_TERMINATION_ART10:
      case v1::EVENT_KIND_TERMINATION_ART18:
        // The matter kinds follow the event kinds from EVENT_KIND_DATA_QUALITY on.
        trigger = domain::trigger_of(
            static_cast<domain::MatterKind>(req->event() - v1::EVENT_KIND_DATA_QUALITY));
        break;
      default:
        return absl::InvalidArgumentError(
            "event: required (incident, request, high-risk, request-extension, "
            "request-refusal, data-quality, law-change, processor-change, staff-departure, "
            "termination-art10 or termination-art18)");
    }
    auto planned = uc_.preview_obligations.run(trigger, party_or_own(req->party(), p), req->time(),
                                               kind, req->extension_months());
    if (!planned.ok()) return planned.status();
    for (const auto& o : *planned) to_proto(o, uc_.directory, resp->add_obligations());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::ListAuditEvents(grpc::CallbackServerContext* ctx,
                                                          const v1::ListAuditEventsRequest* req,
                                                          v1::ListAuditEventsResponse* resp) {
  return handle(ctx, "ListAuditEvents", [=, this](const Principal& p) -> absl::Status {
    if (auto s = policy::may_read_audit(p); !s.ok()) return s;
    if (req->page_size() < 0) return absl::InvalidArgumentError("page_size: must not be negative");
    if (req->since_seq() < 0) return absl::InvalidArgumentError("since_seq: must not be negative");
    app::AuditFilter filter{.subject = req->subject(),
                            .after_seq = req->since_seq(),
                            .limit = req->page_size() == 0 ? 100 : std::min(req->page_size(), 1000),
                            .viewer = policy::audit_viewer(p)};
    if (!req->page_token().empty()) {
      try {
        filter.after_seq = std::max<int64_t>(filter.after_seq, std::stoll(req->page_token()));
      } catch (const std::exception&) {
        return absl::InvalidArgumentError("page_token: not a token this service issued");
      }
    }
    ++filter.limit;  // one more tells whether another page follows
    auto events = uc_.audit_trail.list(filter);
    if (!events.ok()) return events.status();
    if (static_cast<int>(events->size()) == filter.limit) {
      events->pop_back();
      resp->set_next_page_token(std::to_string(events->back().record.seq));
    }
    for (const auto& e : *events) to_proto(e, resp->add_events());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::GetAuditEvent(grpc::CallbackServerContext* ctx,
                                                        const v1::GetAuditEventRequest* req,
                                                        v1::AuditEvent* resp) {
  return handle(ctx, "GetAuditEvent", [=, this](const Principal& p) -> absl::Status {
    if (auto s = policy::may_read_audit(p); !s.ok()) return s;
    if (req->seq() <= 0) return absl::InvalidArgumentError("seq: must be positive");
    auto event = uc_.audit_trail.get(req->seq(), policy::audit_viewer(p));
    if (!event.ok()) return event.status();
    to_proto(*event, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::VerifyAuditTrail(grpc::CallbackServerContext* ctx,
                                                           const v1::VerifyAuditTrailRequest*,
                                                           v1::VerifyAuditTrailResponse* resp) {
  return handle(ctx, "VerifyAuditTrail", [=, this](const Principal& p) -> absl::Status {
    if (auto s = policy::may_read_audit(p); !s.ok()) return s;
    auto v = uc_.audit_checkpoints.verify();
    if (!v.ok()) return v.status();
    resp->set_verified(v->verified);
    resp->set_checkpoint_seq(v->checkpoint_seq);
    resp->set_event_count(v->event_count);
    resp->set_last_seq(v->last_seq);
    resp->set_last_hash(v->last_hash);
    resp->set_first_bad_seq(v->first_bad_seq);
    resp->set_reason(v->reason);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::GetAuditCheckpoint(grpc::CallbackServerContext* ctx,
                                                             const v1::GetAuditCheckpointRequest*,
                                                             v1::AuditCheckpoint* resp) {
  return handle(ctx, "GetAuditCheckpoint", [=, this](const Principal& p) -> absl::Status {
    if (auto s = policy::may_read_audit(p); !s.ok()) return s;
    auto checkpoint = uc_.audit_checkpoints.latest();
    if (!checkpoint.ok()) return checkpoint.status();
    to_proto(*checkpoint, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::CreateAuditCheckpoint(
    grpc::CallbackServerContext* ctx, const v1::CreateAuditCheckpointRequest*,
    v1::AuditCheckpoint* resp) {
  return handle(ctx, "CreateAuditCheckpoint", [=, this](const Principal& p) -> absl::Status {
    if (auto s = policy::may_read_audit(p); !s.ok()) return s;
    auto checkpoint = uc_.audit_checkpoints.create();
    if (!checkpoint.ok()) return checkpoint.status();
    to_proto(*checkpoint, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::ListNotifications(grpc::CallbackServerContext* ctx,
                                                            const v1::ListNotificationsRequest* req,
                                                            v1::ListNotificationsResponse* resp) {
  return handle(ctx, "ListNotifications", [=, this](const Principal& p) -> absl::Status {
    const auto scope = policy::list_scope(p, req->party(), uc_.directory);
    if (!scope.ok()) return scope.status();
    app::NotificationQuery q{scope->party, std::nullopt, req->page_size(), req->page_token(),
                             scope->viewer};
    if (!req->state().empty()) {
      q.state = domain::parse_name<domain::NotificationState>(req->state());
      if (!q.state) {
        return absl::InvalidArgumentError("state: " + app::quote_input(req->state()) +
                                          " is not one of " +
                                          domain::all_names<domain::NotificationState>());
      }
    }
    auto page = uc_.notifications.list(q);
    if (!page.ok()) return page.status();
    add_seen(p, page->items,
             [&](const auto& r) { to_proto(r, uc_.directory, resp->add_notifications()); });
    resp->set_next_page_token(page->next_token);
    return absl::OkStatus();
  });
}

absl::StatusOr<app::NotificationRecord> TermijnService::readable_notification(
    const Principal& p, const std::string& name) {
  const auto id = app::parse_resource_id(name, "notifications", "name");
  if (!id.ok()) return id.status();
  const auto view = view_for(p, uc_.queries, "notifications", *id);
  if (!view.ok()) return view.status();
  auto record = uc_.notifications.get(*id);
  if (!record.ok()) return record.status();
  return app::as_viewed(std::move(*record), *view, p.party);
}

grpc::ServerUnaryReactor* TermijnService::GetNotification(grpc::CallbackServerContext* ctx,
                                                          const v1::GetNotificationRequest* req,
                                                          v1::NotificationPreview* resp) {
  return handle(ctx, "GetNotification", [=, this](const Principal& p) -> absl::Status {
    const auto record = readable_notification(p, req->name());
    if (!record.ok()) return record.status();
    to_proto(*record, uc_.directory, resp->mutable_notification());
    const auto mail = uc_.composer.compose(record->notification);
    if (!mail.ok()) return mail.status();
    resp->set_mail_from(mail->from.email);
    for (const auto& a : mail->to) resp->add_mail_to(a.email);
    for (const auto& a : mail->cc) resp->add_mail_cc(a.email);
    resp->set_mail_subject(mail->subject);
    resp->set_mail_body(mail->text_body);
    for (const auto& a : mail->attachments) resp->add_attachments(a.file_name);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::SendNotification(grpc::CallbackServerContext* ctx,
                                                           const v1::SendNotificationRequest* req,
                                                           v1::Notification* resp) {
  return handle(ctx, "SendNotification", [=, this](const Principal& p) -> absl::Status {
    const auto record = readable_notification(p, req->name());
    if (!record.ok()) return record.status();
    if (auto s = app::serves_obligation(record->notification); !s.ok()) return s;
    if (auto s = policy::may_close(p, record->obligation.owner_party); !s.ok()) return s;
    auto sent = uc_.notifications.release(actor_of(p), record->notification.id);
    if (!sent.ok()) return sent.status();
    to_proto(*sent, uc_.directory, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::AcknowledgeNotification(
    grpc::CallbackServerContext* ctx, const v1::AcknowledgeNotificationRequest* req,
    v1::Notification* resp) {
  return handle(ctx, "AcknowledgeNotification", [=, this](const Principal& p) -> absl::Status {
    const auto record = readable_notification(p, req->name());
    if (!record.ok()) return record.status();
    if (auto s = app::serves_obligation(record->notification); !s.ok()) return s;
    if (auto s = policy::may_acknowledge(p, record->obligation.recipient_party); !s.ok()) return s;
    auto acked = uc_.notifications.acknowledge(actor_of(p), record->notification.id);
    if (!acked.ok()) return acked.status();
    if (auto seen = seen_by(p, std::move(*acked))) to_proto(*seen, uc_.directory, resp);
    return absl::OkStatus();
  });
}

template <typename Entry>
grpc::ServerWriteReactor<Entry>* TermijnService::export_register(
    grpc::CallbackServerContext* ctx, const char* method, const v1::ExportRegisterRequest& req) {
  // Authentication, the policy and the scope are in memory: decided here, before any read.
  const auto principal = authenticator_.authenticate(*ctx);
  const absl::StatusOr<app::RegisterScope> scope =
      principal.ok() ? readable_register(uc_.registers, *principal,
                                         party_or_own(req.party(), *principal), req.year())
                     : principal.status();
  typename RegisterStream<Entry>::NextPage next;
  if (scope.ok()) {
    next = [this, scope = *scope, after = RegisterCursor()](bool& more) mutable {
      return next_register_page<Entry>(uc_.registers, uc_.directory, scope, after, more);
    };
  }
  return RegisterStream<Entry>::start(ctx, method,
                                      principal.ok() ? principal->name : "(unauthenticated)",
                                      executor_, scope.status(), std::move(next));
}

grpc::ServerWriteReactor<v1::IncidentRegisterEntry>* TermijnService::ExportIncidentRegister(
    grpc::CallbackServerContext* ctx, const v1::ExportRegisterRequest* req) {
  return export_register<v1::IncidentRegisterEntry>(ctx, "ExportIncidentRegister", *req);
}

grpc::ServerWriteReactor<v1::RequestRegisterEntry>* TermijnService::ExportRequestRegister(
    grpc::CallbackServerContext* ctx, const v1::ExportRegisterRequest* req) {
  return export_register<v1::RequestRegisterEntry>(ctx, "ExportRequestRegister", *req);
}

grpc::ServerWriteReactor<v1::Event>* TermijnService::WatchEvents(
    grpc::CallbackServerContext* ctx, const v1::WatchEventsRequest* req) {
  return event_streams_.open(authenticator_.authenticate(*ctx), authenticator_.recheck(*ctx), *req);
}

std::vector<const config::Webhook*> TermijnService::readable_webhooks(const Principal& p) const {
  std::vector<const config::Webhook*> out;
  for (const config::Webhook& w : uc_.webhooks) {
    if (policy::may_read_webhooks(p, w.party).ok()) out.push_back(&w);
  }
  return out;
}

absl::StatusOr<const config::Webhook*> TermijnService::webhook(const Principal& p,
                                                               const std::string& name,
                                                               bool change) const {
  for (const config::Webhook& w : uc_.webhooks) {
    if (w.name != name) continue;
    if (auto s = policy::may_read_webhooks(p, w.party); !s.ok()) break;  // as if it did not exist
    if (change) {
      if (auto s = policy::may_change_webhooks(p, w.party); !s.ok()) return s;
    }
    return &w;
  }
  return absl::NotFoundError("webhook " + app::quote_input(name) + " is not configured");
}

grpc::ServerUnaryReactor* TermijnService::ListWebhooks(grpc::CallbackServerContext* ctx,
                                                       const v1::ListWebhooksRequest*,
                                                       v1::ListWebhooksResponse* resp) {
  return handle(ctx, "ListWebhooks", [=, this](const Principal& p) -> absl::Status {
    if (!p.dpo && !p.auditor) return policy::may_read_webhooks(p, p.party);
    for (const config::Webhook* w : readable_webhooks(p)) {
      const auto position = uc_.webhook_store.position(w->name);
      if (!position.ok()) return position.status();
      v1::Webhook* out = resp->add_webhooks();
      out->set_name(w->name);
      out->set_url(w->url);
      out->set_party(w->party);
      for (const std::string& t : w->types) out->add_types(t);
      out->set_subject(w->subject);
      out->set_position(*position);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::ListWebhookDeliveries(
    grpc::CallbackServerContext* ctx, const v1::ListWebhookDeliveriesRequest* req,
    v1::ListWebhookDeliveriesResponse* resp) {
  return handle(ctx, "ListWebhookDeliveries", [=, this](const Principal& p) -> absl::Status {
    if (req->page_size() < 0) return absl::InvalidArgumentError("page_size: must not be negative");
    static const std::set<std::string> kStates = {"", "pending", "delivered", "failed"};
    if (!kStates.count(req->state())) {
      return absl::InvalidArgumentError("state: must be pending, delivered or failed");
    }
    if (!p.dpo && !p.auditor) return policy::may_read_webhooks(p, p.party);
    // The endpoints asked for, or all the caller may read: chosen before the newest rows are
    // taken, so that another party's busier endpoint does not crowd the caller's out.
    std::vector<std::string> endpoints;
    if (!req->endpoint().empty()) {
      if (auto w = webhook(p, req->endpoint(), false); !w.ok()) return w.status();
      endpoints.push_back(req->endpoint());
    } else if (!p.auditor) {
      for (const config::Webhook* w : readable_webhooks(p)) endpoints.push_back(w->name);
      if (endpoints.empty()) return absl::OkStatus();  // none of its own
    }
    const int limit = req->page_size() == 0 ? 50 : std::min(req->page_size(), 1000);
    auto rows = uc_.webhook_store.deliveries(endpoints, req->state(), limit);
    if (!rows.ok()) return rows.status();
    for (const app::WebhookDelivery& d : *rows) to_proto(d, resp->add_deliveries());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::RedeliverWebhook(grpc::CallbackServerContext* ctx,
                                                           const v1::RedeliverWebhookRequest* req,
                                                           v1::WebhookDelivery* resp) {
  return handle(ctx, "RedeliverWebhook", [=, this](const Principal& p) -> absl::Status {
    const std::string& id = req->delivery_id();
    const size_t slash = id.rfind('/');
    int64_t seq = 0;
    if (slash != std::string::npos) {
      try {
        seq = std::stoll(id.substr(slash + 1));
      } catch (const std::exception&) {
        seq = 0;
      }
    }
    if (slash == std::string::npos || seq <= 0) {
      return absl::InvalidArgumentError("delivery_id: " + app::quote_input(id) +
                                        " is not ENDPOINT/SEQ, e.g. servicedesk/42");
    }
    const std::string endpoint = id.substr(0, slash);
    if (auto w = webhook(p, endpoint, true); !w.ok()) return w.status();
    auto d = uc_.webhook_store.redeliver(endpoint, seq, uc_.clock.now());
    if (!d.ok()) return d.status();
    to_proto(*d, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::TestWebhook(grpc::CallbackServerContext* ctx,
                                                      const v1::TestWebhookRequest* req,
                                                      v1::TestWebhookResponse* resp) {
  return handle(ctx, "TestWebhook", [=, this](const Principal& p) -> absl::Status {
    const auto w = webhook(p, req->endpoint(), true);
    if (!w.ok()) return w.status();
    const domain::Instant now = uc_.clock.now();
    domain::StreamEvent test;
    test.type = "webhook.test";
    test.time = now;
    test.party = (*w)->party;
    test.principal = p.name;
    test.details = "{}";
    test.action = "webhook.test";
    const std::string delivery_id =
        (*w)->name + "/test-" + std::to_string(now.time_since_epoch().count());
    const notify::WebhookResult result = uc_.webhook_sender.post(
        {(*w)->url, (*w)->secret, (*w)->ca_file, delivery_id, test.type, event_json(test),
         static_cast<int64_t>(now.time_since_epoch().count()),
         std::chrono::seconds{(*w)->timeout_seconds}});
    resp->set_delivered(result.delivered);
    resp->set_status(static_cast<int>(result.status));
    resp->set_error(result.error);
    resp->set_delivery_id(delivery_id);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::ReportMatter(grpc::CallbackServerContext* ctx,
                                                       const v1::ReportMatterRequest* req,
                                                       v1::Matter* resp) {
  return handle(
      ctx, "ReportMatter",
      [=, this](const Principal& p) -> absl::Status {
        if (auto s = policy::may_record_anything(p); !s.ok()) return s;
        auto input = from_proto(*req);
        if (!input.ok()) return input.status();
        input->party = party_or_own(input->party, p);
        if (auto s = uc_.directory.find(input->party, "party"); !s.ok()) return s.status();
        if (auto s = policy::may_report_matter(p, input->party, input->kind); !s.ok()) return s;
        auto record = uc_.report_matter.run(actor_of(p), *input);
        if (!record.ok()) return record.status();
        // As `matter show` answers it: the duties the other parties owe themselves are theirs.
        to_proto(app::owner_view(std::move(*record), p.party), uc_.directory, resp);
        return absl::OkStatus();
      },
      Run::kOnExecutor, req->ByteSizeLong());
}

grpc::ServerUnaryReactor* TermijnService::GetMatter(grpc::CallbackServerContext* ctx,
                                                    const v1::GetMatterRequest* req,
                                                    v1::Matter* resp) {
  return handle(ctx, "GetMatter", [=, this](const Principal& p) -> absl::Status {
    const auto id = app::parse_resource_id(req->name(), "matters", "name");
    if (!id.ok()) return id.status();
    const auto view = view_for(p, uc_.queries, "matters", *id);
    if (!view.ok()) return view.status();
    auto record = uc_.queries.matter(*id);
    if (!record.ok()) return record.status();
    to_proto(app::as_viewed(std::move(*record), *view, p.party), uc_.directory, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TermijnService::ListMatters(grpc::CallbackServerContext* ctx,
                                                      const v1::ListMattersRequest* req,
                                                      v1::ListMattersResponse* resp) {
  return handle(ctx, "ListMatters", [=, this](const Principal& p) -> absl::Status {
    const auto scope = policy::list_scope(p, req->party(), uc_.directory);
    if (!scope.ok()) return scope.status();
    auto page = uc_.queries.matters({.party = scope->party,
                                     .page_size = req->page_size(),
                                     .page_token = req->page_token(),
                                     .viewer = scope->viewer});
    if (!page.ok()) return page.status();
    add_seen(p, page->items,
             [&](const auto& r) { to_proto(r, uc_.directory, resp->add_matters()); });
    resp->set_next_page_token(page->next_token);
    return absl::OkStatus();
  });
}

}  // namespace termijn::api
