#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <string>

#include "server/notify/mime.h"
#include "server/notify/notice.h"
#include "tests/unit/times.h"

namespace termijn::notify {
namespace {

using unit::UtcAt;

using domain::DataCategory;
using domain::SubjectGroup;

// The demo parties (config/demo.toml) and one incident and one request with their obligations.
class ComposeNoticeTest : public ::testing::Test {
 protected:
  ComposeNoticeTest() {
    absl::StatusOr<TemplateSet> set = TemplateSet::load(TERMIJN_TEMPLATES_DIR);
    EXPECT_TRUE(set.ok()) << set.status();
    if (set.ok()) templates_ = *std::move(set);

    const domain::TimeZone* brussels = domain::TimeZone::find("Europe/Brussels");
    herent_.id = "herent";
    herent_.name = "OCMW Herent";
    herent_.dpo = {"DPO OCMW Herent", "dpo@herent.example"};
    herent_.dpo_deputy = domain::Contact{"Deputy DPO OCMW Herent", "dpo-deputy@herent.example"};
    herent_.zone = brussels;
    kortenberg_.id = "kortenberg";
    kortenberg_.name = "OCMW Kortenberg";
    kortenberg_.dpo = {"DPO OCMW Kortenberg", "dpo@kortenberg.example"};
    kortenberg_.zone = domain::TimeZone::find("UTC");  // the owner's zone must be the one shown

    incident_.id = 12;
    incident_.party = "herent";
    incident_.aware_time = UtcAt(2026, 10, 24, 21, 30);  // 23:30 CEST
    incident_.occurred_time = UtcAt(2026, 10, 24, 8, 0);
    incident_.title = "Laptop met cliëntendossiers gestolen";
    incident_.description = "Uit de wagen van een thuisverpleegkundige.\nSchijf versleuteld.";
    incident_.categories = {DataCategory::kIdentification, DataCategory::kMedical};
    incident_.subject_groups = {SubjectGroup::kClients, SubjectGroup::kRepresentatives};
    incident_.subject_count = 40;
    incident_.risk = domain::Risk::kHigh;
    incident_.ticket_ref = "JIRA-123";
    incident_.reported_by = "herent-reporter";

    breach_.id = 5;
    breach_.incident_id = 12;
    breach_.rule = "protocol.breach_notice";
    breach_.legal_basis = "Protocol art. 13";
    breach_.owner_party = "herent";
    breach_.recipient_party = "kortenberg";
    breach_.due_time = UtcAt(2026, 10, 26, 10, 30);       // 11:30 CET
    breach_.legal_due_time = UtcAt(2026, 10, 26, 11, 0);  // 12:00 CET

    request_.id = 7;
    request_.party = "kortenberg";
    request_.kind = domain::RequestKind::kAccess;
    request_.receive_time = UtcAt(2026, 11, 2, 9, 15);
    request_.summary = "Cliënt vraagt inzage in zijn dossier thuiszorg.";
    request_.logged_by = "kortenberg-reporter";
    std::string bytes = "%PDF-1.4\n";
    for (int i = 0; i < 300; ++i) bytes += static_cast<char>(i % 256);
    // SHA-256 checked below against OpenSSL's digest via compose (a wrong one is DataLoss).
    request_.copy = domain::Attachment{"verzoek Zoë.pdf", "application/pdf", "", 309, bytes};

    request_notice_.id = 9;
    request_notice_.request_id = 7;
    request_notice_.rule = "protocol.request_notice";
    request_notice_.legal_basis = "Protocol art. 14";
    request_notice_.owner_party = "kortenberg";
    request_notice_.recipient_party = "herent";
    request_notice_.due_time = UtcAt(2026, 11, 4, 9, 15);
    request_notice_.legal_due_time = UtcAt(2026, 11, 4, 10, 0);
  }

  NoticeContext Breach() const {
    return {herent_,
            kortenberg_,
            breach_,
            &incident_,
            nullptr,
            17,
            "termijn@herent.example",
            UtcAt(2026, 10, 24, 21, 31)};
  }
  NoticeContext Request() const {
    return {kortenberg_,
            herent_,
            request_notice_,
            nullptr,
            &request_,
            18,
            "termijn@kortenberg.example",
            UtcAt(2026, 11, 2, 9, 16)};
  }

