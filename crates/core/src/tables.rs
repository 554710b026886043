//! The one definition of the eleven DynamoDB tables: names, keys, indexes and TTL attributes.
//!
//! The local provisioner creates tables from this list and the CDK app reads the same list (as
//! JSON written by the `wecare-schema` binary), so a key or an index cannot differ between a
//! laptop and production. Every table uses string keys `pk`/`sk` whose values start with the
//! tenant id; indexes are `gsi1`/`gsi2` over `gsi1pk`/`gsi1sk`…, with their purpose written down.

use serde::Serialize;

/// The tables, by role. `name()` is the logical name; deployments add a prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Table {
    Contacts,
    Messages,
    BulkJobs,
    BulkRecipients,
    Users,
    MediaFiles,
    DlqMessages,
    AuditLogs,
    AiInteractions,
    RateLimitTrackers,
    SystemConfig,
}

/// What an index holds of each item. `KeysOnly` suits an index over items that change after
/// they are written (a message's status): an update that leaves the index keys alone then writes
/// nothing to it, and the reader fetches the items it found from the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Projection {
    All,
    KeysOnly,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GsiDef {
    pub name: &'static str,
    pub partition_key: &'static str,
    pub sort_key: &'static str,
    pub projection: Projection,
    pub purpose: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TableDef {
    pub table: Table,
    /// Logical name, as in the specification.
    pub name: &'static str,
    /// The environment variable through which functions receive the physical name.
    pub env_var: &'static str,
    pub partition_key: &'static str,
    pub sort_key: &'static str,
    pub gsis: Vec<GsiDef>,
    /// Number attribute holding epoch seconds, when the table expires items.
    pub ttl_attribute: Option<&'static str>,
    /// Whether the data must survive mistakes (point-in-time recovery, deletion protection).
    pub durable: bool,
    pub items: &'static str,
}

const fn gsi(name: &'static str, purpose: &'static str) -> GsiDef {
    let (pk, sk) = match name.as_bytes() {
        b"gsi1" => ("gsi1pk", "gsi1sk"),
        _ => ("gsi2pk", "gsi2sk"),
    };
    GsiDef {
        name,
        partition_key: pk,
        sort_key: sk,
        projection: Projection::All,
        purpose,
    }
}

/// An index of keys only (see [`Projection::KeysOnly`]).
const fn keys_only(name: &'static str, purpose: &'static str) -> GsiDef {
    let mut def = gsi(name, purpose);
    def.projection = Projection::KeysOnly;
    def
}

impl Table {
    pub const ALL: [Table; 11] = [
        Table::Contacts,
        Table::Messages,
        Table::BulkJobs,
        Table::BulkRecipients,
        Table::Users,
        Table::MediaFiles,
        Table::DlqMessages,
        Table::AuditLogs,
        Table::AiInteractions,
        Table::RateLimitTrackers,
        Table::SystemConfig,
    ];

    pub fn name(self) -> &'static str {
        self.def().name
    }

    /// The physical table name for a deployment prefix (`wecare-local-` → `wecare-local-Contacts`).
    pub fn physical_name(self, prefix: &str) -> String {
        format!("{prefix}{}", self.name())
    }

    pub fn def(self) -> TableDef {
        let base = |name, env_var, gsis, ttl_attribute, durable, items| TableDef {
            table: self,
            name,
            env_var,
            partition_key: "pk",
            sort_key: "sk",
            gsis,
            ttl_attribute,
            durable,
            items,
        };
        match self {
            Table::Contacts => base(
                "Contacts",
                "CONTACTS_TABLE",
                vec![gsi("gsi1", "list a tenant's live contacts newest first: {tenant}#CONTACTS / {createdAt}#{contactId}; removed on delete")],
                None,
                true,
                "contact {tenant}#CONTACT#{id}/CONTACT; uniqueness guards {tenant}#PHONE#{e164}/UNIQUE and {tenant}#EMAIL#{email}/UNIQUE; search tokens {tenant}#SEARCH#{first char}/{token}#{id}; the count of the tenant's contact writes {tenant}#CONTACTS-CHANGES/CHANGES (a bulk preview is created from while it has not moved)",
            ),
            Table::Messages => base(
                "Messages",
                "MESSAGES_TABLE",
                vec![
                    // Keys only: a message is written once and then updated two or three times
                    // (settled, delivered, read), none of which touches the timeline's keys.
                    keys_only("gsi1", "a contact's timeline, newest first: {tenant}#CONTACT#{contactId} / MSG#{at}#{messageId}; keys only, the messages are read from the table"),
                    gsi("gsi2", "conversations of a tenant by latest activity: {tenant}#CONVERSATIONS / {at}#{contactId}"),
                ],
                Some("expiresAt"),
                false,
                "message {tenant}#MSG#{messageId}/MSG (the id is derived from the send's idempotency key or the inbound wamid); conversation {tenant}#CONV#{contactId}/CONV; the overview's counters {tenant}#OVERVIEW/{yyyy-mm-ddTHH}, one per hour with a count per channel and milestone (whatsapp_sent, sms_failed…), expiring 9 days after the hour",
            ),
            Table::BulkJobs => base(
                "BulkJobs",
                "BULK_JOBS_TABLE",
                vec![gsi("gsi1", "a tenant's jobs newest first: {tenant}#JOBS / {createdAt}#{jobId}")],
                None,
                true,
                "job {tenant}#JOB#{jobId}/JOB",
            ),
            Table::BulkRecipients => base(
                "BulkRecipients",
                "BULK_RECIPIENTS_TABLE",
                vec![gsi("gsi1", "a job's failed, unknown, skipped and cancelled recipients by outcome: {tenant}#JOB#{jobId}#{outcome} / {contactId}; sent ones, most of a job, are read from its partition, and pending ones have no entry")],
                None,
                false,
                "recipient {tenant}#JOB#{jobId}/RCPT#{contactId}: the job's message to the contact (id {jobId}.{contactId}, claimed and settled by the send pipeline, with the recipient's outcome), or the outcome of a recipient sent nothing (skipped, cancelled); campaign {tenant}#CAMPAIGNS/{createdAt}#{jobId}, where contacts' timelines find their campaign messages",
            ),
            Table::Users => base(
                "Users",
                "USERS_TABLE",
                vec![gsi("gsi1", "a tenant's users by email: {tenant}#USERS / {email}")],
                None,
                true,
                "user {tenant}#USER#{userId}/PROFILE: the tenant's member (role, enabled or disabled, invited by, last sign-in), which the authorizer reads for every new token; the count of the tenant's enabled Admins {tenant}#USERS-ADMINS/COUNT, changed in the transaction of each change that adds or loses one",
            ),
            Table::MediaFiles => base(
                "MediaFiles",
                "MEDIA_FILES_TABLE",
                vec![gsi("gsi1", "media of a message: {tenant}#MSG#{messageId} / {mediaId}")],
                None,
                true,
                "media {tenant}#MEDIA#{mediaId}/MEDIA",
            ),
            Table::DlqMessages => base(
                "DLQMessages",
                "DLQ_MESSAGES_TABLE",
                vec![],
                Some("expiresAt"),
                false,
                "dead letter {tenant}#DLQ#{queue}/{originalMessageId}: a dead-lettered message a tenant owns, under the id it had before it failed, with its replay attempts, last error and whether a replay succeeded; messages no tenant owns are not recorded",
            ),
            Table::AuditLogs => base(
                "AuditLogs",
                "AUDIT_LOGS_TABLE",
                vec![
                    gsi("gsi1", "history of one resource: {tenant}#{resourceType}#{resourceId} / {at}#{auditId}"),
                    gsi("gsi2", "what one actor did: {tenant}#ACTOR#{actorId} / {at}#{auditId}"),
                ],
                Some("expiresAt"),
                true,
                "entry {tenant}#AUDIT#{yyyy-mm-dd}/{at}#{auditId}, one partition per UTC day of its time (a search walks the days of its range newest first)",
            ),
            Table::AiInteractions => base(
                "AIInteractions",
                "AI_INTERACTIONS_TABLE",
                vec![
                    gsi("gsi1", "a contact's suggestions newest first: {tenant}#CONTACT#{contactId} / {at}#{id}"),
                    gsi("gsi2", "a tenant's interactions (questions and suggestions) newest first, by kind: {tenant}#AI#{kind} / {at}#{id}"),
                ],
                None,
                true,
                "interaction {tenant}#AI#{id}/AI: a question to the knowledge base, or a suggestion with its decision and feedback; a suggestion drafted for an inbound message has the id {inboundMessageId}.ai, so a redelivered draft request finds it; daily counts {tenant}#AI-STATS/{yyyy-mm-dd}, added to in the transaction of each change they count",
            ),
            Table::RateLimitTrackers => base(
                "RateLimitTrackers",
                "RATE_LIMIT_TRACKERS_TABLE",
                vec![],
                Some("expiresAt"),
                false,
                "bucket RATE#{channel}#{sender}/BUCKET (a provider's bucket, shared by the tenants on it); tier per WhatsApp Business Account WABA#{waba}#TIER/{tenant}#{contactId} (claims), WABA#{waba}#TIER-OPEN/{openedAt}#{tenant}#{contactId} (open conversations) or {settledAt}#{tenant}#JOB#{jobId} (a bulk job's, with units), WABA#{waba}#TIER-COUNT/COUNT",
            ),
            Table::SystemConfig => base(
                "SystemConfig",
                "SYSTEM_CONFIG_TABLE",
                vec![],
                None,
                true,
                "setting {tenant}#CONFIG/{key}",
            ),
        }
    }
}

/// All table definitions, in the order of the specification.
pub fn all() -> Vec<TableDef> {
    Table::ALL.iter().map(|t| t.def()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn there_are_eleven_tables_with_distinct_names_and_variables() {
        let defs = all();
        assert_eq!(defs.len(), 11);
        assert_eq!(defs.iter().map(|d| d.name).collect::<HashSet<_>>().len(), 11);
        assert_eq!(defs.iter().map(|d| d.env_var).collect::<HashSet<_>>().len(), 11);
    }

    #[test]
    fn the_specified_tables_expire_their_items() {
        let ttl: HashSet<_> = all()
            .into_iter()
            .filter(|d| d.ttl_attribute.is_some())
            .map(|d| d.name)
            .collect();
        assert_eq!(
            ttl,
            HashSet::from(["Messages", "DLQMessages", "AuditLogs", "RateLimitTrackers"])
        );
    }
}
