//! Every key of every item this crate writes. Keys start with the tenant id; the `#` separator
//! cannot occur in a `TenantId`, so one tenant's keys can never collide with another's.

use chrono::{DateTime, NaiveDate, Utc};
use wecare_core::contact::token_shard;
use wecare_core::time::iso;
use wecare_core::{ContactId, Email, PhoneNumber, TenantId, UserId};

pub const CONTACT_SK: &str = "CONTACT";
pub const GUARD_SK: &str = "UNIQUE";
pub const USER_SK: &str = "PROFILE";

pub fn contact_pk(t: &TenantId, id: &ContactId) -> String {
    format!("{t}#CONTACT#{id}")
}

/// Uniqueness guard of a phone number within a tenant; holds the owning `contactId`.
pub fn phone_guard_pk(t: &TenantId, phone: &PhoneNumber) -> String {
    format!("{t}#PHONE#{phone}")
}

/// Uniqueness guard of an email address within a tenant; holds the owning `contactId`.
pub fn email_guard_pk(t: &TenantId, email: &Email) -> String {
    format!("{t}#EMAIL#{email}")
}

/// Uniqueness guard of a WhatsApp business-scoped user id within a tenant.
pub fn whatsapp_user_guard_pk(t: &TenantId, user_id: &str) -> String {
    format!("{t}#WAUSER#{user_id}")
}

/// The count of a tenant's contact writes (in Contacts; see `ContactsRepo::changes`).
pub fn contacts_changes_pk(t: &TenantId) -> String {
    format!("{t}#CONTACTS-CHANGES")
}

pub const CONTACTS_CHANGES_SK: &str = "CHANGES";

/// Partition of the live-contacts listing index (gsi1).
pub fn contacts_list_pk(t: &TenantId) -> String {
    format!("{t}#CONTACTS")
}

pub fn contacts_list_sk(created_at: DateTime<Utc>, id: &ContactId) -> String {
    format!("{}#{id}", iso(created_at))
}

/// Partition of the search tokens starting with the same character as `token`.
pub fn search_pk(t: &TenantId, token: &str) -> String {
    format!("{t}#SEARCH#{}", token_shard(token))
}

pub fn search_sk(token: &str, id: &ContactId) -> String {
    format!("{token}#{id}")
}

pub fn user_pk(t: &TenantId, u: &UserId) -> String {
    format!("{t}#USER#{u}")
}

pub fn users_list_pk(t: &TenantId) -> String {
    format!("{t}#USERS")
}

/// The count of a tenant's enabled Admins (in Users; see `UsersRepo`).
pub fn admins_count_pk(t: &TenantId) -> String {
    format!("{t}#USERS-ADMINS")
}

pub const ADMINS_COUNT_SK: &str = "COUNT";

/// The partition of a tenant's audit entries of the UTC day of `at`.
pub fn audit_pk(t: &TenantId, at: DateTime<Utc>) -> String {
    audit_day_pk(t, at.date_naive())
}

pub fn audit_day_pk(t: &TenantId, day: NaiveDate) -> String {
    format!("{t}#AUDIT#{}", day.format("%Y-%m-%d"))
}

pub fn audit_resource_pk(t: &TenantId, resource_type: &str, resource_id: &str) -> String {
    format!("{t}#{resource_type}#{resource_id}")
}

/// What one actor did (gsi2 of AuditLogs).
pub fn audit_actor_pk(t: &TenantId, actor_id: &str) -> String {
    format!("{t}#ACTOR#{actor_id}")
}

/// A message, addressed by its id: the send pipeline claims it there before any provider call.
pub fn message_pk(t: &TenantId, message_id: &str) -> String {
    format!("{t}#MSG#{message_id}")
}

pub const MESSAGE_SK: &str = "MSG";

/// Where the record of `message_id` lives: its own item in Messages, or — for a bulk job's send —
/// the job's ledger entry for the contact (`{tenant}#JOB#{jobId}` / `RCPT#{contactId}` in
/// BulkRecipients), so a campaign's ledger is its messages and costs no write of its own.
pub fn message_key(t: &TenantId, message_id: &str) -> (String, String) {
    match wecare_core::bulk::parse_bulk_message_id(message_id) {
        Some((job, contact)) => (job_pk(t, job), recipient_sk(&contact)),
        None => (message_pk(t, message_id), MESSAGE_SK.to_string()),
    }
}

/// The campaigns of a tenant (in BulkRecipients), by creation: where a contact's timeline looks
/// for the bulk messages the timeline index does not hold.
pub fn campaigns_pk(t: &TenantId) -> String {
    format!("{t}#CAMPAIGNS")
}

pub fn campaigns_sk(started_at: DateTime<Utc>, job_id: &str) -> String {
    format!("{}#{job_id}", iso(started_at))
}

/// A contact's timeline (gsi1 of Messages), newest first by `timeline_sk`.
pub fn timeline_pk(t: &TenantId, contact: &ContactId) -> String {
    format!("{t}#CONTACT#{contact}")
}

pub fn timeline_sk(at: DateTime<Utc>, message_id: &str) -> String {
    format!("MSG#{}#{message_id}", iso(at))
}

/// A contact's conversation (inbox) row.
pub fn conversation_pk(t: &TenantId, contact: &ContactId) -> String {
    format!("{t}#CONV#{contact}")
}

pub const CONVERSATION_SK: &str = "CONV";

/// Partition of a tenant's inbox (gsi2 of Messages), ordered by last activity.
pub fn conversations_pk(t: &TenantId) -> String {
    format!("{t}#CONVERSATIONS")
}

pub fn conversations_sk(at: DateTime<Utc>, contact: &ContactId) -> String {
    format!("{}#{contact}", iso(at))
}

/// A bulk job, and the partition of its recipients.
pub fn job_pk(t: &TenantId, job_id: &str) -> String {
    format!("{t}#JOB#{job_id}")
}

pub const JOB_SK: &str = "JOB";

/// A tenant's jobs, newest first (gsi1 of BulkJobs).
pub fn jobs_list_pk(t: &TenantId) -> String {
    format!("{t}#JOBS")
}

pub fn jobs_list_sk(created_at: DateTime<Utc>, job_id: &str) -> String {
    format!("{}#{job_id}", iso(created_at))
}

pub fn recipient_sk(contact: &ContactId) -> String {
    format!("RCPT#{contact}")
}

/// A job's recipients with one of the rarer outcomes (gsi1 of BulkRecipients: failed, unknown,
/// skipped, cancelled).
pub fn recipients_by_status_pk(t: &TenantId, job_id: &str, status: &str) -> String {
    format!("{t}#JOB#{job_id}#{status}")
}

/// A tenant's dead-lettered messages of one queue (DLQMessages), each under its original id.
pub fn dlq_pk(t: &TenantId, queue: wecare_core::dlq::DlqQueue) -> String {
    format!("{t}#DLQ#{queue}")
}

/// A tenant's overview counters (in Messages): one item per hour, so a range of hours is one
/// Query of the partition.
pub fn overview_pk(t: &TenantId) -> String {
    format!("{t}#OVERVIEW")
}

pub fn overview_sk(hour: wecare_core::overview::Hour) -> String {
    hour.key()
}
