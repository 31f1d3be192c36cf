// libFuzzer target: the configuration parser (TOML and its checks). Bad input must end in a
// config error (an exception with a message), never a crash or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "server/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)termijn::config::parse_config(text, "fuzz.toml");
  } catch (const std::exception&) {
  }
  return 0;
}
