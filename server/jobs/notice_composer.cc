#include "server/jobs/notice_composer.h"

#include "server/notify/notice.h"

namespace termijn::jobs {

namespace {

notify::MailAddress address(const domain::Contact& c) { return {c.name, c.email}; }

}  // namespace

std::string recipients_of(const notify::MailMessage& m) {
  std::string out;
  for (const auto* list : {&m.to, &m.cc}) {
    for (const notify::MailAddress& a : *list) out += (out.empty() ? "" : ", ") + a.email;
  }
  return out;
}

absl::StatusOr<notify::MailMessage> NoticeComposer::compose(const domain::Notification& n) const {
  const auto o = store_.get_obligation(n.obligation_id);
  if (!o.ok()) return o.status();
  const auto owner = directory_.find(o->owner_party, "owner_party");
  if (!owner.ok()) return owner.status();
  const auto recipient = directory_.find(o->recipient_party, "recipient_party");
  if (!recipient.ok()) return recipient.status();
  if (n.kind == domain::NotificationKind::kFailureAlert) {
    return compose_alert(n, *o, **owner, **recipient);
  }
  std::optional<domain::Incident> incident;
  std::optional<domain::Request> request;
  if (o->incident_id != 0) {
    auto i = store_.get_incident(o->incident_id);
    if (!i.ok()) return i.status();
    incident = std::move(*i);
  } else {
    auto r = store_.get_request(o->request_id, /*with_copy=*/true);
    if (!r.ok()) return r.status();
    request = std::move(*r);
  }
  const notify::NoticeContext ctx{**owner,
                                  **recipient,
                                  *o,
                                  incident ? &*incident : nullptr,
                                  request ? &*request : nullptr,
                                  n.id,
                                  from_address_,
                                  n.create_time};
  return notify::compose_notice(templates_, ctx);
}

absl::StatusOr<notify::MailMessage> NoticeComposer::compose_alert(
    const domain::Notification& alert, const domain::Obligation& o, const domain::Party& owner,
    const domain::Party& recipient) const {
  // The notice that failed: the latest notice of the same obligation.
  app::NotificationFilter filter;
  filter.obligation_id = o.id;
  filter.limit = 100;
  const auto rows = store_.list_notifications(filter);
  if (!rows.ok()) return rows.status();
  const domain::Notification* notice = nullptr;
  for (const auto& row : *rows) {
    if (row.kind == domain::NotificationKind::kNotice) {
      notice = &row;
      break;
    }
  }
  if (notice == nullptr) return absl::NotFoundError("no notice for obligations/" + std::to_string(o.id));
  const auto local = [&](domain::Instant t) { return domain::format_local(t, *owner.zone); };
  const notify::TemplateValues values{
      {"owner_dpo_name", owner.dpo.name.empty() ? owner.dpo.email : owner.dpo.name},
      {"owner_party", owner.name},
      {"recipient_party", recipient.name},
      {"legal_basis", o.legal_basis},
      {"rule", o.rule},
      {"reference", o.subject()},
      {"obligation", "obligations/" + std::to_string(o.id)},
      {"obligation_id", std::to_string(o.id)},
      {"notification_id", std::to_string(notice->id)},
      {"recipients", notice->recipients.empty() ? recipient.dpo.email : notice->recipients},
      {"attempts", std::to_string(notice->attempts)},
      {"last_error", notice->last_error},
      {"due_time", local(o.due_time)},
      {"legal_due_time", local(o.legal_due_time)},
  };
  const auto rendered = templates_.render("notification.failed", owner.locale, values);
  if (!rendered.ok()) return rendered.status();
  notify::MailMessage m;
  const std::string domain = from_address_.substr(from_address_.find('@') + 1);
  m.message_id = notify::notice_message_id(alert.id, domain, domain::format_utc(alert.create_time));
  m.from = {"Termijn", from_address_};
  m.to = {address(owner.dpo)};
  if (owner.dpo_deputy) m.cc = {address(*owner.dpo_deputy)};
  m.subject = rendered->subject;
  m.text_body = rendered->body;
  m.date = alert.create_time;
  return m;
}

}  // namespace termijn::jobs
