#include <google/protobuf/util/time_util.h>

#include <iostream>

#include "client/context.h"
#include "client/table.h"

namespace termijn::cli {

namespace {

std::string utc(const google::protobuf::Timestamp& t) {
  return t.seconds() == 0 ? "-" : google::protobuf::util::TimeUtil::ToString(t);
}

}  // namespace

void add_webhook_commands(CLI::App& app, Context& ctx) {
  CLI::App* webhook =
      app.add_subcommand("webhook", "Webhook endpoints and their deliveries ([[webhook]])");
  webhook->require_subcommand(1);

  webhook->add_subcommand("list", "The endpoints you may read, with their position")
      ->callback([&ctx] {
        v1::ListWebhooksResponse resp;
        check(ctx.stub().ListWebhooks(ctx.call_context().get(), {}, &resp));
        if (ctx.json()) return print_json(resp);
        Table table({"NAME", "PARTY", "POSITION", "URL"});
        for (const v1::Webhook& w : resp.webhooks()) {
          table.add({w.name(), w.party(), std::to_string(w.position()), w.url()});
        }
        table.print(std::cout);
      });

  auto list = std::make_shared<v1::ListWebhookDeliveriesRequest>();
  CLI::App* deliveries =
      webhook->add_subcommand("deliveries", "The newest deliveries, with their state");
  deliveries->add_option("endpoint", *list->mutable_endpoint(), "an endpoint's name");
  deliveries->add_option("--state", *list->mutable_state(), "pending, delivered or failed")
      ->check(CLI::IsMember({"pending", "delivered", "failed"}));
  deliveries->callback([&ctx, list] {
    v1::ListWebhookDeliveriesResponse resp;
    check(ctx.stub().ListWebhookDeliveries(ctx.call_context().get(), *list, &resp));
    if (ctx.json()) return print_json(resp);
    Table table({"DELIVERY", "EVENT", "STATE", "ATTEMPTS", "DELIVERED", "LAST ERROR"});
    for (const v1::WebhookDelivery& d : resp.deliveries()) {
      table.add({d.delivery_id(), d.event_type(), d.state(), std::to_string(d.attempts()),
                 utc(d.delivered_time()), d.last_error()});
    }
    table.print(std::cout);
  });

  auto redeliver = std::make_shared<v1::RedeliverWebhookRequest>();
  CLI::App* again = webhook->add_subcommand(
      "redeliver", "Queue a delivery again, e.g. after it failed (the party's DPO)");
  again->add_option("delivery", *redeliver->mutable_delivery_id(), "ENDPOINT/SEQ")->required();
  again->callback([&ctx, redeliver] {
    v1::WebhookDelivery resp;
    check(ctx.stub().RedeliverWebhook(ctx.call_context().get(), *redeliver, &resp));
    if (ctx.json()) return print_json(resp);
    std::cout << resp.delivery_id() << " queued again\n";
  });

  auto test = std::make_shared<v1::TestWebhookRequest>();
  CLI::App* try_it = webhook->add_subcommand(
      "test", "Post a signed webhook.test event now and show the answer (the party's DPO)");
  try_it->add_option("endpoint", *test->mutable_endpoint(), "an endpoint's name")->required();
  try_it->callback([&ctx, test] {
    v1::TestWebhookResponse resp;
    check(ctx.stub().TestWebhook(ctx.call_context().get(), *test, &resp));
    if (ctx.json()) {
      print_json(resp);
    } else if (resp.delivered()) {
      std::cout << resp.delivery_id() << ": delivered (HTTP " << resp.status() << ")\n";
    }
    if (!resp.delivered()) {
      throw CliError(6, resp.delivery_id() + ": not delivered: " + resp.error());
    }
  });
}

}  // namespace termijn::cli
