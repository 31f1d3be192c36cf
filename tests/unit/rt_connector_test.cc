// The RT connector's core (server/connectors/rt/connector.h) against an RT and a termijnd in
// memory: tickets, comments, Due, crashes and RT outages. The real RT is in tests/rt.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/match.h"
#include "server/connectors/rt/config.h"
#include "server/connectors/rt/connector.h"

namespace termijn::rt {
namespace {

struct FakeTicket {
  std::string subject, record, status = "new";
  bool committing = false;  // made, but not yet seen by a search
  std::optional<absl::Time> due;
  std::vector<std::string> comments;  // subjects
};

// Tickets in a map; `down` makes every call UNAVAILABLE, `fail_after_calls` lets that many
// calls through first.
class FakeRtClient final : public RtClient {
 public:
  std::map<int64_t, FakeTicket> tickets;
  bool down = false;
  bool queue_ok = true;
  bool due_down = false;         // only setting Due fails
  bool resolve_refused = false;  // RT answers but does not resolve (an open dependency)
  // The next create times out, while RT goes on to commit the ticket after the next search.
  bool create_times_out = false;
  bool create_refused = false;  // the next create is refused outright
  int creates = 0;
  std::function<void()> on_create;  // called as a create is sent

  absl::Status check_queue() override {
    if (down) return unavailable();
    return queue_ok ? absl::OkStatus() : absl::FailedPreconditionError("no record field");
  }
  absl::StatusOr<int64_t> find_ticket(const std::string& record) override {
    if (down) return unavailable();
    for (auto& [id, t] : tickets) {
      if (t.record != record) continue;
      if (t.committing) {
        t.committing = false;  // seen by the search after this one
        continue;
      }
      return id;
    }
    return 0;
  }
  absl::StatusOr<bool> may_link(int64_t id, const std::string& record) override {
    if (down) return unavailable();
    const auto it = tickets.find(id);
    return it != tickets.end() && (it->second.record.empty() || it->second.record == record);
  }
  absl::StatusOr<int64_t> create_ticket(const NewTicket& n) override {
    if (on_create) on_create();
    if (down) return unavailable();
    ++creates;
    if (create_refused) {
      create_refused = false;
      return absl::InvalidArgumentError("RT refused the ticket: Could not create ticket");
    }
    const int64_t id = tickets.empty() ? 1 : tickets.rbegin()->first + 1;
    tickets[id] = {.subject = n.subject, .record = n.record, .due = n.due};
    if (create_times_out) {
      create_times_out = false;
      tickets[id].committing = true;
      return absl::UnavailableError("Operation timed out after 30000 milliseconds");
    }
    return id;
  }
  absl::Status set_record(int64_t id, const std::string& record) override {
    if (down) return unavailable();
    if (!record_field_applies_not.count(id)) tickets.at(id).record = record;
    return absl::OkStatus();  // as RT: 200 also when the field was not taken
  }
  std::set<int64_t> record_field_applies_not;
  absl::Status set_due(int64_t id, std::optional<absl::Time> due) override {
    if (down || due_down) return unavailable();
    tickets.at(id).due = due;
    return absl::OkStatus();
  }
  absl::Status comment(int64_t id, const std::string& subject, const std::string&) override {
    if (down) return unavailable();
    tickets.at(id).comments.push_back(subject);
    return absl::OkStatus();
  }
  absl::StatusOr<bool> has_comment(int64_t id, const std::string& prefix) override {
    if (down) return unavailable();
    for (const auto& c : tickets.at(id).comments) {
      if (absl::StartsWith(c, prefix)) return true;
    }
    return false;
  }
  absl::Status resolve(int64_t id) override {
    if (down) return unavailable();
    if (resolve_refused) {
      return absl::FailedPreconditionError(
          "RT did not resolve ticket 1: That ticket has "
          "unresolved dependencies");
    }
    tickets.at(id).status = "resolved";
    return absl::OkStatus();
  }

