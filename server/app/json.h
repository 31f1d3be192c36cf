#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace termijn::app {

/// Builds a one-line JSON object with keys in insertion order, for audit details.
class JsonObject {
 public:
  JsonObject& add(std::string_view key, std::string_view value);
  JsonObject& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
  JsonObject& add(std::string_view key, int64_t value);
  JsonObject& add(std::string_view key, const std::vector<std::string>& values);
  JsonObject& add(std::string_view key, const JsonObject& object);
  std::string str() const { return "{" + body_ + "}"; }

 private:
  void key(std::string_view k);
  std::string body_;
};

/// A JSON string literal with quotes; control characters as \u00XX, UTF-8 passed through.
std::string json_string(std::string_view s);

}  // namespace termijn::app
