#include <gtest/gtest.h>

#include "server/app/ed25519.h"
#include "server/app/sha256.h"
#include "server/domain/audit.h"

namespace termijn {
namespace {

domain::AuditCheckpoint signed_checkpoint(const app::Ed25519Signer& signer) {
  domain::AuditCheckpoint c;
  c.seq = 42;
  c.hash = std::string(60, 'a') + "0f9e";
  c.time = domain::Instant{std::chrono::seconds{1795000000}};
  app::sign_checkpoint(signer, c);
  return c;
}

TEST(AuditCheckpointTest, TextIsTheDocumentedLinesAndParsesBack) {
  // The file a DPO keeps: five signed lines and the signature, read back field for field.
  const app::Ed25519Signer signer = app::Ed25519Signer::generate();
  const domain::AuditCheckpoint c = signed_checkpoint(signer);
  const std::string text = domain::checkpoint_text(c);
  EXPECT_EQ(text, "termijn-audit-checkpoint 1\nseq 42\nhash " + c.hash +
                      "\ntime 2026-11-18T11:06:40Z\npublic-key " +
                      app::to_hex(signer.public_key()) + "\nsignature " + c.signature + "\n");
  const domain::ParsedCheckpoint parsed = domain::parse_checkpoint(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  EXPECT_EQ(domain::checkpoint_text(parsed.checkpoint), text);
  EXPECT_TRUE(app::checkpoint_signature_valid(parsed.checkpoint));
}

TEST(AuditCheckpointTest, AnyChangedFieldBreaksTheSignature) {
  // A checkpoint edited after signing (seq, hash, time or key) no longer verifies.
  const app::Ed25519Signer signer = app::Ed25519Signer::generate();
  const domain::AuditCheckpoint c = signed_checkpoint(signer);
  domain::AuditCheckpoint other_seq = c, other_hash = c, other_time = c, other_key = c;
  other_seq.seq = 41;
  other_hash.hash[0] = 'b';
  other_time.time += std::chrono::seconds{1};
  other_key.public_key = app::to_hex(app::Ed25519Signer::generate().public_key());
  for (const auto& changed : {other_seq, other_hash, other_time, other_key}) {
    EXPECT_FALSE(app::checkpoint_signature_valid(changed)) << domain::checkpoint_text(changed);
  }
  EXPECT_TRUE(app::checkpoint_signature_valid(c));
}

TEST(AuditCheckpointTest, MalformedTextIsRejectedNamingTheLine) {
  // Parsing says what is wrong rather than guessing.
  const app::Ed25519Signer signer = app::Ed25519Signer::generate();
  const std::string text = domain::checkpoint_text(signed_checkpoint(signer));
  EXPECT_EQ(domain::parse_checkpoint("hello").error.substr(0, 16), "not a checkpoint");
  std::string bad_seq = text;
  bad_seq.replace(bad_seq.find("seq 42"), 6, "seq -4");
  EXPECT_EQ(domain::parse_checkpoint(bad_seq).error, "seq: not a sequence number: '-4'");
  std::string bad_hash = text;
  bad_hash.replace(bad_hash.find("hash ") + 5, 1, "X");
  EXPECT_EQ(domain::parse_checkpoint(bad_hash).error, "hash: expected 64 lower-case hex digits");
  std::string bad_time = text;
  bad_time.replace(bad_time.find("2026-11-18T"), 11, "2026-13-18T");
  EXPECT_EQ(domain::parse_checkpoint(bad_time).error, "time: expected YYYY-MM-DDTHH:MM:SSZ");
  std::string no_signature = text.substr(0, text.find("signature"));
  EXPECT_FALSE(domain::parse_checkpoint(no_signature).ok());
}

TEST(AuditCheckpointTest, HexRoundTripsAndRejectsNonHex) {
  // from_hex undoes to_hex and refuses odd lengths and other characters.
  EXPECT_EQ(app::from_hex(app::to_hex(std::string("\x00\xff\x10", 3))),
            std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(app::from_hex("abc").has_value());
  EXPECT_FALSE(app::from_hex("zz").has_value());
}

}  // namespace
}  // namespace termijn
