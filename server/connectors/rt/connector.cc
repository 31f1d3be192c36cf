#include "server/connectors/rt/connector.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace termijn::rt {
namespace {

bool is_record(const std::string& name) {
  return absl::StartsWith(name, "incidents/") || absl::StartsWith(name, "requests/");
}

bool is_obligation(const std::string& name) { return absl::StartsWith(name, "obligations/"); }

// What each event type says on the ticket; types not listed here leave the ticket alone. The
// record's creation is the ticket itself, so it adds no comment.
const std::map<std::string, std::string>& comment_titles() {
  static const auto* titles = new std::map<std::string, std::string>{
      {"incident.reported", ""},
      {"request.logged", ""},
      {"incident.updated", "Incident updated"},
      {"incident.closed", "Incident closed"},
      {"request.extended", "Answer period extended"},
      {"request.closed", "Request closed"},
      {"obligation.created", "Deadline added"},
      {"obligation.fulfilled", "Deadline met"},
      {"obligation.waived", "Deadline waived"},
      {"obligation.moved", "Deadline moved"},
      {"obligation.overdue", "Deadline overdue"},
      {"reminder.sent", "Reminder sent"},
      {"notification.sent", "Notice sent"},
      {"notification.failed", "Notice failed"},
      {"notification.acknowledged", "Notice acknowledged"},
  };
  return *titles;
}

std::string utc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", t, absl::UTCTimeZone());
}

}  // namespace

std::optional<absl::Time> earliest_open_due(const RecordView& record) {
  std::optional<absl::Time> due;
  for (const ObligationView& o : record.obligations) {
    if (o.open && (!due || o.due < *due)) due = o.due;
  }
  return due;
}

std::vector<std::string> followed_event_types() {
  std::vector<std::string> types;
  for (const auto& [type, _] : comment_titles()) types.push_back(type);
  return types;
}

int64_t ticket_id_of(const std::string& external_ref) {
  std::string digits = external_ref;
  for (const std::string prefix : {"RT-", "rt-", "RT#", "rt#", "#"}) {
    if (absl::StartsWith(digits, prefix)) {
      digits.erase(0, prefix.size());
      break;
    }
  }
  int64_t id = 0;
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
      !absl::SimpleAtoi(digits, &id)) {
    return 0;
  }
  return id;
}

std::string comment_marker(int64_t seq) { return absl::StrCat("[termijn event ", seq, "]"); }

Comment comment_for(const Event& event, const std::optional<ObligationView>& obligation) {
  const auto title = comment_titles().find(event.type);
  Comment c;
  c.subject = absl::StrCat(comment_marker(event.seq), " ",
                           title == comment_titles().end() ? event.type : title->second);
  if (obligation) absl::StrAppend(&c.subject, ": ", obligation->rule);
  absl::StrAppend(&c.text, event.type, " ", event.subject, " at ", utc(event.time));
  if (!event.principal.empty()) absl::StrAppend(&c.text, " by ", event.principal);
  absl::StrAppend(&c.text, "\n");
  if (obligation) {
    absl::StrAppend(&c.text, "\nObligation: ", obligation->name, " (", obligation->rule, ")\n",
                    "Legal basis: ", obligation->legal_basis, "\n",
                    "Recipient: ", obligation->recipient, "\n", "Due: ", utc(obligation->due), "\n",
                    "State: ", obligation->state, "\n");
  }
  if (!event.details_json.empty() && event.details_json != "{}") {
    absl::StrAppend(&c.text, "\nDetails: ", event.details_json, "\n");
  }
  return c;
}

RtConnector::RtConnector(RtClient& rt, TermijnReader& termijn, const StateFile& file,
                         ConnectorState state, ConnectorOptions options)
    : rt_(rt),
      termijn_(termijn),
      file_(file),
      state_(std::move(state)),
      options_(std::move(options)) {
  if (state_.pending > state_.position) recovering_seq_ = state_.pending;
}

absl::Status RtConnector::save() {
  // A doubt that is over says nothing more (its record may never come back to the connector).
  std::erase_if(state_.creating,
                [now = options_.now()](const auto& entry) { return entry.second <= now; });
  return file_.save(state_);
}

absl::StatusOr<std::string> RtConnector::record_of(const Event& event,
                                                   std::optional<ObligationView>& obligation) {
  const std::string& obligation_name = is_obligation(event.subject)   ? event.subject
                                       : is_obligation(event.related) ? event.related
                                                                      : "";
  if (!obligation_name.empty()) {
    auto found = termijn_.obligation(obligation_name);
    if (found.ok()) {
      obligation = std::move(*found);
    } else if (!absl::IsNotFound(found.status())) {
      return found.status();
    }
  }
  if (is_record(event.subject)) return event.subject;
  if (is_record(event.related)) return event.related;
  return obligation ? obligation->subject : std::string();
}

