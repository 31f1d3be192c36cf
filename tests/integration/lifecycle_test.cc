#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/app/close_obligation.h"
#include "server/app/close_record.h"
#include "server/app/extend_request.h"
#include "server/app/log_request.h"
#include "server/app/queries.h"
#include "server/app/record_consultation.h"
#include "server/app/record_identification.h"
#include "server/app/refuse_request.h"
#include "server/app/report_incident.h"
#include "server/app/report_matter.h"
#include "server/app/update_incident.h"
#include "server/domain/timeliness.h"
#include "server/jobs/escalation_scheduler.h"
#include "server/jobs/notice_composer.h"
#include "server/notify/mime.h"
#include "server/notify/templates.h"
#include "tests/fakes/fake_clock.h"
#include "tests/integration/pg_test.h"

namespace termijn::testing {
namespace {

using absl::StatusCode;
using domain::ObligationState;

// An incident and a request carried from the first report to closure, against PostgreSQL.
class LifecycleTest : public PgTest {
 protected:
  int64_t report(domain::Risk risk = domain::Risk::kUnknown) {
    app::ReportIncidentInput in;
    in.party = "herent";
    in.aware_time = "2026-03-27T14:20:00+01:00";
    in.title = "Clientenlijst naar verkeerd adres gemaild";
    in.description = "Eerste inschatting.";
    in.risk = risk;
    in.ticket_ref = "JIRA-" + std::to_string(++reported_);  // unique per party
    const auto record = report_.run(kHerentReporter, in);
    EXPECT_TRUE(record.ok()) << record.status();
    return record.ok() ? record->incident.id : 0;
  }
  int reported_ = 0;

  int64_t log_request(domain::RequestKind kind = domain::RequestKind::kAccess) {
    app::LogRequestInput in;
    in.party = "herent";
    in.kind = kind;
    in.receive_time = "2026-01-31T10:00:00+01:00";
    in.summary = "Inzageverzoek van een cliënt";
    const auto record = log_.run(kHerentReporter, in);
    EXPECT_TRUE(record.ok()) << record.status();
    return record.ok() ? record->request.id : 0;
  }

  domain::Obligation obligation(int64_t incident, int64_t request, const std::string& rule) {
    const auto all = store().obligations_of(incident, request);
    EXPECT_TRUE(all.ok()) << all.status();
    for (const auto& o : *all) {
      if (o.rule == rule) return o;
    }
    ADD_FAILURE() << "no " << rule;
    return {};
  }

  std::vector<domain::Notification> notices_of(int64_t obligation_id) {
    app::NotificationFilter filter;
    filter.obligation_id = obligation_id;
    auto found = store().list_notifications(filter);
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() ? *found : std::vector<domain::Notification>{};
  }

  std::string audit_details(const std::string& action) {
    return db().scalar(
        "SELECT coalesce(string_agg(details, ' | '), '') FROM audit_queue WHERE "
        "action = '" +
        action + "'");
  }

  void close_all_open(int64_t incident, int64_t request) {
    const auto all = store().obligations_of(incident, request);
    ASSERT_TRUE(all.ok()) << all.status();
    for (const auto& o : *all) {
      if (o.state != ObligationState::kOpen) continue;
      const auto closed = o.rule == "gdpr.art34_subjects"
                              ? close_.waive(kHerentDpo, o.id, "Versleuteld", "a")
                              : close_.fulfil(kHerentDpo, o.id, "Gedaan");
      ASSERT_TRUE(closed.ok()) << closed.status();
    }
  }

