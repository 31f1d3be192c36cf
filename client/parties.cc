#include <iostream>

#include "client/context.h"
#include "client/table.h"

namespace termijn::cli {

void add_party_commands(CLI::App& app, Context& ctx) {
  CLI::App* parties = app.add_subcommand("parties", "The parties to the protocol");
  parties->require_subcommand(1);
  parties->add_subcommand("list", "List the parties and their DPOs")->callback([&ctx] {
    v1::ListPartiesResponse resp;
    check(ctx.stub().ListParties(ctx.call_context().get(), {}, &resp));
    if (ctx.json()) return print_json(resp);
    Table table({"ID", "NAME", "DPO", "LOCALE", "ZONE"});
    for (const v1::Party& p : resp.parties()) {
      table.add({p.id(), p.name(), p.dpo().name() + " <" + p.dpo().email() + ">", p.locale(),
                 p.time_zone()});
    }
    table.print(std::cout);
  });
}

}  // namespace termijn::cli
