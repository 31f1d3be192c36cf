#include "server/app/audit_details.h"

#include <algorithm>

#include "server/app/audit.h"
#include "server/app/json.h"
#include "server/domain/rules.h"

namespace termijn::app {

namespace {

template <typename Enum>
std::vector<std::string> names(const std::vector<Enum>& values) {
  std::vector<std::string> out;
  for (const Enum v : values) out.emplace_back(domain::name_of(v));
  return out;
}

}  // namespace

std::string incident_details(const domain::Incident& i) {
  JsonObject json;
  json.add("party", i.party).add("aware_time", domain::format_utc(i.aware_time));
  if (i.occurred_time) json.add("occurred_time", domain::format_utc(*i.occurred_time));
  json.add("title", i.title)
      .add("description", i.description)
      .add("categories", names(i.categories))
      .add("subject_groups", names(i.subject_groups))
      .add("subject_count", i.subject_count.value_or(0))
      .add("risk", domain::name_of(i.risk))
      .add("ticket_ref", i.ticket_ref);
  if (!i.consequences.empty()) json.add("consequences", i.consequences);
  if (!i.measures.empty()) json.add("measures", i.measures);
  return json.str();
}

std::string request_details(const domain::Request& r) {
  JsonObject json;
  json.add("party", r.party)
      .add("kind", domain::name_of(r.kind))
      .add("receive_time", domain::format_utc(r.receive_time))
      .add("summary", r.summary);
  if (!r.external_ref.empty()) json.add("external_ref", r.external_ref);
  if (r.copy) {
    json.add("copy_file_name", r.copy->file_name)
        .add("copy_media_type", r.copy->media_type)
        .add("copy_sha256", r.copy->sha256)
        .add("copy_size", r.copy->size);
  }
  return json.str();
}

std::string matter_details(const domain::Matter& m) {
  JsonObject json;
  json.add("party", m.party)
      .add("kind", domain::name_of(m.kind))
      .add("event_time", domain::format_utc(m.event_time))
      .add("summary", m.summary);
  if (!m.staff_ref.empty()) json.add("staff_ref", m.staff_ref);
  return json.str();
}

std::string obligation_details(const domain::Obligation& o) {
  return JsonObject()
      .add("rule", o.rule)
      .add("legal_basis", o.legal_basis)
      .add("owner_party", o.owner_party)
      .add("recipient_kind", domain::name_of(o.recipient_kind))
      .add("recipient_party", o.recipient_party)
      .add("start_time", domain::format_utc(o.start_time))
      .add("due_time", domain::format_utc(o.due_time))
      .add("legal_due_time", domain::format_utc(o.legal_due_time))
      .str();
}

std::string closure_details(const domain::Obligation& o) {
  return JsonObject()
      .add("state", domain::name_of(o.state))
      .add("closed_time", domain::format_utc(o.closed_time.value()))
      .add(o.state == domain::ObligationState::kWaived ? "reason" : "evidence", o.evidence)
      .str();
}

std::string notification_details(const domain::Notification& n) {
  JsonObject json;
  if (n.audit_checkpoint_id != 0) {
    json.add("checkpoint", checkpoint_name(n.audit_checkpoint_id))
        .add("recipient_party", n.recipient_party);
  } else if (n.webhook_delivery_id != 0) {
    json.add("webhook_delivery_id", n.webhook_delivery_id)
        .add("recipient_party", n.recipient_party);
  } else {
    json.add("obligation", "obligations/" + std::to_string(n.obligation_id));
  }
  json.add("kind", domain::name_of(n.kind))
      .add("state", domain::name_of(n.state))
      .add("attempts", n.attempts);
  if (n.failed_notification_id != 0) {
    json.add("failed_notification", "notifications/" + std::to_string(n.failed_notification_id));
  }
  if (!n.message_id.empty()) json.add("message_id", n.message_id);
  if (!n.recipients.empty()) json.add("recipients", n.recipients);
  if (!n.server_reply.empty()) json.add("server_reply", n.server_reply);
  if (!n.last_error.empty()) json.add("last_error", n.last_error);
  if (n.ack_time) json.add("ack_time", domain::format_utc(*n.ack_time)).add("ack_by", n.ack_by);
  if (!n.changes.empty()) {
    std::vector<std::string> fields;
    for (const domain::FieldChange& c : n.changes) fields.push_back(c.field);
    json.add("changed_fields", fields);
  }
  return json.str();
}

absl::Status close_open_obligation(StoreTransaction& tx, domain::Obligation& o, const Actor& actor,
                                   domain::Instant now, bool fulfilled, const std::string& text,
                                   std::optional<domain::Instant> done_time) {
  o.state = !fulfilled                              ? domain::ObligationState::kWaived
            : done_time.value_or(now) <= o.due_time ? domain::ObligationState::kMet
                                                    : domain::ObligationState::kMetLate;
  // When it was done, which a consultation records apart from when it was recorded: the register
  // judges it by this time, as the state by `done_time`.
  o.closed_time = done_time.value_or(now);
  o.evidence = text;
  o.closed_by = actor.principal;
  if (auto s = tx.close_obligation(o); !s.ok()) return s;
  if (auto s = tx.cancel_escalation(o.id); !s.ok()) return s;
  // The steps are cancelled: what the caller gets back has no reminder still to come.
  o.next_step_time.reset();
  o.next_step.clear();
  return tx.append_audit(
      audit_record(actor, now, fulfilled ? "obligation.fulfilled" : "obligation.waived",
                   "obligations/" + std::to_string(o.id), o.subject(), closure_details(o)));
}

namespace {

// The first time of each step of `o`'s escalation under `policy`.
std::vector<domain::ScheduledStep> first_steps(const domain::Obligation& o,
                                               const RulePolicies& policy,
                                               const domain::Party& owner) {
  const domain::EscalationPolicy escalation = policy.escalation_for(o.rule);
  std::vector<domain::ScheduledStep> steps;
  for (const domain::StepTime& t : domain::first_step_times(escalation, o, owner)) {
    domain::ScheduledStep& step = steps.emplace_back();
    step.obligation_id = o.id;
    step.time = t;
    step.label = escalation.steps[t.step].label;
    step.audience = domain::audience_list(escalation.steps[t.step].to);
  }
  return steps;
}

}  // namespace

absl::Status plan_steps(StoreTransaction& tx, domain::Obligation& o, const RulePolicies& policy,
                        const domain::Party& owner) {
  const std::vector<domain::ScheduledStep> steps = first_steps(o, policy, owner);
  // What a read of the stored obligation shows: its earliest pending step, none fired yet.
  const auto next = std::min_element(steps.begin(), steps.end(), [](const auto& a, const auto& b) {
    return a.time.fire_time < b.time.fire_time;
  });
  if (next != steps.end()) {
    o.next_step_time = next->time.fire_time;
    o.next_step = next->label;
  }
  return tx.queue_steps(steps);
}

absl::Status replan_steps(StoreTransaction& tx, const domain::Obligation& o,
                          const RulePolicies& policy, const domain::Party& owner,
                          domain::Instant now) {
  if (auto s = tx.cancel_escalation(o.id); !s.ok()) return s;
  for (const domain::ScheduledStep& step : first_steps(o, policy, owner)) {
    if (auto id = tx.replan_step(step, now); !id.ok()) return id.status();
  }
  return absl::OkStatus();
}

absl::Status insert_obligations(StoreTransaction& tx, std::vector<domain::Obligation>& obligations,
                                const Actor& actor, domain::Instant now, const RulePolicies& policy,
                                const domain::Party& owner) {
  if (auto s = tx.insert_obligations(obligations); !s.ok()) return s;
  for (domain::Obligation& o : obligations) {
    if (auto s = tx.append_audit(audit_record(actor, now, "obligation.created",
                                              "obligations/" + std::to_string(o.id), o.subject(),
                                              obligation_details(o)));
        !s.ok()) {
      return s;
    }
    if (auto s = plan_steps(tx, o, policy, owner); !s.ok()) return s;
    if (o.recipient_kind != domain::RecipientKind::kPartyDpo) continue;
    if (const domain::Rule* rule = domain::find_rule(o.rule); rule && !rule->notice_mail) continue;
    const auto n = queue_notice(tx, o, actor, now, policy);
    if (!n.ok()) return n.status();
    o.notice_state = std::string(domain::name_of(n->state));
  }
  return absl::OkStatus();
}

absl::StatusOr<domain::Notification> queue_notice(StoreTransaction& tx, const domain::Obligation& o,
                                                  const Actor& actor, domain::Instant now,
                                                  const RulePolicies& policy,
                                                  std::vector<domain::FieldChange> changes) {
  domain::Notification n;
  n.obligation_id = o.id;
  n.kind = domain::NotificationKind::kNotice;
  n.state = policy.auto_send(o.rule) ? domain::NotificationState::kPending
                                     : domain::NotificationState::kHeld;
  n.next_attempt_time = now;
  n.create_time = now;
  n.changes = std::move(changes);
  const auto id = tx.insert_notification(n);
  if (!id.ok()) return id.status();
  n.id = *id;
  if (auto s = tx.append_audit(audit_record(actor, now, "notification.queued",
                                            "notifications/" + std::to_string(n.id), o.subject(),
                                            notification_details(n)));
      !s.ok()) {
    return s;
  }
  return n;
}

}  // namespace termijn::app
