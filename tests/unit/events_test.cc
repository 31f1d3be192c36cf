// The event model of the stream and webhooks: types, filters, record names, what a notified
// party receives.
#include "server/domain/events.h"

#include <gtest/gtest.h>

namespace termijn::domain {
namespace {

AuditRecord fired(const std::string& step) {
  AuditRecord r;
  r.action = "escalation.fired";
  r.details = R"({"step":")" + step + R"(","repetition":0,"fire_time":"2026-11-30T10:00:00Z"})";
  return r;
}

// A fired step before the due time is a reminder; at the due time and after it, the
// obligation is overdue; other actions keep their names.
TEST(EventType, EscalationStepsAreRemindersOrOverdue) {
  EXPECT_EQ(event_type(fired("50%")), "reminder.sent");
  EXPECT_EQ(event_type(fired("-2h")), "reminder.sent");
  EXPECT_EQ(event_type(fired("-14d")), "reminder.sent");
  EXPECT_EQ(event_type(fired("0")), "obligation.overdue");
  EXPECT_EQ(event_type(fired("+12h every 12h")), "obligation.overdue");
  AuditRecord skipped = fired("80%");
  skipped.action = "escalation.skipped";
  EXPECT_EQ(event_type(skipped), "reminder.skipped");
  AuditRecord reported;
  reported.action = "incident.reported";
  EXPECT_EQ(event_type(reported), "incident.reported");
}

// Types match exactly or by a prefix ending in a dot; a subject matches its own events and
// those of what belongs to it.
TEST(EventFilter, MatchesTypesPrefixesAndSubjects) {
  StreamEvent e;
  e.type = "obligation.fulfilled";
  e.subject = "obligations/3";
  e.related = "incidents/4";
  EXPECT_TRUE(matches({}, e));
  EXPECT_TRUE(matches({{"obligation."}, ""}, e));
  EXPECT_TRUE(matches({{"incident.reported", "obligation.fulfilled"}, ""}, e));
  EXPECT_FALSE(matches({{"obligation"}, ""}, e));  // not a prefix without its dot
  EXPECT_FALSE(matches({{"obligation.created"}, ""}, e));
  EXPECT_TRUE(matches({{}, "incidents/4"}, e));
  EXPECT_TRUE(matches({{}, "obligations/3"}, e));
  EXPECT_FALSE(matches({{}, "incidents/40"}, e));
}

// Filters name the field that is wrong.
TEST(EventFilter, ErrorsNameTheField) {
  EXPECT_EQ(filter_error({{"incident."}, "incidents/4"}), "");
  EXPECT_NE(filter_error({{""}, ""}).find("filter.types"), std::string::npos);
  EXPECT_NE(filter_error({{}, "incidents"}).find("filter.subject"), std::string::npos);
  EXPECT_NE(filter_error({{}, "incidents/0"}).find("filter.subject"), std::string::npos);
  EXPECT_NE(filter_error({{}, "incidents/4x"}).find("filter.subject"), std::string::npos);
  // Bounded, and a long value is measured, not echoed. Before: any number of types of any
  // length were taken, and a megabyte subject came back in the error.
  EXPECT_EQ(filter_error({std::vector<std::string>(65, "incident."), ""}),
            "filter.types: at most 64 types, not 65");
  EXPECT_EQ(filter_error({{std::string(65, 'x')}, ""}),
            "filter.types: a type of 65 bytes; no type is longer than 64");
  EXPECT_EQ(filter_error({{}, std::string(1 << 20, 'x')}),
            "filter.subject: a value of 1048576 bytes is not a record name such as incidents/4 "
            "or requests/2");
}

TEST(RecordName, SplitsCollectionAndId) {
  EXPECT_EQ(record_name("incidents/4").collection, "incidents");
  EXPECT_EQ(record_name("incidents/4").id, 4);
  EXPECT_EQ(record_name("audit").id, 0);
  EXPECT_EQ(record_name("/4").id, 0);
  EXPECT_EQ(record_name("notifications/-1").id, 0);
}

// A notified party learns that the incident was reported (by whom: the notice says so) and how
// its notice went, without details; not the owner's own case.
TEST(NotifiedView, WithholdsDetailsAndTheOwnersCase) {
  StreamEvent reported{1,
                       "incident.reported",
                       {},
                       "herent",
                       "incidents/1",
                       "",
                       "herent-dpo",
                       R"({"title":"x"})",
                       "incident.reported"};
  EXPECT_TRUE(notified_party_sees(reported));
  const StreamEvent seen = notified_view(reported);
  EXPECT_EQ(seen.details, "{}");
  EXPECT_EQ(seen.principal, "herent-dpo");
  StreamEvent fulfilled = reported;
  fulfilled.type = "obligation.fulfilled";
  EXPECT_TRUE(notified_party_sees(fulfilled));
  EXPECT_EQ(notified_view(fulfilled).principal, "");
  // A notice obligation waived (the other party told by phone, say) is as much the notified
  // party's business as one met: the README's list says so, and its obligation reads "waived".
  // Before: the stream (and termijn-rt's ticket) never heard of it.
  StreamEvent waived = reported;
  waived.type = "obligation.waived";
  EXPECT_TRUE(notified_party_sees(waived));
  EXPECT_EQ(notified_view(waived).details, "{}") << "the waiver's reason is the owner's";
  for (const char* owners : {"incident.closed", "request.extended", "obligation.overdue",
                             "reminder.sent", "notification.failed", "obligation.moved"}) {
    StreamEvent e = reported;
    e.type = owners;
    EXPECT_FALSE(notified_party_sees(e)) << owners;
  }
}

}  // namespace
}  // namespace termijn::domain
