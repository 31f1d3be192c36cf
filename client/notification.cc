#include <iostream>

#include "client/context.h"
#include "client/table.h"

namespace termijn::cli {

namespace {

void print_table(const google::protobuf::RepeatedPtrField<v1::Notification>& list) {
  if (list.empty()) {
    std::cout << "no notifications\n";
    return;
  }
  Table table({"ID", "KIND", "OBLIGATION", "RULE", "TO PARTY", "STATE", "SENT",
               "ACKNOWLEDGED / LAST ERROR"});
  for (const v1::Notification& n : list) {
    const std::string sent = n.has_sent_time() ? local_time(n.sent_time(), n.time_zone()) : "-";
    const std::string ack = n.has_ack_time()
                                ? local_time(n.ack_time(), n.time_zone()) + " by " + n.ack_by()
                                : n.last_error();
    // A checkpoint mail or a webhook alert serves no obligation: show what it is about.
    const std::string& about = n.obligation().empty() ? n.subject() : n.obligation();
    table.add({n.name(), n.kind(), about, n.rule(),
               n.kind() == "notice" ? n.recipient_party() : n.owner_party(), n.state(), sent, ack});
  }
  table.print(std::cout);
}

void print_one(const v1::Notification& n) {
  google::protobuf::RepeatedPtrField<v1::Notification> one;
  *one.Add() = n;
  print_table(one);
  if (!n.message_id().empty()) std::cout << "  Message-ID: <" << n.message_id() << ">\n";
  if (!n.server_reply().empty()) std::cout << "  server reply: " << n.server_reply() << "\n";
}

}  // namespace

void add_notification_commands(CLI::App& app, Context& ctx) {
  CLI::App* notification =
      app.add_subcommand("notification", "Notices to the other parties' DPOs (the outbox)");
  notification->alias("notifications");
  notification->require_subcommand(1);

  auto list = std::make_shared<v1::ListNotificationsRequest>();
  auto page = std::make_shared<Page>();
  CLI::App* ls = notification->add_subcommand("list", "Notifications, newest first");
  ls->add_option_function<std::string>(
      "--party", [list](const std::string& p) { list->set_party(p); },
      "owner or recipient party (default: your own)");
  ls->add_option_function<std::string>(
        "--state", [list](const std::string& s) { list->set_state(s); },
        "held, pending, sent, failed, cancelled")
      ->check(CLI::IsMember({"held", "pending", "sent", "failed", "cancelled"}));
  add_page_options(*ls, *page);
  ls->callback([&ctx, list, page, ls] {
    list->set_page_size(page->limit);
    list->set_page_token(page->token);
    v1::ListNotificationsResponse resp;
    check(ctx.stub().ListNotifications(ctx.call_context().get(), *list, &resp));
    if (ctx.json()) return print_json(resp);
    print_table(resp.notifications());
    print_more(*ls, resp.next_page_token());
  });

  auto id = std::make_shared<std::string>();
  CLI::App* show = notification->add_subcommand("show", "Show a notification and its mail");
  show->add_option("id", *id, "notification id or name (notifications/5)")->required();
  show->callback([&ctx, id] {
    v1::GetNotificationRequest req;
    req.set_name(*id);
    v1::NotificationPreview resp;
    check(ctx.stub().GetNotification(ctx.call_context().get(), req, &resp));
    if (ctx.json()) return print_json(resp);
    print_one(resp.notification());
    std::cout << "\nFrom: " << resp.mail_from() << "\nTo: ";
    for (int i = 0; i < resp.mail_to_size(); ++i) std::cout << (i ? ", " : "") << resp.mail_to(i);
    if (resp.mail_cc_size() > 0) {
      std::cout << "\nCc: ";
      for (int i = 0; i < resp.mail_cc_size(); ++i) std::cout << (i ? ", " : "") << resp.mail_cc(i);
    }
    std::cout << "\nSubject: " << resp.mail_subject() << "\n";
    for (const std::string& a : resp.attachments()) std::cout << "Attachment: " << a << "\n";
    std::cout << "\n" << resp.mail_body() << "\n";
  });

  auto send_id = std::make_shared<std::string>();
  CLI::App* send =
      notification->add_subcommand("send", "Send a held notification, or retry a failed one");
  send->add_option("id", *send_id, "notification id")->required();
  send->callback([&ctx, send_id] {
    v1::SendNotificationRequest req;
    req.set_name(*send_id);
    v1::Notification resp;
    check(ctx.stub().SendNotification(ctx.call_context().get(), req, &resp));
    if (ctx.json()) return print_json(resp);
    print_one(resp);
  });

  auto ack_id = std::make_shared<std::string>();
  CLI::App* ack = notification->add_subcommand("ack", "Acknowledge receipt of a notice");
  ack->add_option("id", *ack_id, "notification id")->required();
  ack->callback([&ctx, ack_id] {
    v1::AcknowledgeNotificationRequest req;
    req.set_name(*ack_id);
    v1::Notification resp;
    check(ctx.stub().AcknowledgeNotification(ctx.call_context().get(), req, &resp));
    if (ctx.json()) return print_json(resp);
    print_one(resp);
  });
}

}  // namespace termijn::cli
