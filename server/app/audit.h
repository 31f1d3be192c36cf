#pragma once

#include <absl/status/statusor.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/app/actor.h"
#include "server/domain/audit.h"

namespace termijn::app {

/// A sequenced event with its place in the chain (hashes are 32 raw bytes).
struct AuditEvent {
  domain::AuditRecord record;
  std::string prev_hash;
  std::string hash;
};

/// The hash the first event chains from: 32 zero bytes.
const std::string& genesis_hash();

/// SHA-256(prev_hash || canonical_bytes(record)), 32 raw bytes.
std::string chain_hash(std::string_view prev_hash, const domain::AuditRecord& record);

/// The record a use case appends for a change made by `actor` at `now`.
domain::AuditRecord audit_record(const Actor& actor, domain::Instant now, std::string action,
                                 std::string subject, std::string related, std::string details);

struct AuditFilter {
  std::string subject;   ///< events whose subject or related record is this; empty: all
  int64_t after_seq = 0;  ///< only events with a larger sequence number
  int limit = 100;
};

/// The sequenced audit trail.
class AuditStore {
 public:
  virtual ~AuditStore() = default;
  /// Moves up to `max` queued entries, oldest first, into the chain in one transaction under the
  /// sequencer lock; returns how many. With `wait` false it returns 0 at once when another
  /// sequencer holds the lock; with `wait` true it waits for it.
  virtual absl::StatusOr<int> sequence(int max, bool wait) = 0;
  /// Events in sequence order.
  virtual absl::StatusOr<std::vector<AuditEvent>> events(const AuditFilter& filter) = 0;
  virtual absl::StatusOr<AuditEvent> event(int64_t seq) = 0;
};

/// The result of re-computing the chain.
struct Verification {
  bool verified = false;
  int64_t event_count = 0;
  int64_t last_seq = 0;       ///< last event that verified
  std::string last_hash;      ///< its hash, hex
  int64_t first_bad_seq = 0;  ///< when not verified
  std::string reason;
};

/// Reading and checking the trail. Every read first sequences what is queued, so a caller sees
/// every change committed before its call.
class AuditTrail {
 public:
  explicit AuditTrail(AuditStore& store) : store_(store) {}

  /// Sequences everything queued so far.
  absl::Status flush();
  absl::StatusOr<std::vector<AuditEvent>> list(const AuditFilter& filter);
  absl::StatusOr<AuditEvent> get(int64_t seq);
  /// Re-computes the whole chain from the genesis hash.
  absl::StatusOr<Verification> verify();

 private:
  AuditStore& store_;
};

}  // namespace termijn::app
