// End-to-end: the audit trail records every change, the database protects it, verify catches
// tampering, and two termijnd processes on one database build one chain.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "tests/e2e/harness.h"
#include "tests/support/mime_reader.h"
#include "tests/support/smtp_server.h"

namespace termijn::testing {
namespace {

using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// The actions column of `termijn audit list`, in order.
std::vector<std::string> actions(const Outcome& listing) {
  std::vector<std::string> out;
  const std::regex row(R"(^\d+\s+\S+\s+\S+\s+(\S+))");
  std::istringstream lines(listing.out);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, row)) out.push_back(m[1]);
  }
  return out;
}

class AuditTest : public ::testing::Test {
 protected:
  Termijnd server_;

  void record_some_changes() {
    ASSERT_EQ(server_.cli("herent-dpo", {"incident", "report", "--title", "Stolen laptop"}).exit_code, 0);
    ASSERT_EQ(server_.cli("kortenberg-reporter",
                          {"request", "log", "--kind", "access", "--summary", "Copy of file"})
                  .exit_code,
              0);
    ASSERT_EQ(server_.cli("herent-dpo", {"obligation", "fulfil", "1", "--evidence", "Phoned"})
                  .exit_code,
              0);
    ASSERT_EQ(server_.cli("herent-dpo", {"obligation", "waive", "2", "--reason", "Encrypted"})
                  .exit_code,
              0);
  }

  // Runs `sql` as the cluster's superuser on the server's database, bypassing triggers, once
  // everything recorded so far is chained.
  void tamper(const std::string& sql) {
    ASSERT_EQ(server_.cli("auditor", {"audit", "verify"}).exit_code, 0);
    pqxx::connection c(superuser_url(server_.database().name()));
    pqxx::work tx(c);
    tx.exec("SET LOCAL session_replication_role = replica");
    tx.exec(sql);
    tx.commit();
  }
};

