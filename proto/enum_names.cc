#include "proto/enum_names.h"

#include <google/protobuf/descriptor.h>

#include <cctype>

namespace termijn::v1 {

namespace {

// "REQUEST_KIND_" for REQUEST_KIND_UNSPECIFIED; every value of our enums shares it.
std::string prefix_of(const google::protobuf::EnumDescriptor& d) {
  const std::string& zero = d.FindValueByNumber(0)->name();
  return zero.substr(0, zero.size() - std::string("UNSPECIFIED").size());
}

}  // namespace

std::string enum_spelling(const google::protobuf::EnumDescriptor& d, int number) {
  const auto* value = d.FindValueByNumber(number);
  if (number == 0 || value == nullptr) return "";
  std::string s = value->name().substr(prefix_of(d).size());
  for (char& c : s) c = c == '_' ? '-' : static_cast<char>(std::tolower(c));
  return s;
}

std::optional<int> enum_from_spelling(const google::protobuf::EnumDescriptor& d,
                                      std::string_view spelling) {
  std::string name = prefix_of(d);
  for (const char c : spelling) {
    if (c == '_') return std::nullopt;
    name.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(c)));
  }
  const auto* value = d.FindValueByName(name);
  if (value == nullptr || value->number() == 0) return std::nullopt;
  return value->number();
}

std::string all_spellings(const google::protobuf::EnumDescriptor& d) {
  std::string out;
  for (int i = 0; i < d.value_count(); ++i) {
    const std::string s = enum_spelling(d, d.value(i)->number());
    if (!s.empty()) out += (out.empty() ? "" : ", ") + s;
  }
  return out;
}

}  // namespace termijn::v1
