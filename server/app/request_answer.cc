#include "server/app/request_answer.h"

#include <algorithm>
#include <string>

#include "server/domain/rules.h"

namespace termijn::app {

absl::StatusOr<domain::Request> lock_open_request(StoreTransaction& tx, int64_t id) {
  auto request = tx.lock_request(id);
  if (!request.ok()) return request.status();
  if (request->close_time) {
    return absl::FailedPreconditionError("requests/" + std::to_string(id) +
                                         " is closed; a closed request does not change");
  }
  return request;
}

absl::StatusOr<domain::Obligation*> lock_answer(StoreTransaction& tx,
                                                const domain::Request& request,
                                                std::vector<domain::Obligation>& obligations,
                                                std::string_view to_do) {
  const auto answer =
      std::find_if(obligations.begin(), obligations.end(),
                   [](const domain::Obligation& o) { return o.rule == domain::rule_id::kAnswer; });
  if (answer == obligations.end()) {
    return absl::FailedPreconditionError(
        "requests/" + std::to_string(request.id) + " is a " +
        std::string(domain::name_of(request.kind)) +
        " and has no answer to the data subject (GDPR art. 12(3))" +
        (to_do.empty() ? std::string() : " " + std::string(to_do)));
  }
  auto locked = tx.lock_obligation(answer->id);
  if (!locked.ok()) return locked.status();
  *answer = std::move(*locked);
  return &*answer;
}

}  // namespace termijn::app