  TemplateSet templates_;
  domain::Party herent_, kortenberg_;
  domain::Incident incident_;
  domain::Request request_;
  domain::Obligation breach_, request_notice_;
};

TEST_F(ComposeNoticeTest, FollowUpSaysWhatChangedInTheRecipientsLanguage) {
  // Verifies a follow-up notice (protocol art. 13, third paragraph; GDPR art. 33(4)) uses its own
  // template, lists each change with its value before and after in the reader's words and the
  // owner's time zone, shows the incident as it now stands, and carries no new deadline.
  kortenberg_.locale = "en";
  incident_.measures = "Disk wiped remotely.";
  const std::vector<domain::FieldChange> changes{
      {"risk", "unknown", "high"},
      {"occurred_time", "", "2026-10-24T08:00:00Z"},
      {"categories", "identification", "identification,medical"},
      {"measures", "", "Disk wiped remotely."}};
  NoticeContext ctx = Breach();
  ctx.changes = &changes;
  absl::StatusOr<MailMessage> m = compose_notice(templates_, ctx);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->subject,
            "[Termijn] Update to the personal data breach notification from OCMW Herent "
            "(incidents/12) – Protocol art. 13");
  EXPECT_NE(m->text_body.find("WHAT CHANGED\n"
                              "  - Assessed risk\n"
                              "      was: not yet assessed\n"
                              "      now: high risk\n"
                              "  - Time of the breach\n"
                              "      was: not given\n"
                              "      now: 2026-10-24 10:00 CEST\n"
                              "  - Categories of personal data\n"
                              "      was: identification data\n"
                              "      now: identification data, health data (GDPR art. 9)\n"
                              "  - Measures taken\n"
                              "      was: not given\n"
                              "      now: Disk wiped remotely.\n"),
            std::string::npos)
      << m->text_body;
  EXPECT_NE(m->text_body.find("termijn notification ack 17"), std::string::npos);
  EXPECT_TRUE(m->attachments.empty());
  EXPECT_EQ(m->to[0].email, "dpo@kortenberg.example");
}

TEST_F(ComposeNoticeTest, BreachNoticeGoesToTheRecipientDpoInDutch) {
  // Verifies a breach notice's addresses, Dutch text, times, deadline and .ics.
  kortenberg_.zone = domain::TimeZone::find("Europe/Brussels");
  absl::StatusOr<MailMessage> m = compose_notice(templates_, Breach());
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->to.size(), 1u);
  EXPECT_EQ(m->to[0].email, "dpo@kortenberg.example");
  EXPECT_EQ(m->to[0].name, "DPO OCMW Kortenberg");
  EXPECT_TRUE(m->cc.empty());
  ASSERT_EQ(m->reply_to.size(), 1u);
  EXPECT_EQ(m->reply_to[0].email, "dpo@herent.example");
  EXPECT_EQ(m->from.email, "termijn@herent.example");
  EXPECT_EQ(m->from.name, "Termijn (OCMW Herent)");
  EXPECT_EQ(m->date, domain::Instant{}) << "the sender dates the mail when it composes it";
  EXPECT_EQ(m->subject,
            "[Termijn] Melding inbreuk in verband met persoonsgegevens door OCMW Herent "
            "(incidents/12) – art. 13 protocol");
  for (const char* text :
       {"Geachte DPO OCMW Kortenberg,", "herent-reporter", "Laptop met cliëntendossiers gestolen",
        "  Beschrijving:\n    Uit de wagen van een thuisverpleegkundige.\n    Schijf versleuteld.",
        "2026-10-24 23:30 CEST", "2026-10-24 10:00 CEST",
        "identificatiegegevens, gezondheidsgegevens (art. 9 AVG)",
        "cliënten, wettelijke vertegenwoordigers", "40", "hoog risico", "incidents/12", "JIRA-123",
        "2026-10-26 11:30 CET", "2026-10-26 12:00 CET", "art. 13 protocol",
        "termijn notification ack 17", "AVG"}) {
    EXPECT_NE(m->text_body.find(text), std::string::npos) << text;
  }
  // The legal basis in Dutch too. Before: "Protocol art. 13" in a Dutch mail.
  EXPECT_EQ(m->text_body.find("Protocol art."), std::string::npos) << m->text_body;
  ASSERT_EQ(m->attachments.size(), 1u);
  const MailAttachment& ics = m->attachments[0];
  EXPECT_EQ(ics.file_name, "deadline.ics");
  EXPECT_EQ(ics.media_type, "text/calendar; method=PUBLISH; charset=UTF-8");
  EXPECT_NE(ics.content.find("DTSTART:20261026T103000Z\r\n"), std::string::npos);
  EXPECT_NE(ics.content.find("UID:obligation-5@herent.example\r\n"), std::string::npos);
  EXPECT_NE(ics.content.find("protocol.breach_notice: incidents/12"), std::string::npos);
  EXPECT_TRUE(check_message(*m).ok());
}

