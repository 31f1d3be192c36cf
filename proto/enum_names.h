#pragma once

#include <google/protobuf/generated_enum_reflection.h>

#include <optional>
#include <string>
#include <string_view>

namespace termijn::v1 {

/// The user-facing spelling of a proto enum value: REQUEST_KIND_AUTOMATED_DECISION ->
/// "automated-decision". The server's domain and the CLI use the same spellings; this is the one
/// place that maps between them and the API. Empty for the UNSPECIFIED value.
std::string enum_spelling(const google::protobuf::EnumDescriptor& d, int number);

/// The inverse; nullopt for an unknown spelling.
std::optional<int> enum_from_spelling(const google::protobuf::EnumDescriptor& d,
                                      std::string_view spelling);

template <typename E>
std::string spelling(E value) {
  return enum_spelling(*google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value));
}

template <typename E>
std::optional<E> from_spelling(std::string_view spelling) {
  const auto n = enum_from_spelling(*google::protobuf::GetEnumDescriptor<E>(), spelling);
  if (!n) return std::nullopt;
  return static_cast<E>(*n);
}

/// All spellings of E, comma-separated, for help texts and errors.
std::string all_spellings(const google::protobuf::EnumDescriptor& d);

template <typename E>
std::string all_spellings() {
  return all_spellings(*google::protobuf::GetEnumDescriptor<E>());
}

}  // namespace termijn::v1
