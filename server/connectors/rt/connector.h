#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/connectors/rt/rt_client.h"
#include "server/connectors/rt/state_file.h"

namespace termijn::rt {

/// One event of Termijn's event stream, as far as the connector needs it.
struct Event {
  int64_t seq = 0;
  std::string type;  ///< "obligation.fulfilled"
  absl::Time time;
  std::string subject;  ///< "incidents/4", "obligations/17", "notifications/3"
  std::string related;  ///< the record the subject belongs to ("incidents/4"), if any
  std::string party;    ///< the party whose record it is
  std::string principal;
  std::string details_json;
};

/// An obligation as the connector shows it.
struct ObligationView {
  std::string name;     ///< "obligations/17"
  std::string subject;  ///< its record, "incidents/4"
  std::string rule;
  std::string legal_basis;
  std::string recipient;  ///< "the DPO of kortenberg", "the supervisory authority"
  std::string state;      ///< "open", "met", "met-late", "waived"
  absl::Time due;
  bool open = false;
};

/// An incident or a request as the connector shows it.
struct RecordView {
  std::string name;   ///< "incidents/4"
  std::string party;  ///< its owner
  std::string title;  ///< the ticket's subject line
  std::string text;   ///< the ticket's first message
  std::string external_ref;
  std::vector<ObligationView> obligations;
};

/// What the connector reads from termijnd.
class TermijnReader {
 public:
  virtual ~TermijnReader() = default;
  /// An incident or request by name; NOT_FOUND when the caller may not see it.
  virtual absl::StatusOr<RecordView> record(const std::string& name) = 0;
  virtual absl::StatusOr<ObligationView> obligation(const std::string& name) = 0;
};

struct ConnectorOptions {
  /// Only records owned by this party get tickets; empty: every record the principal may see.
  std::string party;
  /// After a create that got no answer (a timeout, a 5xx from a proxy), RT may still be making
  /// the ticket: for this long (RT's timeout) the record's ticket is looked for, not created
  /// again; twice as long after a create the process did not live to see answered.
  absl::Duration create_in_doubt = absl::Seconds(30);
  /// The clock; tests pass their own.
  std::function<absl::Time()> now = [] { return absl::Now(); };
};

/// The ticket's Due: the earliest due time of the record's open obligations; none when no
/// obligation is open.
std::optional<absl::Time> earliest_open_due(const RecordView& record);

/// The event types the connector acts on (for the stream's filter); others only move its
/// position.
std::vector<std::string> followed_event_types();

/// The RT ticket id named by an external_ref: "1234", "RT-1234", "rt#1234", "#1234"; 0 for
/// anything else.
int64_t ticket_id_of(const std::string& external_ref);

/// The comment an event puts on its record's ticket: subject and plain text. The subject starts
/// with comment_marker(seq), so that a replay can tell whether it was already posted.
struct Comment {
  std::string subject;
  std::string text;
};
Comment comment_for(const Event& event, const std::optional<ObligationView>& obligation);
std::string comment_marker(int64_t seq);

/// Applies Termijn's events to RT tickets, one at a time, in order:
/// - the record of an event (an incident or a request) gets a ticket in the queue, or the
///   existing ticket its external_ref names is linked; found again after a crash by the ticket's
///   record custom field, so that no record gets two tickets;
/// - every event but the record's creation adds a comment;
/// - the ticket's Due follows the record's earliest open obligation;
/// - closing the record resolves the ticket.
/// The position advances (durably) only after an event is fully applied.
class RtConnector {
 public:
  RtConnector(RtClient& rt, TermijnReader& termijn, const StateFile& file, ConnectorState state,
              ConnectorOptions options);

  /// The seq of the last event applied; resume the stream after it.
  int64_t position() const { return state_.position; }
  const ConnectorState& state() const { return state_; }

  /// Applies `event` (a no-op for an event at or before the position). On an error nothing is
  /// lost: the position stays before the event, and applying it again is safe.
  absl::Status apply(const Event& event);

 private:
  /// The record an event concerns ("" when none).
  absl::StatusOr<std::string> record_of(const Event& event,
                                        std::optional<ObligationView>& obligation);
  /// What `event` does to its record's ticket, if it has one.
  absl::Status apply_to_ticket(const Event& event);
  absl::StatusOr<int64_t> ticket_for(const RecordView& record);
  absl::Status save();

  RtClient& rt_;
  TermijnReader& termijn_;
  const StateFile& file_;
  ConnectorState state_;
  ConnectorOptions options_;
  int64_t recovering_seq_ = 0;  ///< an event that may be partly applied (a crash, an error)
  bool queue_checked_ = false;
};

}  // namespace termijn::rt
