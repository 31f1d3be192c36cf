#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace termijn::domain {

/// The length in bytes of the valid UTF-8 sequence `s` starts with, or 0 if it does not start
/// with one (a stray continuation byte, a truncated sequence, an overlong form, a UTF-16
/// surrogate, a value past U+10FFFF). 0 for an empty `s`.
size_t utf8_length(std::string_view s);

/// Where in `s` the first byte is that starts no valid UTF-8 sequence (its offset from 0), or
/// nullopt when all of `s` is valid UTF-8.
std::optional<size_t> invalid_utf8_at(std::string_view s);

/// The characters of UTF-8 text `s`: its bytes that do not continue a character (the width of
/// a column of it, where each character takes one place).
size_t utf8_chars(std::string_view s);

/// `s` with every invalid UTF-8 sequence replaced by U+FFFD (one per byte that starts none).
std::string valid_utf8(std::string_view s);

}  // namespace termijn::domain
