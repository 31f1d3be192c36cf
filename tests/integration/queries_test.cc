#include "server/app/queries.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "server/app/close_obligation.h"
#include "server/app/log_request.h"
#include "server/app/report_incident.h"
#include "tests/fakes/fake_clock.h"
#include "tests/integration/pg_test.h"

namespace termijn::testing {
namespace {

using absl::StatusCode;

std::vector<int64_t> ids_of(const std::vector<domain::Obligation>& list) {
  std::vector<int64_t> ids;
  for (const domain::Obligation& o : list) ids.push_back(o.id);
  return ids;
}

template <typename Record>
std::vector<int64_t> record_ids(const std::vector<Record>& list) {
  std::vector<int64_t> ids;
  for (const Record& r : list) {
    if constexpr (std::is_same_v<Record, app::IncidentRecord>) {
      ids.push_back(r.incident.id);
    } else {
      ids.push_back(r.request.id);
    }
  }
  return ids;
}

// A listing either succeeded or refused the token as the client's mistake.
::testing::AssertionResult IsOkOrBadToken(const absl::Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return IsError(status, StatusCode::kInvalidArgument, "page_token:");
}

// ---------------------------------------------------------------------------------------------
// Queries::obligations

class ObligationListTest : public PgTest {
 protected:
  // Four incidents (two with the same awareness, so due times tie) and one request: 14
  // obligations (an incident has three: notice, GDPR art. 33, consultation), owners herent and
  // kortenberg.
  ObligationListTest() {
    report("herent", "2026-04-01T08:00:00Z");
    report("kortenberg", "2026-04-02T08:00:00Z");
    report("herent", "2026-03-31T08:00:00Z");
    report("herent", "2026-04-01T08:00:00Z");
    app::LogRequestInput in;
    in.party = "kortenberg";
    in.kind = domain::RequestKind::kAccess;
    in.receive_time = "2026-04-01T12:00:00Z";
    in.summary = "Access request";
    if (!app::LogRequest(clock_, store(), demo_directory(), 1024)
             .run(kKortenbergReporter, in)
             .ok()) {
      throw std::runtime_error("cannot log the request");
    }
  }

  void report(const std::string& party, const std::string& aware) {
    app::ReportIncidentInput in;
    in.party = party;
    in.aware_time = aware;
    in.title = "Incident of " + party;
    const auto r = app::ReportIncident(clock_, store(), demo_directory()).run(kHerentReporter, in);
    if (!r.ok()) throw std::runtime_error(r.status().ToString());
  }

  // Ids in listing order (due_time, id) of the rows matching `where`, computed by PostgreSQL.
  static std::vector<int64_t> expected(const std::string& where) {
    const std::string joined = db().scalar(
        "SELECT string_agg(id::text, ',' ORDER BY due_time, id) FROM obligation WHERE " + where);
    std::vector<int64_t> ids;
    for (size_t start = 0; start < joined.size();) {
      size_t end = joined.find(',', start);
      if (end == std::string::npos) end = joined.size();
      ids.push_back(std::stoll(joined.substr(start, end - start)));
      start = end + 1;
    }
    return ids;
  }

