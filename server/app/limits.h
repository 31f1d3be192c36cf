#pragma once

#include <absl/status/status.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/domain/rules.h"

namespace termijn::app {

inline constexpr size_t kMaxTitle = 200;
inline constexpr size_t kMaxText = 20000;
/// Names, ids, tokens, file names and other short values.
inline constexpr size_t kMaxShort = 200;
/// An estimate of affected data subjects beyond this is a typing error.
inline constexpr int64_t kMaxSubjectCount = 1'000'000'000;
/// How much of a refused input an error message quotes.
inline constexpr size_t kMaxQuote = 40;

/// INVALID_ARGUMENT naming `field` if `text` is required and blank, too long, not valid UTF-8,
/// or holds control characters other than newline and tab.
absl::Status check_text(std::string_view field, std::string_view text, size_t max_bytes,
                        bool required);

/// INVALID_ARGUMENT on field subject_count unless 0 <= `count` <= kMaxSubjectCount (0: not
/// known), the same bound for a report and an update.
absl::Status check_subject_count(int64_t count);

/// `text` made safe to store and show: each invalid UTF-8 sequence becomes U+FFFD, control
/// characters other than newline and tab become spaces, and it is cut at a character boundary
/// to at most `max_bytes` bytes ("..." marks the cut).
std::string printable_prefix(std::string_view text, size_t max_bytes);

/// A refused input as an error message may quote it: printable, at most kMaxQuote bytes, quoted.
std::string quote_input(std::string_view text);

/// `text` as part of one line (an error line of the CLI, a line of the log), so that what it
/// echoes cannot start a line of its own: newline, carriage return and tab as \n, \r, \t, any
/// other control character (below 0x20, 0x7F) as \xHH; everything else as it is.
std::string escape_controls(std::string_view text);

/// INVALID_ARGUMENT on field `ground` when `ground` is none of `grounds`: says whether it was
/// missing or which value was refused, then "`subject` may be ... only on one of these grounds:"
/// and lists them (code = text), e.g. subject "a request", verb "refused".
absl::Status not_one_of_the_grounds(std::string_view ground, std::string_view subject,
                                    std::string_view verb,
                                    const std::vector<domain::WaiverGround>& grounds);

}  // namespace termijn::app