TEST_F(ComposeNoticeTest, BreachNoticeCarriesTheConsequencesAndMeasuresKnownWhenComposed) {
  // Measures recorded while the notice was held for review (or its mail server down) go with
  // the first notice: no follow-up is queued for a notice that has not gone out.
  // Before: only a follow-up showed them, so the other party never learnt of these.
  incident_.consequences = "Medische gegevens mogelijk ingezien.";
  incident_.measures = "Wachtwoorden gewijzigd.";
  absl::StatusOr<MailMessage> m = compose_notice(templates_, Breach());
  ASSERT_TRUE(m.ok()) << m.status();
  for (const char* text : {"Waarschijnlijke gevolgen:", "Medische gegevens mogelijk ingezien.",
                           "Genomen maatregelen:", "Wachtwoorden gewijzigd."}) {
    EXPECT_NE(m->text_body.find(text), std::string::npos) << text;
  }
}

TEST_F(ComposeNoticeTest, ADpoWithoutANameIsAddressedByTheRole) {
  // The configuration may give a DPO's address only: the mail addresses the role, in the
  // recipient's language (before: "Geachte dpo@kortenberg.example,").
  kortenberg_.dpo.name.clear();
  herent_.dpo.name.clear();
  absl::StatusOr<MailMessage> m = compose_notice(templates_, Breach());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_NE(m->text_body.find("Geachte functionaris voor de gegevensbescherming,\n"),
            std::string::npos)
      << m->text_body;
  EXPECT_NE(m->text_body.find("functionaris voor de gegevensbescherming <dpo@herent.example>"),
            std::string::npos)
      << m->text_body;
  kortenberg_.locale = "en";
  m = compose_notice(templates_, Breach());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_NE(m->text_body.find("Dear data protection officer,\n"), std::string::npos)
      << m->text_body;
}

TEST_F(ComposeNoticeTest, TimesAreShownInTheOwnersZone) {
  // Verifies times use the owner's zone (Brussels) even when the recipient's zone is UTC.
  absl::StatusOr<MailMessage> m = compose_notice(templates_, Breach());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_NE(m->text_body.find("2026-10-24 23:30 CEST"), std::string::npos);
  EXPECT_EQ(m->text_body.find("21:30 UTC"), std::string::npos);
}

TEST_F(ComposeNoticeTest, EnglishRecipientGetsEnglishAndUnknownLocaleFallsBack) {
  // Verifies the recipient's locale picks the language, with English for a locale without files.
  for (const char* locale : {"en", "fr"}) {
    kortenberg_.locale = locale;
    absl::StatusOr<MailMessage> m = compose_notice(templates_, Breach());
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(m->subject.rfind("[Termijn] Personal data breach notification from OCMW Herent", 0),
              0u)
        << locale;
    for (const char* text :
         {"Dear DPO OCMW Kortenberg,", "identification data", "health data (GDPR art. 9)",
          "clients, legal representatives", "high risk", "termijn notification ack 17", "GDPR"}) {
      EXPECT_NE(m->text_body.find(text), std::string::npos) << locale << ": " << text;
    }
    EXPECT_NE(m->attachments[0].content.find("SUMMARY:Deadline protocol.breach_notice"),
              std::string::npos);
  }
}

TEST_F(ComposeNoticeTest, UnknownValuesReadAsUnknown) {
  // Verifies missing occurrence time, count, categories and ticket read as such, in Dutch.
  incident_.occurred_time.reset();
  incident_.subject_count.reset();
  incident_.categories.clear();
  incident_.ticket_ref.clear();
  incident_.risk = domain::Risk::kUnknown;
  absl::StatusOr<MailMessage> m = compose_notice(templates_, Breach());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_NE(m->text_body.find("Tijdstip van de inbreuk: onbekend"), std::string::npos);
  EXPECT_NE(m->text_body.find("Geschat aantal betrokkenen:       onbekend"), std::string::npos);
  EXPECT_NE(m->text_body.find("Categorieën van persoonsgegevens: niet opgegeven"),
            std::string::npos);
  EXPECT_NE(m->text_body.find("Ticket:  geen"), std::string::npos);
  EXPECT_NE(m->text_body.find("nog niet ingeschat"), std::string::npos);
}

