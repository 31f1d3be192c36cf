#pragma once

#include <date/tz.h>

namespace termijn::unit {

/// Europe/Brussels from the system tz database, the zone of both demo parties.
inline const date::time_zone& Brussels() {
  static const date::time_zone* zone = date::locate_zone("Europe/Brussels");
  return *zone;
}

}  // namespace termijn::unit