  FakeClock clock_{at("2026-03-28T12:00:00Z")};
  app::ReportIncident report_{clock_, store(), demo_directory()};
  app::LogRequest log_{clock_, store(), demo_directory(), 1 << 20};
  app::UpdateIncident update_{clock_, store(), demo_directory()};
  app::CloseObligation close_{clock_, store()};
  app::CloseIncident close_incident_{clock_, store()};
  app::CloseRequest close_request_{clock_, store()};
  app::ExtendRequest extend_{clock_, store(), demo_directory()};
  app::RecordConsultation consult_{clock_, store(), demo_directory()};
  app::RefuseRequest refuse_{clock_, store(), demo_directory()};
  app::Queries queries_{store()};
};

TEST_F(LifecycleTest, ConsultationIsMetByWhenItWasHeldNotWhenItWasRecorded) {
  // Protocol art. 13, second paragraph: a consultation held within the 24 h target and recorded
  // later is met; nothing changes when the input is bad; a second one finds nothing open.
  const int64_t id = report();  // aware 2026-03-27 13:20Z: consult by 2026-03-28 13:20Z
  clock_.set(at("2026-03-29T09:00:00Z"));
  const app::Actor kortenberg_dpo{"kortenberg-dpo", "kortenberg"};
  EXPECT_TRUE(
      IsError(consult_.run(kortenberg_dpo, id, {"2026-03-28T10:00:00Z", "", "", "Wissen"}).status(),
              StatusCode::kInvalidArgument, "participants"));
  EXPECT_TRUE(
      IsError(consult_.run(kortenberg_dpo, id, {"2026-03-30T10:00:00Z", "", "A", "B"}).status(),
              StatusCode::kInvalidArgument, "consult_time"));
  // A party that is not configured is bad input (before: "no open consultation", as if the
  // state of the incident were the problem); one that is, but shares none, is not.
  EXPECT_TRUE(IsError(
      consult_.run(kortenberg_dpo, id, {"2026-03-28T10:00:00Z", "leuven", "A", "B"}).status(),
      StatusCode::kInvalidArgument, "party: unknown party 'leuven'"));
  EXPECT_TRUE(IsError(
      consult_.run(kortenberg_dpo, id, {"2026-03-28T10:00:00Z", "kortenberg", "A", "B"}).status(),
      StatusCode::kFailedPrecondition,
      "incidents/" + std::to_string(id) + " has no open consultation"));
  EXPECT_EQ(obligation(id, 0, "protocol.breach_consultation").state, ObligationState::kOpen);

  const auto held = consult_.run(kortenberg_dpo, id,
                                 {"2026-03-28T10:00:00Z", "herent", "DPO Herent, DPO Kortenberg",
                                  "Ontvanger vragen te wissen"});
  ASSERT_TRUE(held.ok()) << held.status();
  const domain::Obligation met = obligation(id, 0, "protocol.breach_consultation");
  EXPECT_EQ(met.state, ObligationState::kMet);
  // Closed when it was held, so that the register says on time as the state does. Before: closed
  // when recorded, and the register said late beside the state "met".
  EXPECT_EQ(domain::format_utc(*met.closed_time), "2026-03-28T10:00:00Z");
  EXPECT_EQ(domain::timeliness_of(met, clock_.now()), domain::Timeliness::kOnTime);
  EXPECT_EQ(met.closed_by, "kortenberg-dpo");
  EXPECT_EQ(met.evidence,
            "Consulted at 2026-03-28 11:00 CET (protocol art. 13, second paragraph). "
            "Participants: DPO Herent, DPO Kortenberg. Agreed: Ontvanger vragen te wissen");
  EXPECT_EQ(audit_details("incident.consulted"),
            "{\"consult_time\":\"2026-03-28T10:00:00Z\",\"parties\":[\"herent\"],"
            "\"participants\":\"DPO Herent, DPO Kortenberg\",\"agreed\":\"Ontvanger vragen te "
            "wissen\"}");
  EXPECT_TRUE(IsError(consult_.run(kHerentDpo, id, {"", "", "A", "B"}).status(),
                      StatusCode::kFailedPrecondition,
                      "incidents/" + std::to_string(id) + " has no open consultation"));

  // Held after the target: met late.
  const int64_t late = report();
  ASSERT_TRUE(consult_.run(kHerentDpo, late, {"2026-03-28T20:00:00Z", "", "A", "B"}).ok());
  EXPECT_EQ(obligation(late, 0, "protocol.breach_consultation").state, ObligationState::kMetLate);
}

TEST_F(LifecycleTest, RefusalReplacesTheAnswerWithTheArticle12_4Notice) {
  // GDPR art. 12(5) and 12(4): the answer is waived with the ground, the notice of the refusal
  // and the right to complain is due one month after the receipt, with its reminders, also when
  // the answer was extended; an authority message has no answer to refuse.
  const int64_t id = log_request();
  EXPECT_TRUE(IsError(refuse_.run(kHerentDpo, id, "", "Te veel").status(),
                      StatusCode::kInvalidArgument, "ground: required"));
  EXPECT_TRUE(IsError(refuse_.run(kHerentDpo, id, "unfounded", " ").status(),
                      StatusCode::kInvalidArgument, "reason"));
  const auto refused = refuse_.run(kHerentDpo, id, "unfounded", "Geen gegevens gevraagd");
  ASSERT_TRUE(refused.ok()) << refused.status();
  const domain::Obligation answer = obligation(0, id, "gdpr.art12_response");
  EXPECT_EQ(answer.state, ObligationState::kWaived);
  EXPECT_EQ(answer.evidence,
            "Refused. GDPR art. 12(5)(b): the request is manifestly unfounded. Geen gegevens "
            "gevraagd");
  const domain::Obligation notice = obligation(0, id, "gdpr.art12_refusal_notice");
  EXPECT_EQ(notice.state, ObligationState::kOpen);
  EXPECT_EQ(notice.due_time, answer.due_time);
  EXPECT_EQ(notice.legal_due_time, answer.legal_due_time);
  EXPECT_NE(db().scalar("SELECT count(*) FROM escalation_step WHERE obligation_id = " +
                        std::to_string(notice.id)),
            "0");
  EXPECT_TRUE(IsError(refuse_.run(kHerentDpo, id, "unfounded", "Nog eens").status(),
                      StatusCode::kFailedPrecondition,
                      "obligations/" + std::to_string(answer.id) + " (the answer) is waived"));

  // Extended by 2 months, then refused: the notice is not due with the extended answer (30 Apr)
  // but one month after the receipt (28 Feb, legal limit end of Mon 2 Mar), overdue already.
  // Before: it took the extended answer's deadline.
  const int64_t extended = log_request();
  clock_.set(at("2026-02-10T09:00:00Z"));
  ASSERT_TRUE(extend_.run(kHerentDpo, extended, 2, "Veel dossiers").ok());
  clock_.set(at("2026-03-28T12:00:00Z"));
  ASSERT_TRUE(refuse_.run(kHerentDpo, extended, "excessive", "Vierde keer").ok());
  const domain::Obligation late = obligation(0, extended, "gdpr.art12_refusal_notice");
  EXPECT_EQ(utc(late.due_time), "2026-02-28T09:00:00Z");
  EXPECT_EQ(utc(late.legal_due_time), "2026-03-02T23:00:00Z");

  const int64_t message = log_request(domain::RequestKind::kAuthorityMessage);
  EXPECT_TRUE(IsError(refuse_.run(kHerentDpo, message, "unfounded", "Nee").status(),
                      StatusCode::kFailedPrecondition,
                      "requests/" + std::to_string(message) + " is a authority-message"));
}

TEST_F(LifecycleTest, AMailIsDatedWhenItIsComposedNotWhenItsNoticeWasQueued) {
  // A notice held for review and released two days later went out dated the day it was queued:
  // the recipient's mailbox sorted it among two-day-old mail, while its body counted the hours
  // left from the day it was sent.
  const int64_t id = report();
  const domain::Obligation notice = obligation(id, 0, "protocol.breach_notice");
  const auto queued = notices_of(notice.id);
  ASSERT_EQ(queued.size(), 1u);
  clock_.set(queued[0].create_time + std::chrono::hours(48));
  const auto templates = notify::TemplateSet::load(TERMIJN_TEMPLATES_DIR);
  ASSERT_TRUE(templates.ok()) << templates.status();
  const jobs::NoticeComposer composer(clock_, store(), demo_directory(), *templates,
                                      "termijn@herent.example");
  const auto mail = composer.compose(queued[0]);
  ASSERT_TRUE(mail.ok()) << mail.status();
  EXPECT_EQ(domain::format_utc(mail->date), domain::format_utc(clock_.now()));
}

TEST_F(LifecycleTest, UpdateChangesOnlyTheMaskedFieldsAndAuditsBeforeAndAfter) {
  // Fields outside the mask keep their values even when the change carries others; the audit
  // event names the changed fields with their values before and after.
  const int64_t id = report();
  app::IncidentChange change;
  change.paths = {"description", "measures", "subject_count", "categories"};
  change.description = "Lijst met 37 cliënten.";
  change.measures = "Ontvanger gevraagd de mail te wissen.";
  change.subject_count = 37;
  change.categories = {domain::DataCategory::kIdentification, domain::DataCategory::kMedical};
  change.ticket_ref = "NOT-IN-MASK";
  change.risk = domain::Risk::kHigh;
  const auto updated = update_.run(kHerentDpo, id, change);
  ASSERT_TRUE(updated.ok()) << updated.status();

  const domain::Incident stored = queries_.incident(id)->incident;
  EXPECT_EQ(stored.description, "Lijst met 37 cliënten.");
  EXPECT_EQ(stored.measures, "Ontvanger gevraagd de mail te wissen.");
  EXPECT_EQ(stored.subject_count, std::optional<int64_t>(37));
  EXPECT_EQ(stored.categories.size(), 2u);
  EXPECT_EQ(stored.ticket_ref, "JIRA-1");
  EXPECT_EQ(stored.risk, domain::Risk::kUnknown);
  EXPECT_EQ(audit_details("incident.updated"),
            "{\"fields\":[\"description\",\"categories\",\"subject_count\",\"measures\"],"
            "\"before\":{\"description\":\"Eerste inschatting.\",\"categories\":\"\","
            "\"subject_count\":\"\",\"measures\":\"\"},\"after\":{\"description\":\"Lijst met 37 "
            "cliënten.\",\"categories\":\"identification,medical\",\"subject_count\":\"37\","
            "\"measures\":\"Ontvanger gevraagd de mail te wissen.\"}}");
}

TEST_F(LifecycleTest, UpdateRefusesBadMasksAndValuesAndStoresNothing) {
  // Each bad input is INVALID_ARGUMENT naming the field; nothing changes and nothing is audited.
  const int64_t id = report();
  const auto refused = [&](std::vector<std::string> paths, auto set, std::string_view field) {
    app::IncidentChange change;
    change.paths = std::move(paths);
    set(change);
    const auto result = update_.run(kHerentDpo, id, change);
    EXPECT_TRUE(IsError(result.status(), StatusCode::kInvalidArgument, field));
  };
  const auto nothing = [](app::IncidentChange&) {};
  refused({}, nothing, "update_mask");
  refused({"title"}, nothing, "update_mask: 'title' is not a field");
  refused(
      {"risk", "risk"}, [](auto& c) { c.risk = domain::Risk::kHigh; }, "update_mask");
  refused({"risk"}, nothing, "risk");
  refused(
      {"subject_count"}, [](auto& c) { c.subject_count = -1; }, "subject_count");
  refused(
      {"occurred_time"}, [](auto& c) { c.occurred_time = "2026-03-27T15:00:00+01:00"; },
      "occurred_time: after aware_time");
  refused(
      {"occurred_time"}, [](auto& c) { c.occurred_time = "gisteren"; }, "occurred_time");
  refused(
      {"description"}, [](auto& c) { c.description = "a\x01"; }, "description");
  EXPECT_EQ(queries_.incident(id)->incident.description, "Eerste inschatting.");
  EXPECT_EQ(audit_details("incident.updated"), "");
  EXPECT_TRUE(IsError(update_.run(kHerentDpo, 999, {{"measures"}}).status(), StatusCode::kNotFound,
                      "incidents/999"));
}

TEST_F(LifecycleTest, UpdateToAnExternalRefAnotherIncidentHoldsIsRefused) {
  // external_ref stays unique per party by update too: taking another incident's ticket is
  // ALREADY_EXISTS naming that incident, and nothing changes; keeping one's own is fine.
  const int64_t first = report();   // JIRA-1
  const int64_t second = report();  // JIRA-2
  app::IncidentChange change;
  change.paths = {"ticket_ref"};
  change.ticket_ref = "JIRA-1";
  EXPECT_TRUE(IsError(update_.run(kHerentDpo, second, change).status(), StatusCode::kAlreadyExists,
                      "external_ref: 'JIRA-1' is already incidents/" + std::to_string(first)));
  EXPECT_EQ(queries_.incident(second)->incident.ticket_ref, "JIRA-2");
  change.ticket_ref = "JIRA-2";
  change.paths = {"ticket_ref", "measures"};
  change.measures = "Mailbox emptied";
  EXPECT_TRUE(update_.run(kHerentDpo, second, change).ok());
}

TEST_F(LifecycleTest, HighRiskStartsArticle34OnceFromTheAssessment) {
  // GDPR art. 34: the assessment "high" creates one obligation towards the data subjects, due 72 h
  // (policy) after the assessment; assessing it high again does not create a second.
  const int64_t id = report();
  clock_.set(at("2026-03-29T09:00:00Z"));
  app::IncidentChange high;
  high.paths = {"risk"};
  high.risk = domain::Risk::kHigh;
  const auto updated = update_.run(kHerentDpo, id, high);
  ASSERT_TRUE(updated.ok()) << updated.status();
  const domain::Obligation art34 = obligation(id, 0, "gdpr.art34_subjects");
  EXPECT_EQ(art34.recipient_kind, domain::RecipientKind::kDataSubject);
  EXPECT_EQ(utc(art34.start_time), "2026-03-29T09:00:00Z");
  EXPECT_EQ(utc(art34.due_time), "2026-04-01T09:00:00Z");
  EXPECT_EQ(art34.state, ObligationState::kOpen);

  app::IncidentChange lower = high;
  lower.risk = domain::Risk::kRisk;
  ASSERT_TRUE(update_.run(kHerentDpo, id, lower).ok());
  ASSERT_TRUE(update_.run(kHerentDpo, id, high).ok());
  EXPECT_EQ(db().scalar("SELECT count(*) FROM obligation WHERE rule = 'gdpr.art34_subjects'"), "1");
  // Reported as high from the start: the duty starts with the report.
  const int64_t reported_high = report(domain::Risk::kHigh);
  EXPECT_EQ(utc(obligation(reported_high, 0, "gdpr.art34_subjects").start_time),
            "2026-03-29T09:00:00Z");
}

TEST_F(LifecycleTest, Article34IsWaivedOnlyOnAGroundOfArticle34Paragraph3) {
  // Without a ground, or with one the article does not have, the waiver is refused; with ground
  // b it is waived and the ground is on record. Other rules take no ground.
  const int64_t id = report(domain::Risk::kHigh);
  const domain::Obligation art34 = obligation(id, 0, "gdpr.art34_subjects");
  EXPECT_TRUE(IsError(close_.waive(kHerentDpo, art34.id, "Geen risico meer").status(),
                      StatusCode::kInvalidArgument, "ground: required"));
  EXPECT_TRUE(IsError(close_.waive(kHerentDpo, art34.id, "Geen risico meer", "d").status(),
                      StatusCode::kInvalidArgument, "ground: 'd' is not one"));
  EXPECT_EQ(obligation(id, 0, "gdpr.art34_subjects").state, ObligationState::kOpen);
  const auto waived = close_.waive(kHerentDpo, art34.id, "Laptop op afstand gewist", "b");
  ASSERT_TRUE(waived.ok()) << waived.status();
  EXPECT_EQ(waived->state, ObligationState::kWaived);
  EXPECT_EQ(waived->evidence.rfind("GDPR art. 34(3)(b): subsequent measures", 0), 0u)
      << waived->evidence;
  EXPECT_NE(waived->evidence.find("Laptop op afstand gewist"), std::string::npos);

  const domain::Obligation art33 = obligation(id, 0, "gdpr.art33_authority");
  EXPECT_TRUE(IsError(close_.waive(kHerentDpo, art33.id, "Geen risico", "a").status(),
                      StatusCode::kInvalidArgument, "ground"));
  EXPECT_TRUE(close_.waive(kHerentDpo, art33.id, "Geen risico").ok());
}

TEST_F(LifecycleTest, NoticesComposedAsABatchAreTheMailsComposedOneByOne) {
  // The outbox reads what a batch of notices needs together (notice_sources), not three rows for
  // each: an incident's notice and its follow-up listing changes, a request's notice carrying the
  // copy, a matter's notice. Each mail is byte for byte the one composed alone.
  const int64_t incident = report();
  const domain::Obligation breach = obligation(incident, 0, "protocol.breach_notice");
  ASSERT_TRUE(close_.fulfil(kHerentDpo, breach.id, "Mail verstuurd").ok());
  app::IncidentChange change;
  change.paths = {"risk"};
  change.risk = domain::Risk::kHigh;
  ASSERT_TRUE(update_.run(kHerentDpo, incident, change).ok());
  app::LogRequestInput request;
  request.party = "herent";
  request.kind = domain::RequestKind::kAccess;
  request.receive_time = "2026-03-28T10:00:00+01:00";
  request.summary = "Inzageverzoek";
  request.copy = domain::Attachment{.file_name = "verzoek.pdf",
                                    .media_type = "application/pdf",
                                    .sha256 = "",
                                    .size = 0,
                                    .bytes = "%PDF-1.4 verzoek"};
  ASSERT_TRUE(log_.run(kHerentReporter, request).ok());
  app::ReportMatterInput matter;
  matter.party = "herent";
  matter.kind = domain::MatterKind::kDataQuality;
  matter.summary = "Verouderd adres";
  ASSERT_TRUE(
      app::ReportMatter(clock_, store(), demo_directory()).run(kHerentReporter, matter).ok());

  app::NotificationFilter filter;
  filter.limit = 100;
  const auto all = store().list_notifications(filter);
  ASSERT_TRUE(all.ok()) << all.status();
  std::vector<domain::Notification> notices;
  for (const domain::Notification& n : *all) {
    if (n.kind == domain::NotificationKind::kNotice) notices.push_back(n);
  }
  ASSERT_EQ(notices.size(), 4u) << "breach notice, its follow-up, request, matter";

  const auto tx = store().begin();
  ASSERT_TRUE(tx.ok()) << tx.status();
  const auto sources = (*tx)->notice_sources(*all);
  ASSERT_TRUE(sources.ok()) << sources.status();
  EXPECT_EQ(sources->notices.size(), 4u);
  EXPECT_EQ(sources->obligations.size(), 3u) << "the follow-up shares its obligation";
  EXPECT_EQ(sources->incidents.size(), 1u);
  ASSERT_EQ(sources->requests.size(), 1u);
  ASSERT_TRUE(sources->requests.begin()->second.copy.has_value());
  EXPECT_EQ(sources->requests.begin()->second.copy->bytes, "%PDF-1.4 verzoek");
  EXPECT_EQ(sources->matters.size(), 1u);
  EXPECT_EQ(sources->changes.size(), 1u) << "only the follow-up lists changes";

  const auto templates = notify::TemplateSet::load(TERMIJN_TEMPLATES_DIR);
  ASSERT_TRUE(templates.ok()) << templates.status();
  const jobs::NoticeComposer composer(clock_, store(), demo_directory(), *templates,
                                      "termijn@herent.example");
  for (const domain::Notification& n : notices) {
    const auto batched = composer.compose(**tx, n, *sources);
    const auto alone = composer.compose(n);
    ASSERT_TRUE(batched.ok()) << batched.status();
    ASSERT_TRUE(alone.ok()) << alone.status();
    EXPECT_EQ(notify::render_message(*batched), notify::render_message(*alone))
        << "notifications/" << n.id;
  }
  // A notice the batch did not read for is read on its own.
  const auto unread = composer.compose(**tx, notices[0], app::NoticeSources{});
  ASSERT_TRUE(unread.ok()) << unread.status();
  EXPECT_EQ(notify::render_message(*unread), notify::render_message(*composer.compose(notices[0])));
}

TEST_F(LifecycleTest, ChangeAfterTheNoticeWentOutQueuesAFollowUpSayingWhatChanged) {
  // Protocol art. 13, third paragraph; GDPR art. 33(4): once the breach notice went out, a change
  // queues a follow-up notice to the other party, in its language, listing each change.
  const int64_t id = report();
  const domain::Obligation notice = obligation(id, 0, "protocol.breach_notice");
  ASSERT_TRUE(close_.fulfil(kHerentDpo, notice.id, "Mail verstuurd").ok());
  ASSERT_EQ(notices_of(notice.id).size(), 1u);

  app::IncidentChange change;
  change.paths = {"risk", "consequences"};
  change.risk = domain::Risk::kHigh;
  change.consequences = "Medische gegevens mogelijk ingezien.";
  ASSERT_TRUE(update_.run(kHerentDpo, id, change).ok());

  const auto notices = notices_of(notice.id);
  ASSERT_EQ(notices.size(), 2u);
  const domain::Notification& follow_up = notices[0];  // newest first
  EXPECT_EQ(follow_up.kind, domain::NotificationKind::kNotice);
  const auto changes = store().notification_changes(follow_up.id);
  ASSERT_TRUE(changes.ok()) << changes.status();
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ((*changes)[0].field, "risk");
  EXPECT_EQ((*changes)[0].before, "unknown");
  EXPECT_EQ((*changes)[0].after, "high");
  EXPECT_EQ((*changes)[1].field, "consequences");
  EXPECT_TRUE(store().notification_changes(notices[1].id)->empty());

  // Kortenberg reads Dutch.
  const auto templates = notify::TemplateSet::load(TERMIJN_TEMPLATES_DIR);
  ASSERT_TRUE(templates.ok()) << templates.status();
  const jobs::NoticeComposer composer(clock_, store(), demo_directory(), *templates,
                                      "termijn@herent.example");
  const auto mail = composer.compose(follow_up);
  ASSERT_TRUE(mail.ok()) << mail.status();
  EXPECT_NE(mail->subject.find("Aanvulling op de melding"), std::string::npos) << mail->subject;
  EXPECT_NE(mail->text_body.find("  - Ingeschat risico\n      voorheen: nog niet ingeschat\n"
                                 "      nu:       hoog risico\n"),
            std::string::npos)
      << mail->text_body;
  EXPECT_NE(mail->text_body.find("Medische gegevens mogelijk ingezien."), std::string::npos);
  EXPECT_EQ(mail->attachments.size(), 0u);
  EXPECT_NE(mail->message_id, composer.compose(notices[1])->message_id);
}

TEST_F(LifecycleTest, ChangeBeforeTheNoticeWentOutQueuesNoFollowUp) {
  // While the first notice has not gone out it carries the incident as it is when sent: no
  // follow-up. A change that changes nothing is not written or audited.
  const int64_t id = report();
  app::IncidentChange change;
  change.paths = {"measures"};
  change.measures = "Wachtwoorden gewijzigd.";
  ASSERT_TRUE(update_.run(kHerentDpo, id, change).ok());
  EXPECT_EQ(notices_of(obligation(id, 0, "protocol.breach_notice").id).size(), 1u);
  ASSERT_TRUE(update_.run(kHerentDpo, id, change).ok());
  EXPECT_EQ(db().scalar("SELECT count(*) FROM audit_queue WHERE action = 'incident.updated'"), "1");
}

TEST_F(LifecycleTest, IncidentClosesOnlyWhenNoObligationIsOpenAndThenStaysClosed) {
  // Closing names every open obligation and refuses; with all closed it closes with its summary;
  // a closed incident refuses changes and a second close.
  const int64_t id = report(domain::Risk::kHigh);
  const auto refused = close_incident_.run(kHerentDpo, id, "Afgehandeld");
  ASSERT_TRUE(IsError(refused.status(), StatusCode::kFailedPrecondition,
                      "incidents/" + std::to_string(id) + " has open obligations: "));
  for (const char* rule :
       {"protocol.breach_notice", "gdpr.art33_authority", "gdpr.art34_subjects"}) {
    EXPECT_NE(refused.status().message().find(rule), std::string::npos) << rule;
  }
  EXPECT_TRUE(IsError(close_incident_.run(kHerentDpo, id, " ").status(),
                      StatusCode::kInvalidArgument, "summary"));

  close_all_open(id, 0);
  clock_.set(at("2026-04-02T08:00:00Z"));
  const auto closed = close_incident_.run(kHerentDpo, id, "Afgehandeld; ontvanger wiste de mail.");
  ASSERT_TRUE(closed.ok()) << closed.status();
  const domain::Incident stored = queries_.incident(id)->incident;
  ASSERT_TRUE(stored.close_time.has_value());
  EXPECT_EQ(utc(*stored.close_time), "2026-04-02T08:00:00Z");
  EXPECT_EQ(stored.closing_summary, "Afgehandeld; ontvanger wiste de mail.");
  EXPECT_EQ(stored.closed_by, "herent-dpo");
  EXPECT_EQ(audit_details("incident.closed"),
            "{\"close_time\":\"2026-04-02T08:00:00Z\",\"closing_summary\":\"Afgehandeld; "
            "ontvanger wiste de mail.\"}");

  EXPECT_TRUE(IsError(close_incident_.run(kHerentDpo, id, "Nog eens").status(),
                      StatusCode::kFailedPrecondition, "incidents/"));
  EXPECT_TRUE(IsError(update_.run(kHerentDpo, id, {{"measures"}}).status(),
                      StatusCode::kFailedPrecondition, "incidents/"));
}

TEST_F(LifecycleTest, RequestClosesOnlyWhenNoObligationIsOpen) {
  // As for incidents: refused naming the open obligations, then closed once.
  const int64_t id = log_request();
  EXPECT_TRUE(IsError(close_request_.run(kHerentDpo, id, "Beantwoord").status(),
                      StatusCode::kFailedPrecondition,
                      "requests/" + std::to_string(id) + " has open obligations: "));
  close_all_open(0, id);
  ASSERT_TRUE(close_request_.run(kHerentDpo, id, "Beantwoord per brief").ok());
  const domain::Request stored = queries_.request(id, false)->request;
  EXPECT_EQ(stored.closing_summary, "Beantwoord per brief");
  EXPECT_TRUE(IsError(close_request_.run(kHerentDpo, id, "Nog eens").status(),
                      StatusCode::kFailedPrecondition, "requests/"));
  EXPECT_TRUE(IsError(extend_.run(kHerentDpo, id, 1, "Complex").status(),
                      StatusCode::kFailedPrecondition, "requests/"));
}

TEST_F(LifecycleTest, ExtensionMovesTheAnswerAndStartsTheDutyToTellTheSubject) {
  // GDPR art. 12(3): extended by 2 months, the answer is due 3 months after the receipt (31 Jan
  // -> 30 Apr, clamped); its reminders move with it; the subject is to be told of the extension
  // by the original deadline (28 Feb; legal limit end of Mon 2 Mar).
  const int64_t id = log_request();
  clock_.set(at("2026-02-10T09:00:00Z"));
  const domain::Obligation original = obligation(0, id, "gdpr.art12_response");
  const auto extended = extend_.run(kHerentDpo, id, 2, "Veel dossiers op te zoeken");
  ASSERT_TRUE(extended.ok()) << extended.status();

  const domain::Obligation answer = obligation(0, id, "gdpr.art12_response");
  EXPECT_EQ(answer.id, original.id);
  EXPECT_EQ(utc(answer.due_time), "2026-04-30T08:00:00Z");
  EXPECT_EQ(utc(answer.legal_due_time), "2026-04-30T22:00:00Z");
  EXPECT_EQ(answer.explanation.rfind("Extended by 2 months (GDPR art. 12(3)): 3 months after", 0),
            0u)
      << answer.explanation;
  EXPECT_EQ(
      answer.explanation_nl.rfind("Verlengd met 2 maanden (art. 12, lid 3 AVG): 3 maanden na", 0),
      0u)
      << answer.explanation_nl;
  EXPECT_EQ(db().scalar("SELECT count(*) FROM escalation_step WHERE obligation_id = " +
                        std::to_string(answer.id) +
                        " AND state = 'pending' AND fire_time >= '2026-04-16'"),
            "5");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM escalation_step WHERE obligation_id = " +
                        std::to_string(answer.id) +
                        " AND state = 'pending' AND fire_time < "
                        "'2026-04-16'"),
            "0");

