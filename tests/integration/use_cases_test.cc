#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "server/app/close_obligation.h"
#include "server/app/log_request.h"
#include "server/app/queries.h"
#include "server/app/report_incident.h"
#include "server/domain/planner.h"
#include "tests/fakes/fake_clock.h"
#include "tests/integration/pg_test.h"

namespace termijn::testing {
namespace {

using absl::StatusCode;
using domain::DataCategory;
using domain::ObligationState;
using domain::RecipientKind;
using domain::RequestKind;
using domain::SubjectGroup;
using std::chrono::hours;
using std::chrono::seconds;

const domain::Party& party(const std::string& id) { return **demo_directory().find(id, "party"); }

// ---------------------------------------------------------------------------------------------
// ReportIncident

class ReportIncidentTest : public PgTest {
 protected:
  FakeClock clock_{at("2026-03-28T12:00:00Z")};
  app::ReportIncident report_{clock_, store(), demo_directory()};
  app::Queries queries_{store()};
};

app::ReportIncidentInput full_incident() {
  app::ReportIncidentInput in;
  in.party = "herent";
  in.aware_time = "2026-03-27T14:20:00+01:00";
  in.occurred_time = "2026-03-27T09:05:00+01:00";
  in.title = "Clientenlijst naar verkeerd adres gemaild";
  in.description = "Eén e-mail\n\tmet bijlage (één lijst), naar een externe ontvanger.";
  in.categories = {DataCategory::kIdentification, DataCategory::kMedical, DataCategory::kCriminal};
  in.subject_groups = {SubjectGroup::kClients, SubjectGroup::kRepresentatives};
  in.subject_count = 37;
  in.risk = domain::Risk::kHigh;
  in.ticket_ref = "JIRA-4711";
  return in;
}

// A reported incident is stored with every field as given, and with exactly the obligations the
// domain plans: protocol art. 13 towards kortenberg, GDPR art. 33 towards the authority and, as
// it is reported as a high risk, GDPR art. 34 towards the data subjects.
TEST_F(ReportIncidentTest, StoresTheIncidentAndItsObligations) {
  const auto record = report_.run(kHerentReporter, full_incident());
  ASSERT_TRUE(record.ok()) << record.status();

  const auto stored = queries_.incident(record->incident.id);
  ASSERT_TRUE(stored.ok()) << stored.status();
  const domain::Incident& i = stored->incident;
  EXPECT_EQ(i.id, record->incident.id);
  EXPECT_EQ(i.party, "herent");
  EXPECT_EQ(utc(i.aware_time), "2026-03-27T13:20:00Z");
  ASSERT_TRUE(i.occurred_time.has_value());
  EXPECT_EQ(utc(*i.occurred_time), "2026-03-27T08:05:00Z");
  EXPECT_EQ(i.title, "Clientenlijst naar verkeerd adres gemaild");
  EXPECT_EQ(i.description, "Eén e-mail\n\tmet bijlage (één lijst), naar een externe ontvanger.");
  EXPECT_EQ(i.categories,
            (std::vector<DataCategory>{DataCategory::kIdentification, DataCategory::kMedical,
                                       DataCategory::kCriminal}));
  EXPECT_EQ(i.subject_groups,
            (std::vector<SubjectGroup>{SubjectGroup::kClients, SubjectGroup::kRepresentatives}));
  EXPECT_EQ(i.subject_count, std::optional<int64_t>(37));
  EXPECT_EQ(i.risk, domain::Risk::kHigh);
  EXPECT_EQ(i.ticket_ref, "JIRA-4711");
  EXPECT_EQ(i.reported_by, "herent-reporter");
  EXPECT_EQ(utc(i.create_time), "2026-03-28T12:00:00Z");

  // Soonest first: the art. 13 consultation (24 h) comes before the notice (36 h).
  ASSERT_EQ(stored->obligations.size(), 4u);
  EXPECT_EQ(stored->obligations[0].rule, "protocol.breach_consultation");
  EXPECT_EQ(stored->obligations[0].recipient_party, "kortenberg");
  const domain::Obligation& notice = stored->obligations[1];
  EXPECT_EQ(notice.rule, "protocol.breach_notice");
  EXPECT_EQ(notice.incident_id, i.id);
  EXPECT_EQ(notice.request_id, 0);
  EXPECT_EQ(notice.owner_party, "herent");
  EXPECT_EQ(notice.recipient_kind, RecipientKind::kPartyDpo);
  EXPECT_EQ(notice.recipient_party, "kortenberg");
  EXPECT_EQ(utc(notice.start_time), "2026-03-27T13:20:00Z");
  // 36 elapsed hours across the spring DST change; legal limit from the next full hour.
  EXPECT_EQ(utc(notice.due_time), "2026-03-29T01:20:00Z");
  EXPECT_EQ(utc(notice.legal_due_time), "2026-03-29T02:00:00Z");
  EXPECT_EQ(notice.state, ObligationState::kOpen);
  EXPECT_FALSE(notice.closed_time.has_value());

  const domain::Obligation& authority = stored->obligations[2];
  EXPECT_EQ(authority.rule, "gdpr.art33_authority");
  EXPECT_EQ(authority.recipient_kind, RecipientKind::kAuthority);
  EXPECT_EQ(authority.recipient_party, "");
  // DESIGN.md: Fri 14:20 +01:00 -> Mon 15:20 +02:00, legal Mon 16:00 +02:00.
  EXPECT_EQ(utc(authority.due_time), "2026-03-30T13:20:00Z");
  EXPECT_EQ(utc(authority.legal_due_time), "2026-03-30T14:00:00Z");

  // Field for field what the domain planned, with the ids the store gave.
  std::vector<domain::Obligation> planned =
      domain::plan_obligations({domain::Trigger::kIncident, i.aware_time, std::nullopt},
                               party("herent"), demo_directory().parties());
  // Reported as a high risk: GDPR art. 34 runs from the report, the assessment.
  const auto art34 =
      domain::plan_obligations({domain::Trigger::kHighRisk, i.create_time, std::nullopt},
                               party("herent"), demo_directory().parties());
  planned.insert(planned.end(), art34.begin(), art34.end());
  ASSERT_EQ(planned.size(), 4u);
  std::stable_sort(planned.begin(), planned.end(),
                   [](const domain::Obligation& a, const domain::Obligation& b) {
                     return a.due_time < b.due_time;
                   });
  for (size_t n = 0; n < planned.size(); ++n) {
    planned[n].id = stored->obligations[n].id;
    planned[n].incident_id = i.id;
  }
  EXPECT_EQ(describe(stored->obligations), describe(planned));
  std::vector<domain::Obligation> returned = record->obligations;
  std::stable_sort(returned.begin(), returned.end(),
                   [](const domain::Obligation& a, const domain::Obligation& b) {
                     return a.due_time < b.due_time;
                   });
  EXPECT_EQ(describe(returned), describe(planned));
  EXPECT_EQ(rows("incident"), 1);
  EXPECT_EQ(rows("obligation"), 4);
}

// Optional fields left out are stored as absent, not as zero or empty lists; an empty
// awareness time means now, and a local time without offset is read in the party's zone.
TEST_F(ReportIncidentTest, MinimalIncidentDefaultsRoundTrip) {
  app::ReportIncidentInput minimal;
  minimal.party = "kortenberg";
  minimal.title = "Laptop lost";
  const auto now = report_.run(kKortenbergReporter, minimal);
  minimal.aware_time = "2026-03-27 14:20";
  const auto local = report_.run(kKortenbergReporter, minimal);
  ASSERT_TRUE(now.ok()) << now.status();
  ASSERT_TRUE(local.ok()) << local.status();

  const auto stored = queries_.incident(now->incident.id);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(utc(stored->incident.aware_time), "2026-03-28T12:00:00Z");
  EXPECT_FALSE(stored->incident.occurred_time.has_value());
  EXPECT_TRUE(stored->incident.categories.empty());
  EXPECT_TRUE(stored->incident.subject_groups.empty());
  EXPECT_FALSE(stored->incident.subject_count.has_value());
  EXPECT_EQ(stored->incident.risk, domain::Risk::kUnknown);
  EXPECT_EQ(stored->incident.description, "");
  ASSERT_EQ(stored->obligations.size(), 3u);
  EXPECT_EQ(stored->obligations[0].rule, "protocol.breach_consultation");
  EXPECT_EQ(stored->obligations[1].recipient_party, "herent");

  const auto read_local = queries_.incident(local->incident.id);
  ASSERT_TRUE(read_local.ok()) << read_local.status();
  EXPECT_EQ(utc(read_local->incident.aware_time), "2026-03-27T13:20:00Z");
}

// A missing incident is NOT_FOUND.
TEST_F(ReportIncidentTest, UnknownIncidentIsNotFound) {
  EXPECT_TRUE(IsError(queries_.incident(7).status(), StatusCode::kNotFound, "incidents/7"));
}

// ---------------------------------------------------------------------------------------------
// ReportIncident: refused input stores nothing.

struct BadIncident {
  std::string name;
  std::function<void(app::ReportIncidentInput&)> spoil;
  std::string field;   ///< the message starts with "<field>:"
  std::string reason;  ///< and says this
};

// Names the case in test listings (and so in ctest's test names) instead of dumping its bytes.
void PrintTo(const BadIncident& bad, std::ostream* os) { *os << bad.name; }

class ReportIncidentRefusesTest : public PgTest, public ::testing::WithParamInterface<BadIncident> {
 protected:
  FakeClock clock_{at("2026-11-01T12:00:00Z")};
  app::ReportIncident report_{clock_, store(), demo_directory()};
};

// Bad input is INVALID_ARGUMENT naming the field, and nothing at all is stored.
TEST_P(ReportIncidentRefusesTest, NamesTheFieldAndStoresNothing) {
  app::ReportIncidentInput input;
  input.party = "herent";
  input.aware_time = "2026-10-30T10:00:00+01:00";
  input.title = "Phishing";
  GetParam().spoil(input);

  const auto record = report_.run(kHerentReporter, input);

  EXPECT_TRUE(IsError(record.status(), StatusCode::kInvalidArgument, GetParam().field + ":"));
  EXPECT_NE(std::string(record.status().message()).find(GetParam().reason), std::string::npos)
      << record.status();
  EXPECT_EQ(rows("incident"), 0);
  EXPECT_EQ(rows("request"), 0);
  EXPECT_EQ(rows("obligation"), 0);
  EXPECT_EQ(rows("audit_queue"), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Input, ReportIncidentRefusesTest,
    ::testing::Values(
        BadIncident{"UnknownParty", [](auto& in) { in.party = "zaventem"; }, "party",
                    "unknown party 'zaventem'"},
        BadIncident{"NoParty", [](auto& in) { in.party = ""; }, "party", "required"},
        BadIncident{"EmptyTitle", [](auto& in) { in.title = " \n"; }, "title", "empty"},
        BadIncident{"TitleWithControlCharacter", [](auto& in) { in.title = "a\x1b[31m"; }, "title",
                    "control character"},
        BadIncident{"AwarenessInTheFuture",
                    [](auto& in) { in.aware_time = "2026-11-01T13:00:01+01:00"; }, "aware_time",
                    "in the future"},
        BadIncident{"AmbiguousLocalAwareness", [](auto& in) { in.aware_time = "2026-10-25T02:30"; },
                    "aware_time", "ambiguous"},
        BadIncident{"NonexistentLocalAwareness",
                    [](auto& in) { in.aware_time = "2026-03-29T02:30"; }, "aware_time",
                    "does not exist"},
        BadIncident{"AwarenessNotATime", [](auto& in) { in.aware_time = "yesterday"; },
                    "aware_time", "yesterday"},
        BadIncident{"OccurredAfterAware",
                    [](auto& in) { in.occurred_time = "2026-10-30T10:00:01+01:00"; },
                    "occurred_time", "after aware_time"},
        BadIncident{"AmbiguousLocalOccurrence",
                    [](auto& in) { in.occurred_time = "2026-10-25T02:30"; }, "occurred_time",
                    "ambiguous"},
        BadIncident{"NegativeSubjectCount", [](auto& in) { in.subject_count = -1; },
                    "subject_count", "between 0 and"}),
    [](const auto& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------
// LogRequest

constexpr char kAbcSha256[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
// printf '%%PDF-1.7\n\000\001\002\377\376\r\nend' | sha256sum
constexpr char kBinary[] = "%PDF-1.7\n\0\x01\x02\xff\xfe\r\nend";
constexpr char kBinarySha256[] = "e639519b2630ce8598b451229c7c58eeff1bea0c059e094ef5cc89904c1ac698";

domain::Attachment attachment(std::string bytes) {
  domain::Attachment a;
  a.file_name = "verzoek.txt";
  a.media_type = "text/plain";
  a.bytes = std::move(bytes);
  return a;
}

class LogRequestTest : public PgTest {
 protected:
  FakeClock clock_{at("2026-11-01T12:00:00Z")};
  app::LogRequest log_{clock_, store(), demo_directory(), 1024};
  app::Queries queries_{store()};

  app::LogRequestInput input(RequestKind kind, std::optional<domain::Attachment> copy) {
    app::LogRequestInput in;
    in.party = "herent";
    in.kind = kind;
    in.receive_time = "2026-01-31T10:00:00+01:00";
    in.summary = "Inzageverzoek van cliënt";
    in.copy = std::move(copy);
    return in;
  }
};

// The copy's SHA-256 is computed; the bytes come back only when asked for.
TEST_F(LogRequestTest, StoresTheCopyWithItsDigest) {
  const auto record = log_.run(kHerentReporter, input(RequestKind::kAccess, attachment("abc")));
  ASSERT_TRUE(record.ok()) << record.status();
  ASSERT_TRUE(record->request.copy.has_value());
  EXPECT_EQ(record->request.copy->sha256, kAbcSha256);
  EXPECT_EQ(record->request.copy->size, 3);
  EXPECT_EQ(record->request.copy->bytes, "");  // the caller gets the metadata, not the file

  const auto with_copy = queries_.request(record->request.id, true);
  ASSERT_TRUE(with_copy.ok()) << with_copy.status();
  const domain::Request& r = with_copy->request;
  EXPECT_EQ(r.party, "herent");
  EXPECT_EQ(r.kind, RequestKind::kAccess);
  EXPECT_EQ(utc(r.receive_time), "2026-01-31T09:00:00Z");
  EXPECT_EQ(r.summary, "Inzageverzoek van cliënt");
  EXPECT_EQ(r.logged_by, "herent-reporter");
  EXPECT_EQ(utc(r.create_time), "2026-11-01T12:00:00Z");
  ASSERT_TRUE(r.copy.has_value());
  EXPECT_EQ(r.copy->bytes, "abc");
  EXPECT_EQ(r.copy->sha256, kAbcSha256);
  EXPECT_EQ(r.copy->size, 3);
  EXPECT_EQ(r.copy->file_name, "verzoek.txt");
  EXPECT_EQ(r.copy->media_type, "text/plain");

  const auto without_copy = queries_.request(record->request.id, false);
  ASSERT_TRUE(without_copy.ok()) << without_copy.status();
  ASSERT_TRUE(without_copy->request.copy.has_value());
  EXPECT_EQ(without_copy->request.copy->bytes, "");
  EXPECT_EQ(without_copy->request.copy->sha256, kAbcSha256);
  EXPECT_EQ(without_copy->request.copy->size, 3);
}

// Binary content (NUL, 0xff, CR LF) survives bytea byte for byte; a correct client-supplied
// digest is accepted; a missing media type becomes the one the content shows.
TEST_F(LogRequestTest, BinaryCopyRoundTripsExactly) {
  domain::Attachment copy = attachment(std::string(kBinary, sizeof kBinary - 1));
  copy.sha256 = kBinarySha256;
  copy.media_type = "";

  const auto record = log_.run(kHerentReporter, input(RequestKind::kErasure, copy));
  ASSERT_TRUE(record.ok()) << record.status();

  const auto stored = queries_.request(record->request.id, true);
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_TRUE(stored->request.copy.has_value());
  EXPECT_EQ(stored->request.copy->bytes, std::string(kBinary, sizeof kBinary - 1));
  EXPECT_EQ(stored->request.copy->size, 19);
  EXPECT_EQ(stored->request.copy->sha256, kBinarySha256);
  EXPECT_EQ(stored->request.copy->media_type, "application/pdf");
}

// A request without a copy has none, with or without asking for the bytes.
TEST_F(LogRequestTest, RequestWithoutCopyHasNone) {
  const auto record = log_.run(kHerentReporter, input(RequestKind::kObjection, std::nullopt));
  ASSERT_TRUE(record.ok()) << record.status();

  const auto stored = queries_.request(record->request.id, true);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_FALSE(stored->request.copy.has_value());
}

// A copy exactly at the size limit is accepted.
TEST_F(LogRequestTest, CopyAtTheLimitIsAccepted) {
  app::LogRequest small(clock_, store(), demo_directory(), 4);

  const auto record = small.run(kHerentReporter, input(RequestKind::kAccess, attachment("1234")));

  EXPECT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(rows("request"), 1);
}

// A copy over the limit is refused naming copy.content, and nothing is stored.
TEST_F(LogRequestTest, OversizedCopyStoresNothing) {
  app::LogRequest small(clock_, store(), demo_directory(), 4);

  const auto record = small.run(kHerentReporter, input(RequestKind::kAccess, attachment("12345")));

  EXPECT_TRUE(IsError(record.status(), StatusCode::kInvalidArgument, "copy.content:"));
  EXPECT_EQ(rows("request"), 0);
  EXPECT_EQ(rows("obligation"), 0);
  EXPECT_EQ(rows("audit_queue"), 0);
}

// A client-supplied digest that does not match the bytes is refused; nothing is stored.
TEST_F(LogRequestTest, WrongClientDigestIsRefused) {
  domain::Attachment copy = attachment("abc");
  copy.sha256 = kBinarySha256;

  const auto record = log_.run(kHerentReporter, input(RequestKind::kAccess, copy));

  EXPECT_TRUE(IsError(record.status(), StatusCode::kInvalidArgument, "copy.sha256:"));
  EXPECT_NE(std::string(record.status().message()).find(kAbcSha256), std::string::npos);
  EXPECT_EQ(rows("request"), 0);
  EXPECT_EQ(rows("obligation"), 0);
  EXPECT_EQ(rows("audit_queue"), 0);
}

// A copy whose content is not what it claims, or not on the allowlist, is refused naming the
// field and what the content is; nothing is stored.
TEST_F(LogRequestTest, CopyOfTheWrongOrAForbiddenTypeStoresNothing) {
  domain::Attachment executable = attachment(
      "\x7F"
      "ELF\x02\x01\x01");
  executable.file_name = "verzoek.pdf";
  executable.media_type = "application/pdf";
  domain::Attachment html = attachment("<html><script>alert(1)</script></html>");
  html.media_type = "text/html";
  domain::Attachment png_as_pdf = attachment("\x89PNG\r\n\x1A\n");
  png_as_pdf.media_type = "application/pdf";

  const auto refused_executable =
      log_.run(kHerentReporter, input(RequestKind::kAccess, executable));
  const auto refused_html = log_.run(kHerentReporter, input(RequestKind::kAccess, html));
  const auto refused_png = log_.run(kHerentReporter, input(RequestKind::kAccess, png_as_pdf));

  EXPECT_TRUE(IsError(refused_executable.status(), StatusCode::kInvalidArgument,
                      "copy.content: is an ELF executable"));
  EXPECT_TRUE(IsError(refused_html.status(), StatusCode::kInvalidArgument,
                      "copy.media_type: text/html is not accepted"));
  EXPECT_TRUE(IsError(refused_png.status(), StatusCode::kInvalidArgument,
                      "copy.media_type: declared application/pdf but the content is a PNG image"));
  EXPECT_EQ(rows("request"), 0);
  EXPECT_EQ(rows("obligation"), 0);
  EXPECT_EQ(rows("audit_queue"), 0);
}

// Other refused requests name their field and store nothing.
TEST_F(LogRequestTest, BadInputStoresNothing) {
  app::LogRequestInput no_kind = input(RequestKind::kAccess, std::nullopt);
  no_kind.kind.reset();
  app::LogRequestInput unknown_party = input(RequestKind::kAccess, std::nullopt);
  unknown_party.party = "zaventem";
  app::LogRequestInput ambiguous = input(RequestKind::kAccess, std::nullopt);
  ambiguous.receive_time = "2026-10-25T02:30";
  app::LogRequestInput future = input(RequestKind::kAccess, std::nullopt);
  future.receive_time = "2026-11-02T00:00:00+01:00";
  app::LogRequestInput no_summary = input(RequestKind::kAccess, std::nullopt);
  no_summary.summary = "";
  app::LogRequestInput path_name = input(RequestKind::kAccess, attachment("abc"));
  path_name.copy->file_name = "../etc/passwd";
  app::LogRequestInput empty_copy = input(RequestKind::kAccess, attachment(""));

  EXPECT_TRUE(
      IsError(log_.run(kHerentReporter, no_kind).status(), StatusCode::kInvalidArgument, "kind:"));
  EXPECT_TRUE(IsError(log_.run(kHerentReporter, unknown_party).status(),
                      StatusCode::kInvalidArgument, "party:"));
  EXPECT_TRUE(IsError(log_.run(kHerentReporter, ambiguous).status(), StatusCode::kInvalidArgument,
                      "receive_time:"));
  EXPECT_TRUE(IsError(log_.run(kHerentReporter, future).status(), StatusCode::kInvalidArgument,
                      "receive_time:"));
  EXPECT_TRUE(IsError(log_.run(kHerentReporter, no_summary).status(), StatusCode::kInvalidArgument,
                      "summary:"));
  EXPECT_TRUE(IsError(log_.run(kHerentReporter, path_name).status(), StatusCode::kInvalidArgument,
                      "copy.file_name:"));
  EXPECT_TRUE(IsError(log_.run(kHerentReporter, empty_copy).status(), StatusCode::kInvalidArgument,
                      "copy.content:"));
  EXPECT_EQ(rows("request"), 0);
  EXPECT_EQ(rows("obligation"), 0);
  EXPECT_EQ(rows("audit_queue"), 0);
}

// A supervisory-authority message creates only the protocol art. 14 notice to kortenberg.
TEST_F(LogRequestTest, AuthorityMessageCreatesOnlyTheNotice) {
  app::LogRequestInput in = input(RequestKind::kAuthorityMessage, std::nullopt);
  in.receive_time = "2026-10-24T23:30:00+02:00";

  const auto record = log_.run(kHerentDpo, in);
  ASSERT_TRUE(record.ok()) << record.status();

  const auto stored = queries_.request(record->request.id, false);
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->obligations.size(), 1u);
  const domain::Obligation& notice = stored->obligations[0];
  EXPECT_EQ(notice.rule, "protocol.request_notice");
  EXPECT_EQ(notice.request_id, record->request.id);
  EXPECT_EQ(notice.incident_id, 0);
  EXPECT_EQ(notice.recipient_kind, RecipientKind::kPartyDpo);
  EXPECT_EQ(notice.recipient_party, "kortenberg");
  // DESIGN.md: 48 h from Sat 23:30 +02:00 is Mon 22:30 +01:00, legal Mon 23:00 +01:00.
  EXPECT_EQ(utc(notice.due_time), "2026-10-26T21:30:00Z");
  EXPECT_EQ(utc(notice.legal_due_time), "2026-10-26T22:00:00Z");
  EXPECT_EQ(rows("obligation"), 1);
}

// A data-subject request creates the notice and the GDPR art. 12(3) answer, as planned.
TEST_F(LogRequestTest, DataSubjectRequestCreatesNoticeAndAnswer) {
  const auto record = log_.run(kHerentReporter, input(RequestKind::kAccess, std::nullopt));
  ASSERT_TRUE(record.ok()) << record.status();

  const auto stored = queries_.request(record->request.id, false);
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->obligations.size(), 2u);
  EXPECT_EQ(stored->obligations[0].rule, "protocol.request_notice");
  EXPECT_EQ(stored->obligations[0].recipient_party, "kortenberg");
  EXPECT_EQ(utc(stored->obligations[0].due_time), "2026-02-02T09:00:00Z");
  EXPECT_EQ(utc(stored->obligations[0].legal_due_time), "2026-02-02T10:00:00Z");
  const domain::Obligation& answer = stored->obligations[1];
  EXPECT_EQ(answer.rule, "gdpr.art12_response");
  EXPECT_EQ(answer.recipient_kind, RecipientKind::kDataSubject);
  // DESIGN.md: Sat 2026-01-31 10:00 -> Sat 28 Feb 10:00; legal: end of Mon 2 Mar.
  EXPECT_EQ(utc(answer.due_time), "2026-02-28T09:00:00Z");
  EXPECT_EQ(utc(answer.legal_due_time), "2026-03-02T23:00:00Z");

  std::vector<domain::Obligation> planned = domain::plan_obligations(
      {domain::Trigger::kRequest, at("2026-01-31T10:00:00+01:00"), RequestKind::kAccess},
      party("herent"), demo_directory().parties());
  ASSERT_EQ(planned.size(), 2u);
  for (size_t n = 0; n < planned.size(); ++n) {
    planned[n].id = stored->obligations[n].id;
    planned[n].request_id = record->request.id;
  }
  EXPECT_EQ(describe(stored->obligations), describe(planned));
}

// ---------------------------------------------------------------------------------------------
// CloseObligation

class CloseObligationTest : public PgTest {
 protected:
  CloseObligationTest() {
    app::ReportIncidentInput in;
    in.party = "herent";
    in.title = "USB stick lost";  // aware now: breach notice due in 36 h, authority in 72 h
    const auto record =
        app::ReportIncident(clock_, store(), demo_directory()).run(kHerentReporter, in);
    if (!record.ok()) throw std::runtime_error(record.status().ToString());
    notice_ = record->obligations.at(0);
    authority_ = record->obligations.at(1);
  }

  std::string stored(int64_t id) {
    const auto o = queries_.obligation(id);
    return o.ok() ? describe(*o) : o.status().ToString();
  }

  FakeClock clock_{at("2026-04-01T10:00:00Z")};
  app::CloseObligation close_{clock_, store()};
  app::Queries queries_{store()};
  domain::Obligation notice_;
  domain::Obligation authority_;
};

// Fulfilled before its due time: met, with the evidence, who closed it and when.
TEST_F(CloseObligationTest, FulfilBeforeDueIsMet) {
  clock_.advance(hours{2});

  const auto closed =
      close_.fulfil(kHerentDpo, notice_.id, "Message-ID: <1@herent.example>; 250 OK");

  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->state, ObligationState::kMet);
  EXPECT_EQ(closed->evidence, "Message-ID: <1@herent.example>; 250 OK");
  EXPECT_EQ(closed->closed_by, "herent-dpo");
  ASSERT_TRUE(closed->closed_time.has_value());
  EXPECT_EQ(utc(*closed->closed_time), "2026-04-01T12:00:00Z");
  EXPECT_EQ(stored(notice_.id), describe(*closed));
  EXPECT_EQ(stored(authority_.id), describe(authority_));  // the other one is untouched
}

// Fulfilled at the very second it is due still counts as met.
TEST_F(CloseObligationTest, FulfilExactlyAtDueIsMet) {
  clock_.set(notice_.due_time);

  const auto closed = close_.fulfil(kHerentDpo, notice_.id, "sent");

  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->state, ObligationState::kMet);
}

// Fulfilled after its due time: met-late, stored as such.
TEST_F(CloseObligationTest, FulfilAfterDueIsMetLate) {
  clock_.advance(hours{36} + seconds{1});

  const auto closed = close_.fulfil(kHerentDpo, notice_.id, "sent late");

  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->state, ObligationState::kMetLate);
  EXPECT_EQ(utc(*closed->closed_time), "2026-04-02T22:00:01Z");
  EXPECT_EQ(stored(notice_.id), describe(*closed));
}

// Waived with a reason (GDPR art. 33: unlikely to result in a risk): waived, reason as evidence.
TEST_F(CloseObligationTest, WaiveIsWaived) {
  const auto closed = close_.waive(kHerentDpo, authority_.id, "Encrypted stick: no risk");

  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->state, ObligationState::kWaived);
  EXPECT_EQ(closed->evidence, "Encrypted stick: no risk");
  EXPECT_EQ(closed->closed_by, "herent-dpo");
  EXPECT_EQ(stored(authority_.id), describe(*closed));
}

