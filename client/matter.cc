#include <iostream>

#include "client/context.h"
#include "client/table.h"
#include "proto/enum_names.h"

namespace termijn::cli {

namespace {

std::string zone_of(const v1::Matter& m) {
  return m.obligations().empty() ? "Europe/Brussels" : m.obligations(0).time_zone();
}

void print_matter(const v1::Matter& m) {
  const std::string zone = zone_of(m);
  std::cout << m.name() << "  " << v1::spelling(m.kind()) << "\n";
  Facts facts;
  facts.add("party", m.party());
  facts.add("at", local_time(m.event_time(), zone));
  facts.add("summary", m.summary());
  if (!m.staff_ref().empty()) facts.add("staff ref", m.staff_ref());
  facts.add("reported by", m.reported_by());
  facts.print(std::cout);
  if (m.kind() == v1::MATTER_KIND_TERMINATION_ART10 ||
      m.kind() == v1::MATTER_KIND_TERMINATION_ART18) {
    // Every party's duty falls on the day the termination takes effect.
    for (const v1::Obligation& o : m.obligations()) {
      std::cout << "  takes effect: " << local_time(o.due_time(), o.time_zone()) << "\n"
                << "    " << o.explanation() << "\n";
      break;
    }
  }
  std::cout << "\n";
  print_obligations(m.obligations(), true);
}

}  // namespace

void add_matter_commands(CLI::App& app, Context& ctx) {
  CLI::App* matter = app.add_subcommand(
      "matter",
      "Protocol matters: data-quality findings (art. 12), changes in law or of processors "
      "(art. 15), staff departures (art. 9), terminations (art. 10, 18)");
  matter->require_subcommand(1);

  struct Report {
    std::string party, kind, at, summary, staff_ref, request_id;
  };
  auto report = std::make_shared<Report>();
  CLI::App* cmd = matter->add_subcommand(
      "report", "Record a matter; the obligations it starts are tracked and notices queued");
  cmd->add_option("--party", report->party, "reporting party (default: your own)");
  cmd->add_option("--kind", report->kind, v1::all_spellings<v1::MatterKind>())->required();
  cmd->add_option("--at", report->at,
                  "when it was found, changed, the member left or notice was given: " +
                      kTimeFormats + " (default: now)");
  cmd->add_option("--summary", report->summary, "what it is about")->required();
  cmd->add_option("--staff-ref", report->staff_ref,
                  "staff-departure: an opaque reference to the member (no name)");
  cmd->add_option("--request-id", report->request_id,
                  "a UUID that makes repeating this report safe (default: a new one)");
  cmd->callback([&ctx, report] {
    v1::ReportMatterRequest req;
    req.set_party(report->party);
    req.set_kind(parse_list<v1::MatterKind>({report->kind}, "--kind")[0]);
    req.set_event_time(report->at);
    req.set_summary(report->summary);
    req.set_staff_ref(report->staff_ref);
    req.set_request_id(report->request_id.empty() ? new_request_id() : report->request_id);
    v1::Matter resp;
    check(ctx.create_with_retries(
        [&](grpc::ClientContext* call) { return ctx.stub().ReportMatter(call, req, &resp); }));
    if (ctx.json()) return print_json(resp);
    print_matter(resp);
  });

  auto show = std::make_shared<v1::GetMatterRequest>();
  CLI::App* sh = matter->add_subcommand("show", "Show a matter and its obligations");
  sh->add_option("id", *show->mutable_name(), "matter id or name (matters/3)")->required();
  sh->callback([&ctx, show] {
    v1::Matter resp;
    check(ctx.stub().GetMatter(ctx.call_context().get(), *show, &resp));
    if (ctx.json()) return print_json(resp);
    print_matter(resp);
    print_history(ctx, resp.name());
  });

  auto list = std::make_shared<v1::ListMattersRequest>();
  auto page = std::make_shared<Page>();
  CLI::App* ls = matter->add_subcommand("list", "List matters, newest first");
  ls->add_option("--party", *list->mutable_party(), "concerning this party");
  add_page_options(*ls, *page);
  ls->callback([&ctx, list, page, ls] {
    list->set_page_size(page->limit);
    list->set_page_token(page->token);
    v1::ListMattersResponse resp;
    check(ctx.stub().ListMatters(ctx.call_context().get(), *list, &resp));
    if (ctx.json()) return print_json(resp);
    Table table({"ID", "PARTY", "KIND", "AT", "SUMMARY"});
    for (const v1::Matter& m : resp.matters()) {
      table.add({m.name(), m.party(), v1::spelling(m.kind()),
                 local_time(m.event_time(), zone_of(m)), m.summary()});
    }
    table.print(std::cout);
    print_more(*ls, resp.next_page_token());
  });
}

}  // namespace termijn::cli
