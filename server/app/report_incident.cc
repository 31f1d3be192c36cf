#include "server/app/report_incident.h"

#include "server/app/audit.h"
#include "server/app/audit_details.h"
#include "server/app/event_time.h"
#include "server/app/external_ref.h"
#include "server/app/limits.h"
#include "server/domain/planner.h"

namespace termijn::app {

absl::StatusOr<IncidentRecord> ReportIncident::run(const Actor& actor,
                                                   const ReportIncidentInput& input) {
  const domain::Instant now = clock_.now();
  const auto party = directory_.find(input.party, "party");
  if (!party.ok()) return party.status();
  const auto aware = read_event_time(input.aware_time, "aware_time", **party, now, false);
  if (!aware.ok()) return aware.status();
  if (auto s = check_line("title", input.title, kMaxTitle, /*required=*/true); !s.ok()) return s;
  if (auto s = check_text("description", input.description, kMaxText, false); !s.ok()) return s;
  if (auto s = check_line("external_ref", input.ticket_ref, kMaxShort, false); !s.ok()) return s;
  if (auto s = check_request_id(input.create_id.request_id); !s.ok()) return s;
  if (auto s = check_subject_count(input.subject_count); !s.ok()) return s;

  IncidentRecord record;
  domain::Incident& incident = record.incident;
  incident.party = (*party)->id;
  incident.aware_time = *aware;
  if (!input.occurred_time.empty()) {
    const auto occurred =
        read_event_time(input.occurred_time, "occurred_time", **party, now, false);
    if (!occurred.ok()) return occurred.status();
    if (*occurred > *aware) {
      return absl::InvalidArgumentError("occurred_time: after aware_time");
    }
    incident.occurred_time = *occurred;
  }
  incident.title = input.title;
  incident.description = input.description;
  incident.categories = input.categories;
  incident.subject_groups = input.subject_groups;
  if (input.subject_count > 0) incident.subject_count = input.subject_count;
  incident.risk = input.risk;
  incident.ticket_ref = input.ticket_ref;
  incident.reported_by = actor.principal;
  incident.create_time = now;

  record.obligations = domain::plan_obligations({domain::Trigger::kIncident, *aware, std::nullopt},
                                                **party, directory_.parties(), policy_.targets);
  if (incident.risk == domain::Risk::kHigh) {
    // GDPR art. 34(1): assessed as a high risk when reported.
    for (auto& o : domain::plan_obligations({domain::Trigger::kHighRisk, now, std::nullopt},
                                            **party, directory_.parties(), policy_.targets)) {
      record.obligations.push_back(std::move(o));
    }
  }

  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  const auto earlier =
      claim_create(**tx, actor, "ReportIncident", input.create_id, "incidents", now);
  if (!earlier.ok()) return earlier.status();
  if (*earlier != 0) {
    auto first = (*tx)->get_incident(*earlier);
    if (!first.ok()) return first.status();
    auto obligations = (*tx)->obligations_of(*earlier, 0);
    if (!obligations.ok()) return obligations.status();
    return IncidentRecord{std::move(*first), std::move(*obligations)};
  }
  if (auto s = check_external_ref(**tx, "incidents", incident.party, incident.ticket_ref);
      !s.ok()) {
    return s;
  }
  const auto id = (*tx)->insert_incident(incident);
  if (!id.ok()) return id.status();
  incident.id = *id;
  if (auto s = finish_create(**tx, actor, input.create_id, "incidents", *id); !s.ok()) return s;
  if (auto s = (*tx)->append_audit(audit_record(actor, now, "incident.reported",
                                                "incidents/" + std::to_string(*id), "",
                                                incident_details(incident)));
      !s.ok()) {
    return s;
  }
  for (domain::Obligation& o : record.obligations) o.incident_id = *id;
  if (auto s = insert_obligations(**tx, record.obligations, actor, now, policy_, **party); !s.ok()) return s;
  if (auto s = (*tx)->commit(); !s.ok()) return s;
  return record;
}

}  // namespace termijn::app
