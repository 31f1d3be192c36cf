#include <iostream>

#include "client/context.h"

namespace termijn::cli {

void add_party_commands(CLI::App& app, Context& ctx) {
  CLI::App* parties = app.add_subcommand("parties", "The parties to the protocol");
  parties->require_subcommand(1);
  parties->add_subcommand("list", "List the parties and their DPOs")->callback([&ctx] {
    v1::ListPartiesResponse resp;
    check(ctx.stub().ListParties(ctx.call_context().get(), {}, &resp));
    if (ctx.json()) return print_json(resp);
    std::printf("%-12s %-24s %-40s %-6s %s\n", "ID", "NAME", "DPO", "LOCALE", "ZONE");
    for (const v1::Party& p : resp.parties()) {
      std::printf("%-12s %-24s %-40s %-6s %s\n", p.id().c_str(), p.name().c_str(),
                  (p.dpo().name() + " <" + p.dpo().email() + ">").c_str(), p.locale().c_str(),
                  p.time_zone().c_str());
    }
  });
}

}  // namespace termijn::cli
