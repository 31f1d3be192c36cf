#pragma once

#include <string>

#include "server/domain/time.h"

namespace termijn::notify {

/// An iCalendar (RFC 5545) object with one VEVENT for a deadline, to attach as text/calendar;
/// method=PUBLISH: PRODID -//Termijn//EN, UTC times, TEXT values escaped (\\ ; , and line
/// breaks), lines folded at 75 octets without splitting a UTF-8 character, CRLF line ends, and a
/// display alarm two hours before `start`.
///
/// `uid` must be stable for the deadline (e.g. "obligation-12@herent.example") so that a calendar
/// updates the event instead of duplicating it. When `end_or_same` is not after `start` the event
/// has no DTEND: a point in time (RFC 5545 3.6.1). `stamp` is DTSTAMP, when the object was made.
std::string render_ics(const std::string& uid, const std::string& summary,
                       const std::string& description, domain::Instant start,
                       domain::Instant end_or_same, domain::Instant stamp);

}  // namespace termijn::notify
