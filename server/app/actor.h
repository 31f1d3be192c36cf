#pragma once

#include <string>

namespace termijn::app {

/// Who is acting: an authenticated principal of a party, or the service itself ("system").
struct Actor {
  std::string principal;
  std::string party;  ///< empty for the system and for auditors of every party
};

}  // namespace termijn::app
