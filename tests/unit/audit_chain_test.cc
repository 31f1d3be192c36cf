#include <gtest/gtest.h>

#include "server/app/audit.h"
#include "server/app/json.h"
#include "server/app/sha256.h"
#include "server/domain/audit.h"

namespace termijn {
namespace {

domain::AuditRecord record() {
  domain::AuditRecord r;
  r.seq = 12;
  r.time = domain::Instant{std::chrono::seconds{1795000000}};
  r.principal = "herent-dpo";
  r.party = "herent";
  r.action = "incident.reported";
  r.subject = "incidents/4";
  r.related = "";
  r.details = R"({"title":"Lost, \"USB\""})";
  return r;
}

TEST(AuditChainTest, CanonicalBytesAreNetstringsInTheDocumentedOrder) {
  // The README's outside check depends on exactly this form.
  EXPECT_EQ(domain::canonical_bytes(record()),
            "2:12,20:2026-11-18T11:06:40Z,10:herent-dpo,6:herent,17:incident.reported,"
            "11:incidents/4,0:,25:{\"title\":\"Lost, \\\"USB\\\"\"},");
}

TEST(AuditChainTest, NetstringLengthsCountBytesNotCharacters) {
  // UTF-8 text is counted in bytes, as a verifier reading bytes does.
  domain::AuditRecord r = record();
  r.details = "é";
  EXPECT_NE(domain::canonical_bytes(r).find("2:é,"), std::string::npos);
}

TEST(AuditChainTest, HashChainsFromThirtyTwoZeroBytes) {
  // hash = SHA-256(prev || canonical); the first event chains from 32 zero bytes.
  ASSERT_EQ(app::genesis_hash(), std::string(32, '\0'));
  const std::string first = app::chain_hash(app::genesis_hash(), record());
  EXPECT_EQ(first, app::sha256({std::string(32, '\0'), domain::canonical_bytes(record())}));
  EXPECT_EQ(first.size(), 32u);
  domain::AuditRecord altered = record();
  altered.details = R"({"title":"Found"})";
  EXPECT_NE(app::chain_hash(app::genesis_hash(), altered), first);
  EXPECT_NE(app::chain_hash(first, record()), first) << "the previous hash is part of the input";
}

TEST(AuditChainTest, CanonicalBytesV2NameTheFormatAndCarryTheNonce) {
  // Format 2: a leading netstring names the format; the nonce follows the time.
  domain::AuditRecord r = record();
  r.nonce = "0123456789abcdef0123456789abcdef";
  EXPECT_EQ(domain::canonical_bytes_v2(r),
            "21:termijn-audit-event 2,2:12,20:2026-11-18T11:06:40Z,"
            "32:0123456789abcdef0123456789abcdef,10:herent-dpo,6:herent,17:incident.reported,"
            "11:incidents/4,0:,25:{\"title\":\"Lost, \\\"USB\\\"\"},");
}

// A chain of `formats.size()` events, the i-th in chain format formats[i], hashed as the
// sequencer hashes them.
std::vector<app::AuditEvent> chain(const std::vector<int>& formats) {
  std::vector<app::AuditEvent> events;
  std::string prev = app::genesis_hash();
  for (size_t i = 0; i < formats.size(); ++i) {
    app::AuditEvent e;
    e.record = record();
    e.record.seq = static_cast<int64_t>(i + 1);
    e.record.party = i % 2 == 0 ? "herent" : "kortenberg";
    e.format = formats[i];
    if (e.format == 2) {
      e.record.nonce = std::string(31, 'a') + std::to_string(i % 10);
      e.leaf = app::leaf_hash(e.record);
      e.hash = app::chain_hash_v2(prev, e.leaf);
    } else {
      e.hash = app::chain_hash(prev, e.record);
    }
    e.prev_hash = prev;
    e.owner_party = e.record.party;
    prev = e.hash;
    events.push_back(e);
  }
  return events;
}

app::Verification verify(const std::vector<app::AuditEvent>& events) {
  app::ChainVerifier verifier;
  for (const app::AuditEvent& e : events) {
    if (!verifier.add(e)) break;
  }
  return verifier.result();
}

TEST(AuditChainTest, FormatTwoChainsOverTheLeaf) {
  // leaf = SHA-256(canonical v2), hash = SHA-256(prev || leaf), from 32 zero bytes.
  const auto events = chain({2, 2});
  EXPECT_EQ(events[0].leaf, app::sha256({domain::canonical_bytes_v2(events[0].record)}));
  EXPECT_EQ(events[0].hash, app::sha256({std::string(32, '\0'), events[0].leaf}));
  EXPECT_EQ(events[1].hash, app::sha256({events[0].hash, events[1].leaf}));
  const app::Verification v = verify(events);
  EXPECT_TRUE(v.verified) << v.reason;
  EXPECT_EQ(v.event_count, 2);
  EXPECT_EQ(v.last_hash, app::to_hex(events[1].hash));
}

