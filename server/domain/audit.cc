#include "server/domain/audit.h"

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

}  // namespace termijn::domain
