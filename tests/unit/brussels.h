#pragma once

#include "server/domain/time.h"

namespace termijn::unit {

/// Europe/Brussels from the system tz database, the zone of both demo parties.
inline const domain::TimeZone& Brussels() {
  static const domain::TimeZone* zone = domain::TimeZone::find("Europe/Brussels");
  return *zone;
}

}  // namespace termijn::unit