  const domain::Obligation tell = obligation(0, id, "gdpr.art12_extension_notice");
  EXPECT_EQ(tell.recipient_kind, domain::RecipientKind::kDataSubject);
  EXPECT_EQ(tell.due_time, original.due_time);
  EXPECT_EQ(tell.legal_due_time, original.legal_due_time);

  const domain::Request stored = queries_.request(id, false)->request;
  EXPECT_EQ(stored.extension_months, 2);
  EXPECT_EQ(stored.extension_reason, "Veel dossiers op te zoeken");
  EXPECT_EQ(utc(stored.extend_time.value()), "2026-02-10T09:00:00Z");
  EXPECT_NE(audit_details("request.extended").find("\"due_time_after\":\"2026-04-30T08:00:00Z\""),
            std::string::npos);

  // Only once.
  EXPECT_TRUE(IsError(extend_.run(kHerentDpo, id, 1, "Nog meer").status(),
                      StatusCode::kFailedPrecondition, "requests/"));
}

TEST_F(LifecycleTest, ExtendedAfterItsRemindersFiredTheAnswerIsRemindedOfAndEscalatedAgain) {
  // Extended on its last day, after its reminders and its overdue escalation fired for the
  // original deadline (28 Feb), the answer gets every reminder again for the new one (30 Apr),
  // and its overdue escalation repeats after it.
  //
  // Before: steps that had fired stayed fired: only the due-time step and the first overdue one
  // came back, and once that fired its next repetition existed (fired in March), so the overdue
  // escalation stopped.
  const int64_t id = log_request();
  const int64_t answer = obligation(0, id, "gdpr.art12_response").id;
  const app::RulePolicies policies;
  jobs::EscalationScheduler scheduler(clock_, store(), demo_directory(), policies,
                                      [](std::chrono::milliseconds) {});
  const auto pending_from = [&](const std::string& time) {
    return db().scalar(
        "SELECT count(*) FROM escalation_step WHERE obligation_id = " + std::to_string(answer) +
        " AND state = 'pending' AND fire_time >= '" + time + "'");
  };
  clock_.set(at("2026-03-02T12:00:00Z"));  // 2 days overdue; the legal limit is that evening
  ASSERT_GT(scheduler.run_once(), 0);
  ASSERT_TRUE(extend_.run(kHerentDpo, id, 2, "Veel dossiers op te zoeken").ok());

  EXPECT_EQ(pending_from("2026-04-16"), "5") << "-14d, -7d, -2d, 0 and +1d every 1d";
  EXPECT_EQ(db().scalar("SELECT count(*) FROM escalation_step WHERE obligation_id = " +
                        std::to_string(answer) +
                        " AND state = 'pending' AND fire_time < "
                        "'2026-04-16'"),
            "0");

  clock_.set(at("2026-05-01T09:00:00Z"));  // a day overdue again: +1d fires
  ASSERT_GT(scheduler.run_once(), 0);
  EXPECT_EQ(pending_from("2026-05-01T09:00:00Z"), "1") << "the escalation repeats";
}

