#include "server/app/audit.h"

#include <algorithm>

#include "server/app/sha256.h"

namespace termijn::app {

namespace {

constexpr int kBatch = 1000;

// Adds the events after the chain's last to it, page by page, up to the head or the first that
// does not verify (none when it failed already).
absl::Status add_events(AuditStore& store, ChainVerifier& chain) {
  while (chain.result().verified) {
    const auto page = store.events({.after_seq = chain.result().last_seq, .limit = kBatch});
    if (!page.ok()) return page.status();
    for (const AuditEvent& e : *page) {
      if (!chain.add(e)) return absl::OkStatus();
    }
    if (static_cast<int>(page->size()) < kBatch) return absl::OkStatus();
  }
  return absl::OkStatus();
}

}  // namespace

const std::string& genesis_hash() {
  static const std::string kGenesis(32, '\0');
  return kGenesis;
}

std::string chain_hash(std::string_view prev_hash, const domain::AuditRecord& record) {
  return sha256({prev_hash, domain::canonical_bytes(record)});
}

std::string leaf_hash(const domain::AuditRecord& record) {
  return sha256({domain::canonical_bytes_v2(record)});
}

std::string chain_hash_v2(std::string_view prev_hash, std::string_view leaf) {
  return sha256({prev_hash, leaf});
}

AuditEvent scoped(AuditEvent event, const std::string& viewer) {
  if (viewer.empty() ||
      std::find(event.parties.begin(), event.parties.end(), viewer) != event.parties.end()) {
    return event;
  }
  AuditEvent digest;
  digest.record.seq = event.record.seq;
  digest.prev_hash = std::move(event.prev_hash);
  digest.hash = std::move(event.hash);
  digest.format = event.format;
  digest.leaf = std::move(event.leaf);
  digest.digest_only = true;
  return digest;
}

std::string checkpoint_name(int64_t id) { return "auditCheckpoints/" + std::to_string(id); }

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
  auto events = store_.events(filter);
  if (!events.ok()) return events.status();
  for (AuditEvent& e : *events) e = scoped(std::move(e), filter.viewer);
  return events;
}

absl::StatusOr<AuditEvent> AuditTrail::get(int64_t seq, const std::string& viewer) {
  if (auto s = flush(); !s.ok()) return s;
  auto event = store_.event(seq);
  if (!event.ok()) return event.status();
  return scoped(std::move(*event), viewer);
}

ChainVerifier::ChainVerifier(const AuditEvent& event) : prev_(event.hash), format_(event.format) {
  v_.last_seq = event.record.seq;
}

void ChainVerifier::expect(const domain::AuditCheckpoint& checkpoint) {
  if (failed_) return;
  if (checkpoint.seq == v_.last_seq) {
    // Where the chain starts (seq 0: the genesis hash).
    if (to_hex(prev_) != checkpoint.hash) {
      fail(checkpoint.seq, "its hash is not the one the signed checkpoint of " +
                               domain::format_utc(checkpoint.time) + " names");
    }
    return;
  }
  expected_.emplace(checkpoint.seq, checkpoint);
}

bool ChainVerifier::fail(int64_t seq, std::string reason) {
  v_.first_bad_seq = seq;
  v_.reason = std::move(reason);
  failed_ = true;
  return false;
}

bool ChainVerifier::add(const AuditEvent& e) {
  const int64_t expected_seq = v_.last_seq + 1;
  if (e.record.seq != expected_seq) {
    return fail(expected_seq, "event " + std::to_string(expected_seq) + " is missing (next is " +
                                  std::to_string(e.record.seq) + ")");
  }
  if (e.prev_hash != prev_) {
    return fail(expected_seq, "its prev_hash is not the hash of the event before");
  }
  if (e.format != 1 && e.format != 2) {
    return fail(expected_seq, "unknown chain format " + std::to_string(e.format));
  }
  // Once format 2 began, an event in format 1 can only be a forgery: a digest-only one would
  // otherwise pass unchecked.
  if (e.format < format_) {
    return fail(expected_seq, "it is in chain format " + std::to_string(e.format) +
                                  " after an event in format " + std::to_string(format_));
  }
  if (e.format == 1) {
    if (e.digest_only) {
      ++v_.unchecked_count;
    } else if (chain_hash(prev_, e.record) != e.hash) {
      return fail(expected_seq, "its content does not match its hash (altered)");
    }
  } else {
    const std::string leaf = e.digest_only ? e.leaf : leaf_hash(e.record);
    if (!e.digest_only && !e.leaf.empty() && e.leaf != leaf) {
      return fail(expected_seq, "its content does not match its leaf (altered)");
    }
    if (chain_hash_v2(prev_, leaf) != e.hash) {
      return fail(expected_seq, e.digest_only ? "its leaf does not match its hash (altered)"
                                              : "its content does not match its hash (altered)");
    }
  }
  const auto [first, last] = expected_.equal_range(expected_seq);
  for (auto it = first; it != last; ++it) {
    if (to_hex(e.hash) != it->second.hash) {
      return fail(expected_seq, "its hash is not the one the signed checkpoint of " +
                                    domain::format_utc(it->second.time) +
                                    " names: the trail was rewritten up to here");
    }
    v_.checkpoint_seq = expected_seq;
  }
  if (e.digest_only) ++v_.digest_count;
  format_ = e.format;
  prev_ = e.hash;
  v_.event_count++;
  v_.last_seq = expected_seq;
  return true;
}

