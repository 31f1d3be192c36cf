#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace termijn::cli {

/// The UTF-8 byte order mark. A CSV file that starts with it opens in LibreOffice Calc and
/// Excel as UTF-8 without asking.
inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

/// One field as RFC 4180 writes it: as is, or between double quotes (each quote doubled) when
/// it holds a comma, a double quote, a line break, or starts or ends with a space (which
/// spreadsheets would otherwise trim). Bytes are kept as they are: UTF-8 in, UTF-8 out.
std::string csv_field(std::string_view value);

/// One record: its fields separated by commas, ending in CRLF (RFC 4180).
std::string csv_record(const std::vector<std::string>& fields);

}  // namespace termijn::cli
