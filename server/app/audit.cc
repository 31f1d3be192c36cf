#include "server/app/audit.h"

#include "server/app/sha256.h"

namespace termijn::app {

namespace {
constexpr int kBatch = 1000;
}  // namespace

const std::string& genesis_hash() {
  static const std::string kGenesis(32, '\0');
  return kGenesis;
}

std::string chain_hash(std::string_view prev_hash, const domain::AuditRecord& record) {
  return sha256({prev_hash, domain::canonical_bytes(record)});
}

domain::AuditRecord audit_record(const Actor& actor, domain::Instant now, std::string action,
                                 std::string subject, std::string related, std::string details) {
  domain::AuditRecord r;
  r.time = now;
  r.principal = actor.principal;
  r.party = actor.party;
  r.action = std::move(action);
  r.subject = std::move(subject);
  r.related = std::move(related);
  r.details = std::move(details);
  return r;
}

absl::Status AuditTrail::flush() {
  while (true) {
    const auto moved = store_.sequence(kBatch, /*wait=*/true);
    if (!moved.ok()) return moved.status();
    if (*moved < kBatch) return absl::OkStatus();
  }
}

absl::StatusOr<std::vector<AuditEvent>> AuditTrail::list(const AuditFilter& filter) {
  if (auto s = flush(); !s.ok()) return s;
  return store_.events(filter);
}

absl::StatusOr<AuditEvent> AuditTrail::get(int64_t seq) {
  if (auto s = flush(); !s.ok()) return s;
  return store_.event(seq);
}

absl::StatusOr<Verification> AuditTrail::verify() {
  if (auto s = flush(); !s.ok()) return s;
  Verification v;
  std::string prev = genesis_hash();
  int64_t expected_seq = 1;
  while (true) {
    const auto page = store_.events({"", expected_seq - 1, kBatch});
    if (!page.ok()) return page.status();
    for (const AuditEvent& e : *page) {
      const int64_t seq = e.record.seq;
      const auto fail = [&](std::string reason) {
        v.first_bad_seq = seq;
        v.reason = std::move(reason);
        return v;
      };
      if (seq != expected_seq) {
        v.first_bad_seq = expected_seq;
        v.reason = "event " + std::to_string(expected_seq) + " is missing (next is " +
                   std::to_string(seq) + ")";
        return v;
      }
      if (e.prev_hash != prev) return fail("its prev_hash is not the hash of the event before");
      if (chain_hash(prev, e.record) != e.hash) {
        return fail("its content does not match its hash (altered)");
      }
      prev = e.hash;
      v.event_count++;
      v.last_seq = seq;
      v.last_hash = to_hex(e.hash);
      expected_seq++;
    }
    if (static_cast<int>(page->size()) < kBatch) break;
  }
  v.verified = true;
  if (v.last_hash.empty()) v.last_hash = to_hex(genesis_hash());
  return v;
}

}  // namespace termijn::app
