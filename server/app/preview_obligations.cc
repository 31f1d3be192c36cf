#include "server/app/preview_obligations.h"

#include "server/app/event_time.h"
#include "server/domain/rules.h"

namespace termijn::app {

absl::StatusOr<std::vector<domain::Obligation>> PreviewObligations::run(
    domain::Trigger trigger, const std::string& party, const std::string& time,
    std::optional<domain::RequestKind> request_kind, int extension_months) const {
  const auto owner = directory_.find(party, "party");
  if (!owner.ok()) return owner.status();
  const auto at = read_event_time(time, "time", **owner, clock_.now(), /*allow_future=*/true);
  if (!at.ok()) return at.status();
  // What an event does not take is refused, not ignored: the preview would not show it.
  const bool about_a_request = trigger == domain::Trigger::kRequest ||
                               trigger == domain::Trigger::kExtension ||
                               trigger == domain::Trigger::kRefusal;
  if (request_kind && !about_a_request) {
    return absl::InvalidArgumentError(
        "request_kind: only for request, request-extension and request-refusal");
  }
  if (extension_months != 0 && trigger != domain::Trigger::kExtension) {
    return absl::InvalidArgumentError("extension_months: only for request-extension");
  }
  if (!request_kind) request_kind = domain::RequestKind::kAccess;
  if (trigger != domain::Trigger::kExtension) {
    return domain::plan_obligations({trigger, *at, request_kind}, **owner, directory_.parties(),
                                    targets_);
  }
  if (extension_months != 1 && extension_months != 2) {
    return absl::InvalidArgumentError("extension_months: must be 1 or 2");
  }
  std::vector<domain::Obligation> planned;
  for (const domain::Obligation& o :
       domain::plan_obligations({domain::Trigger::kRequest, *at, request_kind}, **owner,
                                directory_.parties(), targets_)) {
    if (o.rule == domain::rule_id::kAnswer) {
      planned.push_back(domain::extend_answer(o, *at, extension_months, **owner));
    }
  }
  for (domain::Obligation& o :
       domain::plan_obligations({domain::Trigger::kExtension, *at, request_kind}, **owner,
                                directory_.parties(), targets_)) {
    planned.push_back(std::move(o));
  }
  return planned;
}

}  // namespace termijn::app
