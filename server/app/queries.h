#pragma once

#include <absl/status/statusor.h>

#include <string>
#include <vector>

#include "server/app/records.h"
#include "server/app/store.h"

namespace termijn::app {

/// A page of results and the token that continues after it (empty at the end).
template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_token;
};

struct ObligationQuery {
  bool include_closed = false;
  std::string party;
  std::optional<domain::Instant> due_before;
  int page_size = 0;  ///< 0: default 50; at most 500
  std::string page_token;
  std::string viewer;  ///< see ObligationFilter::viewer
  std::string rule;    ///< see ObligationFilter::rule
};

struct RecordQuery {
  std::string party;
  int page_size = 0;
  std::string page_token;
  std::string viewer;        ///< see RecordFilter::viewer
  std::string external_ref;  ///< see RecordFilter::external_ref
};

/// Reads. Records come with their obligations.
class Queries {
 public:
  explicit Queries(Store& store) : store_(store) {}

  absl::StatusOr<IncidentRecord> incident(int64_t id);
  absl::StatusOr<Page<IncidentRecord>> incidents(const RecordQuery& q);
  absl::StatusOr<RequestRecord> request(int64_t id, bool with_copy);
  absl::StatusOr<Page<RequestRecord>> requests(const RecordQuery& q);
  absl::StatusOr<MatterRecord> matter(int64_t id);
  absl::StatusOr<Page<MatterRecord>> matters(const RecordQuery& q);
  absl::StatusOr<domain::Obligation> obligation(int64_t id);
  absl::StatusOr<Page<domain::Obligation>> obligations(const ObligationQuery& q);
  /// See Store::parties_of.
  absl::StatusOr<RecordParties> parties_of(std::string_view collection, int64_t id);

 private:
  Store& store_;
};

/// Parses "incidents/12", "12" (for `collection` "incidents") into 12; INVALID_ARGUMENT naming
/// `field` otherwise.
absl::StatusOr<int64_t> parse_resource_id(std::string_view name, std::string_view collection,
                                          std::string_view field);

}  // namespace termijn::app