  FakeClock clock_{at("2026-04-10T00:00:00Z")};
  app::Queries queries_{store()};
};

// All open obligations come soonest due first, ties broken by id.
TEST_F(ObligationListTest, SoonestDueFirst) {
  const auto page = queries_.obligations({});
  ASSERT_TRUE(page.ok()) << page.status();

  ASSERT_EQ(page->items.size(), 14u);
  EXPECT_EQ(ids_of(page->items), expected("true"));
  for (size_t n = 1; n < page->items.size(); ++n) {
    EXPECT_LE(page->items[n - 1].due_time, page->items[n].due_time);
  }
  // The 24 h consultation of the incident of 31 Mar.
  EXPECT_EQ(utc(page->items.front().due_time), "2026-04-01T08:00:00Z");
  EXPECT_EQ(page->next_token, "");
}

// Only open obligations by default; include_closed also shows the met ones.
TEST_F(ObligationListTest, OpenOnlyUnlessIncludeClosed) {
  const auto first = queries_.obligations({});
  ASSERT_TRUE(first.ok()) << first.status();
  const int64_t met_id = first->items.front().id;
  ASSERT_TRUE(app::CloseObligation(clock_, store()).fulfil(kHerentDpo, met_id, "sent").ok());

  const auto open = queries_.obligations({});
  app::ObligationQuery all;
  all.include_closed = true;
  const auto with_closed = queries_.obligations(all);

  ASSERT_TRUE(open.ok()) << open.status();
  ASSERT_TRUE(with_closed.ok()) << with_closed.status();
  EXPECT_EQ(ids_of(open->items), expected("state = 'open'"));
  EXPECT_EQ(open->items.size(), 13u);
  EXPECT_EQ(ids_of(with_closed->items), expected("true"));
  ASSERT_EQ(with_closed->items.front().id, met_id);
  EXPECT_EQ(with_closed->items.front().state, domain::ObligationState::kMetLate);
}

// The party filter keeps the obligations the party owns (must act on).
TEST_F(ObligationListTest, PartyFilterIsTheOwner) {
  app::ObligationQuery q;
  q.party = "kortenberg";

  const auto page = queries_.obligations(q);

  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(ids_of(page->items), expected("owner_party = 'kortenberg'"));
  EXPECT_EQ(page->items.size(), 5u);
  for (const domain::Obligation& o : page->items) EXPECT_EQ(o.owner_party, "kortenberg");
}

// due_before keeps obligations due strictly before the given instant.
TEST_F(ObligationListTest, DueBeforeIsExclusive) {
  app::ObligationQuery q;
  q.due_before = at("2026-04-03T08:00:00Z");  // exactly when one art. 33 notification is due

  const auto page = queries_.obligations(q);

  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(ids_of(page->items), expected("due_time < '2026-04-03T08:00:00Z'"));
  // Three breach notices and three consultations; the art. 33 notification and the fourth
  // consultation are due at it.
  EXPECT_EQ(page->items.size(), 6u);
  for (const domain::Obligation& o : page->items) EXPECT_LT(o.due_time, *q.due_before);
}

// Pages of one, followed by next_token, visit every obligation exactly once and in order,
// across ties in due_time.
TEST_F(ObligationListTest, PaginationWalksEveryRowOnce) {
  app::ObligationQuery q;
  q.page_size = 1;
  q.include_closed = true;
  std::vector<int64_t> walked;
  for (int pages = 0; pages < 20; ++pages) {
    const auto page = queries_.obligations(q);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_LE(page->items.size(), 1u);
    for (const domain::Obligation& o : page->items) walked.push_back(o.id);
    if (page->next_token.empty()) break;
    q.page_token = page->next_token;
  }

  EXPECT_EQ(walked, expected("true"));
  EXPECT_EQ(std::set<int64_t>(walked.begin(), walked.end()).size(), walked.size());
}

// Pages of three with a party filter walk that party's rows once.
TEST_F(ObligationListTest, PaginationKeepsTheFilters) {
  app::ObligationQuery q;
  q.page_size = 3;
  q.party = "herent";
  std::vector<int64_t> walked;
  int pages = 0;
  for (; pages < 20; ++pages) {
    const auto page = queries_.obligations(q);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const domain::Obligation& o : page->items) walked.push_back(o.id);
    if (page->next_token.empty()) break;
    q.page_token = page->next_token;
  }

  EXPECT_EQ(walked, expected("owner_party = 'herent'"));
  EXPECT_EQ(pages + 1, 3);  // 9 rows: 3 + 3 + 3, the third page has no token
}

// A page token the service did not issue, or a negative page size, is INVALID_ARGUMENT.
TEST_F(ObligationListTest, BadPageTokenIsInvalidArgument) {
  for (const std::string token : {"garbage", "12", "1.2.3", "a.1", "1.b", "."}) {
    app::ObligationQuery q;
    q.page_token = token;
    EXPECT_TRUE(
        IsError(queries_.obligations(q).status(), StatusCode::kInvalidArgument, "page_token:"))
        << token;
  }
  app::ObligationQuery negative;
  negative.page_size = -1;
  EXPECT_TRUE(
      IsError(queries_.obligations(negative).status(), StatusCode::kInvalidArgument, "page_size:"));
}

// A well-formed token with values no issued token has (beyond the timestamp range) is the
// client's mistake: INVALID_ARGUMENT (or simply a page), never INTERNAL.
TEST_F(ObligationListTest, ForgedOutOfRangeTokenIsNotAnInternalError) {
  for (const std::string token : {"99999999999999.1", "-99999999999999.1"}) {
    app::ObligationQuery q;
    q.page_token = token;
    EXPECT_TRUE(IsOkOrBadToken(queries_.obligations(q).status())) << token;
  }
}

// ---------------------------------------------------------------------------------------------
// Queries::incidents and Queries::requests

class RecordListTest : public PgTest {
 protected:
  // herent and kortenberg as in the demo, and a third party bound to both.
  app::Directory three_{{make_party("herent"), make_party("kortenberg"), make_party("leuven")}};
  FakeClock clock_{at("2026-04-10T00:00:00Z")};
  app::Queries queries_{store()};

  int64_t report(const app::Directory& directory, const std::string& party) {
    app::ReportIncidentInput in;
    in.party = party;
    in.title = "Incident of " + party;
    const auto r = app::ReportIncident(clock_, store(), directory).run({party + "-dpo", party}, in);
    if (!r.ok()) throw std::runtime_error(r.status().ToString());
    return r->incident.id;
  }

  int64_t log(const app::Directory& directory, const std::string& party) {
    app::LogRequestInput in;
    in.party = party;
    in.kind = domain::RequestKind::kRectification;
    in.summary = "Rectification request";
    const auto r =
        app::LogRequest(clock_, store(), directory, 1024).run({party + "-dpo", party}, in);
    if (!r.ok()) throw std::runtime_error(r.status().ToString());
    return r->request.id;
  }

