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

/// INVALID_ARGUMENT naming `field` if `text` is required and blank (nothing but spaces and
/// characters that show as nothing: U+00A0, U+3000, U+200B, ...), too long, not valid UTF-8, or
/// holds a control character (C0 other than newline and tab, DEL, C1). For text of several lines:
/// descriptions, notes, summaries, reasons.
absl::Status check_text(std::string_view field, std::string_view text, size_t max_bytes,
                        bool required);

/// As check_text, for a value that is one line by nature (a title, a reference, a file name, a
/// code): also refuses line breaks (also U+0085, U+2028, U+2029) and tabs, and the bidi
/// embedding, override and isolate controls U+202A-U+202E and U+2066-U+2069, which make a value
/// show as something it is not ("a<U+202E>fdp.exe" shows as "aexe.pdf").
absl::Status check_line(std::string_view field, std::string_view text, size_t max_bytes,
                        bool required);

/// INVALID_ARGUMENT on field subject_count unless 0 <= `count` <= kMaxSubjectCount (0: not
/// known), the same bound for a report and an update.
absl::Status check_subject_count(int64_t count);

/// `text` made safe to store and show: each invalid UTF-8 sequence becomes U+FFFD, control
/// characters other than newline and tab (C0, DEL, C1) and bidi controls become spaces, and it
/// is cut at a character boundary to at most `max_bytes` bytes ("..." marks the cut).
std::string printable_prefix(std::string_view text, size_t max_bytes);

/// A refused input as an error message may quote it: printable, at most kMaxQuote bytes, quoted
/// (line breaks and tabs kept: the CLI shows them escaped, on one line).
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