 private:
  static absl::Status unavailable() { return absl::UnavailableError("RT is down"); }
};

class FakeTermijnReader final : public TermijnReader {
 public:
  std::map<std::string, RecordView> records;
  absl::StatusOr<RecordView> record(const std::string& name) override {
    const auto it = records.find(name);
    if (it == records.end()) return absl::NotFoundError(name);
    return it->second;
  }
  absl::StatusOr<ObligationView> obligation(const std::string& name) override {
    for (const auto& [_, r] : records) {
      for (const auto& o : r.obligations) {
        if (o.name == name) return o;
      }
    }
    return absl::NotFoundError(name);
  }
};

const absl::Time kT0 = absl::FromUnixSeconds(1800000000);

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

class RtConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rt_connector_test." + std::to_string(::getpid()) + "." +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    file_ = std::make_unique<StateFile>((dir_ / "state").string());
    RecordView incident{.name = "incidents/4", .party = "herent", .title = "Lost laptop"};
    incident.obligations = {{.name = "obligations/1",
                             .subject = "incidents/4",
                             .rule = "protocol.breach_notice",
                             .state = "open",
                             .due = kT0 + absl::Hours(36),
                             .open = true},
                            {.name = "obligations/2",
                             .subject = "incidents/4",
                             .rule = "gdpr.art33_authority",
                             .state = "open",
                             .due = kT0 + absl::Hours(72),
                             .open = true}};
    termijn_.records["incidents/4"] = incident;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A connector as after a (re)start: with the state saved so far.
  std::unique_ptr<RtConnector> start(ConnectorOptions options = {}) {
    auto state = file_->load();
    EXPECT_TRUE(state.ok()) << state.status();
    return std::make_unique<RtConnector>(rt_, termijn_, *file_, *state, options);
  }

  static Event event(int64_t seq, std::string type, std::string subject, std::string related = "") {
    return {.seq = seq,
            .type = std::move(type),
            .time = kT0,
            .subject = std::move(subject),
            .related = std::move(related)};
  }

  void fulfil(const std::string& obligation) {
    for (auto& o : termijn_.records["incidents/4"].obligations) {
      if (o.name == obligation) {
        o.open = false;
        o.state = "met";
      }
    }
  }

