#include "server/domain/events.h"

#include <algorithm>
#include <charconv>
#include <regex>

namespace termijn::domain {

namespace {

// The step label of an escalation event's details ({"step":"+12h every 12h",...}).
std::string step_label(const std::string& details) {
  static const std::regex kStep(R"re("step":"([^"]*)")re");
  std::smatch m;
  return std::regex_search(details, m, kStep) ? m[1].str() : "";
}

bool overdue_step(const std::string& label) { return label == "0" || label.rfind('+', 0) == 0; }

}  // namespace

std::string event_type(const AuditRecord& record) {
  if (record.action == "escalation.fired") {
    return overdue_step(step_label(record.details)) ? "obligation.overdue" : "reminder.sent";
  }
  if (record.action == "escalation.skipped") return "reminder.skipped";
  return record.action;
}

StreamEvent event_of(const AuditRecord& record, std::string party) {
  return {record.seq,     event_type(record), record.time,    std::move(party), record.subject,
          record.related, record.principal,   record.details, record.action};
}

std::string filter_error(const EventFilter& filter) {
  // Every event type there is fits many times over in these; a stream checks each event
  // against every type.
  constexpr size_t kMaxTypes = 64;
  constexpr size_t kMaxLength = 64;
  if (filter.types.size() > kMaxTypes) {
    return "filter.types: at most " + std::to_string(kMaxTypes) + " types, not " +
           std::to_string(filter.types.size());
  }
  for (const std::string& t : filter.types) {
    if (t.empty() || t == ".") return "filter.types: an empty type";
    if (t.size() > kMaxLength) {
      return "filter.types: a type of " + std::to_string(t.size()) + " bytes; no type is longer "
             "than " + std::to_string(kMaxLength);
    }
  }
  if (!filter.subject.empty() && record_name(filter.subject).id == 0) {
    const std::string shown = filter.subject.size() <= kMaxLength
                                  ? "'" + filter.subject + "'"
                                  : "a value of " + std::to_string(filter.subject.size()) + " bytes";
    return "filter.subject: " + shown + " is not a record name such as incidents/4 or requests/2";
  }
  return "";
}

bool matches(const EventFilter& filter, const StreamEvent& event) {
  if (!filter.subject.empty() && event.subject != filter.subject &&
      event.related != filter.subject) {
    return false;
  }
  if (filter.types.empty()) return true;
  return std::any_of(filter.types.begin(), filter.types.end(), [&](const std::string& t) {
    return t.back() == '.' ? event.type.rfind(t, 0) == 0 : event.type == t;
  });
}

RecordName record_name(std::string_view subject) {
  const size_t slash = subject.find('/');
  if (slash == std::string_view::npos || slash == 0) return {};
  const std::string_view digits = subject.substr(slash + 1);
  int64_t id = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || end != digits.data() + digits.size() || id <= 0) return {};
  return {std::string(subject.substr(0, slash)), id};
}

bool notified_party_sees(const StreamEvent& event) {
  static const std::vector<std::string> kSeen = {
      "incident.reported",        "incident.updated",      "request.logged",
      "obligation.created",       "obligation.fulfilled",  "obligation.waived",
      "notification.queued",      "notification.released", "notification.sent",
      "notification.acknowledged"};
  return std::find(kSeen.begin(), kSeen.end(), event.type) != kSeen.end();
}

StreamEvent notified_view(StreamEvent event) {
  event.details = "{}";
  if (event.type != "incident.reported" && event.type != "request.logged") event.principal.clear();
  return event;
}

}  // namespace termijn::domain