TEST_F(LifecycleTest, ExtensionIsRefusedAfterTheOriginalDeadlineAndForBadInput) {
  // Months other than 1 or 2 and a blank reason are bad input; after the month from the receipt
  // (here the original legal limit), and for a supervisory-authority message (no answer period),
  // the extension is refused.
  const int64_t id = log_request();
  clock_.set(at("2026-02-10T09:00:00Z"));
  EXPECT_TRUE(IsError(extend_.run(kHerentDpo, id, 3, "x").status(), StatusCode::kInvalidArgument,
                      "months"));
  EXPECT_TRUE(IsError(extend_.run(kHerentDpo, id, 0, "x").status(), StatusCode::kInvalidArgument,
                      "months"));
  EXPECT_TRUE(
      IsError(extend_.run(kHerentDpo, id, 1, "").status(), StatusCode::kInvalidArgument, "reason"));
  clock_.set(at("2026-03-02T23:00:00Z"));  // the end of Mon 2 Mar in Brussels
  EXPECT_TRUE(IsError(extend_.run(kHerentDpo, id, 1, "Te laat").status(),
                      StatusCode::kFailedPrecondition, "the month from the receipt of requests/"));
  EXPECT_EQ(queries_.request(id, false)->request.extension_months, 0);
  const int64_t message = log_request(domain::RequestKind::kAuthorityMessage);
  clock_.set(at("2026-02-10T09:00:00Z"));
  EXPECT_TRUE(IsError(extend_.run(kHerentDpo, message, 1, "x").status(),
                      StatusCode::kFailedPrecondition, "requests/"));
  EXPECT_EQ(audit_details("request.extended"), "");
}

