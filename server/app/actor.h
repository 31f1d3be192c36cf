#pragma once

#include <string>

namespace termijn::app {

/// The principal the service's own workers act as, in the audit trail.
inline constexpr char kSystemPrincipal[] = "system";

/// Who is acting: an authenticated principal of a party, or the service itself.
struct Actor {
  std::string principal;
  std::string party;  ///< empty for the system and for auditors of every party

  /// The service itself.
  static Actor system() { return {kSystemPrincipal, ""}; }
};

}  // namespace termijn::app