Verification ChainVerifier::result() const {
  Verification v = v_;
  v.verified = !failed_;
  v.last_hash = to_hex(prev_);
  return v;
}

Verification ChainVerifier::finish() const {
  Verification v = result();
  const auto beyond = expected_.upper_bound(v.last_seq);
  if (v.verified && beyond != expected_.end()) {
    v.verified = false;
    v.first_bad_seq = v.last_seq + 1;
    v.reason = "the trail ends at event " + std::to_string(v.last_seq) +
               ", but the signed checkpoint of " + domain::format_utc(beyond->second.time) +
               " names event " + std::to_string(beyond->first) + ": events were deleted";
  }
  return v;
}

absl::StatusOr<Verification> AuditTrail::verify(
    const std::optional<domain::AuditCheckpoint>& expected) {
  if (auto s = flush(); !s.ok()) return s;
  ChainVerifier chain;
  if (expected) chain.expect(*expected);
  if (auto s = add_events(store_, chain); !s.ok()) return s;
  return chain.finish();
}

std::vector<std::string> AuditCheckpoints::trusted_keys(
    const Ed25519Signer& signer, const std::vector<std::string>& previous_keys) {
  std::vector<std::string> keys{to_hex(signer.public_key())};
  for (const std::string& key : previous_keys) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  }
  return keys;
}

absl::StatusOr<domain::AuditCheckpoint> AuditCheckpoints::create() {
  const auto last = store_.latest_checkpoint(trusted_keys_, clock_.now());
  if (!last.ok()) return last.status();
  auto made = create(*last, std::nullopt);
  if (!made.ok()) return made.status();
  return **made;
}

absl::StatusOr<std::optional<domain::AuditCheckpoint>> AuditCheckpoints::create(
    const std::optional<domain::AuditCheckpoint>& last,
    std::optional<domain::Instant> unless_made_after) {
  if (auto s = trail_.flush(); !s.ok()) return s;
  if (last) {
    if (auto s = check_extends(*last); !s.ok()) return s.status();
  }
  const auto head = store_.head();
  if (!head.ok()) return head.status();
  domain::AuditCheckpoint checkpoint;
  checkpoint.seq = head->first;
  checkpoint.hash = to_hex(head->second);
  checkpoint.time = clock_.now();
  sign_checkpoint(signer_, checkpoint);
  const auto kept =
      store_.insert_checkpoint(checkpoint, unless_made_after, trusted_keys_, mail_to_);
  if (!kept.ok()) return kept.status();
  if (!*kept) return std::nullopt;
  return checkpoint;
}

namespace {

absl::Status not_extended(const domain::AuditCheckpoint& checkpoint, const std::string& reason) {
  return absl::DataLossError("the audit trail does not extend the checkpoint of seq " +
                             std::to_string(checkpoint.seq) + " signed " +
                             domain::format_utc(checkpoint.time) + ": " + reason +
                             "; no new checkpoint is signed (see termijn audit verify)");
}

// The chain from `start` (taken as verified) up to the head, checked against `expected`.
absl::StatusOr<Verification> verify_from(AuditStore& store, ChainVerifier chain,
                                         const domain::AuditCheckpoint& checkpoint) {
  chain.expect(checkpoint);
  if (auto s = add_events(store, chain); !s.ok()) return s;
  const Verification v = chain.finish();
  if (!v.verified) {
    return not_extended(checkpoint, "event " + std::to_string(v.first_bad_seq) + ": " + v.reason);
  }
  return v;
}

}  // namespace

absl::StatusOr<Verification> AuditCheckpoints::check_extends(
    const domain::AuditCheckpoint& checkpoint) {
  return check_extends_from(checkpoint, checkpoint.seq);
}

