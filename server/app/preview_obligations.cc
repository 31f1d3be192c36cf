#include "server/app/preview_obligations.h"

#include "server/app/event_time.h"

namespace termijn::app {

absl::StatusOr<std::vector<domain::Obligation>> PreviewObligations::run(
    domain::Trigger trigger, const std::string& party, const std::string& time,
    std::optional<domain::RequestKind> request_kind) const {
  const auto owner = directory_.find(party, "party");
  if (!owner.ok()) return owner.status();
  const auto at = read_event_time(time, "time", **owner, clock_.now(), /*allow_future=*/true);
  if (!at.ok()) return at.status();
  if (trigger == domain::Trigger::kRequest && !request_kind) {
    request_kind = domain::RequestKind::kAccess;
  }
  return domain::plan_obligations({trigger, *at, request_kind}, **owner, directory_.parties());
}

}  // namespace termijn::app
