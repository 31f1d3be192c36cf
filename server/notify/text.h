#pragma once

#include <string>
#include <string_view>

// Small text helpers shared by the renderers of this library (MIME, iCalendar, templates).

namespace termijn::notify {

/// `s` with every invalid UTF-8 sequence replaced by U+FFFD, so later steps can split it between
/// characters and the declared charset=UTF-8 is true.
std::string valid_utf8(std::string_view s);

/// `s` as one line of header text: CR, LF, tabs and other control characters become a space, runs
/// of spaces collapse to one, and the ends are trimmed. Header injection stops here.
std::string one_line(std::string_view s);

/// The first line of `s` that is not blank, as one_line makes it, cut to at most `max_chars`
/// characters with "..." where it was cut: a long summary named in a Subject or a list.
std::string headline(std::string_view s, size_t max_chars);

/// RFC 4648 base64 with padding, no line breaks.
std::string base64(std::string_view bytes);

}  // namespace termijn::notify
