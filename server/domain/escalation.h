#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "server/domain/holidays.h"
#include "server/domain/model.h"
#include "server/domain/rules.h"
#include "server/domain/time.h"

namespace termijn::domain {

/// Who a reminder or escalation goes to.
enum class Audience { kOwnerDpo, kOwnerEscalation, kReporter };
std::string_view name_of(Audience a);

/// An offset or a repetition of a step. Days are calendar days on the party's wall clock: "-14d"
/// of a deadline at 10:00 is 10:00 fourteen days before, also across a change of the clocks
/// (where 14 × 24 h would be 09:00 or 11:00). Hours and minutes are elapsed time, as the
/// deadlines in hours are (Regulation 1182/71).
struct StepDuration {
  int days = 0;
  std::chrono::seconds elapsed{0};

  static StepDuration of_days(int n) { return {n, {}}; }
  static StepDuration of(std::chrono::seconds s) { return {0, s}; }
  StepDuration operator*(int n) const { return {days * n, elapsed * n}; }
  StepDuration operator+(const StepDuration& d) const {
    return {days + d.days, elapsed + d.elapsed};
  }
  bool operator==(const StepDuration&) const = default;
};

/// `t` moved by `d`: its days on `zone`'s wall clock (a time the clocks skip moves forward by
/// the gap, a repeated one takes its first instant), then its elapsed time.
Instant shift(Instant t, const StepDuration& d, const TimeZone& zone);

/// One point in an obligation's window: a fraction of it elapsed ("50%"), an offset from the due
/// time ("-2h", "-14d", "0", "+12h"), optionally repeating ("every 12h", "every 1d").
struct EscalationStep {
  std::optional<double> fraction;     ///< of the window start..due, in (0, 1)
  StepDuration offset;                ///< from due_time, when no fraction
  std::optional<StepDuration> every;  ///< repeats after its first time
  std::vector<Audience> to;
  std::string label;  ///< as configured: "50%", "-2h", "+12h every 12h"
};

/// The steps of one rule, in the order they fire.
struct EscalationPolicy {
  std::vector<EscalationStep> steps;
};

/// The defaults: 50 %, 80 %, -2 h to the owner's DPO, at due the DPO and the escalation contacts,
/// then every 12 h, for hour periods; 14, 7 and 2 days before, at due, then daily, for month
/// periods.
EscalationPolicy default_policy(const Rule& rule);

/// A step's label (EscalationStep::label) as a text in Dutch or English says it: "+12h every
/// 12h" is "+12u elke 12u" in Dutch.
std::string step_label_in(std::string label, bool dutch);

/// Parses "50%", "-2h", "-14d", "0", "+12h", "+30m" and an optional "every" ("12h", "1d").
/// Returns nullopt and sets `error` when the text is not a step.
std::optional<EscalationStep> parse_step(const std::string& at, const std::string& every,
                                         std::vector<Audience> to, std::string* error);

/// When one step fires for an obligation.
struct StepTime {
  int step = 0;        ///< index in the policy
  int repetition = 0;  ///< 0 for the first time
  Instant fire_time{};
  bool moved = false;  ///< moved to the previous working day (due on a closed day)
};

/// A step as stored: one firing of one step for one obligation.
struct ScheduledStep {
  int64_t id = 0;
  int64_t obligation_id = 0;
  StepTime time;
  std::string label;
  std::string audience;           ///< "owner_dpo,owner_escalation"
  std::string state = "pending";  ///< pending, fired, skipped, cancelled
};

/// "owner_dpo,owner_escalation".
std::string audience_list(const std::vector<Audience>& to);

/// The first firing of every step of `policy` for `o`, in `party`'s zone and calendar. When the
/// due time falls on a weekend, a public holiday or a day Flemish offices are closed, the last
/// step before it moves to the same time on the previous working day. A repeating step whose
/// first time is before the obligation's start begins at its first repetition at or after the
/// start; other steps before the start are dropped.
std::vector<StepTime> first_step_times(const EscalationPolicy& policy, const Obligation& o,
                                       const Party& party);

/// The next repetition of a repeating step after `now`, in the zone of the obligation's owner:
/// skips repetitions already past, so an obligation long overdue does not fire a burst. nullopt
/// for a step that does not repeat.
std::optional<StepTime> next_repetition(const EscalationPolicy& policy, const StepTime& fired,
                                        const Obligation& o, const TimeZone& zone, Instant now);

/// Why the due date is special, for the reminders ("Saturday", "Christmas Day", "Day of the
/// Flemish Community: offices closed"; in Dutch "zaterdag", "Kerstmis", "Feestdag van de Vlaamse
/// Gemeenschap"); empty on an ordinary working day.
std::string due_day_note(const Obligation& o, const Party& party, bool dutch = false);

}  // namespace termijn::domain
