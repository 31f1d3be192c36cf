#pragma once

#include <string>
#include <vector>

#include "server/domain/model.h"

namespace termijn::app {

/// An incident with the obligations it created.
struct IncidentRecord {
  domain::Incident incident;
  std::vector<domain::Obligation> obligations;
};

/// The parties a record concerns: the party it belongs to and the parties it is notified to
/// (recipients of its notice obligations; for a notification, its recipient if it is a notice).
struct RecordParties {
  std::string owner;
  std::vector<std::string> notified;
};

/// A request with the obligations it created.
struct RequestRecord {
  domain::Request request;
  std::vector<domain::Obligation> obligations;
};

/// A protocol matter with the obligations it created.
struct MatterRecord {
  domain::Matter matter;
  std::vector<domain::Obligation> obligations;
};

}  // namespace termijn::app