TEST(AuditChainTest, FormatTwoDetectsAlteredContentLeafAndNonce) {
  // Changing the content, the nonce or the stored leaf of a format-2 event fails at it.
  for (int what = 0; what < 3; ++what) {
    auto events = chain({2, 2, 2});
    if (what == 0) events[1].record.details = "{}";
    if (what == 1) events[1].record.nonce = std::string(32, 'b');
    if (what == 2) events[1].leaf = app::sha256({"forged"});
    const app::Verification v = verify(events);
    EXPECT_FALSE(v.verified) << what;
    EXPECT_EQ(v.first_bad_seq, 2) << what;
    EXPECT_NE(v.reason.find("altered"), std::string::npos) << v.reason;
  }
}

TEST(AuditChainTest, MixedChainFormatOneThenTwoVerifies) {
  // Events chained before the migration keep format 1; the chain goes on in format 2.
  auto events = chain({1, 1, 1, 2, 2});
  EXPECT_TRUE(verify(events).verified) << verify(events).reason;
  events[1].record.details = "{}";
  const app::Verification v = verify(events);
  EXPECT_FALSE(v.verified);
  EXPECT_EQ(v.first_bad_seq, 2);
}

TEST(AuditChainTest, AFormatOneEventAfterFormatTwoIsRefused) {
  // Going back to format 1 would let a digest pass unchecked: the verifier refuses it.
  auto events = chain({2, 1});
  const app::Verification v = verify(events);
  EXPECT_FALSE(v.verified);
  EXPECT_EQ(v.first_bad_seq, 2);
  EXPECT_NE(v.reason.find("format 1 after an event in format 2"), std::string::npos) << v.reason;
}

TEST(AuditChainTest, ScopedChainVerifiesFromDigestsOfOtherPartiesEvents) {
  // A Herent reader sees Kortenberg's events as digests; the chain verifies; format-1 digests
  // are counted as unchecked, format-2 digests as verified through their leaf.
  std::vector<app::AuditEvent> scoped;
  for (const app::AuditEvent& e : chain({1, 1, 2, 2, 2, 2})) {
    scoped.push_back(app::scoped(e, "herent"));
  }
  EXPECT_FALSE(scoped[0].digest_only);
  ASSERT_TRUE(scoped[1].digest_only);
  EXPECT_TRUE(scoped[1].record.principal.empty());
  EXPECT_TRUE(scoped[3].record.details.empty());
  EXPECT_TRUE(scoped[3].record.nonce.empty()) << "the nonce would let a guess be confirmed";
  EXPECT_EQ(scoped[3].record.time, domain::Instant{});
  const app::Verification v = verify(scoped);
  EXPECT_TRUE(v.verified) << v.reason;
  EXPECT_EQ(v.event_count, 6);
  EXPECT_EQ(v.digest_count, 3);
  EXPECT_EQ(v.unchecked_count, 1);
  EXPECT_FALSE(app::scoped(chain({2})[0], "").digest_only) << "auditors read everything";
}

TEST(AuditChainTest, ScopedChainDetectsAForgedDigestOrAlteredOwnEvent) {
  // A digest's leaf cannot be swapped, nor a full event changed, without failing.
  std::vector<app::AuditEvent> scoped;
  for (const app::AuditEvent& e : chain({2, 2, 2})) scoped.push_back(app::scoped(e, "herent"));
  auto forged = scoped;
  forged[1].leaf = app::sha256({"other"});
  EXPECT_EQ(verify(forged).first_bad_seq, 2);
  auto altered = scoped;
  altered[2].record.details = R"({"title":"Found"})";
  EXPECT_EQ(verify(altered).first_bad_seq, 3);
}

TEST(AuditChainTest, Sha256MatchesTheKnownDigest) {
  // FIPS 180-2 example "abc".
  EXPECT_EQ(app::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(JsonObjectTest, EscapesQuotesBackslashesAndControlCharacters) {
  // Audit details are JSON whatever a user typed.
  const std::string json = app::JsonObject()
                               .add("title", "a \"b\" \\ c\nd\x01")
                               .add("count", int64_t{3})
                               .add("list", std::vector<std::string>{"x", "y"})
                               .str();
  EXPECT_EQ(json, R"({"title":"a \"b\" \\ c\u000ad\u0001","count":3,"list":["x","y"]})");
}

}  // namespace
}  // namespace termijn
