#include "server/app/update_incident.h"

#include <algorithm>
#include <set>

#include "server/app/audit.h"
#include "server/app/audit_details.h"
#include "server/app/event_time.h"
#include "server/app/external_ref.h"
#include "server/app/json.h"
#include "server/app/limits.h"
#include "server/domain/planner.h"
#include "server/domain/rules.h"

namespace termijn::app {

namespace {

template <typename Enum>
std::string joined(const std::vector<Enum>& values) {
  std::string out;
  for (const Enum v : values) out += (out.empty() ? "" : ",") + std::string(domain::name_of(v));
  return out;
}

// A field of `i` in the spelling of the database and the audit trail.
std::string field_value(const domain::Incident& i, const std::string& path) {
  if (path == "description") return i.description;
  if (path == "occurred_time") return i.occurred_time ? domain::format_utc(*i.occurred_time) : "";
  if (path == "categories") return joined(i.categories);
  if (path == "subject_groups") return joined(i.subject_groups);
  if (path == "subject_count") return i.subject_count ? std::to_string(*i.subject_count) : "";
  if (path == "risk") return std::string(domain::name_of(i.risk));
  if (path == "consequences") return i.consequences;
  if (path == "measures") return i.measures;
  return i.ticket_ref;
}

// A path as the API names it: the ticket reference is external_ref there (ticket_ref, its older
// name, is still accepted), while the audit trail keeps ticket_ref.
std::string api_name(const std::string& path) {
  return path == "ticket_ref" ? "external_ref" : path;
}

absl::Status check_mask(const std::vector<std::string>& paths) {
  if (paths.empty()) return absl::InvalidArgumentError("update_mask: name at least one field");
  const auto& known = incident_update_paths();
  for (size_t k = 0; k < paths.size(); ++k) {
    if (std::find(known.begin(), known.end(), paths[k]) == known.end()) {
      std::string choices;
      for (const auto& p : known) choices += (choices.empty() ? "" : ", ") + api_name(p);
      return absl::InvalidArgumentError("update_mask: " + quote_input(paths[k]) +
                                        " is not a field that can be changed (" + choices + ")");
    }
    if (std::find(paths.begin(), paths.begin() + k, paths[k]) != paths.begin() + k) {
      return absl::InvalidArgumentError("update_mask: " + api_name(paths[k]) + " is named twice");
    }
  }
  return absl::OkStatus();
}

bool masked(const IncidentChange& c, std::string_view path) {
  return std::find(c.paths.begin(), c.paths.end(), path) != c.paths.end();
}

// Checks the values the mask names and applies them to `i`.
absl::Status apply(const IncidentChange& c, const domain::Party& party, domain::Instant now,
                   domain::Incident& i) {
  if (masked(c, "description")) {
    if (auto s = check_text("description", c.description, kMaxText, false); !s.ok()) return s;
    i.description = c.description;
  }
  if (masked(c, "consequences")) {
    if (auto s = check_text("consequences", c.consequences, kMaxText, false); !s.ok()) return s;
    i.consequences = c.consequences;
  }
  if (masked(c, "measures")) {
    if (auto s = check_text("measures", c.measures, kMaxText, false); !s.ok()) return s;
    i.measures = c.measures;
  }
  if (masked(c, "ticket_ref")) {
    if (auto s = check_line("external_ref", c.ticket_ref, kMaxShort, false); !s.ok()) return s;
    i.ticket_ref = c.ticket_ref;
  }
  if (masked(c, "occurred_time")) {
    i.occurred_time.reset();
    if (!c.occurred_time.empty()) {
      const auto occurred = read_event_time(c.occurred_time, "occurred_time", party, now, false);
      if (!occurred.ok()) return occurred.status();
      if (*occurred > i.aware_time) {
        return absl::InvalidArgumentError("occurred_time: after aware_time");
      }
      i.occurred_time = *occurred;
    }
  }
  if (masked(c, "categories")) i.categories = c.categories;
  if (masked(c, "subject_groups")) i.subject_groups = c.subject_groups;
  if (masked(c, "subject_count")) {
    if (auto s = check_subject_count(c.subject_count); !s.ok()) return s;
    i.subject_count = c.subject_count > 0 ? std::optional(c.subject_count) : std::nullopt;
  }
  if (masked(c, "risk")) {
    if (c.risk == domain::Risk::kUnknown) {
      return absl::InvalidArgumentError("risk: must be none, risk or high");
    }
    i.risk = c.risk;
  }
  return absl::OkStatus();
}

std::string change_details(const std::vector<domain::FieldChange>& changes) {
  std::vector<std::string> fields;
  JsonObject before, after;
  for (const auto& c : changes) {
    fields.push_back(c.field);
    before.add(c.field, c.before);
    after.add(c.field, c.after);
  }
  return JsonObject().add("fields", fields).add("before", before).add("after", after).str();
}

// The breach notice obligations among `obligations` whose notice may have reached its
// recipient, so that a change needs a follow-up: met, or a notice of it sent, on its way or
// retrying after an attempt (a mail that failed for now may still have been delivered); not one
// that failed for good. The notices are locked, all at once and before this transaction inserts
// any, in the order of their ids: a dispatcher claiming one now is waited for, and one not yet
// claimed is composed after this change commits, with it.
absl::StatusOr<std::set<int64_t>> notices_gone_out(
    StoreTransaction& tx, const std::vector<domain::Obligation>& obligations) {
  std::set<int64_t> gone_out;
  std::vector<int64_t> unmet;
  for (const domain::Obligation& o : obligations) {
    if (o.rule != domain::rule_id::kBreachNotice) continue;
    if (o.state == domain::ObligationState::kMet || o.state == domain::ObligationState::kMetLate) {
      gone_out.insert(o.id);
    } else {
      unmet.push_back(o.id);  // open, or waived after its notice went out
    }
  }
  if (unmet.empty()) return gone_out;
  const auto notices = tx.lock_notices(unmet);
  if (!notices.ok()) return notices.status();
  for (const domain::Notification& n : *notices) {
    const bool tried = n.attempts > 0 && (n.state == domain::NotificationState::kPending ||
                                          n.state == domain::NotificationState::kSent);
    if (tried) gone_out.insert(n.obligation_id);
  }
  return gone_out;
}

}  // namespace

const std::vector<std::string>& incident_update_paths() {
  static const std::vector<std::string> kPaths{"description",    "occurred_time", "categories",
                                               "subject_groups", "subject_count", "risk",
                                               "consequences",   "measures",      "ticket_ref"};
  return kPaths;
}

absl::StatusOr<IncidentRecord> UpdateIncident::run(const Actor& actor, int64_t id,
                                                   const IncidentChange& change) {
  if (auto s = check_mask(change.paths); !s.ok()) return s;
  const domain::Instant now = clock_.now();
  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  auto incident = (*tx)->lock_incident(id);
  if (!incident.ok()) return incident.status();
  const std::string name = "incidents/" + std::to_string(id);
  if (incident->close_time) {
    return absl::FailedPreconditionError(name + " is closed; a closed incident does not change");
  }
  const auto party = directory_.find(incident->party, "party");
  if (!party.ok()) return party.status();
  const domain::Incident before = *incident;
  if (auto s = apply(change, **party, now, *incident); !s.ok()) return s;
  if (incident->ticket_ref != before.ticket_ref) {
    if (auto s = check_external_ref(**tx, "incidents", incident->party, incident->ticket_ref);
        !s.ok()) {
      return s;
    }
  }

  std::vector<domain::FieldChange> changes;
  for (const std::string& path : incident_update_paths()) {
    if (!masked(change, path)) continue;
    std::string was = field_value(before, path), is = field_value(*incident, path);
    if (was != is) changes.push_back({path, std::move(was), std::move(is)});
  }
  IncidentRecord record{*incident, {}};
  if (!changes.empty()) {
    if (auto s = (*tx)->update_incident(*incident); !s.ok()) return s;
    if (auto s = (*tx)->append_audit(
            audit_record(actor, now, "incident.updated", name, "", change_details(changes)));
        !s.ok()) {
      return s;
    }
  }
  auto obligations = (*tx)->obligations_of(id, 0);
  if (!obligations.ok()) return obligations.status();
  if (!changes.empty()) {
    const auto gone_out = notices_gone_out(**tx, *obligations);
    if (!gone_out.ok()) return gone_out.status();
    const bool has_art34 = std::any_of(
        obligations->begin(), obligations->end(),
        [](const domain::Obligation& o) { return o.rule == domain::rule_id::kSubjectsNotice; });
    if (incident->risk == domain::Risk::kHigh && before.risk != domain::Risk::kHigh && !has_art34) {
      // GDPR art. 34(1): the assessment of a high risk starts the duty to inform the subjects.
      auto planned = domain::plan_obligations({domain::Trigger::kHighRisk, now, std::nullopt},
                                              **party, directory_.parties(), policy_.targets);
      for (domain::Obligation& o : planned) o.incident_id = id;
      if (auto s = insert_obligations(**tx, planned, actor, now, policy_, **party); !s.ok()) {
        return s;
      }
      obligations->insert(obligations->end(), planned.begin(), planned.end());
    }
    for (const domain::Obligation& o : *obligations) {
      if (!gone_out->contains(o.id)) continue;
      if (auto n = queue_notice(**tx, o, actor, now, policy_, changes); !n.ok()) return n.status();
    }
  }
  record.obligations = std::move(*obligations);
  if (auto s = (*tx)->commit(); !s.ok()) return s;
  return record;
}

}  // namespace termijn::app
