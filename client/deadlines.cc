#include <google/protobuf/util/time_util.h>

#include <iostream>
#include <map>

#include "client/context.h"
#include "proto/enum_names.h"

namespace termijn::cli {

void add_deadline_commands(CLI::App& app, Context& ctx) {
  struct List {
    bool all = false;
    std::string party, due_before;
    Page page;
  };
  auto list = std::make_shared<List>();
  CLI::App* deadlines =
      app.add_subcommand("deadlines", "Open obligations, soonest first, with countdown");
  std::vector<CLI::Option*> listing_options{
      deadlines->add_flag("--all", list->all, "include met and waived obligations"),
      deadlines->add_option("--party", list->party, "owner party (default: your own)"),
      deadlines->add_option("--due-before", list->due_before, "RFC 3339 instant")};
  for (CLI::Option* option : add_page_options(*deadlines, list->page)) {
    listing_options.push_back(option);
  }
  deadlines->callback([&ctx, list, deadlines] {
    if (!deadlines->get_subcommands().empty()) return;
    v1::ListObligationsRequest req;
    req.set_include_closed(list->all);
    req.set_party(list->party);
    if (!list->due_before.empty() &&
        !google::protobuf::util::TimeUtil::FromString(list->due_before,
                                                      req.mutable_due_before())) {
      throw CliError(2, "--due-before: '" + list->due_before +
                            "' is not an RFC 3339 instant like 2026-12-01T00:00:00+01:00");
    }
    req.set_page_size(list->page.limit);
    req.set_page_token(list->page.token);
    v1::ListObligationsResponse resp;
    check(ctx.stub().ListObligations(ctx.call_context().get(), req, &resp));
    if (ctx.json()) return print_json(resp);
    print_obligations(resp.obligations(), false);
    print_more(*deadlines, resp.next_page_token());
  });

  struct Preview {
    std::string event, party, at, kind;
    int months = 0;
  };
  auto preview = std::make_shared<Preview>();
  CLI::App* cmd = deadlines->add_subcommand(
      "preview", "The obligations an event at a given instant would create; stores nothing");
  cmd->add_option("--event", preview->event,
                  "incident, request, high-risk (GDPR art. 34), request-extension (GDPR art. "
                  "12(3)), request-refusal (GDPR art. 12(4)), for which --at is the receipt; "
                  "or a protocol matter: data-quality (art. 12), law-change, processor-change "
                  "(art. 15), staff-departure (art. 9), termination-art10, termination-art18")
      ->required()
      ->check(CLI::IsMember({"incident", "request", "high-risk", "request-extension",
                             "request-refusal", "data-quality", "law-change", "processor-change",
                             "staff-departure", "termination-art10", "termination-art18"}));
  cmd->add_option("--months", preview->months, "for request-extension: 1 or 2");
  cmd->add_option("--party", preview->party, "party the event happens to (default: your own)");
  cmd->add_option("--at", preview->at,
                  "when the event happens: " + kTimeFormats + " (default: now)");
  cmd->add_option("--kind", preview->kind, "request kind (default access)");
  cmd->callback([&ctx, preview, listing_options] {
    // Options preview does not know fall through to `deadlines`: refuse the listing ones rather
    // than ignore them.
    for (const CLI::Option* listing_option : listing_options) {
      if (listing_option->count() > 0) {
        throw CliError(
            2, listing_option->get_name() +
                   ": an option of the `deadlines` listing; `deadlines preview` does not take it");
      }
    }
    v1::PreviewObligationsRequest req;
    const std::map<std::string, v1::EventKind> kEvents{
        {"incident", v1::EVENT_KIND_INCIDENT},
        {"request", v1::EVENT_KIND_REQUEST},
        {"high-risk", v1::EVENT_KIND_HIGH_RISK},
        {"request-extension", v1::EVENT_KIND_REQUEST_EXTENSION},
        {"request-refusal", v1::EVENT_KIND_REQUEST_REFUSAL},
        {"data-quality", v1::EVENT_KIND_DATA_QUALITY},
        {"law-change", v1::EVENT_KIND_LAW_CHANGE},
        {"processor-change", v1::EVENT_KIND_PROCESSOR_CHANGE},
        {"staff-departure", v1::EVENT_KIND_STAFF_DEPARTURE},
        {"termination-art10", v1::EVENT_KIND_TERMINATION_ART10},
        {"termination-art18", v1::EVENT_KIND_TERMINATION_ART18}};
    req.set_event(kEvents.at(preview->event));
    req.set_extension_months(preview->months);
    req.set_party(preview->party);
    req.set_time(preview->at);
    if (!preview->kind.empty()) {
      req.set_request_kind(parse_list<v1::RequestKind>({preview->kind}, "--kind")[0]);
    }
    v1::PreviewObligationsResponse resp;
    check(ctx.stub().PreviewObligations(ctx.call_context().get(), req, &resp));
    if (ctx.json()) return print_json(resp);
    print_obligations(resp.obligations(), true);
  });
}

}  // namespace termijn::cli