absl::StatusOr<int64_t> RtConnector::ticket_for(const RecordView& record) {
  if (const auto known = state_.tickets.find(record.name); known != state_.tickets.end()) {
    return known->second;
  }
  // Not in the state: perhaps made before a crash that lost the state's update, or made by an
  // earlier run; RT's record field is the truth.
  auto ticket = rt_.find_ticket(record.name);
  if (!ticket.ok()) return ticket.status();
  if (*ticket == 0) {
    if (const int64_t named = ticket_id_of(record.external_ref); named > 0) {
      auto linkable = rt_.may_link(named, record.name);
      if (!linkable.ok()) return linkable.status();
      // The ticket of another record stays that record's: taking it over would move its Due to
      // this record's deadlines and resolve it when this record closes.
      const auto holder = std::find_if(state_.tickets.begin(), state_.tickets.end(),
                                       [&](const auto& entry) { return entry.second == named; });
      std::string refused;
      if (holder != state_.tickets.end()) {
        refused = "is the ticket of " + holder->first;
      } else if (!*linkable) {
        refused = "does not exist, is not visible to the connector or belongs to another record";
      } else {
        if (auto linked = rt_.set_record(named, record.name); !linked.ok()) return linked;
        // RT answers 200 also when it did not take the field (it does not apply to the ticket's
        // queue, say): linked is what a search by the field finds, or the record would get a
        // second ticket once the state file is lost.
        auto found = rt_.find_ticket(record.name);
        if (!found.ok()) return found.status();
        if (*found != 0) {
          ticket = *found;  // the named ticket, or one another run made for the record meanwhile
        } else {
          refused = "did not keep the record field (it does not apply to the ticket's queue?)";
        }
      }
      if (!refused.empty()) {
        spdlog::warn(
            "{}: external_ref '{}' names RT ticket {}, which {}; the record gets a "
            "ticket of its own",
            record.name, record.external_ref, named, refused);
      }
    }
  }
  if (*ticket == 0) {
    // A create that got no answer may yet be committed by RT, after the search above: creating
    // again now could make a second ticket. The doubt is in the state file, so that a restart
    // keeps it.
    if (const auto doubt = state_.creating.find(record.name); doubt != state_.creating.end()) {
      // Never further ahead than a create can take: a clock set back since the doubt was noted
      // (before a restart or while running) must not hold the record's ticket back longer.
      const absl::Time now = options_.now();
      absl::Time& until = doubt->second;
      until = std::min(until, now + 2 * options_.create_in_doubt);
      if (now < until) {
        return absl::UnavailableError(
            absl::StrCat("the ticket of ", record.name,
                         " may still be in the making at RT (its create got no "
                         "answer); looking for it again until ",
                         absl::FormatTime(until)));
      }
    }
    if (!queue_checked_) {
      if (auto checked = rt_.check_queue(); !checked.ok()) return checked;
      queue_checked_ = true;
    }
    // In doubt from before the request leaves, in case the process dies while it is on the way:
    // the request may take the timeout, and RT may go on for as long after it.
    state_.creating[record.name] = options_.now() + 2 * options_.create_in_doubt;
    if (auto saved = save(); !saved.ok()) return saved;
    ticket = rt_.create_ticket({.subject = record.title,
                                .text = record.text,
                                .record = record.name,
                                .due = earliest_open_due(record)});
    if (!ticket.ok()) {
      if (absl::IsUnavailable(ticket.status()) || absl::IsDeadlineExceeded(ticket.status())) {
        state_.creating[record.name] = options_.now() + options_.create_in_doubt;
      } else {
        state_.creating.erase(record.name);  // refused outright: RT makes nothing
      }
      if (auto saved = save(); !saved.ok()) return saved;
      return ticket.status();
    }
  }
  state_.creating.erase(record.name);
  state_.tickets[record.name] = *ticket;
  if (auto saved = save(); !saved.ok()) return saved;
  return *ticket;
}

absl::Status RtConnector::apply(const Event& event) {
  if (event.seq <= state_.position) return absl::OkStatus();
  if (auto applied = apply_to_ticket(event); !applied.ok()) {
    // Perhaps partly applied: its retry checks RT before commenting again.
    recovering_seq_ = event.seq;
    return applied;
  }
  state_.position = event.seq;
  state_.pending = event.seq;
  return save();
}

absl::Status RtConnector::apply_to_ticket(const Event& event) {
  const auto title = comment_titles().find(event.type);
  const bool other_party =
      !options_.party.empty() && !event.party.empty() && event.party != options_.party;
  if (title != comment_titles().end() && !other_party) {
    if (state_.pending != event.seq) {
      state_.pending = event.seq;
      if (auto saved = save(); !saved.ok()) return saved;
    }
    std::optional<ObligationView> obligation;
    auto name = record_of(event, obligation);
    if (!name.ok()) return name.status();
    std::optional<RecordView> record;
    if (!name->empty()) {
      auto found = termijn_.record(*name);
      if (found.ok()) {
        record = std::move(*found);
      } else if (!absl::IsNotFound(found.status())) {
        return found.status();
      }
    }
    if (record && (options_.party.empty() || record->party == options_.party)) {
      auto ticket = ticket_for(*record);
      if (!ticket.ok()) return ticket.status();
      if (!title->second.empty()) {
        const Comment comment = comment_for(event, obligation);
        bool posted = false;
        if (event.seq == recovering_seq_) {
          auto found = rt_.has_comment(*ticket, comment_marker(event.seq));
          if (!found.ok()) return found.status();
          posted = *found;
        }
        if (!posted) {
          if (auto c = rt_.comment(*ticket, comment.subject, comment.text); !c.ok()) return c;
        }
      }
      if (auto due = rt_.set_due(*ticket, earliest_open_due(*record)); !due.ok()) return due;
      if (absl::EndsWith(event.type, ".closed") && event.subject == record->name) {
        auto resolved = rt_.resolve(*ticket);
        if (absl::IsFailedPrecondition(resolved)) {
          // RT will not resolve it now (a ticket it depends on is open, say): the ticket says so
          // and the events after this one go on; whoever works the ticket resolves it.
          spdlog::warn("RT ticket {} of {} is not resolved: {}", *ticket, record->name,
                       std::string(resolved.message()));
          resolved = rt_.comment(
              *ticket, absl::StrCat(comment_marker(event.seq), " Not resolved by Termijn"),
              absl::StrCat(record->name,
                           " is closed in Termijn, but RT did not resolve this "
                           "ticket: ",
                           resolved.message(), "\nResolve it once RT allows."));
        }
        if (!resolved.ok()) return resolved;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace termijn::rt