TEST_F(LifecycleTest,
       ExtensionIsDecidedWithinAMonthOfTheReceiptAlsoWhenTheAnswerRunsFromTheIdentification) {
  // GDPR art. 12(3): the subject is told of an extension within one month of the receipt. A
  // party that counts the answer from the identification (art. 12(6)) extends within that month,
  // the notice due by its end; after it the extension is refused, though the answer is due later.
  //
  // Before: the check took the answer's limit (from the identification) and the notice was
  // planned from the receipt, so an extension on 10 Mar was accepted and its notice born overdue.
  std::vector<domain::Party> parties = demo_directory().parties();
  for (domain::Party& p : parties) p.answer_from_identification = p.id == "herent";
  const app::Directory directory(parties);
  app::RecordIdentification identify(clock_, store(), directory);
  app::ExtendRequest extend(clock_, store(), directory);
  const int64_t early = log_request();  // received Sat 31 Jan 2026 10:00 CET
  const int64_t late = log_request();
  clock_.set(at("2026-02-25T09:00:00Z"));
  for (const int64_t id : {early, late}) {
    ASSERT_TRUE(identify.run(kHerentDpo, id, "2026-02-02T09:00:00+01:00", "").ok());
    ASSERT_TRUE(identify.run(kHerentDpo, id, "", "2026-02-20T15:00:00+01:00").ok());
  }
  ASSERT_EQ(utc(obligation(0, late, "gdpr.art12_response").legal_due_time), "2026-03-20T23:00:00Z");

  const auto extended = extend.run(kHerentDpo, early, 2, "Veel dossiers");
  ASSERT_TRUE(extended.ok()) << extended.status();
  EXPECT_EQ(utc(obligation(0, early, "gdpr.art12_response").due_time), "2026-05-20T13:00:00Z");
  const domain::Obligation tell = obligation(0, early, "gdpr.art12_extension_notice");
  EXPECT_EQ(utc(tell.due_time), "2026-02-28T09:00:00Z");
  EXPECT_EQ(utc(tell.legal_due_time), "2026-03-02T23:00:00Z");

  clock_.set(at("2026-03-10T09:00:00Z"));
  EXPECT_TRUE(IsError(extend.run(kHerentDpo, late, 2, "Te laat").status(),
                      StatusCode::kFailedPrecondition,
                      "the month from the receipt of requests/" + std::to_string(late) +
                          " ended at 2026-03-03 00:00 CET"));
  EXPECT_EQ(queries_.request(late, false)->request.extension_months, 0);
  EXPECT_EQ(utc(obligation(0, late, "gdpr.art12_response").legal_due_time), "2026-03-20T23:00:00Z");
}

