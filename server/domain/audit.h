#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "server/domain/time.h"

namespace termijn::domain {

/// One change, as the audit trail records it.
struct AuditRecord {
  int64_t seq = 0;  ///< 0 until the sequencer assigns it
  Instant time{};
  std::string principal;  ///< "system" for the service's own workers
  std::string party;
  std::string action;   ///< "incident.reported", "obligation.fulfilled", ...
  std::string subject;  ///< resource name: "incidents/4", "obligations/17"
  std::string related;  ///< the record a subject belongs to ("incidents/4"), or empty
  std::string details;  ///< JSON object text: the fields that changed
  std::string nonce;    ///< format 2: 32 random hex digits chosen by the sequencer; format 1: ""
};

/// "2026-11-28T18:40:00Z".
std::string format_utc(Instant t);

/// The bytes an event's hash covers: the netstrings ("<length>:<bytes>,", length in bytes) of
/// seq (decimal), time (format_utc), principal, party, action, subject, related and details, in
/// that order. Unambiguous for any content; documented in the README for outside verification.
std::string canonical_bytes(const AuditRecord& record);

/// Chain format 2 (sql/migrations/0011): the bytes an event's leaf digest covers, the netstrings
/// of "termijn-audit-event 2", seq, time, nonce, principal, party, action, subject, related and
/// details, in that order. The leading netstring names the format; the nonce keeps a leaf from
/// confirming a guess of the event's content. Documented in the README.
std::string canonical_bytes_v2(const AuditRecord& record);

}  // namespace termijn::domain

namespace termijn::domain {

/// A signed statement of the trail's state: "the chain had `seq` events and ended in `hash`
/// at `time`". Held by every party's DPO outside the database, so that a rewrite of the trail,
/// even one that recomputes every hash, no longer extends it.
struct AuditCheckpoint {
  int64_t seq = 0;
  std::string hash;  ///< hex, 64 characters
  Instant time{};
  std::string public_key;  ///< Ed25519, hex of the 32 raw bytes
  std::string signature;   ///< Ed25519 over signed_text(), hex of the 64 raw bytes
};

/// The signed part of a checkpoint, format 1 (documented in the README):
///   "termijn-audit-checkpoint 1\nseq <seq>\nhash <hex>\ntime <format_utc>\npublic-key <hex>\n"
std::string checkpoint_signed_text(const AuditCheckpoint& checkpoint);

/// The checkpoint as a file: the signed text plus "signature <hex>\n".
std::string checkpoint_text(const AuditCheckpoint& checkpoint);

/// Parses checkpoint_text(); on error, `error` says which line is wrong.
struct ParsedCheckpoint {
  AuditCheckpoint checkpoint;
  std::string error;
  bool ok() const { return error.empty(); }
};
ParsedCheckpoint parse_checkpoint(std::string_view text);

}  // namespace termijn::domain
