#include <google/protobuf/util/time_util.h>

#include <iostream>

#include "client/context.h"
#include "client/table.h"
#include "proto/enum_names.h"
#include "server/app/event_time.h"

namespace termijn::cli {

namespace {

// The zone the incident's party keeps time in, as its obligations carry it.
std::string zone_of(const v1::Incident& i) {
  return i.obligations().empty() ? "Europe/Brussels" : i.obligations(0).time_zone();
}

void print_incident(const v1::Incident& i) {
  const std::string zone = zone_of(i);
  std::cout << i.name() << "  " << i.title() << "\n";
  Facts facts;
  facts.add("party", i.party());
  facts.add("aware", local_time(i.aware_time(), zone));
  if (i.has_occurred_time()) facts.add("occurred", local_time(i.occurred_time(), zone));
  facts.add("description", i.description());
  std::string categories, groups;
  for (const int c : i.categories()) {
    categories += (categories.empty() ? "" : ",") + v1::spelling(static_cast<v1::DataCategory>(c));
  }
  for (const int g : i.subject_groups()) {
    groups += (groups.empty() ? "" : ",") + v1::spelling(static_cast<v1::SubjectGroup>(g));
  }
  facts.add("categories", categories);
  facts.add("subjects", groups);
  facts.add("subject count", i.subject_count() > 0 ? std::to_string(i.subject_count()) : "");
  facts.add("risk", i.risk() == v1::RISK_UNSPECIFIED ? "not assessed yet" : v1::spelling(i.risk()));
  if (!i.measures().empty()) facts.add("measures", i.measures());
  if (!i.consequences().empty()) facts.add("consequences", i.consequences());
  facts.add("external ref", i.external_ref());
  facts.add("reported by", i.reported_by());
  if (i.has_close_time()) {
    facts.add("closed", local_time(i.close_time(), zone) + " by " + i.closed_by() + ": " +
                            i.closing_summary());
  }
  facts.print(std::cout);
  std::cout << "\n";
  print_obligations(i.obligations(), true);
}

// `text` as `incident report` reads a time: RFC 3339, or local time in the zone of the party of
// incident `id` (a time the clocks skip or repeat is refused, naming both readings).
google::protobuf::Timestamp occurred_time(Context& ctx, const std::string& id,
                                          const std::string& text) {
  google::protobuf::Timestamp at;
  if (google::protobuf::util::TimeUtil::FromString(text, &at)) return at;
  v1::GetIncidentRequest req;
  req.set_name(id);
  v1::Incident incident;
  check(ctx.stub().GetIncident(ctx.call_context().get(), req, &incident));
  domain::Party party;
  party.zone = domain::TimeZone::find(zone_of(incident));
  if (party.zone == nullptr) party.zone = domain::TimeZone::find("UTC");
  // The server refuses a time in the future or after the awareness, with its reasons.
  const auto parsed = app::read_event_time(text, "--occurred-at", party, domain::Instant::max(),
                                           /*allow_future=*/true);
  if (!parsed.ok()) throw CliError(2, std::string(parsed.status().message()));
  at.set_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(parsed->time_since_epoch()).count());
  return at;
}

}  // namespace