TEST_F(LifecycleTest, WhatAChangeAnswersShowsTheRemindersAsStored) {
  // The obligations a call answers with show their next reminder as a later read does. Before:
  // a new obligation showed none ("- (0)") and an extended answer its reminder before the move
  // (-2d of the old deadline), though both were stored right.
  const auto expect_as_stored = [&](const std::vector<domain::Obligation>& answered,
                                    const std::string& call) {
    ASSERT_FALSE(answered.empty()) << call;
    for (const domain::Obligation& o : answered) {
      const auto stored = store().get_obligation(o.id);
      ASSERT_TRUE(stored.ok()) << stored.status();
      EXPECT_TRUE(o.next_step_time.has_value()) << call << ": " << o.rule;
      EXPECT_EQ(o.next_step_time, stored->next_step_time) << call << ": " << o.rule;
      EXPECT_EQ(o.next_step, stored->next_step) << call << ": " << o.rule;
      EXPECT_EQ(o.escalation_level, stored->escalation_level) << call << ": " << o.rule;
    }
  };
  app::ReportIncidentInput incident;
  incident.party = "herent";
  incident.aware_time = "2026-03-28T10:00:00+01:00";
  incident.title = "Laptop gestolen";
  const auto reported = report_.run(kHerentReporter, incident);
  ASSERT_TRUE(reported.ok()) << reported.status();
  expect_as_stored(reported->obligations, "report");

  const int64_t id = log_request();        // received 31 Jan 2026
  clock_.set(at("2026-02-27T12:00:00Z"));  // the day before the answer is due: -14d, -7d, -2d fired
  const app::RulePolicies policies;
  jobs::EscalationScheduler scheduler(clock_, store(), demo_directory(), policies,
                                      [](std::chrono::milliseconds) {});
  ASSERT_GT(scheduler.run_once(), 0);
  const auto extended = extend_.run(kHerentDpo, id, 2, "Veel dossiers op te zoeken");
  ASSERT_TRUE(extended.ok()) << extended.status();
  expect_as_stored(extended->obligations, "extend");

  const auto logged = log_.run(kHerentReporter, [] {
    app::LogRequestInput in;
    in.party = "herent";
    in.kind = domain::RequestKind::kErasure;
    in.receive_time = "2026-02-20T10:00:00+01:00";
    in.summary = "Wisverzoek";
    return in;
  }());
  ASSERT_TRUE(logged.ok()) << logged.status();
  expect_as_stored(logged->obligations, "log");
  app::RecordIdentification identify(clock_, store(), demo_directory());
  const auto asked = identify.run(kHerentDpo, logged->request.id, "2026-02-21T09:00:00+01:00", "");
  ASSERT_TRUE(asked.ok()) << asked.status();
  expect_as_stored(asked->obligations, "identification asked");
}

