#include "server/jobs/escalation_scheduler.h"

#include <spdlog/spdlog.h>

#include "server/app/audit.h"
#include "server/app/audit_details.h"
#include "server/app/json.h"
#include "server/jobs/worker_loop.h"

namespace termijn::jobs {

namespace {

const app::Actor kSystem = app::Actor::system();

std::string step_details(const domain::ScheduledStep& s, const std::string& why) {
  app::JsonObject json;
  json.add("step", s.label)
      .add("repetition", s.time.repetition)
      .add("fire_time", domain::format_utc(s.time.fire_time))
      .add("audience", s.audience);
  if (s.time.moved) json.add("moved", "to the previous working day: due on a closed day");
  if (!why.empty()) json.add("reason", why);
  return json.str();
}

// A protocol notice Termijn is delivering (pending, no failure yet) needs no reminder.
absl::StatusOr<bool> notice_on_its_way(app::StoreReader& store, const domain::Obligation& o) {
  if (o.notice_state != "pending") return false;
  app::NotificationFilter filter;
  filter.obligation_id = o.id;
  filter.limit = 20;
  const auto rows = store.list_notifications(filter);
  if (!rows.ok()) return rows.status();
  for (const domain::Notification& n : *rows) {
    if (n.kind == domain::NotificationKind::kNotice) return n.last_error.empty();
  }
  return false;
}

// The zone whose wall clock repetitions in days keep. An owner no longer configured keeps its
// reminders: counted in UTC, where a day is 24 hours.
const domain::TimeZone& owner_zone(const app::Directory& directory, const domain::Obligation& o) {
  if (const auto owner = directory.find(o.owner_party, "owner_party"); owner.ok()) {
    return *(*owner)->zone;
  }
  spdlog::warn("obligations/{}: owner party '{}' is not configured; its reminders repeat in UTC",
               o.id, o.owner_party);
  return *domain::TimeZone::find("UTC");
}

}  // namespace

absl::StatusOr<bool> EscalationScheduler::fire_one() {
  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  const domain::Instant now = clock_.now();
  auto claimed = (*tx)->claim_step(now);
  if (!claimed.ok()) return claimed.status();
  if (!*claimed) return false;
  // Closing an obligation locks it first; waiting here means we see it closed, if it is.
  auto o = (*tx)->lock_obligation((*claimed)->obligation_id);
  if (!o.ok()) return o.status();
  auto due = (*tx)->due_steps(o->id, now);
  if (!due.ok()) return due.status();
  const std::string subject = "obligations/" + std::to_string(o->id);

  if (o->state != domain::ObligationState::kOpen) {
    if (auto s = (*tx)->cancel_escalation(o->id); !s.ok()) return s;
    for (domain::ScheduledStep& s : *due) {
      s.state = "cancelled";
      if (auto st = (*tx)->update_step(s, std::nullopt); !st.ok()) return st;
    }
  } else {
    // Only the latest of the due steps fires: the earlier ones are stale, and so is the latest
    // when a later step fired already (after a scheduler died holding this one).
    const auto later_fired = (*tx)->later_step_fired(o->id, due->back().time.fire_time);
    if (!later_fired.ok()) return later_fired.status();
    const auto on_its_way = notice_on_its_way(**tx, *o);
    if (!on_its_way.ok()) return on_its_way.status();
    const domain::EscalationPolicy policy = policies_.escalation_for(o->rule);
    const domain::TimeZone& zone = owner_zone(directory_, *o);
    for (size_t i = 0; i < due->size(); ++i) {
      domain::ScheduledStep& step = (*due)[i];
      const bool latest = i + 1 == due->size();
      const std::string why = !latest        ? "a later step was due as well"
                              : *later_fired ? "a later step fired already"
                              : *on_its_way  ? "the notice is being delivered"
                                             : "";
      step.state = why.empty() ? "fired" : "skipped";
      if (auto s = (*tx)->update_step(step, why.empty() ? std::optional(now) : std::nullopt);
          !s.ok()) {
        return s;
      }
      if (auto s = (*tx)->append_audit(app::audit_record(
              kSystem, now, why.empty() ? "escalation.fired" : "escalation.skipped", subject,
              o->subject(), step_details(step, why)));
          !s.ok()) {
        return s;
      }
      if (why.empty()) {
        domain::Notification reminder;
        reminder.obligation_id = o->id;
        reminder.kind = domain::NotificationKind::kReminder;
        reminder.state = domain::NotificationState::kPending;
        reminder.next_attempt_time = now;
        reminder.create_time = now;
        reminder.escalation_step_id = step.id;
        const auto id = (*tx)->insert_notification(reminder);
        if (!id.ok()) return id.status();
        spdlog::info("{}: step {} fired (notifications/{})", subject, step.label, *id);
      }
      // A repeating step comes back, fired or skipped: the next repetition after now, never a
      // burst.
      if (const auto next = domain::next_repetition(policy, step.time, *o, zone, now)) {
        domain::ScheduledStep again = step;
        again.id = 0;
        again.time = *next;
        again.state = "pending";
        if (auto s = (*tx)->insert_step(again); !s.ok()) return s.status();
      }
    }
  }
  if (auto s = (*tx)->commit(); !s.ok()) return s;
  return true;
}

int EscalationScheduler::run_once(std::stop_token stop) {
  return drain("escalation", stop, [this]() -> absl::StatusOr<int> {
    const auto fired = fire_one();
    if (!fired.ok()) return fired.status();
    return *fired ? 1 : 0;
  });
}

void EscalationScheduler::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    const int handled = run_once(stop);
    const auto sleep = sleep_before(clock_, store_.next_step_time(), handled);
    if (sleep.count() > 0) wait_(sleep);
  }
}

}  // namespace termijn::jobs