void add_incident_commands(CLI::App& app, Context& ctx) {
  CLI::App* incident = app.add_subcommand("incident", "Personal-data breaches");
  incident->require_subcommand(1);

  struct Report {
    std::string party, aware_at, occurred_at, title, description, risk, external_ref, request_id;
    std::vector<std::string> categories, subjects;
    int64_t subject_count = 0;
  };
  auto report = std::make_shared<Report>();
  CLI::App* cmd = incident->add_subcommand(
      "report",
      "Record a (possible) breach; the breach notice to the other parties' DPOs (protocol art. "
      "13) is queued at once, or held for review where the rule's auto_send is false");
  cmd->add_option("--party", report->party, "reporting party (default: your own)");
  cmd->add_option("--aware-at", report->aware_at,
                  "when the party became aware; the deadlines count from it: " + kTimeFormats +
                      " (default: now)");
  cmd->add_option("--occurred-at", report->occurred_at,
                  "when it happened, if known: " + kTimeFormats);
  cmd->add_option("--title", report->title, "short description")->required();
  cmd->add_option("--description", report->description,
                  "what happened (measures and consequences: `incident update --measures "
                  "--consequences`)");
  cmd->add_option("--categories", report->categories,
                  "data categories: " + v1::all_spellings<v1::DataCategory>())
      ->delimiter(',');
  cmd->add_option("--subjects", report->subjects,
                  "subject groups: " + v1::all_spellings<v1::SubjectGroup>())
      ->delimiter(',');
  cmd->add_option("--subject-count", report->subject_count, "estimated number of subjects");
  cmd->add_option("--risk", report->risk,
                  "none, risk or high (default: not assessed); high starts gdpr.art34_subjects");
  cmd->add_option("--external-ref,--ticket", report->external_ref,
                  "the id of its ticket elsewhere (unique per party)");
  cmd->add_option("--request-id", report->request_id,
                  "a UUID that makes repeating this report safe (default: a new one)");
  cmd->callback([&ctx, report] {
    v1::ReportIncidentRequest req;
    req.set_request_id(report->request_id.empty() ? new_request_id() : report->request_id);
    req.set_party(report->party);
    req.set_aware_time(report->aware_at);
    req.set_occurred_time(report->occurred_at);
    req.set_title(report->title);
    req.set_description(report->description);
    for (auto c : parse_list<v1::DataCategory>(report->categories, "--categories")) {
      req.add_categories(c);
    }
    for (auto g : parse_list<v1::SubjectGroup>(report->subjects, "--subjects")) {
      req.add_subject_groups(g);
    }
    req.set_subject_count(report->subject_count);
    if (!report->risk.empty()) req.set_risk(parse_list<v1::Risk>({report->risk}, "--risk")[0]);
    req.set_external_ref(report->external_ref);
    v1::Incident resp;
    check(ctx.create_with_retries(
        [&](grpc::ClientContext* call) { return ctx.stub().ReportIncident(call, req, &resp); }));
    if (ctx.json()) return print_json(resp);
    print_incident(resp);
  });

  // Only the options given go into the update mask (AIP-134).
  struct Update {
    std::string id, occurred_at, description, risk, measures, consequences, external_ref;
    std::vector<std::string> categories, subjects;
    int64_t subject_count = 0;
  };
  auto update = std::make_shared<Update>();
  CLI::App* upd = incident->add_subcommand("update", "Change what is known of an incident");
  upd->add_option("id", update->id, "incident id or name (incidents/12)")->required();
  const std::vector<std::pair<CLI::Option*, std::string>> masked{
      {upd->add_option("--occurred-at", update->occurred_at, "when it happened: " + kTimeFormats),
       "occurred_time"},
      {upd->add_option("--description", update->description, "what happened"), "description"},
      {upd->add_option("--categories", update->categories,
                       "data categories: " + v1::all_spellings<v1::DataCategory>())
           ->delimiter(','),
       "categories"},
      {upd->add_option("--subjects", update->subjects,
                       "subject groups: " + v1::all_spellings<v1::SubjectGroup>())
           ->delimiter(','),
       "subject_groups"},
      {upd->add_option("--subject-count", update->subject_count, "estimated number of subjects"),
       "subject_count"},
      {upd->add_option("--risk", update->risk,
                       "none, risk or high (not back to not assessed); high starts "
                       "gdpr.art34_subjects"),
       "risk"},
      {upd->add_option("--measures", update->measures, "measures taken or proposed"), "measures"},
      {upd->add_option("--consequences", update->consequences, "likely consequences"),
       "consequences"},
      {upd->add_option("--external-ref,--ticket", update->external_ref,
                       "external ticket reference"),
       "external_ref"}};
  upd->callback([&ctx, update, masked] {
    v1::UpdateIncidentRequest req;
    v1::Incident* i = req.mutable_incident();
    i->set_name(update->id);
    for (const auto& [option, path] : masked) {
      if (option->count() > 0) req.mutable_update_mask()->add_paths(path);
    }
    if (req.update_mask().paths().empty()) {
      throw CliError(2, "incident update: give at least one field to change (see --help)");
    }
    if (!update->occurred_at.empty()) {
      *i->mutable_occurred_time() = occurred_time(ctx, update->id, update->occurred_at);
    }
    i->set_description(update->description);
    for (auto c : parse_list<v1::DataCategory>(update->categories, "--categories")) {
      i->add_categories(c);
    }
    for (auto g : parse_list<v1::SubjectGroup>(update->subjects, "--subjects")) {
      i->add_subject_groups(g);
    }
    i->set_subject_count(update->subject_count);
    if (!update->risk.empty()) i->set_risk(parse_list<v1::Risk>({update->risk}, "--risk")[0]);
    i->set_measures(update->measures);
    i->set_consequences(update->consequences);
    i->set_external_ref(update->external_ref);
    v1::Incident resp;
    check(ctx.stub().UpdateIncident(ctx.call_context().get(), req, &resp));
    if (ctx.json()) return print_json(resp);
    print_incident(resp);
  });

  // Protocol art. 13, second paragraph: the parties consult each other at once.
  auto consult = std::make_shared<v1::RecordConsultationRequest>();
  CLI::App* co = incident->add_subcommand(
      "consult", "Record the joint consultation on a breach (protocol art. 13, second paragraph)");
  co->add_option("id", *consult->mutable_name(), "incident id or name (incidents/12)")->required();
  co->add_option("--at", *consult->mutable_consult_time(),
                 "when the parties consulted: " + kTimeFormats + " (default: now)");
  co->add_option("--party", *consult->mutable_party(),
                 "the other party consulted (default: every party still to consult)");
  co->add_option("--participants", *consult->mutable_participants(), "who took part")->required();
  co->add_option("--agreed", *consult->mutable_agreed(), "what was agreed")->required();
  co->callback([&ctx, consult] {
    v1::Incident resp;
    check(ctx.stub().RecordConsultation(ctx.call_context().get(), *consult, &resp));
    if (ctx.json()) return print_json(resp);
    print_incident(resp);
  });

  struct Close {
    std::string id, summary;
  };
  auto close = std::make_shared<Close>();
  CLI::App* cl =
      incident->add_subcommand("close", "Close an incident whose obligations are all closed");
  cl->add_option("id", close->id, "incident id or name (incidents/12)")->required();
  cl->add_option("--summary", close->summary, "the closing summary")->required();
  cl->callback([&ctx, close] {
    v1::CloseIncidentRequest req;
    req.set_name(close->id);
    req.set_summary(close->summary);
    v1::Incident resp;
    check(ctx.stub().CloseIncident(ctx.call_context().get(), req, &resp));
    if (ctx.json()) return print_json(resp);
    print_incident(resp);
  });

  auto id = std::make_shared<std::string>();
  CLI::App* show = incident->add_subcommand("show", "Show an incident and its obligations");
  show->add_option("id", *id, "incident id or name (incidents/12)")->required();
  show->callback([&ctx, id] {
    v1::GetIncidentRequest req;
    req.set_name(*id);
    v1::Incident resp;
    check(ctx.stub().GetIncident(ctx.call_context().get(), req, &resp));
    if (ctx.json()) return print_json(resp);
    print_incident(resp);
    print_history(ctx, resp.name());
  });

  auto list = std::make_shared<v1::ListIncidentsRequest>();
  auto page = std::make_shared<Page>();
  CLI::App* ls = incident->add_subcommand("list", "List incidents, newest first");
  ls->add_option_function<std::string>(
      "--external-ref", [list](const std::string& ref) { list->set_external_ref(ref); },
      "only the one with this ticket id");
  ls->add_option_function<std::string>(
      "--party", [list](const std::string& p) { list->set_party(p); }, "concerning this party");
  add_page_options(*ls, *page);
  ls->callback([&ctx, list, page, ls] {
    list->set_page_size(page->limit);
    list->set_page_token(page->token);
    v1::ListIncidentsResponse resp;
    check(ctx.stub().ListIncidents(ctx.call_context().get(), *list, &resp));
    if (ctx.json()) return print_json(resp);
    Table table({"ID", "PARTY", "AWARE", "TITLE"});
    for (const v1::Incident& i : resp.incidents()) {
      table.add({i.name(), i.party(), local_time(i.aware_time(), zone_of(i)), i.title()});
    }
    table.print(std::cout);
    print_more(*ls, resp.next_page_token());
  });
}

}  // namespace termijn::cli
