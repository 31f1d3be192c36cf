#pragma once

#include <absl/status/statusor.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/app/actor.h"
#include "server/app/clock.h"
#include "server/app/ed25519.h"
#include "server/app/sha256.h"
#include "server/domain/audit.h"

namespace termijn::app {

/// A sequenced event with its place in the chain (hashes are 32 raw bytes).
///
/// Format 1: hash = SHA-256(prev_hash || canonical_bytes(record)).
/// Format 2: leaf = SHA-256(canonical_bytes_v2(record)), hash = SHA-256(prev_hash || leaf).
/// A digest-only event (another party's, in a party-scoped read) keeps its seq, format, leaf
/// and hashes and nothing of its record: a format-2 one still verifies, a format-1 one cannot.
struct AuditEvent {
  domain::AuditRecord record;
  std::string prev_hash;
  std::string hash;
  int format = 1;
  std::string leaf;  ///< format 2 only
  bool digest_only = false;
  /// The parties the event belongs to: its actor's and that of the record it is about; none
  /// when it is nobody's. Not hashed; used to scope reads.
  std::vector<std::string> parties;
};

/// The newest chain format: every event sequenced now has it.
constexpr int kAuditChainFormat = 2;

/// The hash the first event chains from: 32 zero bytes.
const std::string& genesis_hash();

/// Format 1: SHA-256(prev_hash || canonical_bytes(record)), 32 raw bytes.
std::string chain_hash(std::string_view prev_hash, const domain::AuditRecord& record);

/// Format 2: the leaf, SHA-256(canonical_bytes_v2(record)), and the chain hash over it,
/// SHA-256(prev_hash || leaf); 32 raw bytes each.
std::string leaf_hash(const domain::AuditRecord& record);
std::string chain_hash_v2(std::string_view prev_hash, std::string_view leaf);

/// The event as a reader of `viewer` party may see it: in full when it belongs to that party
/// (or `viewer` is empty: an auditor), else only its digest (seq, format, leaf, hashes).
AuditEvent scoped(AuditEvent event, const std::string& viewer);

/// The record a use case appends for a change made by `actor` at `now`.
domain::AuditRecord audit_record(const Actor& actor, domain::Instant now, std::string action,
                                 std::string subject, std::string related, std::string details);

struct AuditFilter {
  std::string subject;    ///< events whose subject or related record is this; empty: all
  int64_t after_seq = 0;  ///< only events with a larger sequence number
  int limit = 100;
  /// The reader's party: its events in full, the others' as digests; empty: all in full.
  std::string viewer;
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
  /// The last sequenced event's seq and hash (raw); 0 and the genesis hash when there is none.
  virtual absl::StatusOr<std::pair<int64_t, std::string>> head() = 0;
  /// Keeps `checkpoint`; with `unless_made_after`, only when no trusted checkpoint (see
  /// latest_checkpoint, `trusted_keys`) later than that time exists (checked under a lock), so
  /// that of several processes due at once only one makes it. In the same transaction, queues
  /// its mail (notification kind "checkpoint") to the DPO of each party in `mail_to`, each
  /// audited as queued by the system. Returns whether it was kept.
  virtual absl::StatusOr<bool> insert_checkpoint(const domain::AuditCheckpoint& checkpoint,
                                                 std::optional<domain::Instant> unless_made_after,
                                                 const std::vector<std::string>& trusted_keys,
                                                 const std::vector<std::string>& mail_to) = 0;
  /// The latest trusted checkpoint: the most recent, by time, that `public_keys[0]` (this
  /// service's key, hex) signed; while it signed none, the most recent one of the others (the
  /// keys before a key change) signed no later than `now`. So a leaked old key cannot put a
  /// checkpoint before the new key's, nor one from the future. Rows that name a key but whose
  /// signature does not verify are forgeries: passed over, and logged.
  virtual absl::StatusOr<std::optional<domain::AuditCheckpoint>> latest_checkpoint(
      const std::vector<std::string>& public_keys, domain::Instant now) = 0;
};

/// The result of re-computing the chain.
struct Verification {
  bool verified = false;
  int64_t event_count = 0;
  int64_t last_seq = 0;       ///< last event that verified
  std::string last_hash;      ///< its hash, hex
  int64_t first_bad_seq = 0;  ///< when not verified
  std::string reason;
  int64_t digest_count = 0;  ///< events seen only as digests (format 2: verified by their leaf)
  /// Format-1 events seen only as digests: their hash is taken as given, since without the
  /// content nothing can be re-computed. A full (auditor's) export checks them.
  int64_t unchecked_count = 0;
  /// The newest checkpoint this service signed that the trail passes through: the events up to
  /// it are anchored outside the database (its mails); the newer ones only by the chain. 0: none.
  int64_t checkpoint_seq = 0;
};

/// Re-computes the chain event by event from the genesis hash, for the service and for an
/// outside check alike.
class ChainVerifier {
 public:
  /// From the genesis hash.
  ChainVerifier() = default;
  /// From `event`, taken as verified (the one a signed checkpoint names): the next is its
  /// successor.
  explicit ChainVerifier(const AuditEvent& event);

  /// The event at `checkpoint.seq` must have the checkpoint's hash, and the trail must reach it;
  /// any number of checkpoints, before the events are added.
  void expect(const domain::AuditCheckpoint& checkpoint);
  /// Checks the next event in sequence order; false at the first one that does not verify (the
  /// reason is then in result()). Call no more after a false.
  bool add(const AuditEvent& event);
  /// What verified so far; `verified` is false only after a failed add().
  Verification result() const;
  /// Once every event was added: result(), not verified when the trail ends before an expected
  /// checkpoint. `checkpoint_seq` is the latest expected checkpoint the trail passed through.
  Verification finish() const;