  std::filesystem::path dir_;
  std::unique_ptr<StateFile> file_;
  FakeRtClient rt_;
  FakeTermijnReader termijn_;
};

// A reported incident gets one ticket, Due at its earliest open obligation, and no comment.
TEST_F(RtConnectorTest, ReportedIncidentGetsATicketDueAtItsEarliestObligation) {
  auto connector = start();
  ASSERT_TRUE(connector->apply(event(1, "incident.reported", "incidents/4")).ok());
  ASSERT_EQ(rt_.tickets.size(), 1u);
  const FakeTicket& t = rt_.tickets.at(1);
  EXPECT_EQ(t.record, "incidents/4");
  EXPECT_EQ(t.due, kT0 + absl::Hours(36));
  EXPECT_TRUE(t.comments.empty());
  EXPECT_EQ(connector->position(), 1);
}

// Fulfilling an obligation comments on the ticket and moves Due to the next open one; closing
// resolves; with nothing open, Due is cleared.
TEST_F(RtConnectorTest, ObligationChangesCommentAndMoveDueAndClosingResolves) {
  auto connector = start();
  ASSERT_TRUE(connector->apply(event(1, "incident.reported", "incidents/4")).ok());
  fulfil("obligations/1");
  ASSERT_TRUE(
      connector->apply(event(2, "obligation.fulfilled", "obligations/1", "incidents/4")).ok());
  EXPECT_EQ(rt_.tickets.at(1).due, kT0 + absl::Hours(72));
  ASSERT_EQ(rt_.tickets.at(1).comments.size(), 1u);
  EXPECT_EQ(rt_.tickets.at(1).comments[0],
            "[termijn event 2] Deadline met: protocol.breach_notice");
  fulfil("obligations/2");
  ASSERT_TRUE(connector->apply(event(3, "incident.closed", "incidents/4")).ok());
  EXPECT_EQ(rt_.tickets.at(1).status, "resolved");
  EXPECT_EQ(rt_.tickets.at(1).due, std::nullopt);
  EXPECT_EQ(rt_.tickets.at(1).comments.size(), 2u);
}

// RT takes longer than the timeout to make a ticket: the create gets no answer, and a search
// right after does not see the ticket yet. The retry looks for it (for RT's timeout) instead of
// making a second one. Before: the retry a second later made a second ticket.
TEST_F(RtConnectorTest, ACreateThatGotNoAnswerIsLookedForNotMadeAgain) {
  absl::Time now = kT0;
  auto connector = start({.create_in_doubt = absl::Seconds(30), .now = [&] { return now; }});
  rt_.create_times_out = true;
  EXPECT_EQ(connector->apply(event(1, "incident.reported", "incidents/4")).code(),
            absl::StatusCode::kUnavailable);
  now += absl::Seconds(1);
  EXPECT_EQ(connector->apply(event(1, "incident.reported", "incidents/4")).code(),
            absl::StatusCode::kUnavailable)
      << "still in doubt";
  now += absl::Seconds(30);
  ASSERT_TRUE(connector->apply(event(1, "incident.reported", "incidents/4")).ok());
  EXPECT_EQ(rt_.creates, 1);
  EXPECT_EQ(rt_.tickets.size(), 1u);
  EXPECT_EQ(connector->position(), 1);
}

// The connector restarts (a crash, an operator) while a create is in doubt: the new process
// still looks for the ticket instead of making a second one. Before: the doubt was kept in
// memory only, and the restarted connector made a second ticket at once.
TEST_F(RtConnectorTest, ACreateInDoubtIsStillLookedForAfterARestart) {
  absl::Time now = kT0;
  const ConnectorOptions options{.create_in_doubt = absl::Seconds(30), .now = [&] { return now; }};
  rt_.create_times_out = true;
  EXPECT_EQ(start(options)->apply(event(1, "incident.reported", "incidents/4")).code(),
            absl::StatusCode::kUnavailable);
  now += absl::Seconds(1);
  auto restarted = start(options);
  EXPECT_EQ(restarted->apply(event(1, "incident.reported", "incidents/4")).code(),
            absl::StatusCode::kUnavailable)
      << "still in doubt after the restart";
  EXPECT_EQ(rt_.creates, 1);
  now += absl::Seconds(30);
  ASSERT_TRUE(restarted->apply(event(1, "incident.reported", "incidents/4")).ok());
  EXPECT_EQ(rt_.creates, 1);
  EXPECT_EQ(rt_.tickets.size(), 1u);
  EXPECT_TRUE(restarted->state().creating.empty()) << "no doubt left once the ticket is known";
}

// The process is killed while its create is on the way: the doubt is on disk before the request
// leaves, so the next process looks for the ticket (for the create's timeout and RT's) first.
TEST_F(RtConnectorTest, ACreateIsInDoubtOnDiskBeforeItIsSent) {
  absl::Time now = kT0;
  const ConnectorOptions options{.create_in_doubt = absl::Seconds(30), .now = [&] { return now; }};
  std::optional<ConnectorState> on_disk;
  rt_.on_create = [&] { on_disk = *file_->load(); };
  ASSERT_TRUE(start(options)->apply(event(1, "incident.reported", "incidents/4")).ok());
  ASSERT_TRUE(on_disk);
  ASSERT_EQ(on_disk->creating.count("incidents/4"), 1u);
  EXPECT_EQ(on_disk->creating.at("incidents/4"), kT0 + absl::Seconds(60));
  EXPECT_TRUE(file_->load()->creating.empty()) << "the doubt ends with the answer";

  // Killed mid-request: the state as it was while the create was on the way.
  rt_.tickets.clear();
  ASSERT_TRUE(file_->save(*on_disk).ok());
  now += absl::Seconds(59);
  EXPECT_EQ(start(options)->apply(event(1, "incident.reported", "incidents/4")).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(rt_.creates, 1);
  now += absl::Seconds(1);
  ASSERT_TRUE(start(options)->apply(event(1, "incident.reported", "incidents/4")).ok());
  EXPECT_EQ(rt_.creates, 2) << "RT never made it: made once the doubt is over";
}

// A doubt that is over leaves the state file (its record may never come back: another party's
// now, say), and one that reaches further than a create can (a clock set back) is cut short.
// With none left the file is version 1, which a termijn-rt from before the doubts reads.
TEST_F(RtConnectorTest, DoubtsEndAndLeaveTheStateFile) {
  absl::Time now = kT0;
  const ConnectorOptions options{.create_in_doubt = absl::Seconds(30), .now = [&] { return now; }};
  ConnectorState state;
  state.creating = {{"requests/9", kT0 + absl::Seconds(10)},
                    {"incidents/4", kT0 + absl::Hours(24)}};
  ASSERT_TRUE(file_->save(state).ok());
  EXPECT_EQ(first_line(file_->path()), "termijn-rt state 2");
  auto connector = start(options);
  EXPECT_EQ(connector->apply(event(1, "incident.reported", "incidents/4")).code(),
            absl::StatusCode::kUnavailable);
  now += absl::Seconds(61);
  ASSERT_TRUE(connector->apply(event(1, "incident.reported", "incidents/4")).ok());
  EXPECT_EQ(rt_.creates, 1) << "made a minute after the restart, not a day";
  EXPECT_TRUE(file_->load()->creating.empty());
  EXPECT_EQ(first_line(file_->path()), "termijn-rt state 1");
}

// A create RT refused outright (a 400, say) is not in doubt: the retry creates at once.
TEST_F(RtConnectorTest, ACreateRtRefusedIsNotInDoubt) {
  rt_.create_refused = true;
  auto connector = start();
  EXPECT_EQ(connector->apply(event(1, "incident.reported", "incidents/4")).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(file_->load()->creating.empty());
  ASSERT_TRUE(connector->apply(event(1, "incident.reported", "incidents/4")).ok());
  EXPECT_EQ(rt_.creates, 2);
}

// RT refuses to resolve the ticket (it depends on an open one): the ticket gets a comment saying
// so, and the events after it go on. Before: RT's refusal (HTTP 200) passed for success and the
// ticket stayed open with nothing saying why.
TEST_F(RtConnectorTest, ATicketRtWillNotResolveSaysSoAndTheEventsGoOn) {
  auto connector = start();
  ASSERT_TRUE(connector->apply(event(1, "incident.reported", "incidents/4")).ok());
  fulfil("obligations/1");
  fulfil("obligations/2");
  rt_.resolve_refused = true;
  ASSERT_TRUE(connector->apply(event(2, "incident.closed", "incidents/4")).ok());
  EXPECT_EQ(connector->position(), 2);
  EXPECT_EQ(rt_.tickets.at(1).status, "new");
  ASSERT_EQ(rt_.tickets.at(1).comments.size(), 2u);
  EXPECT_EQ(rt_.tickets.at(1).comments[1], "[termijn event 2] Not resolved by Termijn");
}

// Without the record field in the queue no ticket is made: it could not be found again.
TEST_F(RtConnectorTest, NoTicketWithoutTheRecordField) {
  rt_.queue_ok = false;
  auto connector = start();
  const absl::Status refused = connector->apply(event(1, "incident.reported", "incidents/4"));
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(rt_.creates, 0);
  EXPECT_EQ(connector->position(), 0);
}

// A restart replays from the saved position: events already applied change nothing.
TEST_F(RtConnectorTest, ReplayAfterRestartChangesNothing) {
  auto first = start();
  ASSERT_TRUE(first->apply(event(1, "incident.reported", "incidents/4")).ok());
  ASSERT_TRUE(first->apply(event(2, "obligation.overdue", "obligations/1", "incidents/4")).ok());
  auto second = start();
  EXPECT_EQ(second->position(), 2);
  ASSERT_TRUE(second->apply(event(1, "incident.reported", "incidents/4")).ok());
  ASSERT_TRUE(second->apply(event(2, "obligation.overdue", "obligations/1", "incidents/4")).ok());
  EXPECT_EQ(rt_.creates, 1);
  EXPECT_EQ(rt_.tickets.at(1).comments.size(), 1u);
}

// A crash after RT made the ticket but before the state recorded it: the restart finds the
// ticket by its record field instead of making a second one.
TEST_F(RtConnectorTest, CrashAfterCreateFindsTheTicketInsteadOfMakingAnother) {
  ASSERT_TRUE(file_->save({}).ok());
  auto first = start();
  ASSERT_TRUE(first->apply(event(1, "incident.reported", "incidents/4")).ok());
  ASSERT_TRUE(file_->save({}).ok());  // the state as if the crash came before it was written
  auto second = start();
  ASSERT_TRUE(second->apply(event(1, "incident.reported", "incidents/4")).ok());
  EXPECT_EQ(rt_.creates, 1);
  EXPECT_EQ(second->state().tickets.at("incidents/4"), 1);
}

// A crash after the comment was posted but before the position moved: the replay of that event
// sees its comment in RT and does not post it again.
TEST_F(RtConnectorTest, CrashAfterCommentDoesNotCommentTwice) {
  auto first = start();
  ASSERT_TRUE(first->apply(event(1, "incident.reported", "incidents/4")).ok());
  ASSERT_TRUE(first->apply(event(2, "reminder.sent", "obligations/1", "incidents/4")).ok());
  ConnectorState crashed = first->state();
  crashed.position = 1;  // event 2 pending: posted, not recorded as applied
  ASSERT_TRUE(file_->save(crashed).ok());
  auto second = start();
  ASSERT_TRUE(second->apply(event(2, "reminder.sent", "obligations/1", "incidents/4")).ok());
  EXPECT_EQ(rt_.tickets.at(1).comments.size(), 1u);
  EXPECT_EQ(second->position(), 2);
}

// RT failing in the middle of an event (after the comment, before Due): the retry does not
// comment again.
TEST_F(RtConnectorTest, RtFailingMidEventDoesNotCommentTwice) {
  auto connector = start();
  ASSERT_TRUE(connector->apply(event(1, "incident.reported", "incidents/4")).ok());
  rt_.due_down = true;
  EXPECT_FALSE(connector->apply(event(2, "reminder.sent", "obligations/1", "incidents/4")).ok());
  EXPECT_EQ(connector->position(), 1);
  rt_.due_down = false;
  ASSERT_TRUE(connector->apply(event(2, "reminder.sent", "obligations/1", "incidents/4")).ok());
  EXPECT_EQ(rt_.tickets.at(1).comments.size(), 1u);
}

// While RT is down the event fails UNAVAILABLE and the position stays; once RT is back the same
// event is applied.
TEST_F(RtConnectorTest, RtDownKeepsThePositionUntilTheEventIsApplied) {
  auto connector = start();
  rt_.down = true;
  const absl::Status failed = connector->apply(event(1, "incident.reported", "incidents/4"));
  EXPECT_TRUE(absl::IsUnavailable(failed)) << failed;
  EXPECT_EQ(connector->position(), 0);
  EXPECT_EQ(start()->position(), 0);
  rt_.down = false;
  ASSERT_TRUE(connector->apply(event(1, "incident.reported", "incidents/4")).ok());
  EXPECT_EQ(connector->position(), 1);
  EXPECT_EQ(rt_.creates, 1);
}

// An external_ref naming an existing ticket links that ticket instead of making one; one naming
// no ticket makes a new one.
TEST_F(RtConnectorTest, ExternalRefLinksTheNamedTicket) {
  rt_.tickets[7] = {.subject = "Laptop stolen from car"};
  termijn_.records["incidents/4"].external_ref = "RT-7";
  auto connector = start();
  ASSERT_TRUE(connector->apply(event(1, "incident.reported", "incidents/4")).ok());
  EXPECT_EQ(rt_.creates, 0);
  EXPECT_EQ(rt_.tickets.at(7).record, "incidents/4");
  EXPECT_EQ(rt_.tickets.at(7).due, kT0 + absl::Hours(36));
  termijn_.records["incidents/5"] = {
      .name = "incidents/5", .party = "herent", .external_ref = "RT-99"};
  ASSERT_TRUE(connector->apply(event(2, "incident.reported", "incidents/5")).ok());
  EXPECT_EQ(rt_.creates, 1);
}

// An external_ref naming the ticket of another record does not take it over: the record gets a
// ticket of its own, and the other ticket keeps its record, its Due and its status.
//
// Before: the ticket's record field was overwritten, its Due cleared by a closed request and the
// ticket resolved while the breach it belonged to still had open deadlines.
TEST_F(RtConnectorTest, ExternalRefNamingAnotherRecordsTicketDoesNotTakeItOver) {
  auto connector = start();
  ASSERT_TRUE(connector->apply(event(1, "incident.reported", "incidents/4")).ok());
  ASSERT_EQ(rt_.tickets.at(1).record, "incidents/4");
  termijn_.records["requests/3"] = {.name = "requests/3", .party = "herent", .external_ref = "#1"};
  ASSERT_TRUE(connector->apply(event(2, "request.logged", "requests/3")).ok());
  ASSERT_TRUE(connector->apply(event(3, "request.closed", "requests/3")).ok());
  EXPECT_EQ(rt_.creates, 2);
  EXPECT_EQ(rt_.tickets.at(2).record, "requests/3");
  EXPECT_EQ(rt_.tickets.at(2).status, "resolved");
  const FakeTicket& breach = rt_.tickets.at(1);
  EXPECT_EQ(breach.record, "incidents/4");
  EXPECT_EQ(breach.due, kT0 + absl::Hours(36));
  EXPECT_EQ(breach.status, "new");

  // The same through the state file alone: a ticket this connector linked, whose record field
  // someone emptied in RT, is still not given to a second record.
  rt_.tickets[1].record.clear();
  termijn_.records["incidents/5"] = {
      .name = "incidents/5", .party = "herent", .external_ref = "RT-1"};
  ASSERT_TRUE(connector->apply(event(4, "incident.reported", "incidents/5")).ok());
  EXPECT_EQ(rt_.creates, 3);
  EXPECT_EQ(rt_.tickets.at(3).record, "incidents/5");
  EXPECT_TRUE(rt_.tickets.at(1).record.empty());
}

// A named ticket whose queue lacks the record field is not linked in the state file alone (RT
// says 200 but keeps nothing): the record gets a ticket of its own, which a search finds again.
//
// Before: the link lived in the state file only; with the state lost, a second ticket was made.
TEST_F(RtConnectorTest, ALinkRtDidNotKeepGivesTheRecordATicketOfItsOwn) {
  rt_.tickets[7] = {.subject = "Helpdesk ticket"};
  rt_.record_field_applies_not.insert(7);
  termijn_.records["incidents/4"].external_ref = "RT-7";
  auto connector = start();
  ASSERT_TRUE(connector->apply(event(1, "incident.reported", "incidents/4")).ok());
  EXPECT_EQ(rt_.creates, 1);
  EXPECT_EQ(rt_.tickets.at(8).record, "incidents/4");
  EXPECT_TRUE(rt_.tickets.at(7).record.empty());
  EXPECT_FALSE(rt_.tickets.at(7).due.has_value());
}

// Records of another party, records the principal may not see and unknown event types move the
// position without touching RT.
TEST_F(RtConnectorTest, OtherPartiesAndUnknownEventsAreSkipped) {
  termijn_.records["incidents/9"] = {.name = "incidents/9", .party = "kortenberg"};
  auto connector = start({.party = "herent"});
  ASSERT_TRUE(connector->apply(event(1, "incident.reported", "incidents/9")).ok());
  ASSERT_TRUE(connector->apply(event(2, "incident.reported", "incidents/404")).ok());
  ASSERT_TRUE(connector->apply(event(3, "audit.checkpoint", "checkpoints/1")).ok());
  Event of_kortenberg = event(4, "incident.reported", "incidents/4");
  of_kortenberg.party = "kortenberg";
  ASSERT_TRUE(connector->apply(of_kortenberg).ok());
  EXPECT_TRUE(rt_.tickets.empty());
  EXPECT_EQ(connector->position(), 4);
}

// The spellings of a ticket id in external_ref.
TEST(TicketIdOf, AcceptsRtSpellingsOnly) {
  EXPECT_EQ(ticket_id_of("1234"), 1234);
  EXPECT_EQ(ticket_id_of("RT-1234"), 1234);
  EXPECT_EQ(ticket_id_of("rt#12"), 12);
  EXPECT_EQ(ticket_id_of("#5"), 5);
  EXPECT_EQ(ticket_id_of("JIRA-5"), 0);
  EXPECT_EQ(ticket_id_of("RT-"), 0);
  EXPECT_EQ(ticket_id_of("12a"), 0);
  EXPECT_EQ(ticket_id_of(""), 0);
}

// The state file keeps position, pending event and tickets; a file that is not one is refused.
TEST_F(RtConnectorTest, StateFileRoundTrips) {
  ConnectorState state{.position = 41,
                       .pending = 42,
                       .tickets = {{"incidents/4", 7}, {"requests/2", 8}},
                       .creating = {{"requests/3", kT0}}};
  ASSERT_TRUE(file_->save(state).ok());
  auto loaded = file_->load();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->position, 41);
  EXPECT_EQ(loaded->pending, 42);
  EXPECT_EQ(loaded->tickets, state.tickets);
  EXPECT_EQ(loaded->creating, state.creating);
  EXPECT_EQ(
      std::filesystem::status(file_->path()).permissions() & std::filesystem::perms::others_all,
      std::filesystem::perms::none);
  StateFile other((dir_ / "other").string());
  { std::ofstream(other.path()) << "position 3\n"; }
  EXPECT_FALSE(other.load().ok());
}

// Writes a 0600 token and a termijn-rt.toml naming it into `dir`; returns the file's path.
std::string write_connector_config(const std::filesystem::path& dir, const std::string& rt_url,
                                   const std::string& rt_extra = "") {
  const std::string token = (dir / "token").string();
  { std::ofstream(token) << "1-2-abc\n"; }
  ::chmod(token.c_str(), 0600);
  const std::string path = (dir / "termijn-rt.toml").string();
  std::ofstream(path) << "[termijn]\nca = \"ca.crt\"\ncert = \"c.crt\"\nkey = \"c.key\"\n"
                      << "[rt]\nurl = \"" << rt_url << "\"\nqueue = \"Privacy\"\n"
                      << "token_file = \"" << token << "\"\n"
                      << rt_extra << "[connector]\nstate_file = \"state\"\n";
  return path;
}

// The configuration names a missing key, and refuses a token file others may read.
TEST_F(RtConnectorTest, ConfigNamesWhatIsWrong) {
  const std::string token = (dir_ / "token").string();
  const std::string path = (dir_ / "termijn-rt.toml").string();
  const auto write = [&](const std::string& rt_url) { write_connector_config(dir_, rt_url); };
  write("https://rt.example.org/");
  auto config = load_config(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->rt.token, "1-2-abc");
  EXPECT_EQ(config->rt.record_field, "Termijn record");
  write("rt.example.org");
  EXPECT_EQ(load_config(path).status().message(),
            "rt.url: not an http:// or https:// URL: rt.example.org");
  // The token goes with every call: in clear text only to this machine.
  // Before: any http:// URL was taken.
  write("http://rt.example.org");
  EXPECT_EQ(load_config(path).status().message(),
            "rt.url: must be https:// (http:// only to a loopback address), with no user or "
            "password in it: http://rt.example.org");
  write("http://127.0.0.1:8080");
  EXPECT_TRUE(load_config(path).ok());
  write("https://rt.example.org/");
  ::chmod(token.c_str(), 0644);
  const auto readable = load_config(path);
  EXPECT_EQ(readable.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(readable.status().message()), ::testing::HasSubstr("chmod 600"));
}

// A value of the wrong type or a misspelt key is refused, not replaced by the default or ignored.
TEST_F(RtConnectorTest, ConfigRefusesWrongTypesAndUnknownKeys) {
  std::string path;
  const auto error_with = [&](const std::string& rt_extra) {
    path = write_connector_config(dir_, "https://rt.example.org/", rt_extra);
    return std::string(load_config(path).status().message());
  };
  EXPECT_EQ(error_with(""), "");
  EXPECT_EQ(error_with("timeout_seconds = \"30\"\n"),
            path + ": rt.timeout_seconds must be a whole number, without quotes");
  EXPECT_EQ(error_with("timeout_seconds = 0\n"),
            path + ": rt.timeout_seconds must be between 1 and 600");
  EXPECT_EQ(error_with("time_out_seconds = 30\n"),
            path +
                ": rt.time_out_seconds is not a known key (rt has ca_file, queue, "
                "record_field, timeout_seconds, token_file, url)");
}

}  // namespace
}  // namespace termijn::rt
