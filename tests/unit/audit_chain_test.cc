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
