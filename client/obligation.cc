#include <iostream>

#include "client/context.h"
#include "proto/enum_names.h"

namespace termijn::cli {

namespace {

void print_obligation(const v1::Obligation& o) {
  google::protobuf::RepeatedPtrField<v1::Obligation> one;
  *one.Add() = o;
  print_obligations(one, true);
  if (o.has_closed_time()) {
    std::cout << "  closed " << local_time(o.closed_time(), o.time_zone()) << " by "
              << o.closed_by() << ": " << o.evidence() << "\n";
  }
}

}  // namespace

void add_obligation_commands(CLI::App& app, Context& ctx) {
  CLI::App* obligation = app.add_subcommand("obligation", "One deadline");
  obligation->require_subcommand(1);

  auto id = std::make_shared<std::string>();
  CLI::App* show = obligation->add_subcommand("show", "Show an obligation and how it was computed");
  show->add_option("id", *id, "obligation id or name (obligations/17)")->required();
  show->callback([&ctx, id] {
    v1::GetObligationRequest req;
    req.set_name(*id);
    v1::Obligation resp;
    check(ctx.stub().GetObligation(ctx.call_context().get(), req, &resp));
    if (ctx.json()) return print_json(resp);
    print_obligation(resp);
  });

  struct Close {
    std::string id, text;
  };
  auto fulfil = std::make_shared<Close>();
  CLI::App* f = obligation->add_subcommand("fulfil", "Record that an obligation was met");
  f->add_option("id", fulfil->id, "obligation id")->required();
  f->add_option("--evidence", fulfil->text, "what was done, when, how")->required();
  f->callback([&ctx, fulfil] {
    v1::FulfilObligationRequest req;
    req.set_name(fulfil->id);
    req.set_evidence(fulfil->text);
    v1::Obligation resp;
    check(ctx.stub().FulfilObligation(ctx.call_context().get(), req, &resp));
    if (ctx.json()) return print_json(resp);
    print_obligation(resp);
  });

  auto waive = std::make_shared<Close>();
  CLI::App* w = obligation->add_subcommand("waive", "Record why an obligation does not apply");
  w->add_option("id", waive->id, "obligation id")->required();
  w->add_option("--reason", waive->text, "why; e.g. art. 33: unlikely to result in a risk")
      ->required();
  auto ground = std::make_shared<std::string>();
  w->add_option("--ground", *ground,
                "for gdpr.art34_subjects: the ground of GDPR art. 34(3), a, b or c")
      ->check(CLI::IsMember({"a", "b", "c"}));
  w->callback([&ctx, waive, ground] {
    v1::WaiveObligationRequest req;
    req.set_name(waive->id);
    req.set_reason(waive->text);
    req.set_ground(*ground);
    v1::Obligation resp;
    check(ctx.stub().WaiveObligation(ctx.call_context().get(), req, &resp));
    if (ctx.json()) return print_json(resp);
    print_obligation(resp);
  });
}

}  // namespace termijn::cli
