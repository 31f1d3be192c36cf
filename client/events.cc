#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include "client/context.h"

namespace termijn::cli {

namespace {

struct Watch {
  int64_t since = 0;
  std::vector<std::string> types;
  std::string subject;
};

void print_event(const Context& ctx, const v1::Event& e) {
  if (ctx.json()) {
    std::string line;
    google::protobuf::util::JsonPrintOptions options;
    options.always_print_primitive_fields = true;
    if (!google::protobuf::util::MessageToJsonString(e, &line, options).ok()) {
      throw CliError(1, "cannot print event " + std::to_string(e.seq()) + " as JSON");
    }
    std::cout << line << std::endl;  // one line per event, flushed: a pipe reads it at once
    return;
  }
  std::cout << e.seq() << "  " << google::protobuf::util::TimeUtil::ToString(e.time()) << "  "
            << e.type() << "  " << e.subject()
            << (e.related().empty() ? "" : " (" + e.related() + ")") << "  " << e.party()
            << (e.principal().empty() ? "" : "  by " + e.principal()) << std::endl;
}

// Streams events after `watch.since`; returns the status the stream ended with. `last` follows
// the last event printed.
grpc::Status stream_once(Context& ctx, const Watch& watch, int64_t& last) {
  v1::WatchEventsRequest req;
  req.set_since_seq(last);
  for (const std::string& t : watch.types) req.mutable_filter()->add_types(t);
  req.mutable_filter()->set_subject(watch.subject);
  grpc::ClientContext context;  // no deadline: the stream does not end by itself
  if (ctx.insecure_plaintext && !ctx.principal.empty()) {
    context.AddMetadata("x-termijn-principal", ctx.principal);
  }
  auto reader = ctx.stub().WatchEvents(&context, req);
  v1::Event e;
  while (reader->Read(&e)) {
    print_event(ctx, e);
    last = e.seq();
  }
  return reader->Finish();
}

}  // namespace

void add_event_commands(CLI::App& app, Context& ctx) {
  CLI::App* events = app.add_subcommand("events", "What happens, as a stream (DPOs and auditors)");
  events->require_subcommand(1);
  auto watch = std::make_shared<Watch>();
  CLI::App* w = events->add_subcommand(
      "watch",
      "Print the events after --since, then each new one as it happens, until interrupted; "
      "reconnects (after the last event printed) while the server is unavailable");
  w->add_option("--since", watch->since, "only events after this sequence number")
      ->check(CLI::NonNegativeNumber);
  w->add_option("--type", watch->types,
                "event types (incident.reported) or prefixes ending in a dot (obligation.); "
                "repeatable")
      ->delimiter(',');
  w->add_option("--subject", watch->subject, "a record, e.g. incidents/4, with what belongs to it");
  w->callback([&ctx, watch] {
    int64_t last = watch->since;
    auto backoff = std::chrono::milliseconds(500);
    while (true) {
      const int64_t before = last;
      const grpc::Status status = stream_once(ctx, *watch, last);
      if (status.error_code() != grpc::StatusCode::UNAVAILABLE ||
          server_certificate_refused(status)) {
        return check(status);
      }
      if (last != before) backoff = std::chrono::milliseconds(500);  // it was streaming
      std::cerr << "termijn: " << unavailable(status) << "; reconnecting in "
                << std::chrono::duration<double>(backoff).count() << " s, resuming after event "
                << last << std::endl;
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
    }
  });
}

}  // namespace termijn::cli