TEST_F(LifecycleTest, RemindersOfTheNewDutiesSayWhatTheDutyIs) {
  // A reminder of GDPR art. 34 or of the extension notice names that duty (from the rules
  // table), not the answer to a request.
  const int64_t incident = report(domain::Risk::kHigh);
  const int64_t request = log_request();
  clock_.set(at("2026-02-10T09:00:00Z"));
  ASSERT_TRUE(extend_.run(kHerentDpo, request, 1, "Veel dossiers").ok());
  clock_.set(at("2026-04-30T00:00:00Z"));  // past both due times: their steps fire
  // The breach notice failed: its obligation's reminders fire too, and say so.
  db().scalar(
      "UPDATE notification SET state = 'failed', last_error = '550 no such user' "
      "WHERE kind = 'notice' AND obligation_id = " +
      std::to_string(obligation(incident, 0, "protocol.breach_notice").id) + " RETURNING id");
  const app::RulePolicies policies;
  jobs::EscalationScheduler scheduler(clock_, store(), demo_directory(), policies,
                                      [](std::chrono::milliseconds) {});
  while (scheduler.run_once() > 0) {
  }
  const auto templates = notify::TemplateSet::load(TERMIJN_TEMPLATES_DIR);
  ASSERT_TRUE(templates.ok()) << templates.status();
  const jobs::NoticeComposer composer(clock_, store(), demo_directory(), *templates,
                                      "termijn@herent.example");
  for (const auto& [obligation_id, duty] :
       {std::pair{obligation(incident, 0, "gdpr.art34_subjects").id,
                  "de betrokkenen onverwijld inlichten over de inbreuk (art. 34, lid 1 AVG)"},
        std::pair{obligation(0, request, "gdpr.art12_extension_notice").id,
                  "de betrokkene inlichten over de verlenging en de redenen ervan (art. 12, "
                  "lid 3 AVG)"}}) {
    const auto reminders = notices_of(obligation_id);
    ASSERT_FALSE(reminders.empty()) << obligation_id;
    EXPECT_EQ(reminders[0].kind, domain::NotificationKind::kReminder);
    const auto mail = composer.compose(reminders[0]);
    ASSERT_TRUE(mail.ok()) << mail.status();
    EXPECT_NE(mail->text_body.find(duty), std::string::npos) << mail->text_body;
    EXPECT_EQ(mail->text_body.find("antwoorden"), std::string::npos) << mail->text_body;
    // Before: the legal basis in English ("GDPR art. 34(1)") in a Dutch mail.
    EXPECT_EQ(mail->text_body.find("GDPR"), std::string::npos) << mail->text_body;
  }
  // The answer to an extended request: telling of the extension is the duty above, not this one.
  const auto answer = notices_of(obligation(0, request, "gdpr.art12_response").id);
  ASSERT_FALSE(answer.empty());
  const std::string answer_text = composer.compose(answer[0])->text_body;
  EXPECT_NE(answer_text.find("de betrokkene antwoorden (art. 12, lid 3 AVG, verlengde termijn)"),
            std::string::npos)
      << answer_text;
  EXPECT_EQ(answer_text.find("de verlenging en de redenen meedelen"), std::string::npos)
      << answer_text;
  // Art. 34 is waived only on a ground of art. 34(3): the reminder's command says so, in a form
  // a shell takes as it is (before: "--ground a|b|c", a pipe), with the grounds beside it; its
  // notice mail's state in words (before: "held" in a Dutch mail).
  const auto art34 = notices_of(obligation(incident, 0, "gdpr.art34_subjects").id);
  const std::string waive_text = composer.compose(art34[0])->text_body;
  EXPECT_NE(
      waive_text.find(" --ground GROND --reason \"...\"\n"
                      "    (GROND: a, b of c, zoals termijn obligation waive --help uitlegt)"),
      std::string::npos)
      << waive_text;
  EXPECT_EQ(waive_text.find('|'), std::string::npos) << waive_text;
  EXPECT_NE(waive_text.find("Melding per e-mail: -\n"), std::string::npos) << waive_text;
  std::string notice_states;
  for (const auto& n : notices_of(obligation(incident, 0, "protocol.breach_notice").id)) {
    if (n.kind != domain::NotificationKind::kReminder) continue;
    const std::string text = composer.compose(n)->text_body;
    const size_t at = text.find("Melding per e-mail: ");
    if (at != std::string::npos) notice_states += text.substr(at, text.find('\n', at) - at) + ";";
  }
  EXPECT_EQ(notice_states, "Melding per e-mail: mislukt;");
  // The law sets no limit for art. 34 ("without undue delay"): the reminder does not present the
  // policy target as a legal limit computed under Reg. 1182/71; the art. 12(3) one does.
  const std::string art34_text = composer.compose(art34[0])->text_body;
  EXPECT_NE(
      art34_text.find("Wettelijke grens:   geen: art. 34, lid 1 AVG legt geen vaste termijn op; "
                      "het uiterste tijdstip is het streefdoel van het beleid"),
      std::string::npos)
      << art34_text;
  EXPECT_EQ(art34_text.find("1182/71"), std::string::npos) << art34_text;
  const auto extension = notices_of(obligation(0, request, "gdpr.art12_extension_notice").id);
  EXPECT_NE(composer.compose(extension[0])
                ->text_body.find("(art. 12, lid 3 AVG, Verordening 1182/71, art. 3)"),
            std::string::npos);
}

}  // namespace
}  // namespace termijn::testing