absl::StatusOr<Verification> AuditCheckpoints::check_extends_from(
    const domain::AuditCheckpoint& checkpoint, int64_t seq) {
  // From the event before `seq`, so that the content of `seq` itself is hashed again.
  ChainVerifier chain;
  if (seq > 1) {
    const auto before = store_.event(seq - 1);
    if (absl::IsNotFound(before.status())) {
      return not_extended(checkpoint, "event " + std::to_string(seq - 1) + " is gone");
    }
    if (!before.ok()) return before.status();
    chain = ChainVerifier(*before);
  }
  return verify_from(store_, std::move(chain), checkpoint);
}

absl::Status AuditCheckpoints::check_extends_since_last_look(
    const domain::AuditCheckpoint& checkpoint) {
  std::lock_guard lock(look_mutex_);
  const domain::Instant now = clock_.now();
  const bool same_checkpoint =
      look_ && look_->checkpoint_seq == checkpoint.seq && look_->checkpoint_hash == checkpoint.hash;
  absl::StatusOr<Verification> checked;
  bool newest_unchanged = false;
  if (same_checkpoint) {
    // The newest event the previous look checked must still be there with the same hash, also
    // at a full check: the chain alone would not show that it was replaced or cut off.
    auto found = store_.event(look_->seq);
    if (absl::IsNotFound(found.status())) {
      checked = not_extended(checkpoint, "event " + std::to_string(look_->seq) + " is gone");
    } else if (!found.ok()) {
      return found.status();
    } else if (to_hex(found->hash) != look_->hash) {
      checked = not_extended(checkpoint, "event " + std::to_string(look_->seq) +
                                             ": its hash changed since it was checked at " +
                                             domain::format_utc(look_->at) + " (altered)");
    } else {
      newest_unchanged = true;
    }
  }
  // A clock set back makes the whole check due, not later.
  const bool incremental =
      same_checkpoint && look_->full_check <= now && now - look_->full_check < kFullCheckEvery;
  if (!same_checkpoint || newest_unchanged) {  // else `checked` holds what the newest event showed
    checked = incremental ? check_extends_from(checkpoint, look_->seq) : check_extends(checkpoint);
  }
  // A finding stands, and is found again at the next look, until the trail is whole again: the
  // previous look is kept.
  if (!checked.ok()) return checked.status();
  look_ = Look{checkpoint.seq,
               checkpoint.hash,
               checked->last_seq,
               checked->last_hash,
               now,
               incremental ? look_->full_check : now};
  return absl::OkStatus();
}

absl::StatusOr<Verification> AuditCheckpoints::verify() {
  const auto last = store_.latest_checkpoint(trusted_keys_, clock_.now());
  if (!last.ok()) return last.status();
  return trail_.verify(*last);
}

absl::StatusOr<domain::AuditCheckpoint> AuditCheckpoints::latest() {
  auto latest = store_.latest_checkpoint(trusted_keys_, clock_.now());
  if (!latest.ok()) return latest.status();
  if (!latest->has_value()) {
    return absl::NotFoundError("no audit checkpoint was made yet (termijn audit checkpoint --new)");
  }
  return **latest;
}

absl::StatusOr<AuditCheckpoints::Due> AuditCheckpoints::create_if_due(
    std::chrono::seconds interval) {
  auto latest = store_.latest_checkpoint(trusted_keys_, clock_.now());
  if (!latest.ok()) return latest.status();
  Due due;
  if (latest->has_value()) {
    due.next_due = (*latest)->time + interval;
  } else {
    // The first is due one interval after the trail began; until it begins, look again then.
    auto first = trail_.list({.limit = 1});  // flushed: entries still queued count
    if (!first.ok()) return first.status();
    due.next_due = (first->empty() ? clock_.now() : first->front().record.time) + interval;
  }
  // Checked at every look, so that an altered trail is found now, not when the next checkpoint
  // falls due; and before one is made, with what the previous looks saw.
  if (latest->has_value()) {
    if (auto s = check_extends_since_last_look(**latest); !s.ok()) return s;
  }
  if (clock_.now() < due.next_due) return due;
  // Another process may have made it since the latest was read: then nothing is made here.
  auto made = create(*latest, latest->has_value() ? (*latest)->time : domain::Instant{});
  if (!made.ok()) return made.status();
  if (!made->has_value()) {
    due.next_due = clock_.now();  // read the one the other process made
    return due;
  }
  due.made = *made;
  due.next_due = (*made)->time + interval;
  return due;
}

}  // namespace termijn::app