  std::vector<int64_t> incidents_for(const std::string& party) {
    app::RecordQuery q;
    q.party = party;
    const auto page = queries_.incidents(q);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? record_ids(page->items) : std::vector<int64_t>{};
  }

  std::vector<int64_t> requests_for(const std::string& party) {
    app::RecordQuery q;
    q.party = party;
    const auto page = queries_.requests(q);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? record_ids(page->items) : std::vector<int64_t>{};
  }
};

using Ids = std::vector<int64_t>;

// An incident concerns the party that reported it and every party it must notify, and no
// other; lists come newest first.
TEST_F(RecordListTest, IncidentsConcernReporterAndNotifiedParties) {
  const int64_t by_herent = report(demo_directory(), "herent");          // notifies kortenberg
  const int64_t by_kortenberg = report(demo_directory(), "kortenberg");  // notifies herent
  const int64_t by_leuven = report(three_, "leuven");  // notifies herent and kortenberg

  EXPECT_EQ(incidents_for("kortenberg"), (Ids{by_leuven, by_kortenberg, by_herent}));
  EXPECT_EQ(incidents_for("herent"), (Ids{by_leuven, by_kortenberg, by_herent}));
  EXPECT_EQ(incidents_for("leuven"), (Ids{by_leuven}));
  EXPECT_EQ(incidents_for(""), (Ids{by_leuven, by_kortenberg, by_herent}));
  EXPECT_EQ(incidents_for("zaventem"), Ids{});
}

// Listed incidents carry their obligations.
TEST_F(RecordListTest, ListedIncidentsCarryTheirObligations) {
  const int64_t by_leuven = report(three_, "leuven");

  const auto page = queries_.incidents({});

  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items.size(), 1u);
  // Two protocol notices (herent, kortenberg), the authority and two consultations.
  ASSERT_EQ(page->items[0].obligations.size(), 5u);
  for (const domain::Obligation& o : page->items[0].obligations) {
    EXPECT_EQ(o.incident_id, by_leuven);
  }
}

// A request concerns the party that received it and every party it must inform.
TEST_F(RecordListTest, RequestsConcernReceiverAndNotifiedParties) {
  const int64_t at_herent = log(demo_directory(), "herent");
  const int64_t at_leuven = log(three_, "leuven");

  EXPECT_EQ(requests_for("kortenberg"), (Ids{at_leuven, at_herent}));
  EXPECT_EQ(requests_for("herent"), (Ids{at_leuven, at_herent}));
  EXPECT_EQ(requests_for("leuven"), (Ids{at_leuven}));
  EXPECT_EQ(requests_for("zaventem"), Ids{});
}

// Pages of one walk every incident once, newest first; a bad token is INVALID_ARGUMENT.
TEST_F(RecordListTest, IncidentPaginationWalksEveryRecordOnce) {
  Ids reported;
  for (int n = 0; n < 5; ++n) reported.insert(reported.begin(), report(demo_directory(), "herent"));
  app::RecordQuery q;
  q.page_size = 1;
  q.party = "kortenberg";
  Ids walked;
  for (int pages = 0; pages < 10; ++pages) {
    const auto page = queries_.incidents(q);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_LE(page->items.size(), 1u);
    for (const app::IncidentRecord& r : page->items) walked.push_back(r.incident.id);
    if (page->next_token.empty()) break;
    q.page_token = page->next_token;
  }

  EXPECT_EQ(walked, reported);
  app::RecordQuery bad;
  bad.page_token = "incidents/3";
  EXPECT_TRUE(
      IsError(queries_.incidents(bad).status(), StatusCode::kInvalidArgument, "page_token:"));
  EXPECT_TRUE(
      IsError(queries_.requests(bad).status(), StatusCode::kInvalidArgument, "page_token:"));
}

// A numeric token beyond 2^31 (ids are bigint) is INVALID_ARGUMENT or a page, never INTERNAL.
TEST_F(RecordListTest, ForgedOutOfRangeTokenIsNotAnInternalError) {
  app::RecordQuery q;
  q.page_token = "99999999999";

  EXPECT_TRUE(IsOkOrBadToken(queries_.incidents(q).status()));
  EXPECT_TRUE(IsOkOrBadToken(queries_.requests(q).status()));
}

// Pages of one walk every request once, newest first.
TEST_F(RecordListTest, RequestPaginationWalksEveryRecordOnce) {
  Ids logged;
  for (int n = 0; n < 3; ++n) logged.insert(logged.begin(), log(demo_directory(), "kortenberg"));
  app::RecordQuery q;
  q.page_size = 1;
  Ids walked;
  for (int pages = 0; pages < 10; ++pages) {
    const auto page = queries_.requests(q);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const app::RequestRecord& r : page->items) walked.push_back(r.request.id);
    if (page->next_token.empty()) break;
    q.page_token = page->next_token;
  }

  EXPECT_EQ(walked, logged);
}

}  // namespace
}  // namespace termijn::testing
