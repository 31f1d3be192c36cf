#include "server/store/statements.h"

#include <absl/strings/str_replace.h>

#include <pqxx/connection>
#include <string>

#include "server/store/pg_array.h"
#include "server/store/pg_webhook_store.h"

namespace termijn::store {

namespace {

// Instants cross the boundary as whole seconds since the epoch.
const std::string kIncidentColumns =
    "id, party, extract(epoch FROM aware_time)::bigint, "
    "extract(epoch FROM occurred_time)::bigint, title, description, "
    "array_to_string(categories, ','), array_to_string(subject_groups, ','), subject_count, "
    "risk, ticket_ref, reported_by, extract(epoch FROM create_time)::bigint, consequences, "
    "measures, extract(epoch FROM close_time)::bigint, closing_summary, closed_by";

const std::string kRequestColumns =
    "id, party, kind, extract(epoch FROM receive_time)::bigint, summary, copy_file_name, "
    "copy_media_type, copy_sha256, copy_size, logged_by, extract(epoch FROM create_time)::bigint, "
    "extension_months, extension_reason, extract(epoch FROM extend_time)::bigint, "
    "extract(epoch FROM close_time)::bigint, closing_summary, closed_by, external_ref, "
    "extract(epoch FROM identification_asked_time)::bigint, "
    "extract(epoch FROM identification_time)::bigint";

const std::string kMatterColumns =
    "id, party, kind, extract(epoch FROM event_time)::bigint, summary, staff_ref, reported_by, "
    "extract(epoch FROM create_time)::bigint";

// An obligation's columns (rows::obligation_from), read from kObligationSource.
const std::string kObligationColumns =
    "id, coalesce(incident_id, 0), coalesce(request_id, 0), rule, legal_basis, owner_party, "
    "recipient_kind, recipient_party, extract(epoch FROM start_time)::bigint, "
    "extract(epoch FROM due_time)::bigint, extract(epoch FROM legal_due_time)::bigint, "
    "explanation, state, extract(epoch FROM closed_time)::bigint, evidence, closed_by, "
    "coalesce((SELECT n.state FROM notification n WHERE n.obligation_id = obligation.id AND "
    "n.kind = 'notice' ORDER BY n.id DESC LIMIT 1), ''), "
    "extract(epoch FROM steps.next_time)::bigint, coalesce(steps.next_label, ''), steps.fired, "
    "coalesce(matter_id, 0), coalesce(explanation_nl, '')";

// Obligations with what their reminder steps say (the next pending one, how many fired), from
// one pass over each obligation's steps (about ten). The steps are found by obligation alone:
// with a condition on the state as well, the planner could intersect the index of all pending
// steps (millions) with them, and did when the table's statistics lagged behind its growth.
// Lock with FOR NO KEY UPDATE OF obligation: an obligation's id never changes, so a lock need
// not keep out the foreign-key checks of rows inserted for it (a follow-up notice, a reminder),
// which FOR UPDATE would, in cycles with their own transactions' locks.
const std::string kObligationSource =
    "obligation LEFT JOIN LATERAL (SELECT min(fire_time) FILTER (WHERE state = 'pending') AS "
    "next_time, (array_agg(label ORDER BY fire_time) FILTER (WHERE state = 'pending'))[1] AS "
    "next_label, count(*) FILTER (WHERE state = 'fired') AS fired FROM escalation_step WHERE "
    "obligation_id = obligation.id) steps ON true";

// A step row that exists already, planned again (ON CONFLICT ... DO UPDATE SET).
const std::string kStepPlannedAgain =
    "label = excluded.label, audience = excluded.audience, fire_time = excluded.fire_time, "
    "moved = excluded.moved, state = 'pending', fired_time = NULL";

const std::string kStepColumns =
    "s.id, s.obligation_id, s.step, s.repetition, s.label, s.audience, "
    "extract(epoch FROM s.fire_time)::bigint, s.moved, s.state";

const std::string kNotificationColumns =
    "n.id, coalesce(n.obligation_id, 0), n.kind, n.state, n.attempts, "
    "extract(epoch FROM n.next_attempt_time)::bigint, n.last_error, n.message_id, n.recipients, "
    "n.server_reply, extract(epoch FROM n.sent_time)::bigint, "
    "extract(epoch FROM n.ack_time)::bigint, n.ack_by, extract(epoch FROM n.create_time)::bigint, "
    "coalesce(n.escalation_step_id, 0), "
    "coalesce(n.audit_checkpoint_id, 0), n.recipient_party, coalesce(n.webhook_delivery_id, 0), "
    "coalesce(n.failed_notification_id, 0)";

// The parties a notification (alias n, its obligation LEFT JOINed as o) concerns, as
// app::parties_of(NotificationRecord) decides them. Reminders and failure alerts go to the
// owner's own people, whatever obligation they serve; a notification without an obligation
// (checkpoint mail, its failure alert, webhook alert) belongs to its recipient party.
const std::string kNotificationOwner = "coalesce(o.owner_party, n.recipient_party)";
const std::string kNotificationNotified =
    "CASE WHEN n.kind = 'notice' THEN coalesce(o.recipient_party, '') ELSE '' END";

// A record concerns a party that reported it or that one of its obligations is owed to.
const std::string kConcerns =
    "({p} = '' OR party = {p} OR EXISTS (SELECT 1 FROM obligation o WHERE o.{fk} = r.id AND "
    "o.recipient_party = {p}))";

// Whether the record r concerns the party in parameter `param` ("$1"); an empty one: any.
std::string concerns(const std::string& fk, const std::string& param) {
  std::string s = kConcerns;
  s.replace(s.find("{fk}"), 4, fk);
  for (size_t at = s.find("{p}"); at != std::string::npos; at = s.find("{p}", at)) {
    s.replace(at, 3, param);
  }
  return s;
}

// Appends audit entries from seven arrays of equal length, the first bound to $first.
std::string audit_insert(int first) {
  std::string arrays;
  for (const char* type : {"bigint", "text", "text", "text", "text", "text", "text"}) {
    arrays += (arrays.empty() ? "$" : ", $") + std::to_string(first++) + "::" + type + "[]";
  }
  return "INSERT INTO audit_queue (time, principal, party, action, subject, related, details) "
         "SELECT to_timestamp(t), p, y, a, s, r, d FROM unnest(" +
         arrays + ") AS u(t, p, y, a, s, r, d)";
}

// The party a record belongs to and, comma-separated, the parties its notices go to.
std::string parties_of_record(const std::string& table, const std::string& fk) {
  return "SELECT r.party, coalesce((SELECT string_agg(DISTINCT o.recipient_party, ',') FROM "
         "obligation o WHERE o." +
         fk + " = r.id AND o.recipient_party <> ''), '') FROM " + table + " r WHERE r.id = $1";
}

// A page of a party's register: $1 party, [$2, $3) the period, ($4, $5) the keyset cursor ('' for
// the first page), $6 the page size.
std::string register_page(const std::string& table, const std::string& columns,
                          const std::string& time) {
  return absl::StrReplaceAll(
      "SELECT {columns} FROM {table} WHERE party = $1 AND {time} >= to_timestamp($2) AND {time} < "
      "to_timestamp($3) AND (NULLIF($4, '') IS NULL OR ({time}, id) > "
      "(to_timestamp(NULLIF($4, '')::bigint), $5::bigint)) ORDER BY {time}, id LIMIT $6",
      {{"{columns}", columns}, {"{table}", table}, {"{time}", time}});
}

const std::string kAuditEventColumns =
    "seq, extract(epoch FROM time)::bigint, principal, party, action, subject, related, details, "
    "prev_hash, hash, format, coalesce(leaf, ''::bytea), nonce, ";
const std::string kAuditParties =
    "array_to_string(audit_event_parties(party, subject, related), ',')";
const std::string kAuditColumns = kAuditEventColumns + kAuditParties;

}  // namespace

void prepare_statements(pqxx::connection& c) {
  // Milliseconds, as text; for this session.
  c.prepare(stmt::kSetSessionLimits,
            "SELECT set_config('statement_timeout', $1, false), set_config('lock_timeout', $2, "
            "false), set_config('idle_in_transaction_session_timeout', $3, false)");
  c.prepare(stmt::kLockIncident,
            "SELECT " + kIncidentColumns + " FROM incident WHERE id = $1 FOR UPDATE");
  c.prepare(stmt::kUpdateIncident,
            "UPDATE incident SET occurred_time = to_timestamp(NULLIF($2, '')::bigint), "
            "description = $3, categories = string_to_array($4, ','), subject_groups = "
            "string_to_array($5, ','), subject_count = NULLIF($6::bigint, 0), risk = $7, "
            "ticket_ref = $8, consequences = $9, measures = $10, close_time = "
            "to_timestamp(NULLIF($11, '')::bigint), closing_summary = $12, closed_by = $13 "
            "WHERE id = $1");
  c.prepare(stmt::kLockRequest,
            "SELECT " + kRequestColumns + " FROM request WHERE id = $1 FOR UPDATE");
  c.prepare(stmt::kUpdateRequest,
            "UPDATE request SET extension_months = $2, extension_reason = $3, extend_time = "
            "to_timestamp(NULLIF($4, '')::bigint), close_time = "
            "to_timestamp(NULLIF($5, '')::bigint), closing_summary = $6, closed_by = $7, "
            "identification_asked_time = to_timestamp(NULLIF($8, '')::bigint), "
            "identification_time = to_timestamp(NULLIF($9, '')::bigint) WHERE id = $1");
  c.prepare(stmt::kMoveObligation,
            "UPDATE obligation SET due_time = to_timestamp($2), legal_due_time = "
            "to_timestamp($3), explanation = $4, explanation_nl = $5 WHERE id = $1");
  // A step that has not fired moves to its new time (a cancelled one comes back); one that
  // fired or was skipped comes back when its new time lies after its old one and after now ($8).
  c.prepare(
      stmt::kReplanStep,
      "INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, "
      "fire_time, moved) VALUES ($1, $2, $3, $4, $5, to_timestamp($6), $7) "
      "ON CONFLICT (obligation_id, step, repetition) DO UPDATE SET " +
          kStepPlannedAgain +
          " WHERE escalation_step.state IN ('pending', 'cancelled') OR (excluded.fire_time > "
          "escalation_step.fire_time AND excluded.fire_time > to_timestamp($8)) RETURNING id");
  c.prepare(stmt::kInsertNotificationChange,
            "INSERT INTO notification_change (notification_id, position, field, before, after) "
            "VALUES ($1, $2, $3, $4, $5)");
  c.prepare(stmt::kNotificationChanges,
            "SELECT field, before, after FROM notification_change WHERE notification_id = $1 "
            "ORDER BY position");
  c.prepare(stmt::kChangesOfNotifications,
            "SELECT notification_id, field, before, after FROM notification_change WHERE "
            "notification_id = ANY($1::bigint[]) ORDER BY notification_id, position");
  c.prepare(stmt::kInsertIncident,
            "INSERT INTO incident (party, aware_time, occurred_time, title, description, "
            "categories, subject_groups, subject_count, risk, ticket_ref, reported_by, "
            "create_time) VALUES ($1, to_timestamp($2), to_timestamp(NULLIF($3, '')::bigint), "
            "$4, $5, string_to_array($6, ','), string_to_array($7, ','), "
            "NULLIF($8::bigint, 0), $9, $10, $11, to_timestamp($12)) RETURNING id");
  c.prepare(stmt::kInsertRequest,
            "INSERT INTO request (party, kind, receive_time, summary, copy_file_name, "
            "copy_media_type, copy_sha256, copy_size, copy_content, logged_by, create_time, "
            "external_ref) VALUES ($1, $2, to_timestamp($3), $4, NULLIF($5, ''), NULLIF($6, ''), "
            "NULLIF($7, ''), NULLIF($8::bigint, 0), $9, $10, to_timestamp($11), $12) RETURNING id");
  // A call's obligations in one statement (arrays of equal length, inserted in their order).
  // Each id comes back with the obligation's unique key, by which the caller finds its own.
  c.prepare(stmt::kInsertObligations,
            "INSERT INTO obligation (incident_id, request_id, rule, legal_basis, owner_party, "
            "recipient_kind, recipient_party, start_time, due_time, legal_due_time, "
            "explanation, matter_id, explanation_nl) SELECT NULLIF(i, 0), NULLIF(q, 0), r, b, "
            "o, k, p, to_timestamp(s), to_timestamp(d), to_timestamp(l), e, NULLIF(m, 0), en "
            "FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], "
            "$6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::bigint[], $11::text[], "
            "$12::bigint[], $13::text[]) "
            "WITH ORDINALITY AS u(i, q, r, b, o, k, p, s, d, l, e, m, en, n) ORDER BY n "
            "RETURNING id, coalesce(incident_id, 0), coalesce(request_id, 0), "
            "coalesce(matter_id, 0), rule, recipient_kind, recipient_party");
  c.prepare(stmt::kLockObligation, "SELECT " + kObligationColumns + " FROM " + kObligationSource +
                                       " WHERE id = $1 FOR NO KEY UPDATE OF obligation");
  // The lock order of every transaction that locks several of them: notifications by id, then
  // obligations by id (StoreTransaction::lock_in_id_order).
  c.prepare(stmt::kLockNotificationsInOrder,
            "SELECT id FROM notification WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE");
  c.prepare(stmt::kLockObligationsInOrder,
            "SELECT id FROM obligation WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE");
  c.prepare(stmt::kGetIncident, "SELECT " + kIncidentColumns + " FROM incident WHERE id = $1");
  c.prepare(stmt::kIncidentsByIds,
            "SELECT " + kIncidentColumns + " FROM incident WHERE id = ANY($1::bigint[])");
  // GetIncident in one round trip: the incident joined with its obligations, soonest first.
  c.prepare(stmt::kIncidentRecord, "SELECT i.*, o.* FROM (SELECT " + kIncidentColumns +
                                       " FROM incident WHERE id = $1) i "
                                       "LEFT JOIN LATERAL (SELECT " +
                                       kObligationColumns +
                                       ", row_number() OVER (ORDER BY "
                                       "due_time, id) AS rank FROM " +
                                       kObligationSource +
                                       " WHERE incident_id = $1) o ON true "
                                       "ORDER BY "
                                       "o.rank");
  c.prepare(stmt::kListIncidents, "SELECT " + kIncidentColumns + " FROM incident r WHERE " +
                                      concerns("incident_id", "$1") + " AND " +
                                      concerns("incident_id", "$4") +
                                      " AND ($2::bigint = 0 OR id < $2::bigint) AND ($5 = '' OR "
                                      "ticket_ref = $5) ORDER BY id DESC LIMIT $3");
  c.prepare(stmt::kGetRequest, "SELECT " + kRequestColumns + " FROM request WHERE id = $1");
  c.prepare(stmt::kGetRequestWithCopy,
            "SELECT " + kRequestColumns + ", copy_content FROM request WHERE id = $1");
  c.prepare(stmt::kRequestsWithCopyByIds, "SELECT " + kRequestColumns +
                                              ", copy_content FROM request WHERE id = "
                                              "ANY($1::bigint[])");
  c.prepare(stmt::kListRequests, "SELECT " + kRequestColumns + " FROM request r WHERE " +
                                     concerns("request_id", "$1") + " AND " +
                                     concerns("request_id", "$4") +
                                     " AND ($2::bigint = 0 OR id < $2::bigint) AND ($5 = '' OR "
                                     // the reference is the owner's own: only its own match
                                     "(external_ref = $5 AND ($4 = '' OR party = $4))) "
                                     "ORDER BY id DESC LIMIT $3");
  // An incident's external_ref is its ticket_ref column (migration 0005).
  c.prepare(stmt::kIncidentByExternalRef,
            "SELECT id FROM incident WHERE party = $1 AND ticket_ref = $2 AND $2 <> ''");
  c.prepare(stmt::kRequestByExternalRef,
            "SELECT id FROM request WHERE party = $1 AND external_ref = $2 AND $2 <> ''");
  // A second claim of a key another transaction holds waits for it on the primary key; if that
  // one commits, DO NOTHING and the next statement sees its row.
  c.prepare(stmt::kClaimCreate,
            "INSERT INTO create_request (principal, request_id, method, body_sha256, create_time) "
            "VALUES ($1, $2, $3, $4, to_timestamp($5)) ON CONFLICT (principal, request_id) DO "
            "NOTHING RETURNING 1");
  c.prepare(stmt::kGetCreate,
            "SELECT method, body_sha256, subject FROM create_request WHERE principal = $1 AND "
            "request_id = $2");
  c.prepare(stmt::kFinishCreate,
            "UPDATE create_request SET subject = $3 WHERE principal = $1 AND request_id = $2");
  c.prepare(stmt::kGetObligation,
            "SELECT " + kObligationColumns + " FROM " + kObligationSource + " WHERE id = $1");
  c.prepare(stmt::kObligationsByIds, "SELECT " + kObligationColumns + " FROM " + kObligationSource +
                                         " WHERE id = ANY($1::bigint[])");
  c.prepare(stmt::kListObligations,
            "SELECT " + kObligationColumns + " FROM " + kObligationSource +
                " WHERE ($1 OR state = 'open') AND ($2 = '' OR owner_party = $2) "
                "AND (NULLIF($3, '') IS NULL OR due_time < to_timestamp(NULLIF($3, '')::bigint)) "
                "AND (NULLIF($4, '') IS NULL OR (due_time, id) > "
                "(to_timestamp(NULLIF($4, '')::bigint), $5::bigint)) "
                "AND ($7 = '' OR owner_party = $7 OR recipient_party = $7) "
                "AND ($8 = '' OR rule = $8) ORDER BY due_time, id LIMIT $6");
  c.prepare(stmt::kObligationsOf,
            "SELECT " + kObligationColumns + " FROM " + kObligationSource +
                " WHERE incident_id = NULLIF($1, 0) OR request_id = NULLIF($2, 0) "
                "OR matter_id = NULLIF($3, 0) ORDER BY due_time, id");
  c.prepare(stmt::kPartiesOfIncident, parties_of_record("incident", "incident_id"));
  c.prepare(stmt::kPartiesOfRequest, parties_of_record("request", "request_id"));
  c.prepare(stmt::kInsertMatter,
            "INSERT INTO matter (party, kind, event_time, summary, staff_ref, reported_by, "
            "create_time) VALUES ($1, $2, to_timestamp($3), $4, $5, $6, to_timestamp($7)) "
            "RETURNING id");
  c.prepare(stmt::kGetMatter, "SELECT " + kMatterColumns + " FROM matter WHERE id = $1");
  c.prepare(stmt::kMattersByIds,
            "SELECT " + kMatterColumns + " FROM matter WHERE id = ANY($1::bigint[])");
  c.prepare(stmt::kListMatters, "SELECT " + kMatterColumns + " FROM matter r WHERE " +
                                    concerns("matter_id", "$1") + " AND " +
                                    concerns("matter_id", "$4") +
                                    " AND ($2::bigint = 0 OR id < $2::bigint) "
                                    "ORDER BY id DESC LIMIT $3");
  c.prepare(stmt::kPartiesOfMatter, parties_of_record("matter", "matter_id"));
  c.prepare(stmt::kPartiesOfObligation,
            "SELECT owner_party, recipient_party FROM obligation WHERE id = $1");
  c.prepare(stmt::kPartiesOfNotification,
            "SELECT " + kNotificationOwner + ", " + kNotificationNotified +
                " FROM notification n LEFT JOIN obligation o ON o.id = n.obligation_id WHERE n.id "
                "= $1");
  c.prepare(
      stmt::kInsertNotification,
      "INSERT INTO notification (obligation_id, kind, state, next_attempt_time, create_time, "
      "escalation_step_id, audit_checkpoint_id, recipient_party, webhook_delivery_id, "
      "failed_notification_id) VALUES (NULLIF($1::bigint, 0), $2, $3, to_timestamp($4), "
      "to_timestamp($5), NULLIF($6::bigint, 0), NULLIF($7::bigint, 0), $8, NULLIF($9::bigint, 0), "
      "NULLIF($10::bigint, 0)) RETURNING id");
  c.prepare(stmt::kClaimNotifications,
            "SELECT " + kNotificationColumns +
                " FROM notification n WHERE n.state = 'pending' AND n.next_attempt_time <= "
                "to_timestamp($1) ORDER BY n.next_attempt_time, n.id LIMIT $2 FOR UPDATE SKIP "
                "LOCKED");
  // The attempts of claimed notifications, each with its message and lease (arrays of id,
  // attempts, message_id, recipients, next attempt time).
  c.prepare(stmt::kLeaseNotifications,
            "UPDATE notification n SET attempts = u.attempts, message_id = u.message_id, "
            "recipients = u.recipients, next_attempt_time = to_timestamp(u.next) FROM "
            "unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::bigint[]) AS "
            "u(id, attempts, message_id, recipients, next) WHERE n.id = u.id");
  c.prepare(stmt::kLockNotification,
            "SELECT " + kNotificationColumns + " FROM notification n WHERE n.id = $1 FOR UPDATE");
  c.prepare(stmt::kLockNotices, "SELECT " + kNotificationColumns +
                                    " FROM notification n WHERE n.obligation_id = "
                                    "ANY($1::bigint[]) AND n.kind = 'notice' ORDER BY n.id FOR "
                                    "UPDATE");
  c.prepare(stmt::kGetNotification,
            "SELECT " + kNotificationColumns + " FROM notification n WHERE n.id = $1");
  c.prepare(stmt::kListNotifications,
            "SELECT " + kNotificationColumns +
                " FROM notification n LEFT JOIN obligation o ON o.id = n.obligation_id "
                "WHERE ($1 = '' OR " +
                kNotificationOwner +
                " = $1 OR o.recipient_party = $1) "
                "AND ($2 = '' OR n.state = $2) AND ($3::bigint = 0 OR n.id < $3::bigint) "
                "AND ($5::bigint = 0 OR n.obligation_id = $5::bigint) "
                "AND ($6 = '' OR " +
                kNotificationOwner + " = $6 OR " + kNotificationNotified +
                " = $6) ORDER BY n.id DESC LIMIT $4");
  c.prepare(stmt::kNextNotificationTime,
            "SELECT extract(epoch FROM min(next_attempt_time))::bigint FROM notification WHERE "
            "state = 'pending'");
  // The steps of one obligation in one round trip (arrays of step, repetition, label, audience,
  // fire time, moved). Returns the ids it added.
  c.prepare(stmt::kInsertSteps,
            "INSERT INTO escalation_step (obligation_id, step, repetition, label, audience, "
            "fire_time, moved) SELECT $1, s, r, l, a, to_timestamp(f), m FROM "
            "unnest($2::integer[], $3::integer[], $4::text[], $5::text[], $6::bigint[], "
            "$7::boolean[]) AS u(s, r, l, a, f, m) "
            // Planned for an earlier time and decided: a due time moved later since.
            "ON CONFLICT (obligation_id, step, repetition) DO UPDATE SET " +
                kStepPlannedAgain +
                " WHERE escalation_step.state <> 'pending' AND excluded.fire_time > "
                "escalation_step.fire_time RETURNING id");
  // A step is claimed together with its obligation: one scheduler at a time works on an
  // obligation, so its due steps are seen and decided together.
  c.prepare(stmt::kClaimStep,
            "SELECT " + kStepColumns +
                " FROM escalation_step s JOIN obligation o ON o.id = s.obligation_id WHERE "
                "s.state = 'pending' AND s.fire_time <= to_timestamp($1) ORDER BY s.fire_time, "
                "s.id LIMIT 1 FOR NO KEY UPDATE OF s, o SKIP LOCKED");
  // The obligation's steps found by obligation alone, as in kWriteHeld: after downtime
  // every obligation has due steps, and the index of all pending ones would be read for each.
  c.prepare(stmt::kDueSteps,
            "SELECT " + kStepColumns +
                " FROM (SELECT * FROM escalation_step WHERE obligation_id = $1 OFFSET 0 FOR "
                "UPDATE) s WHERE s.state = 'pending' AND s.fire_time <= to_timestamp($2) "
                "ORDER BY s.fire_time, s.id");
  c.prepare(stmt::kLaterStepFired,
            "SELECT EXISTS (SELECT 1 FROM escalation_step WHERE obligation_id = $1 AND state = "
            "'fired' AND fire_time > to_timestamp($2))");
  c.prepare(stmt::kFiredStepsUntil,
            "SELECT count(*) FROM escalation_step WHERE obligation_id = $1 AND state = 'fired' "
            "AND fire_time <= to_timestamp($2)");
  c.prepare(stmt::kUpdateStep,
            "UPDATE escalation_step SET state = $2, fired_time = to_timestamp(NULLIF($3, "
            "'')::bigint) WHERE id = $1");
  // A transaction's held writes (PgTransaction), in one round trip: notifications updated
  // (arrays $1-$11: id, state, attempts, next attempt time, last error, message id,
  // recipients, server reply, sent time, ack time, ack by), obligations closed ($12-$16: id,
  // state, closed time, evidence, closed by), and the obligations $17 whose pending steps and
  // reminders not yet sent are cancelled. No row is in two parts.
  c.prepare(stmt::kWriteHeld,
            "WITH updated AS (UPDATE notification n SET state = u.state, attempts = u.attempts, "
            "next_attempt_time = to_timestamp(u.next), last_error = u.last_error, message_id = "
            "u.message_id, recipients = u.recipients, server_reply = u.reply, sent_time = "
            "to_timestamp(NULLIF(u.sent, '')::bigint), ack_time = to_timestamp(NULLIF(u.ack, "
            "'')::bigint), ack_by = u.ack_by FROM unnest($1::bigint[], $2::text[], "
            "$3::integer[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], "
            "$9::text[], $10::text[], $11::text[]) AS u(id, state, attempts, next, last_error, "
            "message_id, recipients, reply, sent, ack, ack_by) WHERE n.id = u.id), "
            "closed AS (UPDATE obligation o SET state = u.state, closed_time = "
            "to_timestamp(u.closed), evidence = u.evidence, closed_by = u.closed_by FROM "
            "unnest($12::bigint[], $13::text[], $14::bigint[], $15::text[], $16::text[]) AS "
            "u(id, state, closed, evidence, closed_by) WHERE o.id = u.id), "
            // The obligations' steps are found by obligation alone (OFFSET 0 keeps the
            // condition on the state out of that scan: see kObligationSource), then filtered:
            // the state is read after the lock.
            "steps AS (UPDATE escalation_step SET state = 'cancelled' WHERE id IN (SELECT id "
            "FROM (SELECT id, state FROM escalation_step WHERE obligation_id = ANY($17::bigint[]) "
            "OFFSET 0 FOR UPDATE SKIP LOCKED) s WHERE s.state = 'pending')) "
            "UPDATE notification SET state = 'cancelled' WHERE id IN (SELECT id FROM notification "
            "WHERE obligation_id = ANY($17::bigint[]) AND kind = 'reminder' AND state IN "
            "('pending', 'held') FOR UPDATE SKIP LOCKED)");
  c.prepare(stmt::kGetStep, "SELECT " + kStepColumns + " FROM escalation_step s WHERE s.id = $1");
  c.prepare(stmt::kNextStepTime,
            "SELECT extract(epoch FROM min(fire_time))::bigint FROM escalation_step WHERE "
            "state = 'pending'");
  // All of a transaction's entries in one statement (arrays of equal length).
  c.prepare(stmt::kAppendAudit, audit_insert(1));
  // And the reminder steps it queued (of any number of obligations), in the same round trip.
  c.prepare(stmt::kAppendStepsAndAudit,
            "WITH steps AS (INSERT INTO escalation_step (obligation_id, step, repetition, label, "
            "audience, fire_time, moved) SELECT o, s, r, l, a, to_timestamp(f), m FROM "
            "unnest($1::bigint[], $2::integer[], $3::integer[], $4::text[], $5::text[], "
            "$6::bigint[], $7::boolean[]) AS u(o, s, r, l, a, f, m) "
            "ON CONFLICT (obligation_id, step, repetition) DO NOTHING) " +
                audit_insert(8));
  // Sequencing is the schema owner's SECURITY DEFINER function (migration 0005): the service
  // role cannot write the chain itself.
  c.prepare(stmt::kAuditSequence, "SELECT audit_sequence($1, $2)");
  // What the connected role could do to the audit trail beyond appending to the queue and
  // adding checkpoints: be a superuser, create roles (before PostgreSQL 16 such a role can grant
  // itself the owner's), own (or be able to become the owner of) its tables or any of its
  // functions (sequencing, hashing, the append-only trigger's), or hold a privilege that changes
  // them.
  c.prepare(stmt::kServiceRoleRights,
            "SELECT current_user, rolsuper, "
            "(SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_class c WHERE c.oid "
            "IN ('audit_checkpoint'::regclass, 'audit_event'::regclass, 'audit_queue'::regclass) "
            "AND pg_has_role(current_user, c.relowner, 'MEMBER')), "
            "(SELECT string_agg(DISTINCT p.proname, ', ' ORDER BY p.proname) FROM pg_proc p "
            "WHERE p.proname LIKE 'audit\\_%' AND p.pronamespace = (SELECT relnamespace FROM "
            "pg_class WHERE oid = 'audit_event'::regclass) AND "
            "pg_has_role(current_user, p.proowner, 'MEMBER')), "
            "(SELECT string_agg(g.privilege || ' on ' || g.relation, ', ') FROM (VALUES "
            "('audit_event', 'INSERT'), ('audit_event', 'UPDATE'), ('audit_event', 'DELETE'), "
            "('audit_event', 'TRUNCATE'), ('audit_event', 'TRIGGER'), ('audit_queue', 'UPDATE'), "
            "('audit_queue', 'DELETE'), ('audit_queue', 'TRUNCATE'), ('audit_queue', 'TRIGGER'), "
            "('audit_checkpoint', 'UPDATE'), ('audit_checkpoint', 'DELETE'), "
            "('audit_checkpoint', 'TRUNCATE'), ('audit_checkpoint', 'TRIGGER')) "
            "AS g(relation, privilege) WHERE has_table_privilege(current_user, g.relation, "
            "g.privilege)), "
            "rolcreaterole "
            "FROM pg_roles WHERE rolname = current_user");
  c.prepare(stmt::kAuditHead, "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1");
  // Any constant shared by every termijnd; "checkpt" in ASCII.
  c.prepare(stmt::kCheckpointLock, "SELECT pg_advisory_xact_lock(27980807363326068)");
  c.prepare(stmt::kInsertCheckpoint,
            "INSERT INTO audit_checkpoint (seq, hash, time, public_key, signature) VALUES ($1, $2, "
            "to_timestamp($3), $4, $5) RETURNING id");
  // Rows naming a key, newest first; the caller checks their signatures (anyone who can write
  // the table can name any key).
  c.prepare(stmt::kCheckpointsOfKey,
            "SELECT seq, hash, extract(epoch FROM time)::bigint, public_key, signature, id FROM "
            "audit_checkpoint WHERE public_key = $1 AND time > to_timestamp($2) "
            "ORDER BY time DESC, id DESC LIMIT $3 OFFSET $4");
  c.prepare(stmt::kGetCheckpoint,
            "SELECT seq, hash, extract(epoch FROM time)::bigint, public_key, signature FROM "
            "audit_checkpoint WHERE id = $1");
  // With a subject, a reader of party $4 sees only its own party's events: digests of another
  // party's would tell which of them concern that record.
  c.prepare(
      stmt::kAuditEvents,
      "SELECT " + kAuditEventColumns +
          // Looked up only for a reader who sees some events as digests.
          "CASE WHEN $4 = '' THEN '' ELSE " + kAuditParties + " END" +
          " FROM audit_event WHERE ($1 = '' OR ((subject = $1 OR related = $1) AND ($4 = '' OR "
          "$4 = ANY(audit_event_parties(party, subject, related))))) AND seq > $2 "
          "ORDER BY seq LIMIT $3");
  c.prepare(stmt::kAuditEvent, "SELECT " + kAuditColumns + " FROM audit_event WHERE seq = $1");
  c.prepare(stmt::kRegisterIncidents, register_page("incident", kIncidentColumns, "aware_time"));
  c.prepare(stmt::kRegisterRequests, register_page("request", kRequestColumns, "receive_time"));
  c.prepare(stmt::kObligationsOfIncidents,
            "SELECT " + kObligationColumns + " FROM " + kObligationSource +
                " WHERE incident_id = ANY($1::bigint[]) ORDER BY due_time, id");
  c.prepare(stmt::kObligationsOfRequests,
            "SELECT " + kObligationColumns + " FROM " + kObligationSource +
                " WHERE request_id = ANY($1::bigint[]) ORDER BY due_time, id");
  prepare_webhook_statements(c);
}

int64_t insert_notification(pqxx::transaction_base& tx, const domain::Notification& n) {
  const auto seconds = [](domain::Instant t) {
    return static_cast<long long>(t.time_since_epoch().count());
  };
  return tx
      .exec_prepared1(stmt::kInsertNotification, n.obligation_id,
                      std::string(domain::name_of(n.kind)), std::string(domain::name_of(n.state)),
                      seconds(n.next_attempt_time), seconds(n.create_time), n.escalation_step_id,
                      n.audit_checkpoint_id, n.recipient_party, n.webhook_delivery_id,
                      n.failed_notification_id)[0]
      .as<int64_t>();
}

void append_audit(pqxx::transaction_base& tx, const std::vector<domain::AuditRecord>& records,
                  const std::vector<domain::ScheduledStep>& steps) {
  if (records.empty() && steps.empty()) return;
  PgArray time, principal, party, action, subject, related, details;
  for (const domain::AuditRecord& r : records) {
    time.add(static_cast<long long>(r.time.time_since_epoch().count()));
    principal.add(r.principal);
    party.add(r.party);
    action.add(r.action);
    subject.add(r.subject);
    related.add(r.related);
    details.add(r.details);
  }
  if (steps.empty()) {
    tx.exec_prepared(stmt::kAppendAudit, time.str(), principal.str(), party.str(), action.str(),
                     subject.str(), related.str(), details.str());
    return;
  }
  PgArray obligation, number, repetition, label, audience, fire_time, moved;
  for (const domain::ScheduledStep& st : steps) {
    obligation.add(static_cast<long long>(st.obligation_id));
    number.add(st.time.step);
    repetition.add(st.time.repetition);
    label.add(st.label);
    audience.add(st.audience);
    fire_time.add(static_cast<long long>(st.time.fire_time.time_since_epoch().count()));
    moved.add(st.time.moved ? "t" : "f");
  }
  tx.exec_prepared(stmt::kAppendStepsAndAudit, obligation.str(), number.str(), repetition.str(),
                   label.str(), audience.str(), fire_time.str(), moved.str(), time.str(),
                   principal.str(), party.str(), action.str(), subject.str(), related.str(),
                   details.str());
}

}  // namespace termijn::store
