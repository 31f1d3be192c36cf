#pragma once

#include <vector>

#include "server/domain/model.h"

namespace termijn::app {

/// An incident with the obligations it created.
struct IncidentRecord {
  domain::Incident incident;
  std::vector<domain::Obligation> obligations;
};

/// A request with the obligations it created.
struct RequestRecord {
  domain::Request request;
  std::vector<domain::Obligation> obligations;
};

}  // namespace termijn::app
