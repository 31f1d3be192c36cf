#include "server/app/report_matter.h"

#include "server/app/audit.h"
#include "server/app/audit_details.h"
#include "server/app/event_time.h"
#include "server/app/limits.h"
#include "server/domain/planner.h"

namespace termijn::app {

absl::StatusOr<MatterRecord> ReportMatter::run(const Actor& actor,
                                               const ReportMatterInput& input) {
  const domain::Instant now = clock_.now();
  const auto party = directory_.find(input.party, "party");
  if (!party.ok()) return party.status();
  const auto at = read_event_time(input.event_time, "event_time", **party, now, false);
  if (!at.ok()) return at.status();
  if (auto s = check_text("summary", input.summary, kMaxText, /*required=*/true); !s.ok()) return s;
  const bool departure = input.kind == domain::MatterKind::kStaffDeparture;
  // Protocol art. 9 needs no name: an opaque reference (a personnel number) is all it keeps.
  if (auto s = check_line("staff_ref", input.staff_ref, kMaxShort, /*required=*/departure);
      !s.ok()) {
    return s;
  }
  if (!departure && !input.staff_ref.empty()) {
    return absl::InvalidArgumentError("staff_ref: only for a staff departure");
  }
  if (auto s = check_request_id(input.create_id.request_id); !s.ok()) return s;

  MatterRecord record;
  domain::Matter& matter = record.matter;
  matter.party = (*party)->id;
  matter.kind = input.kind;
  matter.event_time = *at;
  matter.summary = input.summary;
  matter.staff_ref = input.staff_ref;
  matter.reported_by = actor.principal;
  matter.create_time = now;
  record.obligations =
      domain::plan_obligations({domain::trigger_of(input.kind), *at, std::nullopt}, **party,
                               directory_.parties(), policy_.targets);

  auto tx = store_.begin();
  if (!tx.ok()) return tx.status();
  const auto earlier = claim_create(**tx, actor, "ReportMatter", input.create_id, "matters", now);
  if (!earlier.ok()) return earlier.status();
  if (*earlier != 0) {
    auto first = (*tx)->get_matter(*earlier);
    if (!first.ok()) return first.status();
    auto obligations = (*tx)->obligations_of(0, 0, *earlier);
    if (!obligations.ok()) return obligations.status();
    return MatterRecord{std::move(*first), std::move(*obligations)};
  }
  const auto id = (*tx)->insert_matter(matter);
  if (!id.ok()) return id.status();
  matter.id = *id;
  if (auto s = finish_create(**tx, actor, input.create_id, "matters", *id); !s.ok()) return s;
  if (auto s = (*tx)->append_audit(audit_record(actor, now, "matter.reported",
                                                "matters/" + std::to_string(*id), "",
                                                matter_details(matter)));
      !s.ok()) {
    return s;
  }
  // A duty of every party is planned and reminded in the zone and calendar of the party owing it.
  for (domain::Obligation& o : record.obligations) {
    o.matter_id = *id;
    const auto owner = directory_.find(o.owner_party, "owner_party");
    if (!owner.ok()) return owner.status();
    std::vector<domain::Obligation> one{o};
    if (auto s = insert_obligations(**tx, one, actor, now, policy_, **owner); !s.ok()) return s;
    o = std::move(one.front());
  }
  if (auto s = (*tx)->commit(); !s.ok()) return s;
  return record;
}

}  // namespace termijn::app