// A closed obligation cannot be fulfilled or waived again; the stored row stays as it was.
TEST_F(CloseObligationTest, SecondCloseIsFailedPreconditionAndChangesNothing) {
  ASSERT_TRUE(close_.fulfil(kHerentDpo, notice_.id, "first").ok());
  ASSERT_TRUE(close_.waive(kHerentDpo, authority_.id, "no risk").ok());
  const std::string notice_before = stored(notice_.id);
  const std::string authority_before = stored(authority_.id);
  clock_.advance(hours{100});

  const auto refulfil = close_.fulfil({"kortenberg-dpo", "kortenberg"}, notice_.id, "second");
  const auto rewaive = close_.waive(kHerentDpo, notice_.id, "never mind");
  const auto fulfil_waived = close_.fulfil(kHerentDpo, authority_.id, "sent after all");

  EXPECT_TRUE(IsError(refulfil.status(), StatusCode::kFailedPrecondition,
                      "obligations/" + std::to_string(notice_.id) + " is already met"));
  EXPECT_EQ(rewaive.status().code(), StatusCode::kFailedPrecondition) << rewaive.status();
  EXPECT_TRUE(IsError(fulfil_waived.status(), StatusCode::kFailedPrecondition,
                      "obligations/" + std::to_string(authority_.id) + " is already waived"));
  EXPECT_EQ(stored(notice_.id), notice_before);
  EXPECT_EQ(stored(authority_.id), authority_before);
}