TEST_F(ComposeNoticeTest, EveryValueHasALabelInBothLanguages) {
  // Verifies every category, group, risk and request kind has its own label in nl and en.
  incident_.categories = {DataCategory::kIdentification, DataCategory::kContact,
                          DataCategory::kFinancial,      DataCategory::kPlanning,
                          DataCategory::kMedical,        DataCategory::kCriminal};
  incident_.subject_groups = {SubjectGroup::kStaff, SubjectGroup::kClients,
                              SubjectGroup::kRepresentatives};
  for (const char* locale : {"nl", "en"}) {
    std::set<std::string> risks, kinds;
    for (domain::Risk risk :
         {domain::Risk::kUnknown, domain::Risk::kNone, domain::Risk::kRisk, domain::Risk::kHigh}) {
      incident_.risk = risk;
      absl::StatusOr<TemplateValues> v = notice_values(Breach(), locale);
      ASSERT_TRUE(v.ok()) << v.status();
      risks.insert(v->at("risk"));
      EXPECT_EQ(std::count(v->at("data_categories").begin(), v->at("data_categories").end(), ','),
                5);
      EXPECT_EQ(v->at("data_categories").find('?'), std::string::npos);
      EXPECT_EQ(v->at("subject_groups").find('?'), std::string::npos);
    }
    for (int k = 0; k <= static_cast<int>(domain::RequestKind::kAuthorityMessage); ++k) {
      request_.kind = static_cast<domain::RequestKind>(k);
      absl::StatusOr<TemplateValues> v = notice_values(Request(), locale);
      ASSERT_TRUE(v.ok()) << v.status();
      kinds.insert(v->at("request_kind"));
    }
    EXPECT_EQ(risks.size(), 4u) << locale;
    EXPECT_EQ(kinds.size(), 8u) << locale;
    EXPECT_EQ(kinds.count("?"), 0u);
  }
}

TEST_F(ComposeNoticeTest, RequestNoticeAttachesTheCopyAndTheDeadline) {
  // Verifies a request notice Cc's the deputy and attaches the copy, then the .ics.
  absl::StatusOr<MailMessage> m = compose_notice(templates_, Request());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->to[0].email, "dpo@herent.example");
  ASSERT_EQ(m->cc.size(), 1u);
  EXPECT_EQ(m->cc[0].email, "dpo-deputy@herent.example");
  EXPECT_EQ(m->subject,
            "[Termijn] Inlichting art. 14 protocol: verzoek tot inzage (art. 15 AVG) ontvangen "
            "door OCMW Kortenberg (requests/7)");
  for (const char* text :
       {"verzoek tot inzage (art. 15 AVG)", "Cliënt vraagt inzage in zijn dossier thuiszorg.",
        "kortenberg-reporter", "requests/7",
        "bijgevoegd als verzoek Zoë.pdf (application/pdf, "
        "309 bytes, SHA-256 ",
        "art. 14 protocol", "termijn notification ack 18"}) {
    EXPECT_NE(m->text_body.find(text), std::string::npos) << text;
  }
  ASSERT_EQ(m->attachments.size(), 2u);
  EXPECT_EQ(m->attachments[0].file_name, "verzoek Zoë.pdf");
  EXPECT_EQ(m->attachments[0].media_type, "application/pdf");
  EXPECT_EQ(m->attachments[0].content, request_.copy->bytes);
  EXPECT_EQ(m->attachments[1].file_name, "deadline.ics");
  EXPECT_NE(m->attachments[1].content.find("DTSTART:20261104T091500Z"), std::string::npos);
}

TEST_F(ComposeNoticeTest, APlainTextCopySaysItIsUtf8) {
  // A copy stored as text/plain is UTF-8 (checked when it was logged); without the charset a
  // reader takes US-ASCII (RFC 2046) and shows "Noël" garbled.
  request_.copy = domain::Attachment{"brief van Noël.txt", "text/plain", "", 0, "Beste, Noël"};
  request_.copy->size = request_.copy->bytes.size();
  absl::StatusOr<MailMessage> m = compose_notice(templates_, Request());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->attachments[0].media_type, "text/plain; charset=UTF-8");
  EXPECT_EQ(m->attachments[0].content, "Beste, Noël");
}

TEST_F(ComposeNoticeTest, RequestNoticeWithoutCopySaysSo) {
  // Verifies a request without a copy attaches only the .ics and says no copy was recorded.
  request_.copy.reset();
  request_.kind = domain::RequestKind::kAuthorityMessage;
  herent_.locale = "en";
  absl::StatusOr<MailMessage> m = compose_notice(templates_, Request());
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->attachments.size(), 1u);
  EXPECT_EQ(m->attachments[0].file_name, "deadline.ics");
  EXPECT_NE(m->text_body.find("no copy was recorded"), std::string::npos);
  EXPECT_NE(m->subject.find("message from the supervisory authority received by"),
            std::string::npos);
}

