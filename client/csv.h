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
///
/// A field that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a
/// leading apostrophe: a spreadsheet would otherwise run it as a formula (CSV injection), and a
/// description such as `=HYPERLINK(...)` typed by any reporter would then act in the DPO's
/// spreadsheet. The apostrophe is what a spreadsheet shows as "text"; it is the only change.
std::string csv_field(std::string_view value);

/// One record: its fields separated by commas, ending in CRLF (RFC 4180).
std::string csv_record(const std::vector<std::string>& fields);

}  // namespace termijn::cli