 private:
  bool fail(int64_t seq, std::string reason);

  Verification v_;
  std::string prev_ = genesis_hash();
  int format_ = 1;
  bool failed_ = false;
  /// Checked when the event at their seq is added, or at once for the one the chain starts at.
  std::multimap<int64_t, domain::AuditCheckpoint> expected_;
};

/// Reading and checking the trail. Every read first sequences what is queued, so a caller sees
/// every change committed before its call.
class AuditTrail {
 public:
  explicit AuditTrail(AuditStore& store) : store_(store) {}

  /// Sequences everything queued so far.
  absl::Status flush();
  /// Scoped to `filter.viewer`.
  absl::StatusOr<std::vector<AuditEvent>> list(const AuditFilter& filter);
  /// Scoped to `viewer` (empty: in full).
  absl::StatusOr<AuditEvent> get(int64_t seq, const std::string& viewer = "");
  /// Re-computes the whole chain from the genesis hash (and checks it passes through
  /// `expected`, when given).
  absl::StatusOr<Verification> verify(
      const std::optional<domain::AuditCheckpoint>& expected = std::nullopt);

 private:
  AuditStore& store_;
};

/// Signed checkpoints of the trail: made on request and once a day (see AuditCheckpointer),
/// each mailed to the DPO of every party in `mail_to`, who so holds it outside the database.
/// Checkpoints of `previous_keys` (hex: the keys termijnd signed with before a key change)
/// count as its own: the latest of them all is served and the trail is checked against it.
class AuditCheckpoints {
 public:
  AuditCheckpoints(const Clock& clock, AuditTrail& trail, AuditStore& store,
                   const Ed25519Signer& signer, std::vector<std::string> mail_to = {},
                   const std::vector<std::string>& previous_keys = {})
      : clock_(clock),
        trail_(trail),
        store_(store),
        signer_(signer),
        trusted_keys_(trusted_keys(signer, previous_keys)),
        mail_to_(std::move(mail_to)) {}

  /// The signer's public key (hex) first, then `previous_keys`.
  static std::vector<std::string> trusted_keys(const Ed25519Signer& signer,
                                               const std::vector<std::string>& previous_keys);

  /// Signs the trail's state now, after sequencing what is queued, and keeps the checkpoint.
  /// DATA_LOSS, signing nothing, when the trail no longer extends the latest checkpoint: events
  /// it covers were deleted or rewritten, and a new signature would launder that.
  absl::StatusOr<domain::AuditCheckpoint> create();
  /// The latest checkpoint this service's keys signed (rows others added do not count);
  /// NOT_FOUND when none was made yet.
  absl::StatusOr<domain::AuditCheckpoint> latest();
  /// Re-computes the whole chain from the genesis hash, and checks that it passes through the
  /// latest checkpoint: a trail rewritten with recomputed hashes no longer does.
  absl::StatusOr<Verification> verify();
  /// When the latest checkpoint is `interval` old or more (without one: when the first event is),
  /// makes one. Returns it, if made, and when the next one is due. Before it is due, checks that
  /// the trail still extends the latest checkpoint (DATA_LOSS when it no longer does): the events
  /// added since the previous call, and the newest one checked then, at every call; the whole
  /// trail from the checkpoint's event on once an hour (kFullCheckEvery), so that a look costs
  /// what was added since the last one, not all that was added since the checkpoint.
  static constexpr std::chrono::hours kFullCheckEvery{1};
  struct Due {
    std::optional<domain::AuditCheckpoint> made;
    domain::Instant next_due{};
  };
  absl::StatusOr<Due> create_if_due(std::chrono::seconds interval);

 private:
  /// create(), after checking that the trail extends `last` (the latest checkpoint, if any),
  /// unless (with a value) a checkpoint later than `unless_made_after` exists; the epoch stands
  /// for "none was seen".
  absl::StatusOr<std::optional<domain::AuditCheckpoint>> create(
      const std::optional<domain::AuditCheckpoint>& last,
      std::optional<domain::Instant> unless_made_after);
  /// OK when the events from `checkpoint` up to the head still chain from its hash, its own event
  /// included (re-hashed from the one before). On success, the newest event checked.
  absl::StatusOr<Verification> check_extends(const domain::AuditCheckpoint& checkpoint);
  /// check_extends() from the event `seq` on (re-hashed from the one before), for a trail
  /// checked up to it before.
  absl::StatusOr<Verification> check_extends_from(const domain::AuditCheckpoint& checkpoint,
                                                  int64_t seq);
  /// check_extends(), or only what was added since the newest event the previous call checked
  /// (still there, with the same hash) when that call was for the same checkpoint and the whole
  /// trail was checked less than kFullCheckEvery ago.
  absl::Status check_extends_since_last_look(const domain::AuditCheckpoint& checkpoint);
  const Clock& clock_;
  AuditTrail& trail_;
  AuditStore& store_;
  const Ed25519Signer& signer_;
  const std::vector<std::string> trusted_keys_;  ///< hex: the signer's, then earlier ones
  const std::vector<std::string> mail_to_;
  /// What the previous look checked: the checkpoint, the newest event and when the whole trail
  /// from the checkpoint on was last checked.
  struct Look {
    int64_t checkpoint_seq = 0;
    std::string checkpoint_hash;
    int64_t seq = 0;
    std::string hash;              ///< hex
    domain::Instant at{};          ///< when
    domain::Instant full_check{};  ///< when the whole trail from the checkpoint on was checked
  };
  std::mutex look_mutex_;
  std::optional<Look> look_;
};

/// "auditCheckpoints/7": the resource name of a kept checkpoint, in the outbox and the trail.
std::string checkpoint_name(int64_t id);

}  // namespace termijn::app
