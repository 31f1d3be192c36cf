#include "server/app/registers.h"

#include <map>

namespace termijn::app {

namespace {

constexpr int kFirstYear = 1970;
constexpr int kLastYear = 2100;

domain::Instant event_time(const domain::Incident& i) { return i.aware_time; }
domain::Instant event_time(const domain::Request& r) { return r.receive_time; }

// A page of records with their obligations, read in two statements whatever the page size.
template <typename Record, typename Item, typename Load>
absl::StatusOr<RegisterPage<Record>> page(domain::Instant now, Store& store,
                                          std::string_view collection, const RegisterScope& scope,
                                          std::optional<std::pair<domain::Instant, int64_t>> after,
                                          int limit, Load load) {
  const RegisterFilter filter{scope.party, scope.from, scope.to, after, limit};
  absl::StatusOr<std::vector<Item>> items = load(filter);
  if (!items.ok()) return items.status();
  RegisterPage<Record> out;
  out.as_of = now;
  if (items->empty()) return out;
  std::vector<int64_t> ids;
  for (const Item& item : *items) ids.push_back(item.id);
  auto obligations = store.obligations_of_all(collection, ids);
  if (!obligations.ok()) return obligations.status();
  std::map<int64_t, std::vector<domain::Obligation>> by_record;
  for (domain::Obligation& o : *obligations) {
    by_record[o.incident_id != 0 ? o.incident_id : o.request_id].push_back(std::move(o));
  }
  out.more = static_cast<int>(items->size()) == limit;
  out.next = std::pair(event_time(items->back()), items->back().id);
  for (Item& item : *items) {
    const int64_t id = item.id;
    out.records.push_back(Record{std::move(item), std::move(by_record[id])});
  }
  return out;
}

}  // namespace

absl::StatusOr<RegisterScope> Registers::scope(const std::string& party, int year) const {
  const auto found = directory_.find(party, "party");
  if (!found.ok()) return found.status();
  if (year == 0) {
    return RegisterScope{party, domain::kEarliestSupportedInstant,
                         domain::kLatestSupportedInstant + std::chrono::seconds(1)};
  }
  if (year < kFirstYear || year > kLastYear) {
    return absl::InvalidArgumentError(
        "year: " + std::to_string(year) + " is outside the supported years, " +
        std::to_string(kFirstYear) + " to " + std::to_string(kLastYear) + " (or 0 for every year)");
  }
  // The year in the party's zone: 1 January 00:00 local to the next 1 January 00:00 local.
  const domain::TimeZone& zone = *(*found)->zone;
  const auto new_year = [&](int y) {
    return domain::resolve_local(date::local_days{date::year{y} / 1 / 1}, zone);
  };
  return RegisterScope{party, new_year(year), new_year(year + 1)};
}

absl::StatusOr<RegisterPage<IncidentRecord>> Registers::incidents(
    const RegisterScope& scope, std::optional<std::pair<domain::Instant, int64_t>> after,
    int limit) {
  return page<IncidentRecord, domain::Incident>(
      clock_.now(), store_, "incidents", scope, after, limit,
      [&](const RegisterFilter& f) { return store_.register_incidents(f); });
}

absl::StatusOr<RegisterPage<RequestRecord>> Registers::requests(
    const RegisterScope& scope, std::optional<std::pair<domain::Instant, int64_t>> after,
    int limit) {
  return page<RequestRecord, domain::Request>(
      clock_.now(), store_, "requests", scope, after, limit,
      [&](const RegisterFilter& f) { return store_.register_requests(f); });
}

}  // namespace termijn::app
