// libFuzzer target: the input-time parser (RFC 3339 or local time in a party's zone).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/domain/time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const termijn::domain::TimeZone* zone =
      termijn::domain::TimeZone::find("Europe/Brussels");
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)termijn::domain::parse_time(text, *zone);
  return 0;
}