TEST_F(ComposeNoticeTest, CopyMustBeLoadedAndIntact) {
  // Verifies a copy must be loaded (FailedPrecondition) and match its SHA-256 (DataLoss).
  request_.copy->bytes.clear();
  EXPECT_EQ(compose_notice(templates_, Request()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  request_.copy->bytes = "abc";
  request_.copy->size = 3;
  request_.copy->sha256 = std::string(64, '0');
  EXPECT_EQ(compose_notice(templates_, Request()).status().code(), absl::StatusCode::kDataLoss);
  request_.copy->sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  EXPECT_TRUE(compose_notice(templates_, Request()).ok());
}

TEST_F(ComposeNoticeTest, RefusesAnInconsistentContext) {
  // Verifies a context whose parts do not belong together is InvalidArgument.
  NoticeContext both = Breach();
  both.request = &request_;
  EXPECT_EQ(compose_notice(templates_, both).status().code(), absl::StatusCode::kInvalidArgument);
  NoticeContext none = Breach();
  none.incident = nullptr;
  EXPECT_EQ(compose_notice(templates_, none).status().code(), absl::StatusCode::kInvalidArgument);
  NoticeContext no_time = Breach();
  no_time.created_time = {};
  EXPECT_EQ(compose_notice(templates_, no_time).status().code(),
            absl::StatusCode::kInvalidArgument);
  NoticeContext bad_from = Breach();
  bad_from.from_address = "termijn";
  EXPECT_EQ(compose_notice(templates_, bad_from).status().code(),
            absl::StatusCode::kInvalidArgument);
  const NoticeContext swapped{kortenberg_,
                              herent_,
                              breach_,
                              &incident_,
                              nullptr,
                              17,
                              "termijn@herent.example",
                              UtcAt(2026, 10, 24, 21, 31)};
  EXPECT_EQ(compose_notice(templates_, swapped).status().code(),
            absl::StatusCode::kInvalidArgument);
  breach_.incident_id = 13;
  EXPECT_EQ(compose_notice(templates_, Breach()).status().code(),
            absl::StatusCode::kInvalidArgument);
  breach_.incident_id = 12;
  breach_.recipient_kind = domain::RecipientKind::kAuthority;
  EXPECT_EQ(compose_notice(templates_, Breach()).status().code(),
            absl::StatusCode::kInvalidArgument);
  breach_.recipient_kind = domain::RecipientKind::kPartyDpo;
  kortenberg_.dpo.email = "";
  EXPECT_EQ(compose_notice(templates_, Breach()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ComposeNoticeTest, MissingTemplateIsNotFound) {
  // Verifies a rule without any template (in any language) is NotFound.
  breach_.rule = "protocol.unknown_rule";
  EXPECT_EQ(compose_notice(templates_, Breach()).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ComposeNoticeTest, SameNotificationGivesTheSameMessage) {
  // Verifies one notification always composes to the same Message-ID and bytes.
  absl::StatusOr<MailMessage> a = compose_notice(templates_, Breach());
  absl::StatusOr<MailMessage> b = compose_notice(templates_, Breach());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->message_id, b->message_id);
  EXPECT_EQ(render_message(*a), render_message(*b));
  EXPECT_TRUE(std::regex_match(a->message_id,
                               std::regex(R"(notification-17\.[0-9a-f]{8}@herent\.example)")))
      << a->message_id;
  NoticeContext later = Breach();
  later.created_time += std::chrono::seconds{1};
  EXPECT_NE(compose_notice(templates_, later)->message_id, a->message_id);
  NoticeContext other = Breach();
  other.notification_id = 170;
  EXPECT_NE(compose_notice(templates_, other)->message_id, a->message_id);
}

TEST(NoticeMessageIdTest, IsStableAndWellFormed) {
  // Verifies notice_message_id() is a pure function of its arguments and always a valid msg-id.
  EXPECT_EQ(notice_message_id(17, "herent.example"), notice_message_id(17, "herent.example"));
  EXPECT_NE(notice_message_id(17, "herent.example"), notice_message_id(18, "herent.example"));
  EXPECT_NE(notice_message_id(17, "herent.example", "a"), notice_message_id(17, "herent.example"));
  EXPECT_TRUE(std::regex_match(notice_message_id(17, "Herent.Example"),
                               std::regex(R"(notification-17\.[0-9a-f]{8}@herent\.example)")));
  EXPECT_TRUE(std::regex_match(notice_message_id(1, "bad host\r\n>"),
                               std::regex(R"(notification-1\.[0-9a-f]{8}@badhost)")));
  EXPECT_TRUE(std::regex_match(notice_message_id(1, ""),
                               std::regex(R"(notification-1\.[0-9a-f]{8}@termijn\.invalid)")));
}

}  // namespace
}  // namespace termijn::notify
