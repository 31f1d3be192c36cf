#include "server/domain/escalation.h"

#include <algorithm>
#include <cctype>
#include <regex>

namespace termijn::domain {

namespace {

using std::chrono::hours;
using std::chrono::seconds;

EscalationStep step(std::optional<double> fraction, StepDuration offset,
                    std::optional<StepDuration> every, std::vector<Audience> to,
                    std::string label) {
  return {fraction, offset, every, std::move(to), std::move(label)};
}

// The longest offset or repetition of a step: a year with its leap day. Anything longer is a
// mistake, and the bound keeps the arithmetic on instants far from overflow.
constexpr int kMaxStepDays = 366;
constexpr seconds kMaxStepDuration = hours{kMaxStepDays * 24};

struct Duration {
  StepDuration value;
  bool too_long = false;  ///< over kMaxStepDuration, however many digits: value is then 0
};

// "-2h", "+14d", "30m"; nullopt when `text` is not a duration.
std::optional<Duration> parse_duration(const std::string& text) {
  static const std::regex kDuration(R"(^\s*([+-]?)0*(\d+)\s*([mhd])\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, kDuration)) return std::nullopt;
  // Nine digits multiply by a day in range; more are too long anyway.
  if (m[2].length() > 9) return Duration{{}, true};
  const int64_t n = std::stoll(m[2]);
  const int sign = m[1] == "-" ? -1 : 1;
  const char unit = m[3].str()[0];
  if (unit == 'd') {
    if (n > kMaxStepDays) return Duration{{}, true};
    return Duration{StepDuration::of_days(sign * static_cast<int>(n)), false};
  }
  const seconds s = (unit == 'm' ? seconds{60} : seconds{3600}) * n;
  if (s > kMaxStepDuration) return Duration{{}, true};
  return Duration{StepDuration::of(s * sign), false};
}

Instant base_time(const EscalationStep& s, const Obligation& o, const TimeZone& zone) {
  if (s.fraction) {
    const auto window = o.due_time - o.start_time;
    // Rounded, not truncated: 70 % of 48 h is 33 h 36 min, not a second before it.
    return o.start_time + date::round<seconds>(window * *s.fraction);
  }
  return shift(o.due_time, s.offset, zone);
}

// Repetition `n` of a repeating step `s`. A step whose offset is in days moves the due time by
// the offset and its repetitions at once, so that a first time the clocks skipped (moved forward
// by the gap) does not carry that hour into every repetition after it. Any other step repeats
// from its first time, an instant that exists.
Instant repetition_time(const EscalationStep& s, const Obligation& o, const TimeZone& zone, int n) {
  if (!s.fraction && s.offset.elapsed == seconds{0}) {
    return shift(o.due_time, s.offset + *s.every * n, zone);
  }
  return shift(base_time(s, o, zone), *s.every * n, zone);
}

// The first repetition of `s`, counting from `from`, whose time is after `t` (or at it, when
// `inclusive`).
int first_repetition_after(const EscalationStep& s, const Obligation& o, const TimeZone& zone,
                           int from, Instant t, bool inclusive) {
  const auto passed = [&](int n) {
    const Instant at = repetition_time(s, o, zone, n);
    return inclusive ? at < t : at <= t;
  };
  // A guess off by at most one, where the clocks change; the loops settle it.
  const seconds about = hours{24} * s.every->days + s.every->elapsed;
  const Instant first = repetition_time(s, o, zone, 0);
  int n = from;
  if (t > first) n = std::max(n, static_cast<int>((t - first) / about));
  while (n > from && !passed(n - 1)) --n;
  while (passed(n)) ++n;
  return n;
}

bool closed_day(const date::year_month_day& day, const Party& party) {
  return !party.calendar.is_working_day(day) || party.calendar.office_closure(day).has_value();
}

}  // namespace

Instant shift(Instant t, const StepDuration& d, const TimeZone& zone) {
  if (d.days != 0) t = resolve_local(zone.to_local(t) + date::days{d.days}, zone);
  return t + d.elapsed;
}

std::string_view name_of(Audience a) {
  switch (a) {
    case Audience::kOwnerDpo:
      return "owner_dpo";
    case Audience::kOwnerEscalation:
      return "owner_escalation";
    case Audience::kReporter:
      return "reporter";
  }
  return "?";
}

std::string audience_list(const std::vector<Audience>& to) {
  std::string out;
  for (const Audience a : to) out += (out.empty() ? "" : ",") + std::string(name_of(a));
  return out;
}

EscalationPolicy default_policy(const Rule& rule) {
  const std::vector<Audience> dpo{Audience::kOwnerDpo};
  const std::vector<Audience> escalate{Audience::kOwnerDpo, Audience::kOwnerEscalation};
  using D = StepDuration;
  if (rule.period.unit == Period::Unit::kMonths) {
    return {{step(std::nullopt, D::of_days(-14), std::nullopt, dpo, "-14d"),
             step(std::nullopt, D::of_days(-7), std::nullopt, dpo, "-7d"),
             step(std::nullopt, D::of_days(-2), std::nullopt, dpo, "-2d"),
             step(std::nullopt, D{}, std::nullopt, escalate, "0"),
             step(std::nullopt, D::of_days(1), D::of_days(1), escalate, "+1d every 1d")}};
  }
  return {{step(0.5, D{}, std::nullopt, dpo, "50%"), step(0.8, D{}, std::nullopt, dpo, "80%"),
           step(std::nullopt, D::of(-hours{2}), std::nullopt, dpo, "-2h"),
           step(std::nullopt, D{}, std::nullopt, escalate, "0"),
           step(std::nullopt, D::of(hours{12}), D::of(hours{12}), escalate, "+12h every 12h")}};
}

std::string step_label_in(std::string label, bool dutch) {
  if (!dutch) return label;
  for (size_t at = label.find(" every "); at != std::string::npos; at = label.find(" every ")) {
    label.replace(at, 7, " elke ");
  }
  for (size_t i = 1; i < label.size(); ++i) {
    if (label[i] == 'h' && std::isdigit(static_cast<unsigned char>(label[i - 1]))) label[i] = 'u';
  }
  return label;
}

std::optional<EscalationStep> parse_step(const std::string& at, const std::string& every,
                                         std::vector<Audience> to, std::string* error) {
  EscalationStep s;
  s.to = std::move(to);
  s.label = every.empty() ? at : at + " every " + every;
  static const std::regex kFraction(R"(^\s*(\d{1,2}(?:\.\d+)?)\s*%\s*$)");
  std::smatch m;
  if (std::regex_match(at, m, kFraction)) {
    const double percent = std::stod(m[1]);
    if (percent <= 0 || percent >= 100) {
      *error = "'" + at + "': a fraction must lie between 0% and 100%";
      return std::nullopt;
    }
    s.fraction = percent / 100;
  } else if (at == "0") {
    s.offset = StepDuration{};
  } else if (const auto offset = parse_duration(at)) {
    if (offset->too_long) {
      *error = "'" + at + "': an offset from the due time is at most 366d (8784h) either way";
      return std::nullopt;
    }
    s.offset = offset->value;
  } else {
    *error = "'" + at +
             "' is not a step: use a fraction (\"50%\"), an offset from the due time "
             "(\"-2h\", \"-14d\", \"+12h\") or \"0\"";
    return std::nullopt;
  }
  if (!every.empty()) {
    const auto period = parse_duration(every);
    if (!period || period->too_long ||
        (period->value.days <= 0 && period->value.elapsed < seconds{60 * 60})) {
      *error = "every '" + every +
               "': must be a duration of at least 1h and at most 366d, like \"12h\" or \"1d\"";
      return std::nullopt;
    }
    s.every = period->value;
  }
  if (s.to.empty()) {
    *error = "'" + at + "': no recipients";
    return std::nullopt;
  }
  return s;
}

std::vector<StepTime> first_step_times(const EscalationPolicy& policy, const Obligation& o,
                                       const Party& party) {
  std::vector<StepTime> times;
  for (size_t i = 0; i < policy.steps.size(); ++i) {
    times.push_back({static_cast<int>(i), 0, base_time(policy.steps[i], o, *party.zone), false});
  }
  // Due on a day the offices are closed: the last reminder before it comes a working day early.
  const date::year_month_day due_day = local_date(o.due_time, *party.zone);
  if (closed_day(due_day, party)) {
    StepTime* last_before = nullptr;
    for (StepTime& t : times) {
      if (t.fire_time < o.due_time && (!last_before || t.fire_time > last_before->fire_time)) {
        last_before = &t;
      }
    }
    if (last_before) {
      const auto local = party.zone->to_local(last_before->fire_time);
      const auto time_of_day = local - date::floor<date::days>(local);
      date::sys_days day{due_day};
      do {
        day -= date::days{1};
      } while (closed_day(date::year_month_day{day}, party));
      const Instant moved =
          resolve_local(date::local_days{date::year_month_day{day}} + time_of_day, *party.zone);
      // Not before the obligation began: a reminder that cannot move stays where it was.
      if (moved < last_before->fire_time && moved >= o.start_time) {
        last_before->fire_time = moved;
        last_before->moved = true;
      }
    }
  }
  // Before the obligation began: a repeating step starts at its first repetition from then on,
  // on its own grid (as next_repetition counts it); any other step is dropped.
  for (StepTime& t : times) {
    const EscalationStep& s = policy.steps[t.step];
    if (t.fire_time >= o.start_time || !s.every) continue;
    t.repetition = first_repetition_after(s, o, *party.zone, 1, o.start_time, true);
    t.fire_time = repetition_time(s, o, *party.zone, t.repetition);
  }
  std::erase_if(times, [&](const StepTime& t) { return t.fire_time < o.start_time; });
  std::sort(times.begin(), times.end(), [](const StepTime& a, const StepTime& b) {
    return a.fire_time != b.fire_time ? a.fire_time < b.fire_time : a.step < b.step;
  });
  return times;
}

std::optional<StepTime> next_repetition(const EscalationPolicy& policy, const StepTime& fired,
                                        const Obligation& o, const TimeZone& zone, Instant now) {
  if (fired.step < 0 || fired.step >= static_cast<int>(policy.steps.size())) return std::nullopt;
  const EscalationStep& s = policy.steps[fired.step];
  if (!s.every) return std::nullopt;
  const int n = first_repetition_after(s, o, zone, fired.repetition + 1, now, false);
  return StepTime{fired.step, n, repetition_time(s, o, zone, n), false};
}

std::string due_day_note(const Obligation& o, const Party& party, bool dutch) {
  const date::year_month_day day = local_date(o.due_time, *party.zone);
  if (const auto holiday = party.calendar.public_holiday(day, dutch)) return *holiday;
  const date::weekday wd{date::sys_days{day}};
  if (wd == date::Saturday) return dutch ? "zaterdag" : "Saturday";
  if (wd == date::Sunday) return dutch ? "zondag" : "Sunday";
  if (const auto closure = party.calendar.office_closure(day, dutch)) {
    // The Dutch sentence around it already says that the offices are closed.
    return dutch ? *closure : *closure + ": offices closed";
  }
  return "";
}

}  // namespace termijn::domain