// Closing an obligation that does not exist is NOT_FOUND.
TEST_F(CloseObligationTest, UnknownIdIsNotFound) {
  EXPECT_TRUE(IsError(close_.fulfil(kHerentDpo, 9999, "x").status(), StatusCode::kNotFound,
                      "obligations/9999"));
  EXPECT_TRUE(IsError(close_.waive(kHerentDpo, 9999, "x").status(), StatusCode::kNotFound,
                      "obligations/9999"));
}

// Empty evidence or reason is INVALID_ARGUMENT naming the field; the obligation stays open.
TEST_F(CloseObligationTest, EmptyEvidenceIsRefused) {
  EXPECT_TRUE(IsError(close_.fulfil(kHerentDpo, notice_.id, "").status(),
                      StatusCode::kInvalidArgument, "evidence:"));
  EXPECT_TRUE(IsError(close_.fulfil(kHerentDpo, notice_.id, " \n\t").status(),
                      StatusCode::kInvalidArgument, "evidence:"));
  EXPECT_TRUE(IsError(close_.waive(kHerentDpo, notice_.id, "").status(),
                      StatusCode::kInvalidArgument, "reason:"));
  EXPECT_EQ(stored(notice_.id), describe(notice_));
}

}  // namespace
}  // namespace termijn::testing
