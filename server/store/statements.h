#pragma once

#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <vector>

#include "server/domain/audit.h"
#include "server/domain/escalation.h"
#include "server/domain/model.h"

namespace termijn::store {

/// Names of the prepared statements; the SQL is in statements.cc, the one place for it.
namespace stmt {
inline constexpr const char* kInsertIncident = "insert_incident";
inline constexpr const char* kInsertRequest = "insert_request";
inline constexpr const char* kInsertObligations = "insert_obligations";
inline constexpr const char* kLockObligation = "lock_obligation";
inline constexpr const char* kGetIncident = "get_incident";
inline constexpr const char* kIncidentRecord = "incident_record";
inline constexpr const char* kListIncidents = "list_incidents";
inline constexpr const char* kGetRequest = "get_request";
inline constexpr const char* kGetRequestWithCopy = "get_request_with_copy";
inline constexpr const char* kListRequests = "list_requests";
inline constexpr const char* kIncidentByExternalRef = "incident_by_external_ref";
inline constexpr const char* kRequestByExternalRef = "request_by_external_ref";
inline constexpr const char* kClaimCreate = "claim_create";
inline constexpr const char* kGetCreate = "get_create";
inline constexpr const char* kFinishCreate = "finish_create";
inline constexpr const char* kGetObligation = "get_obligation";
inline constexpr const char* kListObligations = "list_obligations";
inline constexpr const char* kObligationsOf = "obligations_of";
inline constexpr const char* kPartiesOfIncident = "parties_of_incident";
inline constexpr const char* kPartiesOfRequest = "parties_of_request";
inline constexpr const char* kInsertMatter = "insert_matter";
inline constexpr const char* kGetMatter = "get_matter";
inline constexpr const char* kListMatters = "list_matters";
inline constexpr const char* kPartiesOfMatter = "parties_of_matter";
inline constexpr const char* kPartiesOfObligation = "parties_of_obligation";
inline constexpr const char* kPartiesOfNotification = "parties_of_notification";
inline constexpr const char* kAppendAudit = "append_audit";
inline constexpr const char* kAppendStepsAndAudit = "append_steps_and_audit";
inline constexpr const char* kInsertSteps = "insert_steps";
inline constexpr const char* kClaimStep = "claim_step";
inline constexpr const char* kDueSteps = "due_steps";
inline constexpr const char* kUpdateStep = "update_step";
inline constexpr const char* kWriteHeld = "write_held";
inline constexpr const char* kGetStep = "get_step";
inline constexpr const char* kNextStepTime = "next_step_time";
inline constexpr const char* kLaterStepFired = "later_step_fired";
inline constexpr const char* kFiredStepsUntil = "fired_steps_until";
inline constexpr const char* kInsertNotification = "insert_notification";
inline constexpr const char* kClaimNotifications = "claim_notifications";
inline constexpr const char* kLeaseNotifications = "lease_notifications";
inline constexpr const char* kLockNotification = "lock_notification";
inline constexpr const char* kLockNotices = "lock_notices";
inline constexpr const char* kLockNotificationsInOrder = "lock_notifications_in_order";
inline constexpr const char* kLockObligationsInOrder = "lock_obligations_in_order";
inline constexpr const char* kGetNotification = "get_notification";
inline constexpr const char* kListNotifications = "list_notifications";
inline constexpr const char* kNextNotificationTime = "next_notification_time";
inline constexpr const char* kAuditSequence = "audit_sequence";
inline constexpr const char* kServiceRoleRights = "service_role_rights";
inline constexpr const char* kAuditHead = "audit_head";
inline constexpr const char* kInsertCheckpoint = "insert_checkpoint";
inline constexpr const char* kCheckpointLock = "checkpoint_lock";
inline constexpr const char* kCheckpointsOfKey = "checkpoints_of_key";
inline constexpr const char* kGetCheckpoint = "get_checkpoint";
inline constexpr const char* kAuditEvents = "audit_events";
inline constexpr const char* kAuditEvent = "audit_event";
inline constexpr const char* kSetSessionLimits = "set_session_limits";
inline constexpr const char* kLockIncident = "lock_incident";
inline constexpr const char* kUpdateIncident = "update_incident";
inline constexpr const char* kLockRequest = "lock_request";
inline constexpr const char* kUpdateRequest = "update_request";
inline constexpr const char* kMoveObligation = "move_obligation";
inline constexpr const char* kReplanStep = "replan_step";
inline constexpr const char* kInsertNotificationChange = "insert_notification_change";
inline constexpr const char* kNotificationChanges = "notification_changes";
inline constexpr const char* kChangesOfNotifications = "changes_of_notifications";
inline constexpr const char* kObligationsByIds = "obligations_by_ids";
inline constexpr const char* kIncidentsByIds = "incidents_by_ids";
inline constexpr const char* kRequestsWithCopyByIds = "requests_with_copy_by_ids";
inline constexpr const char* kMattersByIds = "matters_by_ids";
inline constexpr const char* kRegisterIncidents = "register_incidents";
inline constexpr const char* kRegisterRequests = "register_requests";
inline constexpr const char* kObligationsOfIncidents = "obligations_of_incidents";
inline constexpr const char* kObligationsOfRequests = "obligations_of_requests";
}  // namespace stmt

/// stmt::kIncidentRecord's rows: the incident's columns (as stmt::kGetIncident), then one
/// obligation's (as stmt::kObligationsOf; NULL when the incident has none).
inline constexpr int kIncidentRecordObligationColumn = 18;

/// Channels of PgWakeups: the sequencer's, when audit entries were queued.
inline constexpr const char* kAuditChannel = "termijn_audit";
/// The channel that wakes escalation schedulers.
inline constexpr const char* kStepChannel = "termijn_steps";
/// The channel that wakes outbox dispatchers.
inline constexpr const char* kOutboxChannel = "termijn_outbox";
/// The channel on which the chaining of audit events is announced (migration 0015).
inline constexpr const char* kEventsChannel = "termijn_events";

/// Prepares every statement on `connection`.
void prepare_statements(pqxx::connection& connection);

/// Inserts the outbox row `n` (stmt::kInsertNotification, without its changes); returns its id.
int64_t insert_notification(pqxx::transaction_base& tx, const domain::Notification& n);

/// Appends `records` to the audit queue and adds the reminder `steps` (any obligations'; those
/// that exist already are left alone) in one statement; no statement when there are none. Wake
/// the sequencer (kAuditChannel) and the schedulers (kStepChannel) after the commit.
void append_audit(pqxx::transaction_base& tx, const std::vector<domain::AuditRecord>& records,
                  const std::vector<domain::ScheduledStep>& steps = {});

}  // namespace termijn::store
