#include "server/domain/audit.h"

#include <cstdio>
#include <vector>

namespace termijn::domain {

namespace {

void append_netstring(std::string& out, const std::string& field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ',';
}

}  // namespace

std::string format_utc(Instant t) { return date::format("%Y-%m-%dT%H:%M:%SZ", t); }

std::string canonical_bytes(const AuditRecord& r) {
  std::string out;
  for (const std::string& field : {std::to_string(r.seq), format_utc(r.time), r.principal,
                                   r.party, r.action, r.subject, r.related, r.details}) {
    append_netstring(out, field);
  }
  return out;
}

std::string canonical_bytes_v2(const AuditRecord& r) {
  std::string out;
  for (const std::string& field :
       {std::string("termijn-audit-event 2"), std::to_string(r.seq), format_utc(r.time), r.nonce,
        r.principal, r.party, r.action, r.subject, r.related, r.details}) {
    append_netstring(out, field);
  }
  return out;
}

}  // namespace termijn::domain

namespace termijn::domain {

namespace {

constexpr std::string_view kCheckpointHeader = "termijn-audit-checkpoint 1";

bool is_hex(std::string_view text, size_t length) {
  if (text.size() != length) return false;
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string checkpoint_signed_text(const AuditCheckpoint& c) {
  return std::string(kCheckpointHeader) + "\nseq " + std::to_string(c.seq) + "\nhash " + c.hash +
         "\ntime " + format_utc(c.time) + "\npublic-key " + c.public_key + "\n";
}

std::string checkpoint_text(const AuditCheckpoint& c) {
  return checkpoint_signed_text(c) + "signature " + c.signature + "\n";
}

ParsedCheckpoint parse_checkpoint(std::string_view text) {
  ParsedCheckpoint parsed;
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    if (end == std::string_view::npos) {
      lines.push_back(text);
      break;
    }
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  static constexpr std::string_view kKeys[] = {"seq", "hash", "time", "public-key", "signature"};
  if (lines.size() != 6 || lines[0] != kCheckpointHeader) {
    parsed.error = "not a checkpoint: expected '" + std::string(kCheckpointHeader) +
                   "' and 5 lines (seq, hash, time, public-key, signature)";
    return parsed;
  }
  std::string_view values[5];
  for (int i = 0; i < 5; ++i) {
    const std::string_view line = lines[i + 1];
    const std::string prefix = std::string(kKeys[i]) + " ";
    if (line.substr(0, prefix.size()) != prefix) {
      parsed.error = "line " + std::to_string(i + 2) + ": expected '" + prefix + "...'";
      return parsed;
    }
    values[i] = line.substr(prefix.size());
  }
  AuditCheckpoint& c = parsed.checkpoint;
  const std::string seq(values[0]);
  if (seq.empty() || seq.size() > 18 || seq.find_first_not_of("0123456789") != std::string::npos) {
    parsed.error = "seq: not a sequence number: '" + seq + "'";
    return parsed;
  }
  c.seq = std::stoll(seq);
  c.hash = values[1];
  if (!is_hex(c.hash, 64)) {
    parsed.error = "hash: expected 64 lower-case hex digits";
    return parsed;
  }
  const std::string time(values[2]);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  const bool read = std::sscanf(time.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ", &year, &month, &day,
                                &hour, &minute, &second) == 6;
  const date::year_month_day ymd{date::year{year}, date::month(month), date::day(day)};
  if (read && ymd.ok() && hour < 24 && minute < 60 && second < 60) {
    c.time = date::sys_days{ymd} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
             std::chrono::seconds{second};
  }
  if (!read || !ymd.ok() || format_utc(c.time) != time) {
    parsed.error = "time: expected YYYY-MM-DDTHH:MM:SSZ";
    return parsed;
  }
  c.public_key = values[3];
  if (!is_hex(c.public_key, 64)) {
    parsed.error = "public-key: expected 64 lower-case hex digits (Ed25519)";
    return parsed;
  }
  c.signature = values[4];
  if (!is_hex(c.signature, 128)) {
    parsed.error = "signature: expected 128 lower-case hex digits (Ed25519)";
    return parsed;
  }
  return parsed;
}

}  // namespace termijn::domain