TEST_F(AuditTest, EveryChangeIsAnEventInOrderAndTheChainVerifies) {
  // Reporting, logging, fulfilling and waiving each leave exactly their events, in order.
  record_some_changes();
  const Outcome list = server_.cli("auditor", {"audit", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(actions(list),
              ElementsAre("incident.reported", "obligation.created", "notification.queued",
                          "obligation.created", "obligation.created", "request.logged",
                          "obligation.created", "notification.queued", "obligation.created",
                          "obligation.fulfilled", "obligation.waived"));
  EXPECT_THAT(list.out, HasSubstr("herent-dpo"));
  EXPECT_THAT(list.out, HasSubstr("\"evidence\":\"Phoned\""));
  const Outcome verify = server_.cli("auditor", {"audit", "verify"});
  ASSERT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_TRUE(std::regex_search(
      verify.out, std::regex(R"(^verified 11 events up to 11 \(hash [0-9a-f]{64}\)\n)")))
      << verify.out;
  EXPECT_THAT(verify.out, HasSubstr("no signed checkpoint anchors these events"));
}

TEST_F(AuditTest, IncidentShowListsItsHistory) {
  // `incident show` lists the incident's events and those of its obligations.
  record_some_changes();
  const Outcome show = server_.cli("herent-dpo", {"incident", "show", "1"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("history:"));
  EXPECT_THAT(show.out, HasSubstr("incident.reported"));
  EXPECT_THAT(show.out, HasSubstr("obligation.fulfilled"));
  EXPECT_THAT(show.out, ::testing::Not(HasSubstr("request.logged")));
  const Outcome reporter = server_.cli("herent-reporter", {"incident", "show", "1"});
  EXPECT_EQ(reporter.exit_code, 0) << reporter.err;
  EXPECT_THAT(reporter.out, HasSubstr("the audit trail is for DPOs and auditors"));
}

TEST_F(AuditTest, ShowAndExportCarryTheHashes) {
  // One event shows its hashes; the export has one JSON line per event with both hashes.
  record_some_changes();
  const Outcome show = server_.cli("auditor", {"audit", "show", "1"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("prev_hash: " + std::string(64, '0')));
  const Outcome exported = server_.cli("auditor", {"audit", "export", "--format", "jsonl"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(std::count(exported.out.begin(), exported.out.end(), '\n'), 11);
  EXPECT_THAT(exported.out, HasSubstr("\"prev_hash\":"));
  EXPECT_THAT(exported.out, HasSubstr("\"action\":\"obligation.waived\""));
  EXPECT_EQ(server_.cli("auditor", {"audit", "show", "99"}).exit_code, 3);
  // --file: the same lines, in a file only its owner reads, there once the export is whole; a
  // refused export leaves no file (a redirect would leave a shorter trail that verifies).
  const std::string file = scratch_path("audit.jsonl");
  const Outcome to_file = server_.cli("auditor", {"audit", "export", "--file", file});
  ASSERT_EQ(to_file.exit_code, 0) << to_file.err;
  EXPECT_EQ(to_file.out, "");
  std::ifstream in(file);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), exported.out);
  struct stat st {};
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  const std::string refused_file = scratch_path("refused.jsonl");
  const Outcome refused =
      server_.cli("herent-reporter", {"audit", "export", "--file", refused_file});
  EXPECT_EQ(refused.exit_code, 4) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(refused_file));
  EXPECT_FALSE(std::filesystem::exists(refused_file + ".part"));
}

TEST_F(AuditTest, VerifyFailsAtAnAlteredRow) {
  // A row altered behind the trigger's back fails verification at that row.
  record_some_changes();
  ASSERT_EQ(server_.cli("auditor", {"audit", "verify"}).exit_code, 0);
  tamper("UPDATE audit_event SET details = replace(details, 'Phoned', 'Mailed') WHERE seq = 10");
  const Outcome verify = server_.cli("auditor", {"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 7);
  EXPECT_THAT(verify.err, HasSubstr("does NOT verify at event 10: its content does not match"));
}

TEST_F(AuditTest, VerifyFailsAtADeletedRow) {
  // A deleted row is a gap, reported at the missing sequence number.
  record_some_changes();
  tamper("DELETE FROM audit_event WHERE seq = 4");
  const Outcome verify = server_.cli("auditor", {"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 7);
  EXPECT_THAT(verify.err, HasSubstr("at event 4: event 4 is missing"));
}

TEST_F(AuditTest, VerifyFailsAtReorderedRows) {
  // Swapping two events' contents fails at the first of them.
  record_some_changes();
  tamper(
      "UPDATE audit_event a SET action = b.action, subject = b.subject, details = b.details "
      "FROM audit_event b WHERE (a.seq, b.seq) IN ((2, 3), (3, 2))");
  const Outcome verify = server_.cli("auditor", {"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 7);
  EXPECT_THAT(verify.err, HasSubstr("at event 2"));
}

TEST_F(AuditTest, TheDatabaseRefusesChangesToTheTrail) {
  // The service's role lacks the privileges; even the owner is stopped by the trigger.
  record_some_changes();
  ASSERT_EQ(server_.cli("auditor", {"audit", "verify"}).exit_code, 0);
  for (const char* sql : {"UPDATE audit_event SET action = 'x' WHERE seq = 1",
                          "DELETE FROM audit_event WHERE seq = 1",
                          "TRUNCATE audit_event"}) {
    for (const std::string& url : {server_.database().app_url(), server_.database().url()}) {
      pqxx::connection c(url);
      pqxx::work tx(c);
      EXPECT_THROW(tx.exec(sql), pqxx::insufficient_privilege) << sql << " as " << url;
    }
  }
  EXPECT_EQ(server_.database().scalar("SELECT count(*) FROM audit_event"), "11");
}

// Writes `text` to a fresh file and returns its path.
std::string save(const std::string& name, const std::string& text) {
  static int counter = 0;
  const std::string path = scratch_path(std::to_string(counter++) + "-" + name);
  std::ofstream(path) << text;
  return path;
}

// Rewrites event 10's details and then every hash of the chain (in each event's format), as
// whoever administers the database could: the rewritten trail verifies on its own.
constexpr const char* kRewriteWithRecomputedHashes = R"(
UPDATE audit_event SET details = replace(details, 'Phoned', 'Mailed') WHERE seq = 10;
DO $$
DECLARE
  e record;
  prev bytea := decode(repeat('00', 32), 'hex');
  h bytea;
  l bytea;
BEGIN
  FOR e IN SELECT * FROM audit_event ORDER BY seq LOOP
    IF e.format = 1 THEN
      l := NULL;
      h := sha256(prev || audit_canonical_v1(e.seq, e.time, e.principal, e.party, e.action,
                                             e.subject, e.related, e.details));
    ELSE
      l := sha256(audit_canonical_v2(e.seq, e.time, e.nonce, e.principal, e.party, e.action,
                                     e.subject, e.related, e.details));
      h := sha256(prev || l);
    END IF;
    UPDATE audit_event SET prev_hash = prev, hash = h, leaf = l WHERE seq = e.seq;
    prev := h;
  END LOOP;
END
$$;)";

TEST_F(AuditTest, ACheckpointCatchesARewriteThatRecomputedEveryHash) {
  // A checkpoint signed before the superuser rewrote the trail (recomputing every hash) is no
  // longer extended: `verify --checkpoint` fails naming it, and so does plain verify, which
  // checks the trail against termijnd's latest checkpoint (before, it passed).
  EXPECT_EQ(server_.cli("auditor", {"audit", "checkpoint"}).exit_code, 3);
  record_some_changes();
  const Outcome signed_now = server_.cli("herent-dpo", {"audit", "checkpoint", "--new"});
  ASSERT_EQ(signed_now.exit_code, 0) << signed_now.err;
  EXPECT_THAT(signed_now.out, HasSubstr("termijn-audit-checkpoint 1\nseq 11\nhash "));
  const Outcome latest = server_.cli("kortenberg-dpo", {"audit", "checkpoint"});
  ASSERT_EQ(latest.exit_code, 0) << latest.err;
  EXPECT_EQ(latest.out, signed_now.out);
  const std::string held = save("checkpoint-11.txt", signed_now.out);
  ASSERT_EQ(server_.cli("herent-dpo", {"incident", "report", "--title", "Later"}).exit_code, 0);

  const Outcome extends = server_.cli("auditor", {"audit", "verify", "--checkpoint", held});
  ASSERT_EQ(extends.exit_code, 0) << extends.err;
  // Beyond the 11: the checkpoint's two mails queued (and perhaps sent), the later report's 5.
  EXPECT_TRUE(std::regex_search(extends.out, std::regex(R"(verified (1[89]|20) events up to \1)")))
      << extends.out;
  EXPECT_THAT(extends.out, HasSubstr("extends checkpoint " + held + " (seq 11"));
  EXPECT_THAT(extends.out, HasSubstr("events up to 11 are anchored by checkpoint " + held));
  EXPECT_THAT(extends.out, HasSubstr("the key is the one the checkpoint files name"));
  const Outcome anchored = server_.cli("auditor", {"audit", "verify"});
  ASSERT_EQ(anchored.exit_code, 0) << anchored.err;
  EXPECT_THAT(anchored.out,
              HasSubstr("events up to 11 are anchored by termijnd's latest signed checkpoint"));

  tamper(kRewriteWithRecomputedHashes);
  const Outcome plain = server_.cli("auditor", {"audit", "verify"});
  EXPECT_EQ(plain.exit_code, 7) << plain.out;
  EXPECT_THAT(plain.err, HasSubstr("audit trail does NOT verify at event 11: its hash is not the "
                                   "one the signed checkpoint of"));
  const Outcome caught = server_.cli("auditor", {"audit", "verify", "--checkpoint", held});
  EXPECT_EQ(caught.exit_code, 7);
  EXPECT_THAT(caught.err, HasSubstr("audit trail does NOT extend checkpoint " + held + " (seq 11"));
  EXPECT_THAT(caught.err, HasSubstr("the trail was rewritten"));
}

TEST_F(AuditTest, VerifyNamesTheFirstCheckpointATruncatedTrailNoLongerExtends) {
  // Of two held checkpoints, the later one fails once events after the earlier are deleted.
  record_some_changes();
  const Outcome first = server_.cli("herent-dpo", {"audit", "checkpoint", "--new"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(server_.cli("herent-dpo", {"incident", "report", "--title", "Later"}).exit_code, 0);
  const Outcome second = server_.cli("herent-dpo", {"audit", "checkpoint", "--new"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const std::string early = save("early.txt", first.out), late = save("late.txt", second.out);
  // The checkpoints' mails are out (and audited) before the cut, so nothing is chained after it.
  ASSERT_TRUE(poll_until([&] {
    return server_.database().scalar(
               "SELECT count(*) FROM notification WHERE kind = 'checkpoint' AND state = 'sent'") ==
           "4";
  }));
  tamper("DELETE FROM audit_event WHERE seq > 11");
  const Outcome caught =
      server_.cli("auditor", {"audit", "verify", "--checkpoint", late, "--checkpoint", early});
  EXPECT_EQ(caught.exit_code, 7);
  std::smatch late_seq;
  ASSERT_TRUE(std::regex_search(second.out, late_seq, std::regex(R"(\nseq (\d+)\n)")));
  EXPECT_GT(std::stoi(late_seq[1]), 11);
  EXPECT_THAT(caught.err,
              HasSubstr("does NOT extend checkpoint " + late + " (seq " + late_seq[1].str()));
  EXPECT_THAT(caught.err, HasSubstr("the trail ends at event 11"));
}

TEST_F(AuditTest, AnAlteredOrForeignCheckpointIsRefused) {
  // A checkpoint edited after signing fails its signature; one from another key fails
  // --public-key (which may be given once for each of termijnd's keys); a file that is no
  // checkpoint is bad input.
  record_some_changes();
  const Outcome signed_now = server_.cli("herent-dpo", {"audit", "checkpoint", "--new"});
  ASSERT_EQ(signed_now.exit_code, 0) << signed_now.err;
  std::string altered = signed_now.out;
  altered.replace(altered.find("seq 11"), 6, "seq 12");
  const Outcome refused =
      server_.cli("auditor", {"audit", "verify", "--checkpoint", save("altered.txt", altered)});
  EXPECT_EQ(refused.exit_code, 7);
  EXPECT_THAT(refused.err, HasSubstr("its signature does not verify"));
  const Outcome foreign =
      server_.cli("auditor", {"audit", "verify", "--checkpoint", save("ok.txt", signed_now.out),
                              "--public-key", std::string(64, '0')});
  EXPECT_EQ(foreign.exit_code, 7);
  EXPECT_THAT(foreign.err, HasSubstr("not by a --public-key"));
  // After a key change a DPO names each of termijnd's keys: a file signed by any of them counts.
  const size_t at = signed_now.out.find("public-key ") + 11;
  const std::string key = signed_now.out.substr(at, 64);
  const Outcome either = server_.cli(
      "auditor", {"audit", "verify", "--checkpoint", save("ok.txt", signed_now.out),
                  "--public-key", std::string(64, '0'), "--public-key", key});
  EXPECT_EQ(either.exit_code, 0) << either.err;
  // A key pasted in capitals is the same key; a mistyped one is bad input (exit 2), not a
  // checkpoint signed by someone else (exit 7, which says tampering).
  std::string upper = key;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  const Outcome capitals = server_.cli(
      "auditor",
      {"audit", "verify", "--checkpoint", save("ok.txt", signed_now.out), "--public-key", upper});
  EXPECT_EQ(capitals.exit_code, 0) << capitals.err;
  const Outcome typo =
      server_.cli("auditor", {"audit", "verify", "--checkpoint", save("ok.txt", signed_now.out),
                              "--public-key", key.substr(1)});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.err, HasSubstr("--public-key: '" + key.substr(1, 20)));
  EXPECT_THAT(typo.err, HasSubstr("' is not an Ed25519 public key (64 hex digits)"));
  // Without a checkpoint there is no signature to check: the key would be ignored, and the
  // verification would seem to have pinned it.
  const Outcome unused = server_.cli("auditor", {"audit", "verify", "--public-key", key});
  EXPECT_EQ(unused.exit_code, 2);
  EXPECT_THAT(unused.err, HasSubstr("--public-key: checks the signatures of --checkpoint files"));
  EXPECT_EQ(unused.out, "");
  const Outcome garbage =
      server_.cli("auditor", {"audit", "verify", "--checkpoint", save("no.txt", "hello\n")});
  EXPECT_EQ(garbage.exit_code, 2);
  EXPECT_THAT(garbage.err, HasSubstr("not a checkpoint"));
}

// The checkpoint mails in `dir` (.eml files), once `count` of them are there.
std::vector<MimeEntity> checkpoint_mails(const std::string& dir, size_t count) {
  std::vector<MimeEntity> mails;
  poll_until([&] {
    mails.clear();
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->path().extension() != ".eml") continue;
      MimeEntity m = ParseEntity(ReadFile(it->path().string()));
      if (DecodeWords(m.Header("Subject")).find("controlepunt") != std::string::npos) {
        mails.push_back(std::move(m));
      }
    }
    return mails.size() >= count;
  });
  return mails;
}

TEST_F(AuditTest, EachDpoIsMailedTheCheckpointAndItsAttachmentCatchesARewrite) {
  // A checkpoint made on request is mailed to the DPO of every party (Dutch, as configured),
  // attached as the very file `verify --checkpoint` reads; after the superuser rewrites the
  // trail recomputing every hash, verification against each mailed file fails naming it.
  record_some_changes();
  const Outcome signed_now = server_.cli("kortenberg-dpo", {"audit", "checkpoint", "--new"});
  ASSERT_EQ(signed_now.exit_code, 0) << signed_now.err;
  const std::vector<MimeEntity> mails = checkpoint_mails(server_.mail_dir(), 2);
  ASSERT_EQ(mails.size(), 2u);
  std::set<std::string> to;
  std::vector<std::string> held;
  for (const MimeEntity& mail : mails) {
    to.insert(mail.Header("To"));
    EXPECT_THAT(DecodeWords(mail.Header("Subject")), HasSubstr("Auditcontrolepunt 11"));
    const std::vector<MimeEntity> parts = Parts(mail);
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_THAT(DecodedBody(parts[0]),
                AllOf(HasSubstr("termijn audit verify --checkpoint termijn-checkpoint-11.txt"),
                      HasSubstr("ook niet wie de databank beheert")));
    EXPECT_EQ(parts[1].Param("Content-Disposition", "filename"), "termijn-checkpoint-11.txt");
    const std::string file = DecodedBody(parts[1]);
    EXPECT_EQ(file, signed_now.out);
    held.push_back(save("mailed-checkpoint-11.txt", file));
  }
  EXPECT_THAT(to, ElementsAre(HasSubstr("<dpo@herent.example>"),
                              HasSubstr("<dpo@kortenberg.example>")));
  EXPECT_THAT(mails[0].Header("Cc") + mails[1].Header("Cc"),
              HasSubstr("dpo-deputy@herent.example"));
  // The outbox audits the mails as it does any other: queued and sent, for each DPO.
  ASSERT_TRUE(poll_until([&] {
    return server_.database().scalar(
               "SELECT count(*) FROM notification WHERE kind = 'checkpoint' AND state = 'sent' "
               "AND audit_checkpoint_id IS NOT NULL AND obligation_id IS NULL") == "2";
  }));
  const Outcome trail = server_.cli("auditor", {"audit", "list", "--subject", "auditCheckpoints/1"});
  EXPECT_THAT(actions(trail), ElementsAre("notification.queued", "notification.queued",
                                          "notification.sent", "notification.sent"))
      << trail.out;

  ASSERT_EQ(server_.cli("herent-dpo", {"audit", "verify", "--checkpoint", held[0]}).exit_code, 0);
  tamper(kRewriteWithRecomputedHashes);
  // termijnd's own verify checks the trail against its latest checkpoint too.
  EXPECT_EQ(server_.cli("auditor", {"audit", "verify"}).exit_code, 7);
  for (const std::string& file : held) {
    for (const std::string dpo : {"herent-dpo", "kortenberg-dpo"}) {
      const Outcome caught = server_.cli(dpo, {"audit", "verify", "--checkpoint", file});
      EXPECT_EQ(caught.exit_code, 7) << dpo;
      EXPECT_THAT(caught.err, HasSubstr("does NOT extend checkpoint " + file + " (seq 11"));
      EXPECT_THAT(caught.err, HasSubstr("the trail was rewritten"));
    }
  }
}

TEST_F(AuditTest, EachDpoListsAndShowsTheCheckpointMailToItsOfficeOnly) {
  // `termijn notification list` as a party's DPO shows the checkpoint mail to its office, about
  // the checkpoint, and not the other party's; `show` previews it for its recipient and is
  // NOT_FOUND for the other party; `send` refuses it: it serves no obligation.
  const Outcome made = server_.cli("herent-dpo", {"audit", "checkpoint", "--new"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const auto id_for = [&](const std::string& party) {
    return server_.database().scalar(
        "SELECT id FROM notification WHERE kind = 'checkpoint' AND recipient_party = '" + party +
        "'");
  };
  const std::string herent = id_for("herent"), kortenberg = id_for("kortenberg");
  ASSERT_FALSE(herent.empty());
  ASSERT_FALSE(kortenberg.empty());
  for (const auto& [dpo, own, other] : {std::tuple{"herent-dpo", herent, kortenberg},
                                        std::tuple{"kortenberg-dpo", kortenberg, herent}}) {
    const Outcome listed = server_.cli(dpo, {"notification", "list"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    const std::string party = std::string(dpo).substr(0, std::string(dpo).find('-'));
    EXPECT_THAT(listed.out, ContainsRegex("notifications/" + own +
                                          R"(\s+checkpoint\s+auditCheckpoints/1\s+)" + party))
        << dpo << ":\n"
        << listed.out;
    EXPECT_THAT(listed.out, Not(HasSubstr("notifications/" + other + " "))) << dpo;
    const Outcome hidden = server_.cli(dpo, {"notification", "show", other});
    EXPECT_EQ(hidden.exit_code, 3) << dpo << ": " << hidden.out;
  }
  const Outcome shown = server_.cli("kortenberg-dpo", {"notification", "show", kortenberg});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out,
              AllOf(HasSubstr("To: dpo@kortenberg.example"), HasSubstr("Auditcontrolepunt"),
                    HasSubstr("Attachment: termijn-checkpoint-")));
  const Outcome json = server_.cli("kortenberg-dpo", {"-o", "json", "notification", "list"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"subject\": \"auditCheckpoints/1\""));
  const Outcome sent = server_.cli("kortenberg-dpo", {"notification", "send", kortenberg});
  EXPECT_EQ(sent.exit_code, 5);
  EXPECT_THAT(sent.err, HasSubstr("serves no obligation"));
}

// The lines of an export.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST_F(AuditTest, ADpoExportsItsOwnEventsInFullTheOthersAsDigestsAndTheExportVerifies) {
  // Herent's DPO reads its own party's events in full and Kortenberg's as digests only (no
  // principal, time, subject or details); `verify --export` verifies the scoped export here;
  // a full event altered in the file fails; an auditor's export is complete.
  record_some_changes();
  const Outcome exported = server_.cli("herent-dpo", {"audit", "export"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const std::vector<std::string> lines = lines_of(exported.out);
  ASSERT_EQ(lines.size(), 11u);
  // 1-5: Herent's incident; 6-9: Kortenberg's request; 10, 11: Herent's DPO closes 1 and 2.
  for (int i : {0, 1, 2, 3, 4, 9, 10}) {
    EXPECT_THAT(lines[i], AllOf(HasSubstr("\"digest_only\":false"), HasSubstr("\"format\":2"),
                                HasSubstr("\"nonce\":\"")))
        << lines[i];
  }
  EXPECT_THAT(lines[0], HasSubstr("Stolen laptop"));
  for (int i : {5, 6, 7, 8}) {
    EXPECT_THAT(lines[i], AllOf(HasSubstr("\"digest_only\":true"), HasSubstr("\"principal\":\"\""),
                                HasSubstr("\"details\":\"\""), HasSubstr("\"nonce\":\"\""),
                                Not(HasSubstr("\"time\"")), HasSubstr("\"leaf\":\"")))
        << lines[i];
  }
  EXPECT_THAT(exported.out, Not(HasSubstr("Copy of file")));
  EXPECT_THAT(exported.out, Not(HasSubstr("kortenberg-reporter")));
  const Outcome listed = server_.cli("herent-dpo", {"audit", "list"});
  EXPECT_THAT(listed.out, HasSubstr("(another party's)"));
  EXPECT_THAT(listed.out, Not(HasSubstr("request.logged")));

  const std::string file = save("herent.jsonl", exported.out);
  const Outcome verified = server_.cli("herent-dpo", {"audit", "verify", "--export", file});
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_THAT(verified.out, HasSubstr("verified 11 events up to 11"));
  EXPECT_THAT(verified.out, HasSubstr("4 of them are other parties' events, seen only as digests: "
                                      "4 verified through their leaf"));
  // The same export against a checkpoint signed over the same trail.
  const Outcome checkpoint = server_.cli("auditor", {"audit", "checkpoint", "--new"});
  ASSERT_EQ(checkpoint.exit_code, 0) << checkpoint.err;
  const Outcome against = server_.cli(
      "herent-dpo", {"audit", "verify", "--export", file, "--checkpoint",
                     save("checkpoint.txt", checkpoint.out)});
  EXPECT_EQ(against.exit_code, 0) << against.err;

  std::string altered = exported.out;
  altered.replace(altered.find("Stolen laptop"), 13, "Stolen phone!");
  const Outcome caught =
      server_.cli("herent-dpo", {"audit", "verify", "--export", save("altered.jsonl", altered)});
  EXPECT_EQ(caught.exit_code, 7);
  EXPECT_THAT(caught.err, HasSubstr("does NOT verify at event 1: its content does not match"));

  const Outcome full = server_.cli("auditor", {"audit", "export"});
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_THAT(full.out, Not(HasSubstr("\"digest_only\":true")));
  EXPECT_THAT(full.out, AllOf(HasSubstr("Copy of file"), HasSubstr("Stolen laptop")));
  // Listed by another party's record, nothing shows: not even digests tell which events it has.
  const Outcome by_subject =
      server_.cli("kortenberg-dpo", {"audit", "list", "--subject", "incidents/1"});
  ASSERT_EQ(by_subject.exit_code, 0) << by_subject.err;
  EXPECT_THAT(actions(by_subject), ::testing::IsEmpty()) << by_subject.out;
  const Outcome kortenberg = server_.cli("kortenberg-dpo", {"audit", "show", "1"});
  ASSERT_EQ(kortenberg.exit_code, 0) << kortenberg.err;
  EXPECT_THAT(kortenberg.out, AllOf(HasSubstr("another party's event"),
                                    Not(HasSubstr("Stolen laptop"))));
}

TEST_F(AuditTest, TheReadmesIndependentCheckVerifiesAScopedExport) {
  // The Python check printed in the README, run as written on a DPO's scoped export, verifies
  // it, and fails on an altered full event.
  record_some_changes();
  const std::string readme = ReadFile(std::string(TERMIJN_SOURCE_DIR) + "/README.md");
  const std::string start = "python3 - audit.jsonl <<'PY'\n";
  const size_t from = readme.find(start);
  ASSERT_NE(from, std::string::npos);
  const size_t to = readme.find("\nPY\n", from);
  ASSERT_NE(to, std::string::npos);
  const std::string script = save("check.py", readme.substr(from + start.size(),
                                                            to + 1 - from - start.size()));
  const Outcome exported = server_.cli("kortenberg-dpo", {"audit", "export"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const Outcome checked =
      run_command({"/usr/bin/python3", script, save("kortenberg.jsonl", exported.out)});
  EXPECT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_THAT(checked.out, HasSubstr("verified 11 events"));
  std::string altered = exported.out;
  altered.replace(altered.find("Copy of file"), 12, "Copy of life");
  const Outcome caught =
      run_command({"/usr/bin/python3", script, save("altered.jsonl", altered)});
  EXPECT_NE(caught.exit_code, 0);
  EXPECT_THAT(caught.err, HasSubstr("event 6"));
}

TEST(AuditRoleTest, TermijndRefusesToRunAsARoleThatCouldRewriteTheTrail) {
  // As the schema owner (no separate migration role) or as a superuser, termijnd does not start
  // and says why.
  for (const auto role : {TermijndOptions::Role::kOwner, TermijndOptions::Role::kSuperuser}) {
    TermijndOptions options;
    options.role = role;
    try {
      Termijnd refused(options);
      ADD_FAILURE() << "termijnd started as role " << static_cast<int>(role);
    } catch (const std::runtime_error& e) {
      EXPECT_THAT(e.what(), HasSubstr("termijnd exited at start"));
      EXPECT_THAT(e.what(), HasSubstr("could rewrite the audit trail"));
      EXPECT_THAT(e.what(),
                  HasSubstr(role == TermijndOptions::Role::kOwner
                                ? "owns audit_checkpoint, audit_event, audit_queue"
                                : "is a superuser"));
    }
  }
}

TEST(AuditRoleTest, ATermijndRefusedAtStartLeavesNoFolderBehind) {
  // The harness's folder for a termijnd that exits at start (configuration, log) is removed
  // with the failure: refused starts used to leave one folder each in /tmp.
  Certificates::get();  // made once per process, before TMPDIR points elsewhere
  const std::string tmp = MakeTempDir("termijn-harness");
  const char* before = std::getenv("TMPDIR");
  const std::string saved = before ? before : "";
  ::setenv("TMPDIR", tmp.c_str(), 1);
  TermijndOptions options;
  options.role = TermijndOptions::Role::kOwner;
  EXPECT_THROW(Termijnd refused(options), std::runtime_error);
  const bool empty = std::filesystem::is_empty(tmp);
  before ? ::setenv("TMPDIR", saved.c_str(), 1) : ::unsetenv("TMPDIR");
  std::filesystem::remove_all(tmp);
  EXPECT_TRUE(empty) << "termijnd's folder was left in " << tmp;
}

TEST(AuditSigningKeyTest, TermijndRefusesAKeyOthersMayReadOrThatIsNoEd25519Key) {
  // The checkpoint signing key must be private to termijnd and of the right kind.
  const std::string readable = save("readable.key", "");
  ASSERT_EQ(run_command({"/usr/bin/openssl", "genpkey", "-algorithm", "ed25519", "-out", readable})
                .exit_code,
            0);
  ASSERT_EQ(chmod(readable.c_str(), 0644), 0);
  const std::string not_a_key = save("not-a.key", "-----BEGIN PRIVATE KEY-----\n");
  ASSERT_EQ(chmod(not_a_key.c_str(), 0600), 0);
  const std::vector<std::pair<std::string, std::string>> cases{
      {readable, "may be read by its group or others (mode 0644); chmod 600 it"},
      {not_a_key, "is not an Ed25519 private key in PEM"}};
  for (const auto& [key, reason] : cases) {
    TermijndOptions options;
    options.audit_signing_key = key;
    try {
      Termijnd refused(options);
      ADD_FAILURE() << "termijnd started with " << key;
    } catch (const std::runtime_error& e) {
      EXPECT_THAT(e.what(), HasSubstr("audit signing key: " + key));
      EXPECT_THAT(e.what(), HasSubstr(reason));
    }
  }
}

TEST_F(AuditTest, TwoServersConcurrentWritersOneGapFreeChain) {
  // Writers on two termijnd processes sharing a database produce one verifiable chain.
  const auto second = Termijnd::sharing_database_of(server_);
  constexpr int kPerWriter = 5;
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (const Termijnd* s : {&server_, second.get()}) {
    for (const std::string principal : {"herent-dpo", "kortenberg-dpo"}) {
      writers.emplace_back([s, principal, &failures] {
        for (int i = 0; i < kPerWriter; ++i) {
          if (s->cli(principal, {"incident", "report", "--title", "Concurrent"}).exit_code != 0) {
            ++failures;
          }
        }
      });
    }
  }
  for (auto& w : writers) w.join();
  ASSERT_EQ(failures, 0);
  // 20 incidents, each with its own event, three obligations' and one queued notice's.
  const Outcome verify = second->cli("auditor", {"audit", "verify"});
  ASSERT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("verified 100 events up to 100"));
  EXPECT_EQ(server_.database().scalar("SELECT count(*) FROM audit_queue"), "0");
  EXPECT_EQ(server_.database().scalar("SELECT max(seq) - min(seq) + 1 FROM audit_event"), "100");
}

}  // namespace
}  // namespace termijn::testing
