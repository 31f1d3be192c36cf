#include "server/app/views.h"

#include <algorithm>

namespace termijn::app {

namespace {

template <typename Record>
RecordParties parties_of_record(const std::string& owner, const Record& record) {
  RecordParties parties{owner, {}};
  for (const domain::Obligation& o : record.obligations) {
    if (!o.recipient_party.empty()) parties.notified.push_back(o.recipient_party);
  }
  return parties;
}

// Keeps only the obligations towards `party`, each as notified; one `party` owes itself (a duty
// of every party, on another party's matter) stays whole.
void keep_notices_to(const std::string& party, std::vector<domain::Obligation>& obligations) {
  std::erase_if(obligations,
                [&](const domain::Obligation& o) { return o.recipient_party != party; });
  for (domain::Obligation& o : obligations) {
    if (o.owner_party != party) o = notified_view(std::move(o), party);
  }
}

}  // namespace

void keep_those_of(const std::string& party, std::vector<domain::Obligation>& obligations) {
  std::erase_if(obligations, [&](const domain::Obligation& o) {
    return o.owner_party != party && o.recipient_party != party;
  });
}

RecordParties parties_of(const IncidentRecord& record) {
  return parties_of_record(record.incident.party, record);
}

RecordParties parties_of(const RequestRecord& record) {
  return parties_of_record(record.request.party, record);
}

RecordParties parties_of(const MatterRecord& record) {
  return parties_of_record(record.matter.party, record);
}

RecordParties parties_of(const domain::Obligation& obligation) {
  RecordParties parties{obligation.owner_party, {}};
  if (!obligation.recipient_party.empty()) parties.notified.push_back(obligation.recipient_party);
  return parties;
}

RecordParties parties_of(const NotificationRecord& record) {
  // A checkpoint mail, its failure alert and a webhook alert go to their recipient party only.
  // The statements that list notifications select by the same rule (kNotificationOwner).
  if (record.notification.obligation_id == 0) return {record.notification.recipient_party, {}};
  // Reminders and failure alerts go to the owner's own people, whatever obligation they serve.
  if (record.notification.kind != domain::NotificationKind::kNotice) {
    return {record.obligation.owner_party, {}};
  }
  return parties_of(record.obligation);
}

IncidentRecord notified_view(IncidentRecord record, const std::string& party) {
  // The breach notice (protocol art. 13) carries every field of the incident but when it was
  // entered into Termijn.
  record.incident.create_time = {};
  // How the owner closed its case is its own file, not part of the notice.
  record.incident.close_time.reset();
  record.incident.closing_summary.clear();
  record.incident.closed_by.clear();
  keep_notices_to(party, record.obligations);
  return record;
}

RequestRecord notified_view(RequestRecord record, const std::string& party) {
  // The request notice (protocol art. 14) carries kind, receipt time, summary, who logged it
  // and the copy of the original as an attachment.
  record.request.create_time = {};
  // The answer to the subject, its extension and identification and the closing are the owner's
  // own duties.
  record.request.extension_months = 0;
  record.request.extension_reason.clear();
  record.request.extend_time.reset();
  record.request.identification_asked_time.reset();
  record.request.identification_time.reset();
  record.request.close_time.reset();
  record.request.closing_summary.clear();
  record.request.closed_by.clear();
  record.request.external_ref.clear();  // the owner's own ticket, not part of the notice
  keep_notices_to(party, record.obligations);
  return record;
}

MatterRecord notified_view(MatterRecord record, const std::string& party) {
  // A matter is recorded to be shared: every field but when it was entered into Termijn, and
  // the obligations towards (or, for a duty of every party, of) `party`.
  record.matter.create_time = {};
  keep_notices_to(party, record.obligations);
  return record;
}

domain::Obligation notified_view(domain::Obligation o, const std::string&) {
  // A met notice's evidence is the proof of its delivery to the reader (Message-ID, the
  // server's reply); a waiver's reason is the owner's own.
  if (o.state == domain::ObligationState::kWaived) o.evidence.clear();
  o.closed_by.clear();
  o.next_step_time.reset();
  o.next_step.clear();
  o.escalation_level = 0;
  return o;
}

NotificationRecord notified_view(NotificationRecord record, const std::string& party) {
  // The recipient sees what reached it and its own acknowledgement, not the owner's delivery
  // attempts.
  domain::Notification& n = record.notification;
  n.attempts = 0;
  n.next_attempt_time = {};
  n.last_error.clear();
  n.server_reply.clear();
  record.obligation = notified_view(std::move(record.obligation), party);
  return record;
}

}  // namespace termijn::app
