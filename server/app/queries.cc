#include "server/app/queries.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_split.h>

#include "server/app/limits.h"

namespace termijn::app {

namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

absl::StatusOr<int> page_size(int requested) {
  if (requested < 0) return absl::InvalidArgumentError("page_size: must not be negative");
  if (requested == 0) return kDefaultPageSize;
  return std::min(requested, kMaxPageSize);
}

absl::Status bad_token() {
  return absl::InvalidArgumentError("page_token: not a token this service issued");
}

// Fetches one more than the page size to know whether another page follows.
template <typename T, typename Token>
Page<T> paginate(std::vector<T> items, int size, Token token_of) {
  Page<T> page;
  if (static_cast<int>(items.size()) > size) {
    items.resize(size);
    page.next_token = token_of(items.back());
  }
  page.items = std::move(items);
  return page;
}

template <typename Record, typename Load>
absl::StatusOr<Page<Record>> records(Store& store, const RecordQuery& q, Load load) {
  const auto size = page_size(q.page_size);
  if (!size.ok()) return size.status();
  RecordFilter filter{q.party, 0, *size + 1, q.viewer, q.external_ref};
  if (!q.page_token.empty() &&
      (!absl::SimpleAtoi(q.page_token, &filter.before_id) || filter.before_id <= 0)) {
    return bad_token();
  }
  auto loaded = load(filter);
  if (!loaded.ok()) return loaded.status();
  std::vector<Record> out;
  for (auto& item : *loaded) {
    auto obligations = std::is_same_v<Record, IncidentRecord> ? store.obligations_of(item.id, 0)
                       : std::is_same_v<Record, RequestRecord>
                           ? store.obligations_of(0, item.id)
                           : store.obligations_of(0, 0, item.id);
    if (!obligations.ok()) return obligations.status();
    out.push_back(Record{std::move(item), std::move(*obligations)});
  }
  return paginate(std::move(out), *size, [](const Record& r) {
    if constexpr (std::is_same_v<Record, IncidentRecord>) {
      return std::to_string(r.incident.id);
    } else if constexpr (std::is_same_v<Record, MatterRecord>) {
      return std::to_string(r.matter.id);
    } else {
      return std::to_string(r.request.id);
    }
  });
}

}  // namespace

absl::StatusOr<int64_t> parse_resource_id(std::string_view name, std::string_view collection,
                                          std::string_view field) {
  std::string_view digits = name;
  const std::string prefix = std::string(collection) + "/";
  if (digits.substr(0, prefix.size()) == prefix) digits.remove_prefix(prefix.size());
  int64_t id = 0;
  if (!absl::SimpleAtoi(absl::string_view(digits.data(), digits.size()), &id) || id <= 0) {
    return absl::InvalidArgumentError(std::string(field) + ": " + quote_input(name) + " is not a " +
                                      std::string(collection) + " name (like " + prefix +
                                      "12, or 12)");
  }
  return id;
}

absl::StatusOr<IncidentRecord> Queries::incident(int64_t id) { return store_.incident_record(id); }

absl::StatusOr<Page<IncidentRecord>> Queries::incidents(const RecordQuery& q) {
  return records<IncidentRecord>(store_, q,
                                 [&](const RecordFilter& f) { return store_.list_incidents(f); });
}

absl::StatusOr<RequestRecord> Queries::request(int64_t id, bool with_copy) {
  auto request = store_.get_request(id, with_copy);
  if (!request.ok()) return request.status();
  auto obligations = store_.obligations_of(0, id);
  if (!obligations.ok()) return obligations.status();
  return RequestRecord{std::move(*request), std::move(*obligations)};
}

absl::StatusOr<Page<RequestRecord>> Queries::requests(const RecordQuery& q) {
  return records<RequestRecord>(store_, q,
                                [&](const RecordFilter& f) { return store_.list_requests(f); });
}

absl::StatusOr<MatterRecord> Queries::matter(int64_t id) {
  auto matter = store_.get_matter(id);
  if (!matter.ok()) return matter.status();
  auto obligations = store_.obligations_of(0, 0, id);
  if (!obligations.ok()) return obligations.status();
  return MatterRecord{std::move(*matter), std::move(*obligations)};
}

absl::StatusOr<Page<MatterRecord>> Queries::matters(const RecordQuery& q) {
  return records<MatterRecord>(store_, q,
                               [&](const RecordFilter& f) { return store_.list_matters(f); });
}

absl::StatusOr<RecordParties> Queries::parties_of(std::string_view collection, int64_t id) {
  return store_.parties_of(collection, id);
}

absl::StatusOr<domain::Obligation> Queries::obligation(int64_t id) {
  return store_.get_obligation(id);
}

absl::StatusOr<Page<domain::Obligation>> Queries::obligations(const ObligationQuery& q) {
  const auto size = page_size(q.page_size);
  if (!size.ok()) return size.status();
  ObligationFilter filter{q.include_closed, q.party,  q.due_before, std::nullopt,
                          *size + 1,        q.viewer, q.rule};
  if (!q.page_token.empty()) {
    const std::vector<std::string> parts = absl::StrSplit(q.page_token, '.');
    int64_t due = 0, id = 0;
    constexpr int64_t kLastSecondOf9999 = 253402300799;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &due) ||
        !absl::SimpleAtoi(parts[1], &id) || id <= 0 || due < 0 || due > kLastSecondOf9999) {
      return bad_token();
    }
    filter.after = {domain::Instant{std::chrono::seconds{due}}, id};
  }
  auto found = store_.list_obligations(filter);
  if (!found.ok()) return found.status();
  return paginate(std::move(*found), *size, [](const domain::Obligation& o) {
    return std::to_string(o.due_time.time_since_epoch().count()) + "." + std::to_string(o.id);
  });
}

}  // namespace termijn::app
