#include "server/app/event_time.h"

#include <absl/status/status.h>

#include "server/app/limits.h"

namespace termijn::app {

absl::StatusOr<domain::Instant> read_event_time(std::string_view text, std::string_view field,
                                                const domain::Party& party, domain::Instant now,
                                                bool allow_future) {
  if (text.empty()) return now;
  const domain::ParsedTime parsed = domain::parse_time(text, *party.zone);
  if (!parsed.ok()) return absl::InvalidArgumentError(std::string(field) + ": " + parsed.error);
  if (!domain::in_supported_range(parsed.instant)) {
    return absl::InvalidArgumentError(std::string(field) + ": " + quote_input(text) +
                                      " is outside the supported range " +
                                      domain::describe_supported_range());
  }
  if (!allow_future && parsed.instant > now) {
    return absl::InvalidArgumentError(std::string(field) + ": " +
                                      domain::format_local(parsed.instant, *party.zone) +
                                      " is in the future (now " +
                                      domain::format_local(now, *party.zone) + ")");
  }
  return parsed.instant;
}

}  // namespace termijn::app
