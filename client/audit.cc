#include <google/protobuf/util/time_util.h>

#include <iostream>

#include "client/context.h"

namespace termijn::cli {

namespace {

std::string utc(const google::protobuf::Timestamp& t) {
  return google::protobuf::util::TimeUtil::ToString(t);
}

// Calls ListAuditEvents page by page, handing each event to `each`.
template <typename Each>
void for_each_event(Context& ctx, const std::string& subject, int64_t since, Each each) {
  v1::ListAuditEventsRequest req;
  req.set_subject(subject);
  req.set_since_seq(since);
  req.set_page_size(1000);
  do {
    v1::ListAuditEventsResponse resp;
    check(ctx.stub().ListAuditEvents(ctx.call_context().get(), req, &resp));
    for (const v1::AuditEvent& e : resp.events()) each(e);
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
}

}  // namespace

void print_audit_table_header() {
  std::printf("%-6s %-22s %-20s %-22s %-16s %s\n", "SEQ", "TIME (UTC)", "PRINCIPAL", "ACTION",
              "SUBJECT", "DETAILS");
}

void print_audit_row(const v1::AuditEvent& e) {
  std::printf("%-6lld %-22s %-20s %-22s %-16s %s\n", static_cast<long long>(e.seq()),
              utc(e.time()).c_str(), e.principal().c_str(), e.action().c_str(),
              e.subject().c_str(), e.details().c_str());
}

void print_history(Context& ctx, const std::string& subject) {
  std::cout << "\nhistory:\n";
  try {
    std::vector<v1::AuditEvent> events;
    for_each_event(ctx, subject, 0, [&events](const v1::AuditEvent& e) { events.push_back(e); });
    print_audit_table_header();
    for (const auto& e : events) print_audit_row(e);
  } catch (const CliError& e) {
    if (e.exit_code != exit_code_for(grpc::StatusCode::PERMISSION_DENIED)) throw;
    std::cout << "  (the audit trail is for DPOs and auditors)\n";
  }
}

void add_audit_commands(CLI::App& app, Context& ctx) {
  CLI::App* audit = app.add_subcommand("audit", "The tamper-evident audit trail");
  audit->require_subcommand(1);

  struct List {
    std::string subject;
    int64_t since = 0;
  };
  auto list = std::make_shared<List>();
  CLI::App* ls = audit->add_subcommand("list", "List audit events in order");
  ls->add_option("--subject", list->subject, "a resource, e.g. incidents/4 (with its obligations)");
  ls->add_option("--since", list->since, "only events after this sequence number");
  ls->callback([&ctx, list] {
    if (ctx.json()) {
      v1::ListAuditEventsResponse all;
      for_each_event(ctx, list->subject, list->since,
                     [&all](const v1::AuditEvent& e) { *all.add_events() = e; });
      return print_json(all);
    }
    print_audit_table_header();
    for_each_event(ctx, list->subject, list->since, print_audit_row);
  });

  auto seq = std::make_shared<int64_t>(0);
  CLI::App* show = audit->add_subcommand("show", "Show one event with its hashes");
  show->add_option("seq", *seq, "sequence number")->required();
  show->callback([&ctx, seq] {
    v1::GetAuditEventRequest req;
    req.set_seq(*seq);
    v1::AuditEvent e;
    check(ctx.stub().GetAuditEvent(ctx.call_context().get(), req, &e));
    if (ctx.json()) return print_json(e);
    std::cout << "seq:       " << e.seq() << "\n"
              << "time:      " << utc(e.time()) << "\n"
              << "principal: " << e.principal() << " (" << e.party() << ")\n"
              << "action:    " << e.action() << "\n"
              << "subject:   " << e.subject() << "\n"
              << "related:   " << e.related() << "\n"
              << "details:   " << e.details() << "\n"
              << "prev_hash: " << e.prev_hash() << "\n"
              << "hash:      " << e.hash() << "\n";
  });

  audit->add_subcommand("verify", "Re-compute the whole hash chain")->callback([&ctx] {
    v1::VerifyAuditTrailResponse v;
    check(ctx.stub().VerifyAuditTrail(ctx.call_context().get(), {}, &v));
    if (ctx.json()) print_json(v);
    if (!v.verified()) {
      throw CliError(7, "audit trail does NOT verify at event " +
                            std::to_string(v.first_bad_seq()) + ": " + v.reason() + " (" +
                            std::to_string(v.event_count()) + " events before it verified)");
    }
    if (!ctx.json()) {
      std::cout << "verified " << v.event_count() << " events up to " << v.last_seq()
                << " (hash " << v.last_hash() << ")\n";
    }
  });

  auto format = std::make_shared<std::string>("jsonl");
  CLI::App* exp = audit->add_subcommand("export", "Every event with its hashes, for an outside check");
  exp->add_option("--format", *format, "jsonl")->check(CLI::IsMember({"jsonl"}));
  exp->callback([&ctx, format] {  // holds the option's storage alive
    for_each_event(ctx, "", 0, [](const v1::AuditEvent& e) {
      std::string line;
      google::protobuf::util::JsonPrintOptions options;
      options.preserve_proto_field_names = true;
      options.always_print_primitive_fields = true;
      if (!google::protobuf::util::MessageToJsonString(e, &line, options).ok()) {
        throw CliError(1, "cannot print event " + std::to_string(e.seq()));
      }
      std::cout << line << "\n";
    });
  });
}

}  // namespace termijn::cli
