#include "server/domain/planner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "server/domain/rules.h"
#include "tests/unit/times.h"

namespace termijn::domain {
namespace {

using std::chrono::hours;
using ::testing::EndsWith;

using unit::At;
using unit::Brussels;
using unit::Local;

Party MakeParty(const std::string& id) {
  Party p;
  p.id = id;
  p.name = "OCMW " + id;
  p.dpo = {"DPO " + id, "dpo@" + id + ".be"};
  p.zone = &Brussels();
  return p;
}

Event IncidentAt(const std::string& time) { return {Trigger::kIncident, At(time), std::nullopt}; }

Event RequestAt(const std::string& time, RequestKind kind) {
  return {Trigger::kRequest, At(time), kind};
}

std::vector<std::string> RulesOf(const std::vector<Obligation>& obligations) {
  std::vector<std::string> ids;
  for (const Obligation& o : obligations) ids.push_back(o.rule + "->" + o.recipient_party);
  return ids;
}

TEST(RulesTest, TableHasTheStableIds) {
  // Verifies find_rule knows the rule ids used by API, CLI and configuration, and no others.
  ASSERT_NE(find_rule("protocol.breach_notice"), nullptr);
  EXPECT_EQ(find_rule("protocol.breach_notice")->period.count, 36);
  ASSERT_NE(find_rule("protocol.request_notice"), nullptr);
  EXPECT_EQ(find_rule("protocol.request_notice")->period.count, 48);
  ASSERT_NE(find_rule("gdpr.art33_authority"), nullptr);
  EXPECT_EQ(find_rule("gdpr.art33_authority")->period.count, 72);
  ASSERT_NE(find_rule("gdpr.art12_response"), nullptr);
  EXPECT_EQ(find_rule("gdpr.art12_response")->period.unit, Period::Unit::kMonths);
  EXPECT_EQ(find_rule("gdpr.art12_response")->period.count, 1);
  EXPECT_EQ(find_rule("no.such_rule"), nullptr);
  EXPECT_EQ(find_rule(""), nullptr);
}

TEST(PlannerTest, IncidentNotifiesOtherPartyAndAuthority) {
  // Verifies a herent incident creates the 36 h protocol notice to kortenberg's DPO and the 72 h
  // GDPR art. 33 notification to the authority, both counted in herent's zone from awareness,
  // and the consultation of kortenberg (protocol art. 13, second paragraph).
  const Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");
  const Event event = IncidentAt("2026-11-10T16:20:00+01:00");

  const std::vector<Obligation> planned = plan_obligations(event, herent, {herent, kortenberg});

  ASSERT_EQ(planned.size(), 3u);
  EXPECT_EQ(planned[2].rule, "protocol.breach_consultation");
  const Obligation& notice = planned[0];
  EXPECT_EQ(notice.rule, "protocol.breach_notice");
  EXPECT_EQ(notice.legal_basis, "Protocol art. 13");
  EXPECT_EQ(notice.owner_party, "herent");
  EXPECT_EQ(notice.recipient_kind, RecipientKind::kPartyDpo);
  EXPECT_EQ(notice.recipient_party, "kortenberg");
  EXPECT_EQ(notice.start_time, event.time);
  EXPECT_EQ(notice.due_time, event.time + hours{36});
  EXPECT_EQ(Local(notice.due_time), "2026-11-12T04:20:00+01:00");
  EXPECT_EQ(Local(notice.legal_due_time), "2026-11-12T05:00:00+01:00");
  EXPECT_EQ(notice.explanation.rfind("36 h after awareness at 2026-11-10 16:20 CET", 0), 0u)
      << notice.explanation;
  EXPECT_EQ(notice.state, ObligationState::kOpen);
  EXPECT_EQ(notice.id, 0);
  EXPECT_EQ(notice.incident_id, 0);
  EXPECT_EQ(notice.request_id, 0);

  const Obligation& authority = planned[1];
  EXPECT_EQ(authority.rule, "gdpr.art33_authority");
  EXPECT_EQ(authority.legal_basis, "GDPR art. 33(1)");
  EXPECT_EQ(authority.owner_party, "herent");
  EXPECT_EQ(authority.recipient_kind, RecipientKind::kAuthority);
  EXPECT_EQ(authority.recipient_party, "");
  EXPECT_EQ(authority.start_time, event.time);
  EXPECT_EQ(authority.due_time, event.time + hours{72});
  EXPECT_EQ(Local(authority.legal_due_time), "2026-11-13T17:00:00+01:00");
  EXPECT_EQ(authority.state, ObligationState::kOpen);
}

TEST(PlannerTest, RequestNotifiesEveryOtherPartyAndAnswersTheSubject) {
  // Verifies a data-subject request creates the 48 h protocol notice to each other party and the
  // one-month GDPR art. 12(3) answer to the data subject.
  const Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");
  const Event event = RequestAt("2026-01-31T10:00:00+01:00", RequestKind::kAccess);

  const std::vector<Obligation> planned = plan_obligations(event, herent, {herent, kortenberg});

  ASSERT_EQ(RulesOf(planned), (std::vector<std::string>{"protocol.request_notice->kortenberg",
                                                        "gdpr.art12_response->"}));
  const Obligation& notice = planned[0];
  EXPECT_EQ(notice.legal_basis, "Protocol art. 14");
  EXPECT_EQ(notice.recipient_kind, RecipientKind::kPartyDpo);
  EXPECT_EQ(notice.due_time, event.time + hours{48});
  EXPECT_EQ(notice.explanation.rfind("48 h after receipt", 0), 0u) << notice.explanation;

  const Obligation& response = planned[1];
  EXPECT_EQ(response.legal_basis, "GDPR art. 12(3)");
  EXPECT_EQ(response.owner_party, "herent");
  EXPECT_EQ(response.recipient_kind, RecipientKind::kDataSubject);
  EXPECT_EQ(Local(response.due_time), "2026-02-28T10:00:00+01:00");
  EXPECT_EQ(Local(response.legal_due_time), "2026-03-03T00:00:00+01:00");
}

TEST(PlannerTest, DeadlinesAfter2037UseSummerTime) {
  // Verifies obligations planned after the tz files' last explicit transition (2037): the 72 h
  // authority notification across the March 2039 switch and a one-month answer ending in summer
  // 2040 carry CEST times, in the deadlines and in their explanations.
  const Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");

  const std::vector<Obligation> incident =
      plan_obligations(IncidentAt("2039-03-25T14:20:00+01:00"), herent, {herent, kortenberg});
  ASSERT_EQ(incident.size(), 3u);
  const Obligation& authority = incident[1];
  EXPECT_EQ(authority.rule, "gdpr.art33_authority");
  EXPECT_EQ(Local(authority.due_time), "2039-03-28T15:20:00+02:00");
  EXPECT_EQ(Local(authority.legal_due_time), "2039-03-28T16:00:00+02:00");
  EXPECT_NE(authority.explanation.find("due 2039-03-28 15:20 CEST; the DST change in between "
                                       "makes it 73 h by the wall clock"),
            std::string::npos)
      << authority.explanation;

  const std::vector<Obligation> request = plan_obligations(
      RequestAt("2040-06-15T10:00", RequestKind::kErasure), herent, {herent, kortenberg});
  ASSERT_EQ(request.size(), 2u);
  const Obligation& response = request[1];
  EXPECT_EQ(response.rule, "gdpr.art12_response");
  EXPECT_EQ(Local(response.start_time), "2040-06-15T10:00:00+02:00");
  EXPECT_EQ(Local(response.due_time), "2040-07-15T10:00:00+02:00");
  EXPECT_EQ(Local(response.legal_due_time), "2040-07-17T00:00:00+02:00");
  EXPECT_NE(response.explanation.find("2040-07-17 00:00 CEST"), std::string::npos)
      << response.explanation;
}

TEST(PlannerTest, EveryDataSubjectRequestKindGetsAnAnswerObligation) {
  // Verifies all request kinds except a supervisory-authority message trigger GDPR art. 12(3).
  const Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");
  for (const RequestKind kind :
       {RequestKind::kAccess, RequestKind::kRectification, RequestKind::kErasure,
        RequestKind::kRestriction, RequestKind::kPortability, RequestKind::kObjection,
        RequestKind::kAutomatedDecision}) {
    const std::vector<Obligation> planned = plan_obligations(
        RequestAt("2026-06-01T09:00:00+02:00", kind), kortenberg, {herent, kortenberg});
    EXPECT_EQ(RulesOf(planned), (std::vector<std::string>{"protocol.request_notice->herent",
                                                          "gdpr.art12_response->"}))
        << name_of(kind);
  }
}

TEST(PlannerTest, AuthorityMessageOnlyNotifiesTheOtherParties) {
  // Verifies a message from the supervisory authority creates the protocol notice but no
  // data-subject answer.
  const Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");
  const std::vector<Obligation> planned =
      plan_obligations(RequestAt("2026-06-01T09:00:00+02:00", RequestKind::kAuthorityMessage),
                       herent, {herent, kortenberg});
  EXPECT_EQ(RulesOf(planned), (std::vector<std::string>{"protocol.request_notice->kortenberg"}));
}

TEST(PlannerTest, ThreePartiesGetTwoNoticesEach) {
  // Verifies the protocol notices go to every party except the owner, one obligation each.
  const Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");
  const Party leuven = MakeParty("leuven");
  const std::vector<Party> parties{herent, kortenberg, leuven};

  EXPECT_EQ(
      RulesOf(plan_obligations(IncidentAt("2026-06-01T09:00:00+02:00"), kortenberg, parties)),
      (std::vector<std::string>{"protocol.breach_notice->herent", "protocol.breach_notice->leuven",
                                "gdpr.art33_authority->", "protocol.breach_consultation->herent",
                                "protocol.breach_consultation->leuven"}));
  EXPECT_EQ(RulesOf(plan_obligations(RequestAt("2026-06-01T09:00:00+02:00", RequestKind::kErasure),
                                     herent, parties)),
            (std::vector<std::string>{"protocol.request_notice->kortenberg",
                                      "protocol.request_notice->leuven", "gdpr.art12_response->"}));
  EXPECT_EQ(
      RulesOf(plan_obligations(
          RequestAt("2026-06-01T09:00:00+02:00", RequestKind::kAuthorityMessage), leuven, parties)),
      (std::vector<std::string>{"protocol.request_notice->herent",
                                "protocol.request_notice->kortenberg"}));
}

TEST(PlannerTest, OwnerAloneOwesOnlyTheAuthorityAndSubject) {
  // Verifies that without other parties no protocol notice or consultation is planned.
  const Party herent = MakeParty("herent");
  EXPECT_EQ(RulesOf(plan_obligations(IncidentAt("2026-06-01T09:00:00+02:00"), herent, {herent})),
            (std::vector<std::string>{"gdpr.art33_authority->"}));
}

TEST(PlannerTest, UsesTheOwnersCalendar) {
  // Verifies the owner's configured extra holiday moves its art. 12(3) legal limit.
  Party herent = MakeParty("herent");
  herent.calendar = HolidayCalendar::belgium({{date::year{2026} / 3 / 2, "Local closure"}});
  const Party kortenberg = MakeParty("kortenberg");
  const std::vector<Obligation> planned = plan_obligations(
      RequestAt("2026-01-31T10:00:00+01:00", RequestKind::kAccess), herent, {herent, kortenberg});
  ASSERT_EQ(planned.size(), 2u);
  EXPECT_EQ(Local(planned[1].legal_due_time), "2026-03-04T00:00:00+01:00");
}

TEST(RulesTest, EveryRuleSaysItsDutyInDutchAndEnglish) {
  // Verifies each rule of the table carries its name, its legal basis and its duty in both
  // languages, and that no two rules share a name.
  std::set<std::string_view> names;
  for (const Rule& rule : rules()) {
    EXPECT_FALSE(rule.name_en.empty()) << rule.id;
    EXPECT_FALSE(rule.name_nl.empty()) << rule.id;
    EXPECT_TRUE(names.insert(rule.name_en).second) << rule.id;
    EXPECT_TRUE(names.insert(rule.name_nl).second) << rule.id;
    EXPECT_FALSE(rule.legal_basis.empty()) << rule.id;
    EXPECT_FALSE(rule.duty_en.empty()) << rule.id;
    EXPECT_FALSE(rule.duty_nl.empty()) << rule.id;
  }
}

TEST(RulesTest, ARuleIsNamedInTheReadersLanguage) {
  // Verifies a rule's name in Dutch and English, and that a rule this version does not know
  // (an obligation stored by a newer one) is shown by its id.
  EXPECT_EQ(rule_name(rule_id::kBreachNotice, true),
            "Melding van de inbreuk aan de andere partijen");
  EXPECT_EQ(rule_name(rule_id::kBreachNotice, false), "Breach notice to the other parties");
  EXPECT_EQ(rule_name("protocol.future_rule", true), "protocol.future_rule");
}

TEST(RulesTest, OnlyArticle34HasWaiverGrounds) {
  // Verifies GDPR art. 34 may be waived on the grounds a, b and c of art. 34(3) only, and that
  // other rules take no ground.
  const Rule* art34 = find_rule("gdpr.art34_subjects");
  ASSERT_NE(art34, nullptr);
  EXPECT_TRUE(art34->policy_target);
  for (const char* code : {"a", "b", "c"}) {
    ASSERT_NE(find_waiver_ground(*art34, code), nullptr) << code;
    EXPECT_NE(find_waiver_ground(*art34, code)->text.find("34(3)(" + std::string(code) + ")"),
              std::string_view::npos);
  }
  EXPECT_EQ(find_waiver_ground(*art34, "d"), nullptr);
  EXPECT_EQ(find_waiver_ground(*art34, ""), nullptr);
  EXPECT_TRUE(find_rule("gdpr.art33_authority")->waiver_grounds.empty());
}

TEST(PlannerTest, HighRiskObligesInformingTheSubjectsByThePolicyTarget) {
  // Verifies the assessment of a high risk creates GDPR art. 34 towards the data subjects, due
  // 72 h (policy) after the assessment, with no later legal limit and an explanation saying so.
  const Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");
  const Event event{Trigger::kHighRisk, At("2026-03-27T14:20:00+01:00"), std::nullopt};

  const std::vector<Obligation> planned = plan_obligations(event, herent, {herent, kortenberg});

  ASSERT_EQ(RulesOf(planned), (std::vector<std::string>{"gdpr.art34_subjects->"}));
  const Obligation& o = planned[0];
  EXPECT_EQ(o.legal_basis, "GDPR art. 34(1)");
  EXPECT_EQ(o.recipient_kind, RecipientKind::kDataSubject);
  EXPECT_EQ(o.start_time, event.time);
  EXPECT_EQ(Local(o.due_time), "2026-03-30T15:20:00+02:00");  // across the spring DST switch
  EXPECT_EQ(o.legal_due_time, o.due_time);
  EXPECT_EQ(o.explanation,
            "Policy target: 72 h after the assessment of a high risk at 2026-03-27 14:20 CET: due "
            "2026-03-30 15:20 CEST. GDPR art. 34(1) sets no fixed limit: without undue delay.");
  EXPECT_EQ(o.explanation_nl,
            "Beleidsdoel: 72 u na de inschatting van een hoog risico op 2026-03-27 14:20 CET: "
            "uiterlijk 2026-03-30 15:20 CEST. art. 34, lid 1 AVG legt geen vaste termijn op: "
            "onverwijld.");
}

TEST(PlannerTest, APolicyTargetQuotesWhatTheTextSaysOfTheTime) {
  // Verifies the explanation of a policy target says what the protocol or the GDPR says of the
  // time: "onmiddellijk" is immediately, not "without undue delay", and a duty whose text names
  // no time says so.
  const Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");
  const auto explanation_of = [&](Trigger trigger, const std::string& rule) {
    for (const Obligation& o :
         plan_obligations({trigger, At("2026-06-01T09:00:00+02:00"), std::nullopt}, herent,
                          {herent, kortenberg})) {
      if (o.rule == rule) return o.explanation;
    }
    return "no obligation " + rule;
  };
  EXPECT_THAT(explanation_of(Trigger::kIncident, "protocol.breach_consultation"),
              EndsWith("Protocol art. 13, second paragraph sets no fixed limit: immediately "
                       "(\"onmiddellijk\")."));
  EXPECT_THAT(explanation_of(Trigger::kDataQuality, "protocol.quality_notice"),
              EndsWith("Protocol art. 12, first paragraph sets no fixed limit: immediately "
                       "(\"onmiddellijk\")."));
  EXPECT_THAT(explanation_of(Trigger::kDataQuality, "protocol.quality_measures"),
              EndsWith("Protocol art. 12, second paragraph sets no fixed limit: without undue "
                       "delay (\"zonder onredelijke vertraging\")."));
  EXPECT_THAT(explanation_of(Trigger::kLawChange, "protocol.law_change_notice"),
              EndsWith("Protocol art. 15 sets no fixed limit: immediately (\"onmiddellijk\")."));
  EXPECT_THAT(explanation_of(Trigger::kLawChange, "protocol.law_change_measures"),
              EndsWith("Protocol art. 15 sets no time limit for the measures."));
  EXPECT_THAT(explanation_of(Trigger::kStaffDeparture, "protocol.departure_erasure"),
              EndsWith("Protocol art. 9 sets no fixed limit: the data is processed only while "
                       "the staff member is employed."));
}

TEST(PlannerTest, EveryPolicyTargetSaysWhatItsTextSaysOfTheTime) {
  for (const Rule& rule : rules()) {
    EXPECT_EQ(rule.policy_target, !rule.time_in_text.empty()) << rule.id;
  }
}

TEST(PlannerTest, IncidentAndRequestDoNotPlanTheLaterDuties) {
  // Verifies art. 34 and the extension notice are not planned by the first report or receipt.
  const Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");
  for (const auto& planned :
       {plan_obligations(IncidentAt("2026-06-01T09:00:00+02:00"), herent, {herent, kortenberg}),
        plan_obligations(RequestAt("2026-06-01T09:00:00+02:00", RequestKind::kAccess), herent,
                         {herent, kortenberg})}) {
    for (const Obligation& o : planned) {
      EXPECT_NE(o.rule, "gdpr.art34_subjects");
      EXPECT_NE(o.rule, "gdpr.art12_extension_notice");
    }
  }
}

TEST(PlannerTest, ExtensionNoticeIsDueByTheOriginalAnswerDeadline) {
  // Verifies the GDPR art. 12(3) duty to tell the subject of an extension falls due exactly when
  // the unextended answer would have: one month after receipt, Reg. 1182/71 art. 3(4) included.
  const Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");
  const Instant receipt = At("2026-01-31T10:00:00+01:00");
  const std::vector<Obligation> planned = plan_obligations(
      {Trigger::kExtension, receipt, RequestKind::kAccess}, herent, {herent, kortenberg});
  ASSERT_EQ(RulesOf(planned), (std::vector<std::string>{"gdpr.art12_extension_notice->"}));
  const Obligation answer = plan_obligations({Trigger::kRequest, receipt, RequestKind::kAccess},
                                             herent, {herent, kortenberg})[1];
  EXPECT_EQ(planned[0].due_time, answer.due_time);
  EXPECT_EQ(planned[0].legal_due_time, answer.legal_due_time);
  EXPECT_EQ(Local(planned[0].legal_due_time), "2026-03-03T00:00:00+01:00");
  // An authority message has no answer to extend.
  EXPECT_TRUE(plan_obligations({Trigger::kExtension, receipt, RequestKind::kAuthorityMessage},
                               herent, {herent, kortenberg})
                  .empty());
}

TEST(PlannerTest, ExtendedAnswerCountsTheMonthsFromTheReceipt) {
  // Verifies an extension by 1 or 2 months moves the art. 12(3) answer to 2 or 3 months after
  // the receipt (not after the original deadline), clamped and moved off closed days.
  const Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");
  struct Case {
    const char* receipt;
    int months;
    const char* due;
    const char* legal;
  };
  for (const Case& c : {
           // 31 Jan + 3 months: 30 Apr (clamped), a Thursday.
           Case{"2026-01-31T10:00:00+01:00", 2, "2026-04-30T10:00:00+02:00",
                "2026-05-01T00:00:00+02:00"},
           // 31 Jan + 2 months: 31 Mar 2026, a Tuesday.
           Case{"2026-01-31T10:00:00+01:00", 1, "2026-03-31T10:00:00+02:00",
                "2026-04-01T00:00:00+02:00"},
           // 25 Nov 2027 + 2 months: Tue 25 Jan 2028.
           Case{"2027-11-25T09:00:00+01:00", 1, "2028-01-25T09:00:00+01:00",
                "2028-01-26T00:00:00+01:00"},
           // 25 Feb 2026 + 3 months: Mon 25 May 2026 is Whit Monday; legal end of Tue 26 May.
           Case{"2026-02-25T09:00:00+01:00", 2, "2026-05-25T09:00:00+02:00",
                "2026-05-27T00:00:00+02:00"},
       }) {
    SCOPED_TRACE(std::string(c.receipt) + " +" + std::to_string(c.months));
    const Instant receipt = At(c.receipt);
    const Obligation answer = plan_obligations({Trigger::kRequest, receipt, RequestKind::kAccess},
                                               herent, {herent, kortenberg})[1];
    const Obligation extended = extend_answer(answer, receipt, c.months, herent);
    EXPECT_EQ(extended.rule, "gdpr.art12_response");
    EXPECT_EQ(extended.start_time, receipt);
    EXPECT_EQ(Local(extended.due_time), c.due);
    EXPECT_EQ(Local(extended.legal_due_time), c.legal);
    EXPECT_EQ(extended.explanation.rfind("Extended by " + std::to_string(c.months) + " month", 0),
              0u)
        << extended.explanation;
  }
}

TEST(PlannerTest, BreachConsultationIsAPolicyTargetWithoutAMail) {
  // Verifies protocol art. 13 (second paragraph): one consultation per other party, due 24 h
  // after awareness by default, its legal limit the target itself, no mail queued with it.
  const Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");
  const Rule* rule = find_rule("protocol.breach_consultation");
  ASSERT_NE(rule, nullptr);
  EXPECT_TRUE(rule->policy_target);
  EXPECT_FALSE(rule->notice_mail);
  EXPECT_TRUE(find_rule("protocol.breach_notice")->notice_mail);

  // Across the autumn DST switch: 24 elapsed hours are 23 by the wall clock.
  const std::vector<Obligation> planned =
      plan_obligations(IncidentAt("2026-10-24T23:30:00+02:00"), herent, {herent, kortenberg});
  const Obligation& consult = planned.back();
  EXPECT_EQ(consult.rule, "protocol.breach_consultation");
  EXPECT_EQ(consult.legal_basis, "Protocol art. 13, second paragraph");
  EXPECT_EQ(consult.owner_party, "herent");
  EXPECT_EQ(consult.recipient_party, "kortenberg");
  EXPECT_EQ(Local(consult.due_time), "2026-10-25T22:30:00+01:00");
  EXPECT_EQ(consult.legal_due_time, consult.due_time);
  EXPECT_EQ(consult.explanation.rfind("Policy target: 24 h after awareness at 2026-10-24 23:30 "
                                      "CEST: due 2026-10-25 22:30 CET.",
                                      0),
            0u)
      << consult.explanation;
}

TEST(PlannerTest, ConfiguredTargetsReplaceOnlyPolicyPeriods) {
  // Verifies a configured target changes the period of a policy-target rule (art. 13
  // consultation, GDPR art. 34) and its explanation, and leaves the legal periods alone.
  const Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");
  const PolicyTargets targets{{"protocol.breach_consultation", Period::hours(4)},
                              {"gdpr.art34_subjects", Period::hours(48)},
                              {"protocol.breach_notice", Period::hours(1)}};
  const Instant aware = At("2026-03-27T14:20:00+01:00");
  const std::vector<Obligation> planned = plan_obligations(
      {Trigger::kIncident, aware, std::nullopt}, herent, {herent, kortenberg}, targets);
  ASSERT_EQ(planned.size(), 3u);
  EXPECT_EQ(planned[0].due_time, aware + hours{36});  // the law's 36 h, not the 1 h configured
  EXPECT_EQ(planned[2].due_time, aware + hours{4});
  EXPECT_NE(planned[2].explanation.find("Policy target: 4 h after awareness"), std::string::npos)
      << planned[2].explanation;
  const std::vector<Obligation> art34 = plan_obligations({Trigger::kHighRisk, aware, std::nullopt},
                                                         herent, {herent, kortenberg}, targets);
  ASSERT_EQ(art34.size(), 1u);
  EXPECT_EQ(Local(art34[0].due_time), "2026-03-29T15:20:00+02:00");
}

TEST(PlannerTest, IdentificationMovesTheAnswerOnlyUnderThatPolicy) {
  // Verifies GDPR art. 12(6): by default the answer stays one month after the receipt; a party
  // that counts from the identification gets one month (plus an extension) after the
  // identifying information came; both explanations say which start the policy takes.
  Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");
  Request request;
  request.receive_time = At("2026-01-31T10:00:00+01:00");
  const Obligation answer =
      plan_obligations({Trigger::kRequest, request.receive_time, RequestKind::kAccess}, herent,
                       {herent, kortenberg})[1];
  request.identification_asked_time = At("2026-02-02T09:00:00+01:00");

  // Asked, not yet received: the deadline holds under either policy.
  Obligation asked = plan_answer(answer, request, herent);
  EXPECT_EQ(asked.due_time, answer.due_time);
  EXPECT_EQ(
      asked.explanation.rfind("Identification (GDPR art. 12(6)): more information asked at "
                              "2026-02-02 09:00 CET, not yet received; the policy of OCMW herent "
                              "counts the answer period from the receipt of the request. ",
                              0),
      0u)
      << asked.explanation;
  EXPECT_EQ(
      asked.explanation_nl.rfind("Identificatie (art. 12, lid 6 AVG): bijkomende informatie "
                                 "gevraagd op 2026-02-02 09:00 CET, nog niet ontvangen; het "
                                 "beleid van OCMW herent laat de antwoordtermijn lopen vanaf de "
                                 "ontvangst van het verzoek. 1 maand na ontvangst op ",
                                 0),
      0u)
      << asked.explanation_nl;

  request.identification_time = At("2026-02-20T15:00:00+01:00");
  const Obligation by_receipt = plan_answer(answer, request, herent);
  EXPECT_EQ(by_receipt.due_time, answer.due_time);
  EXPECT_EQ(by_receipt.legal_due_time, answer.legal_due_time);
  EXPECT_NE(
      by_receipt.explanation.find("received at 2026-02-20 15:00 CET; the policy of OCMW herent "
                                  "counts the answer period from the receipt of the request"),
      std::string::npos)
      << by_receipt.explanation;

  herent.answer_from_identification = true;
  const Obligation by_identification = plan_answer(answer, request, herent);
  EXPECT_EQ(Local(by_identification.due_time), "2026-03-20T15:00:00+01:00");
  // Fri 20 Mar 2026 is a working day: the legal limit is its end.
  EXPECT_EQ(Local(by_identification.legal_due_time), "2026-03-21T00:00:00+01:00");
  EXPECT_NE(by_identification.explanation.find("counts the answer period from the "
                                               "identification. 1 month after identification at "
                                               "2026-02-20 15:00 CET"),
            std::string::npos)
      << by_identification.explanation;

  // Extended by 2 months as well: 3 months after the identification, Wed 20 May 2026.
  request.extension_months = 2;
  const Obligation extended = plan_answer(answer, request, herent);
  EXPECT_EQ(Local(extended.due_time), "2026-05-20T15:00:00+02:00");
  EXPECT_EQ(Local(extended.legal_due_time), "2026-05-21T00:00:00+02:00");
  EXPECT_NE(extended.explanation.find("Extended by 2 months (GDPR art. 12(3)): 3 months after "
                                      "identification"),
            std::string::npos)
      << extended.explanation;
  EXPECT_NE(extended.explanation_nl.find("Verlengd met 2 maanden (art. 12, lid 3 AVG): 3 maanden "
                                         "na de identificatie op 2026-02-20 15:00 CET"),
            std::string::npos)
      << extended.explanation_nl;
}

TEST(PlannerTest, RefusalNoticeIsDueOneMonthAfterTheReceiptWhateverMovedTheAnswer) {
  // Verifies GDPR art. 12(4): the duty to tell the subject why a request is refused and of the
  // right to complain is due one month after the receipt of the request, whether the answer it
  // replaces was extended or counted from the identification; the answer rule names the art.
  // 12(5) refusal grounds.
  //
  // Before: the notice took the answer's deadline, 2 months late after an extension by 2.
  Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");
  Request request;
  request.id = 7;
  request.receive_time = At("2026-01-05T10:00:00+01:00");
  Obligation answer =
      plan_obligations({Trigger::kRequest, request.receive_time, RequestKind::kAccess}, herent,
                       {herent, kortenberg})[1];
  answer.request_id = 7;
  request.extension_months = 2;
  answer = plan_answer(answer, request, herent);
  ASSERT_EQ(Local(answer.due_time), "2026-04-05T10:00:00+02:00");

  const Obligation notice = plan_refusal_notice(request, herent);
  EXPECT_EQ(notice.rule, "gdpr.art12_refusal_notice");
  EXPECT_EQ(notice.legal_basis, "GDPR art. 12(4)");
  EXPECT_EQ(notice.request_id, 7);
  EXPECT_EQ(notice.owner_party, "herent");
  EXPECT_EQ(notice.recipient_kind, RecipientKind::kDataSubject);
  EXPECT_EQ(notice.start_time, request.receive_time);
  EXPECT_EQ(Local(notice.due_time), "2026-02-05T10:00:00+01:00");
  // Reg. 1182/71 art. 3(2)(c): the end of Thu 5 Feb.
  EXPECT_EQ(Local(notice.legal_due_time), "2026-02-06T00:00:00+01:00");
  EXPECT_EQ(notice.explanation.rfind("GDPR art. 12(4): within one month of the receipt, whatever "
                                     "moved the answer. 1 month after receipt at 2026-01-05 "
                                     "10:00 CET: due 2026-02-05 10:00 CET.",
                                     0),
            0u)
      << notice.explanation;

  // Counted from an identification that came later, the answer moves; the notice does not.
  herent.answer_from_identification = true;
  request.extension_months = 0;
  request.identification_asked_time = At("2026-01-06T09:00:00+01:00");
  request.identification_time = At("2026-01-20T09:00:00+01:00");
  answer = plan_answer(answer, request, herent);
  ASSERT_EQ(Local(answer.due_time), "2026-02-20T09:00:00+01:00");
  const Obligation identified = plan_refusal_notice(request, herent);
  EXPECT_EQ(Local(identified.due_time), "2026-02-05T10:00:00+01:00");
  EXPECT_EQ(Local(identified.legal_due_time), "2026-02-06T00:00:00+01:00");

  const Rule& rule = *find_rule("gdpr.art12_response");
  for (const char* code : {"unfounded", "excessive", "unidentified"}) {
    EXPECT_NE(find_refusal_ground(rule, code), nullptr) << code;
  }
  EXPECT_EQ(find_refusal_ground(rule, "busy"), nullptr);
  EXPECT_EQ(find_refusal_ground(*find_rule("gdpr.art33_authority"), "unfounded"), nullptr);
  // A refusal is not a plain waiver: waiving the answer takes no ground.
  EXPECT_TRUE(rule.waiver_grounds.empty());
}

TEST(PlannerTest, DataQualityFindingNotifiesThenTracksMeasures) {
  // Verifies protocol art. 12: a finding obliges a notice mail to each other party (24 h policy
  // target) and the measures with the other party informed (14 days), neither owed to itself.
  const Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");
  const Instant found = At("2026-03-27T14:20:00+01:00");
  const std::vector<Obligation> planned =
      plan_obligations({Trigger::kDataQuality, found, std::nullopt}, herent, {herent, kortenberg});
  EXPECT_EQ(RulesOf(planned), (std::vector<std::string>{"protocol.quality_notice->kortenberg",
                                                        "protocol.quality_measures->kortenberg"}));
  EXPECT_EQ(planned[0].due_time, found + hours{24});
  EXPECT_EQ(planned[1].due_time, found + hours{14 * 24});
  EXPECT_TRUE(find_rule("protocol.quality_notice")->notice_mail);
  EXPECT_FALSE(find_rule("protocol.quality_measures")->notice_mail);
  for (const Obligation& o : planned) {
    EXPECT_EQ(o.owner_party, "herent");
    EXPECT_EQ(o.legal_due_time, o.due_time);
    EXPECT_EQ(o.explanation.rfind("Policy target: ", 0), 0u) << o.explanation;
  }
}

TEST(PlannerTest, ChangesInLawAndProcessorsHaveTheSameShape) {
  // Verifies protocol art. 15: a change in law and a change of processors each plan a notice
  // with a mail and the measures, towards every other party.
  const Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");
  const Party leuven = MakeParty("leuven");
  const Instant at = At("2026-06-01T09:00:00+02:00");
  EXPECT_EQ(RulesOf(plan_obligations({Trigger::kLawChange, at, std::nullopt}, kortenberg,
                                     {herent, kortenberg, leuven})),
            (std::vector<std::string>{
                "protocol.law_change_notice->herent", "protocol.law_change_notice->leuven",
                "protocol.law_change_measures->herent", "protocol.law_change_measures->leuven"}));
  EXPECT_EQ(RulesOf(plan_obligations({Trigger::kProcessorChange, at, std::nullopt}, herent,
                                     {herent, kortenberg})),
            (std::vector<std::string>{"protocol.processor_change_notice->kortenberg",
                                      "protocol.processor_change_measures->kortenberg"}));
}

TEST(PlannerTest, StaffDepartureObligesEveryPartyToErase) {
  // Verifies protocol art. 9: a departure obliges every party, the reporting one included, to
  // erase the shared data (30 days by default); each obligation is owned by the party that
  // erases and counted in its own zone.
  const Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");
  const Instant left = At("2026-03-27T14:20:00+01:00");
  const std::vector<Obligation> planned = plan_obligations(
      {Trigger::kStaffDeparture, left, std::nullopt}, kortenberg, {herent, kortenberg});
  ASSERT_EQ(planned.size(), 2u);
  EXPECT_EQ(planned[0].owner_party, "herent");
  EXPECT_EQ(planned[0].recipient_party, "herent");
  EXPECT_EQ(planned[1].owner_party, "kortenberg");
  EXPECT_EQ(planned[1].recipient_party, "kortenberg");
  for (const Obligation& o : planned) {
    EXPECT_EQ(o.rule, "protocol.departure_erasure");
    EXPECT_EQ(o.legal_basis, "Protocol art. 9");
    EXPECT_EQ(o.due_time, left + hours{30 * 24});
  }
  const PolicyTargets targets{{"protocol.departure_erasure", Period::hours(48)}};
  EXPECT_EQ(plan_obligations({Trigger::kStaffDeparture, left, std::nullopt}, herent,
                             {herent, kortenberg}, targets)[1]
                .due_time,
            left + hours{48});
}

TEST(PlannerTest, TerminationFallsDueWhenItTakesEffect) {
  // Verifies protocol art. 10 and 18: both parties owe the end of the exchange on the day the
  // termination takes effect (domain/termination), explained; month reminders apply.
  const Party herent = MakeParty("herent");
  const Party kortenberg = MakeParty("kortenberg");
  const Instant notice = At("2026-01-31T23:30:00+01:00");
  const std::vector<Obligation> art18 = plan_obligations(
      {Trigger::kTerminationNotice, notice, std::nullopt}, herent, {herent, kortenberg});
  EXPECT_EQ(RulesOf(art18), (std::vector<std::string>{"protocol.termination_art18->herent",
                                                      "protocol.termination_art18->kortenberg"}));
  for (const Obligation& o : art18) {
    EXPECT_EQ(Local(o.due_time), "2026-05-01T00:00:00+02:00");
    EXPECT_EQ(o.legal_due_time, o.due_time);
    EXPECT_EQ(o.start_time, notice);
    EXPECT_EQ(o.explanation.rfind("Protocol art. 18: the notice of three months", 0), 0u)
        << o.explanation;
    EXPECT_NE(o.explanation.find("does not move"), std::string::npos) << o.explanation;
  }
  const std::vector<Obligation> art10 = plan_obligations(
      {Trigger::kTerminationBreach, notice, std::nullopt}, kortenberg, {herent, kortenberg});
  ASSERT_EQ(art10.size(), 2u);
  EXPECT_EQ(Local(art10[0].due_time), "2026-02-01T00:00:00+01:00");
  EXPECT_EQ(find_rule("protocol.termination_art10")->period.unit, Period::Unit::kMonths);
  EXPECT_FALSE(find_rule("protocol.termination_art10")->policy_target);
}

}  // namespace
}  // namespace termijn::domain
