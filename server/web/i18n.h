#pragma once

#include <absl/status/status.h>

#include <map>
#include <string>
#include <string_view>

namespace termijn::web {

/// The console's languages: the party's locale, switchable by the user.
bool is_language(std::string_view lang);

/// Every label of the console in `lang` ("nl" or "en"), by key; the templates read them as
/// {{t.KEY}}.
const std::map<std::string, std::string>& labels(std::string_view lang);

/// One label; the key itself if there is none (a missing label shows, it does not crash).
std::string label(std::string_view lang, const std::string& key);

/// What an audit event of `event_type` ("incident.reported", domain::event_type) records, in
/// `lang`; the type itself for one without a label.
std::string event_label(std::string_view lang, const std::string& event_type);

/// The reason a use case gave for refusing a field (what follows "FIELD: " in its
/// INVALID_ARGUMENT message) in `lang`; the reason as given when there is no translation.
std::string field_error(std::string_view lang, const std::string& reason);

/// The label that says, in the user's language, what kind of refusal a status is (NOT_FOUND,
/// PERMISSION_DENIED, FAILED_PRECONDITION ...): the console translates refusals by their kind;
/// the API's messages stay as they are.
std::string refusal_key(absl::StatusCode code);

}  // namespace termijn::web
