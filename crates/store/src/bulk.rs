//! Bulk jobs and their ledgers.
//!
//! A job is one item (`{tenant}#JOB#{jobId}` / `JOB` in BulkJobs), listed newest first through
//! `gsi1` (`{tenant}#JOBS` / `{createdAt}#{jobId}`).
//!
//! **The ledger is the job's messages.** A recipient's entry is the record the send pipeline
//! claims before calling the provider and settles after it: for a bulk send that record lives in
//! the job's partition of BulkRecipients (`{tenant}#JOB#{jobId}` / `RCPT#{contactId}`, see
//! `keys::message_key`), and its settle writes the recipient's `outcome` too. A recipient
//! settled without a message — skipped at send time, or cancelled — gets an entry holding only its
//! outcome, written once ([`BulkRepo::close_recipient`]), which also closes it: the pipeline's
//! claim is refused there. A recipient with no entry (or a claim still `sending`) is pending. So a
//! recipient costs the two writes of its message and nothing more, and whichever of a send and a
//! cancellation writes first wins, by construction. `gsi1` lists the rarer outcomes
//! (`{tenant}#JOB#{jobId}#{outcome}` / `{contactId}`: failed, unknown, skipped, cancelled), so
//! "the failed recipients" is one Query; sent ones, most of a job, are read from its partition.
//!
//! Everything else that must happen once is one conditional write: the job is created only if its
//! id is new; a control (pause, resume, cancel) only from the statuses `wecare_core::bulk::control`
//! allows, so two operators racing cannot both win and an illegal transition is refused by
//! DynamoDB itself; and the job completes only once.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wecare_core::bulk::{control, statuses_allowing, Control, Exclusion, IllegalTransition, JobStatus, Progress};
use wecare_core::time::iso;
use wecare_core::{Channel, ContactId, TenantId};

use crate::cursor::{self, query_index, query_index_then_items, IndexPartition};
pub use crate::cursor::{ListError, Page};
use crate::error::{condition_failed, StoreError};
use crate::keys;

/// A bulk job as stored and as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkJob {
    pub job_id: String,
    pub tenant_id: TenantId,
    /// What the operator called it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub channel: Channel,
    /// The sender every recipient is sent from (one of the tenant's).
    pub sender: String,
    /// What is sent, before personalisation (template, text, or subject and bodies).
    pub content: Value,
    pub status: JobStatus,
    pub progress: Progress,
    /// Recipients excluded before the job started, by reason.
    #[serde(default)]
    pub excluded: HashMap<String, u64>,
    /// Business-initiated conversations reserved in the tier for this job, on this account.
    #[serde(default)]
    pub tier_reserved: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waba_id: Option<String>,
    /// Reserved conversations the job's sends opened, known once its reservation is settled at
    /// the end (`tier_settled_at`).
    #[serde(default)]
    pub tier_used: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_settled_at: Option<DateTime<Utc>>,
    /// Where the resolved recipients were written when the job was accepted.
    pub manifest_key: String,
    /// The recipients are written to the ledger (expansion is not repeated).
    #[serde(default)]
    pub expanded: bool,
    /// A chunk kept failing (it is in `bulk-dlq`), or nothing moved for long while work remained.
    #[serde(default)]
    pub stalled: bool,
    /// When a worker last recorded progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_progress_at: Option<DateTime<Utc>>,
    /// The CSV report in the reports bucket, once the job has finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_key: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
}

impl BulkJob {
    fn key(tenant: &TenantId, job_id: &str) -> [(&'static str, AttributeValue); 2] {
        [("pk", s(keys::job_pk(tenant, job_id))), ("sk", s(keys::JOB_SK))]
    }

    fn item(&self) -> Result<HashMap<String, AttributeValue>, StoreError> {
        let mut item: HashMap<String, AttributeValue> = serde_dynamo::to_item(self).map_err(StoreError::Serialize)?;
        for (k, v) in Self::key(&self.tenant_id, &self.job_id) {
            item.insert(k.into(), v);
        }
        item.insert("gsi1pk".into(), s(keys::jobs_list_pk(&self.tenant_id)));
        item.insert("gsi1sk".into(), s(keys::jobs_list_sk(self.created_at, &self.job_id)));
        Ok(item)
    }
}

/// Where one recipient of a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientStatus {
    Pending,
    Sent,
    Failed,
    Skipped,
    Unknown,
    Cancelled,
}

impl RecipientStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RecipientStatus::Pending => "pending",
            RecipientStatus::Sent => "sent",
            RecipientStatus::Failed => "failed",
            RecipientStatus::Skipped => "skipped",
            RecipientStatus::Unknown => "unknown",
            RecipientStatus::Cancelled => "cancelled",
        }
    }
}

/// One recipient of a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkRecipient {
    pub job_id: String,
    pub tenant_id: TenantId,
    pub contact_id: ContactId,
    pub status: RecipientStatus,
    /// Why it was skipped, or the provider's code when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The message sent to it (the send pipeline's id for the key (job, recipient)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_message_id: Option<String>,
    /// The address it was sent to, masked (for the report and the console).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Personalisation values for this recipient (CSV columns, contact fields).
    #[serde(default)]
    pub values: HashMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_at: Option<DateTime<Utc>>,
    /// Its send opened a business-initiated conversation against the job's tier reservation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tier_opened: bool,
}

/// Whether recipients with `outcome` are in the by-outcome index: the rare outcomes an operator
/// looks for (failed, unknown, skipped, cancelled). Sent ones — the bulk of any job — stay out of
/// it (an index write per recipient saved): their listing reads the job's partition.
pub(crate) fn indexed(outcome: RecipientStatus) -> bool {
    !matches!(outcome, RecipientStatus::Pending | RecipientStatus::Sent)
}

impl BulkRecipient {
    /// A ledger entry as the job shows it: a message (sent, failed, unknown, or still being
    /// sent, which is pending) or a recipient closed without one. `None` for anything else in the
    /// partition (a delivery status kept for a claim not written yet).
    fn of_entry(
        tenant: &TenantId,
        job_id: &str,
        item: HashMap<String, AttributeValue>,
    ) -> Result<Option<Self>, StoreError> {
        let text = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned();
        let Some(contact_id) = text("sk")
            .as_deref()
            .and_then(|sk| sk.strip_prefix("RCPT#"))
            .and_then(ContactId::parse)
        else {
            return Ok(None);
        };
        let outcome: Option<RecipientStatus> = item
            .get("outcome")
            .cloned()
            .map(serde_dynamo::from_attribute_value)
            .transpose()
            .map_err(StoreError::Corrupt)?;
        if !item.contains_key("messageId") {
            let Some(status) = outcome else { return Ok(None) };
            return Ok(Some(BulkRecipient {
                job_id: job_id.to_string(),
                tenant_id: tenant.clone(),
                contact_id,
                status,
                reason: text("reason"),
                message_id: None,
                provider_message_id: None,
                address: None,
                values: HashMap::new(),
                settled_at: text("settledAt").and_then(|t| t.parse().ok()),
                tier_opened: false,
            }));
        }
        let m: LedgerMessage = serde_dynamo::from_item(item).map_err(StoreError::Corrupt)?;
        let status = m.outcome.unwrap_or(RecipientStatus::Pending);
        Ok(Some(BulkRecipient {
            job_id: job_id.to_string(),
            tenant_id: tenant.clone(),
            contact_id,
            status,
            reason: m.error.map(|e| e.code),
            tier_opened: m.business_initiated && matches!(status, RecipientStatus::Sent | RecipientStatus::Unknown),
            message_id: Some(m.message_id),
            provider_message_id: m.provider_message_id,
            address: Some(wecare_core::bulk::mask_address(&m.to)),
            values: HashMap::new(),
            settled_at: m.settled_at,
        }))
    }
}

/// What a ledger entry's message holds that the job shows ([`LEDGER_PROJECTION`]): a ledger is
/// read whole when a job finishes, so only these attributes are read, not the message's content.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LedgerMessage {
    message_id: String,
    to: String,
    #[serde(default)]
    outcome: Option<RecipientStatus>,
    #[serde(default)]
    error: Option<LedgerError>,
    #[serde(default)]
    provider_message_id: Option<String>,
    #[serde(default)]
    settled_at: Option<DateTime<Utc>>,
    #[serde(default)]
    business_initiated: bool,
}

#[derive(Debug, Deserialize)]
struct LedgerError {
    code: String,
}

/// The attributes of a ledger entry [`BulkRecipient::of_entry`] reads: a closed recipient's
/// (`outcome`, `reason`, `settledAt`) and a message's ([`LedgerMessage`]).
const LEDGER_PROJECTION: &str =
    "sk, outcome, reason, settledAt, messageId, #to, #error, providerMessageId, businessInitiated";

/// Counts recorded by a worker since its last flush, added to the job's progress in one write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgressDelta {
    pub sent: u64,
    pub failed: u64,
    pub unknown: u64,
    pub cancelled: u64,
    pub skipped: BTreeMap<Exclusion, u64>,
}

impl ProgressDelta {
    /// Records an outcome this worker wrote (a message it settled, or a recipient it closed).
    pub fn record(&mut self, outcome: RecipientStatus, reason: Option<&str>) {
        match outcome {
            RecipientStatus::Sent => self.sent += 1,
            RecipientStatus::Failed => self.failed += 1,
            RecipientStatus::Unknown => self.unknown += 1,
            RecipientStatus::Cancelled => self.cancelled += 1,
            RecipientStatus::Skipped => {
                let why = reason.and_then(Exclusion::parse).unwrap_or(Exclusion::NotOptedIn);
                *self.skipped.entry(why).or_default() += 1;
            }
            RecipientStatus::Pending => {}
        }
    }

    /// Adds `other`'s counts to these (a flush that failed puts its counts back).
    pub fn merge(&mut self, other: ProgressDelta) {
        self.sent += other.sent;
        self.failed += other.failed;
        self.unknown += other.unknown;
        self.cancelled += other.cancelled;
        for (k, v) in other.skipped {
            *self.skipped.entry(k).or_default() += v;
        }
    }

    pub fn settled(&self) -> u64 {
        self.sent + self.failed + self.unknown + self.cancelled + self.skipped.values().sum::<u64>()
    }

    pub fn is_empty(&self) -> bool {
        self.settled() == 0
    }
}

/// One second of a job's sending, for its chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecondCount {
    pub at: DateTime<Utc>,
    pub sent: u64,
    pub failed: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("job not found")]
    NotFound,
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

#[derive(Clone)]
pub struct BulkRepo {
    client: Client,
    jobs: String,
    /// BulkRecipients: the jobs' ledgers.
    ledger: String,
}

impl BulkRepo {
    pub fn new(client: Client, jobs_table: impl Into<String>, recipients_table: impl Into<String>) -> Self {
        BulkRepo {
            client,
            jobs: jobs_table.into(),
            ledger: recipients_table.into(),
        }
    }

    /// Writes a new job; false if a job with its id exists already.
    pub async fn create(&self, job: &BulkJob) -> Result<bool, StoreError> {
        let out = self
            .client
            .put_item()
            .table_name(&self.jobs)
            .set_item(Some(job.item()?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match out {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(StoreError::dynamo("PutItem", e)),
        }
    }

    pub async fn get(&self, tenant: &TenantId, job_id: &str) -> Result<Option<BulkJob>, StoreError> {
        let [(pk, pv), (sk, sv)] = BulkJob::key(tenant, job_id);
        let out = self
            .client
            .get_item()
            .table_name(&self.jobs)
            .key(pk, pv)
            .key(sk, sv)
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;
        out.item
            .map(|i| serde_dynamo::from_item(i).map_err(StoreError::Corrupt))
            .transpose()
    }

    /// A job's status alone (`None`: no such job), read eventually consistently: half a
    /// consistent read, for the polls of running chunks, which a status change of the last moment
    /// reaches at their next poll.
    pub async fn status(&self, tenant: &TenantId, job_id: &str) -> Result<Option<JobStatus>, StoreError> {
        let [(pk, pv), (sk, sv)] = BulkJob::key(tenant, job_id);
        let out = self
            .client
            .get_item()
            .table_name(&self.jobs)
            .key(pk, pv)
            .key(sk, sv)
            .projection_expression("#st")
            .expression_attribute_names("#st", "status")
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;
        out.item
            .and_then(|mut i| i.remove("status"))
            .map(|v| serde_dynamo::from_attribute_value(v).map_err(StoreError::Corrupt))
            .transpose()
    }

    /// The tenant's jobs, newest first, optionally only those in `status`.
    pub async fn list(
        &self,
        tenant: &TenantId,
        status: Option<JobStatus>,
        limit: i32,
        after: Option<&str>,
    ) -> Result<Page<BulkJob>, ListError> {
        let at = IndexPartition {
            table: &self.jobs,
            index: "gsi1",
            partition: keys::jobs_list_pk(tenant),
        };
        query_index(&self.client, at, limit, after, |q| {
            let q = q.scan_index_forward(false);
            match status {
                Some(st) => q
                    .filter_expression("#st = :st")
                    .expression_attribute_names("#st", "status")
                    .expression_attribute_values(":st", s(st.as_str())),
                None => q,
            }
        })
        .await
    }

    /// Applies an operator's control: one conditional write from the statuses it is legal from.
    pub async fn control(
        &self,
        tenant: &TenantId,
        job_id: &str,
        c: Control,
        now: DateTime<Utc>,
    ) -> Result<BulkJob, ControlError> {
        let allowed = statuses_allowing(c);
        // The target does not depend on which allowed status the job is in.
        let Some(target) = allowed.first().and_then(|from| control(*from, c).ok()) else {
            return Err(ControlError::NotFound);
        };
        let names: Vec<String> = (0..allowed.len()).map(|i| format!(":from{i}")).collect();
        let [(pk, pv), (sk, sv)] = BulkJob::key(tenant, job_id);
        let mut req = self
            .client
            .update_item()
            .table_name(&self.jobs)
            .key(pk, pv)
            .key(sk, sv)
            .update_expression("SET #st = :to, updatedAt = :now")
            .condition_expression(format!("attribute_exists(pk) AND #st IN ({})", names.join(", ")))
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":to", s(target.as_str()))
            .expression_attribute_values(":now", s(iso(now)))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        for (name, from) in names.iter().zip(&allowed) {
            req = req.expression_attribute_values(name.as_str(), s(from.as_str()));
        }
        match req.send().await {
            Ok(o) => serde_dynamo::from_item(o.attributes.unwrap_or_default())
                .map_err(|e| ControlError::Store(StoreError::Corrupt(e))),
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(f)) => match &f.item {
                    Some(item) => {
                        let job: BulkJob = serde_dynamo::from_item(item.clone())
                            .map_err(|e| ControlError::Store(StoreError::Corrupt(e)))?;
                        Err(ControlError::Illegal(IllegalTransition {
                            from: job.status,
                            action: c,
                        }))
                    }
                    None => Err(ControlError::NotFound),
                },
                _ => Err(ControlError::Store(StoreError::dynamo("UpdateItem", e))),
            },
        }
    }

    /// Settles a pending recipient without a message — `skipped` (with its reason) or
    /// `cancelled` — with one conditional put that succeeds only if its entry has neither a
    /// message nor an outcome yet. True if this call closed it; false if it was claimed or closed
    /// before (a send that got there first stands, and a repeat counts nothing twice).
    pub async fn close_recipient(
        &self,
        tenant: &TenantId,
        job_id: &str,
        contact: &ContactId,
        outcome: RecipientStatus,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut req = self
            .client
            .put_item()
            .table_name(&self.ledger)
            .item("pk", s(keys::job_pk(tenant, job_id)))
            .item("sk", s(keys::recipient_sk(contact)))
            .item("outcome", s(outcome.as_str()))
            .item("settledAt", s(iso(now)))
            .item(
                "expiresAt",
                AttributeValue::N(crate::messages::Message::expiry(now).to_string()),
            )
            .condition_expression("attribute_not_exists(messageId) AND attribute_not_exists(outcome)");
        if let Some(r) = reason {
            req = req.item("reason", s(r));
        }
        if indexed(outcome) {
            req = req
                .item(
                    "gsi1pk",
                    s(keys::recipients_by_status_pk(tenant, job_id, outcome.as_str())),
                )
                .item("gsi1sk", s(contact.to_string()));
        }
        match req.send().await {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(StoreError::dynamo("PutItem", e)),
        }
    }

    /// Adds a worker's counts to the job's progress, and to the second they were flushed in (the
    /// chart): two writes however many recipients the delta holds. The counts are exact once the
    /// job is finished, when they are recounted from the recipients ([`BulkRepo::ledger`]).
    /// Returns the recipients still pending after this write (`None` if nothing was written), so
    /// the one flush that leaves none knows to have the job finished.
    pub async fn add_progress(
        &self,
        tenant: &TenantId,
        job_id: &str,
        d: &ProgressDelta,
        now: DateTime<Utc>,
    ) -> Result<Option<u64>, StoreError> {
        if d.is_empty() {
            return Ok(None);
        }
        let settled = d.settled();
        let num = |v: u64| AttributeValue::N(v.to_string());
        let mut set = vec![
            "progress.pending = progress.pending - :settled".to_string(),
            "progress.sent = progress.sent + :sent".into(),
            "progress.failed = progress.failed + :failed".into(),
            "progress.#unknown = progress.#unknown + :unknown".into(),
            "progress.cancelled = progress.cancelled + :cancelled".into(),
            "updatedAt = :now".into(),
            "lastProgressAt = :now".into(),
        ];
        let [(pk, pv), (sk, sv)] = BulkJob::key(tenant, job_id);
        let mut req = self
            .client
            .update_item()
            .table_name(&self.jobs)
            .key(pk, pv)
            .key(sk, sv)
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#unknown", "unknown")
            // Pending never exceeds the recipients not yet settled, so it is never driven below
            // zero by the delta (an outcome is counted by the one worker whose write made it).
            .expression_attribute_values(":settled", num(settled))
            .expression_attribute_values(":sent", num(d.sent))
            .expression_attribute_values(":failed", num(d.failed))
            .expression_attribute_values(":unknown", num(d.unknown))
            .expression_attribute_values(":cancelled", num(d.cancelled))
            .expression_attribute_values(":now", s(iso(now)));
        if !d.skipped.is_empty() {
            req = req.expression_attribute_values(":zero", num(0));
        }
        for (i, (why, n)) in d.skipped.iter().enumerate() {
            set.push(format!(
                "progress.skipped.#r{i} = if_not_exists(progress.skipped.#r{i}, :zero) + :r{i}"
            ));
            req = req
                .expression_attribute_names(format!("#r{i}"), why.as_str())
                .expression_attribute_values(format!(":r{i}"), num(*n));
        }
        let pending = match req
            .update_expression(format!("SET {}", set.join(", ")))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
        {
            Ok(out) => out
                .attributes
                .as_ref()
                .and_then(|a| a.get("progress"))
                .and_then(|p| p.as_m().ok())
                .and_then(|p| p.get("pending"))
                .and_then(|n| n.as_n().ok())
                .and_then(|n| n.parse::<u64>().ok()),
            // The job is gone: there is nothing to count against.
            Err(e) if condition_failed(&e) => return Ok(None),
            Err(e) => return Err(StoreError::dynamo("UpdateItem", e)),
        };
        let second = now.timestamp();
        self.client
            .update_item()
            .table_name(&self.jobs)
            .key("pk", s(keys::job_pk(tenant, job_id)))
            .key("sk", s(format!("SEC#{second:012}")))
            .update_expression("ADD sent :sent, failed :failed")
            .expression_attribute_values(":sent", num(d.sent))
            .expression_attribute_values(":failed", num(d.failed + d.unknown))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("UpdateItem", e))?;
        Ok(pending)
    }

    /// The job's sends per second, oldest first, for at most the last `limit` seconds recorded.
    pub async fn series(&self, tenant: &TenantId, job_id: &str, limit: i32) -> Result<Vec<SecondCount>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.jobs)
            .key_condition_expression("pk = :p AND begins_with(sk, :sec)")
            .expression_attribute_values(":p", s(keys::job_pk(tenant, job_id)))
            .expression_attribute_values(":sec", s("SEC#"))
            .scan_index_forward(false)
            .limit(limit)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("Query", e))?;
        let num = |i: &HashMap<String, AttributeValue>, k: &str| {
            i.get(k)
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let mut points: Vec<SecondCount> = out
            .items
            .unwrap_or_default()
            .iter()
            .filter_map(|i| {
                let second: i64 = i.get("sk")?.as_s().ok()?.strip_prefix("SEC#")?.parse().ok()?;
                Some(SecondCount {
                    at: DateTime::from_timestamp(second, 0)?,
                    sent: num(i, "sent"),
                    failed: num(i, "failed"),
                })
            })
            .collect();
        points.reverse();
        Ok(points)
    }

    /// Every ledger entry of a job, read from its partition. Recipients with no entry are pending
    /// and not in it.
    ///
    /// The read is eventually consistent (half the units of the biggest read of a campaign), which
    /// is safe for every use because an outcome, once written, stays (only `unknown` may become
    /// `sent`): a read that lags can show a settled recipient as pending, never the reverse. A
    /// finish then waits for a later check; a resume or a sweep re-enqueues or closes a recipient
    /// whose claim or close is refused by its conditional write, so nobody is sent or counted twice.
    pub async fn ledger(&self, tenant: &TenantId, job_id: &str) -> Result<Vec<BulkRecipient>, StoreError> {
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let (items, next) = self.ledger_page(tenant, job_id, after.as_deref(), None).await?;
            all.extend(items);
            match next {
                Some(n) => after = Some(n),
                None => return Ok(all),
            }
        }
    }

    /// One page of a job's ledger entries in contact order (at most `limit` entries read, or a
    /// megabyte), eventually consistent like [`BulkRepo::ledger`], and the cursor of the next.
    /// Used to go through a big ledger a part at a time.
    pub async fn ledger_page(
        &self,
        tenant: &TenantId,
        job_id: &str,
        after: Option<&str>,
        limit: Option<i32>,
    ) -> Result<(Vec<BulkRecipient>, Option<String>), StoreError> {
        let pk = keys::job_pk(tenant, job_id);
        let start = after
            .map(|c| cursor::decode(c, "pk", &pk))
            .transpose()
            .map_err(|e| StoreError::Corrupt(<serde_dynamo::Error as serde::de::Error>::custom(e)))?;
        let out = self
            .ledger_query(tenant, job_id, None)
            .consistent_read(false)
            .set_limit(limit.map(|l| l.max(1)))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("Query", e))?;
        let mut items = Vec::new();
        for item in out.items.unwrap_or_default() {
            items.extend(BulkRecipient::of_entry(tenant, job_id, item)?);
        }
        let next = out
            .last_evaluated_key
            .filter(|k| !k.is_empty())
            .map(|k| cursor::encode(&k));
        Ok((items, next))
    }

    /// A Query of the job's ledger entries, optionally only those with `outcome`.
    fn ledger_query(
        &self,
        tenant: &TenantId,
        job_id: &str,
        outcome: Option<RecipientStatus>,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        let q = self
            .client
            .query()
            .table_name(&self.ledger)
            .key_condition_expression("pk = :p AND begins_with(sk, :r)")
            .projection_expression(LEDGER_PROJECTION)
            .expression_attribute_names("#to", "to")
            .expression_attribute_names("#error", "error")
            .expression_attribute_values(":p", s(keys::job_pk(tenant, job_id)))
            .expression_attribute_values(":r", s("RCPT#"));
        match outcome {
            Some(o) => q
                .filter_expression("outcome = :o")
                .expression_attribute_values(":o", s(o.as_str())),
            None => q,
        }
    }

    /// Records that the job's recipients are in the ledger, so a redelivered expansion does not
    /// write them again.
    pub async fn set_expanded(&self, tenant: &TenantId, job_id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let [(pk, pv), (sk, sv)] = BulkJob::key(tenant, job_id);
        self.client
            .update_item()
            .table_name(&self.jobs)
            .key(pk, pv)
            .key(sk, sv)
            .update_expression("SET expanded = :t, updatedAt = :now")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":t", AttributeValue::Bool(true))
            .expression_attribute_values(":now", s(iso(now)))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("UpdateItem", e))?;
        Ok(())
    }

    /// Shows the job as stalled (or no longer), and optionally repairs its running counts from
    /// an exact recount.
    pub async fn set_stalled(
        &self,
        tenant: &TenantId,
        job_id: &str,
        stalled: bool,
        recount: Option<&Progress>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let [(pk, pv), (sk, sv)] = BulkJob::key(tenant, job_id);
        let mut req = self
            .client
            .update_item()
            .table_name(&self.jobs)
            .key(pk, pv)
            .key(sk, sv)
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(finishedAt)")
            .expression_attribute_values(":s", AttributeValue::Bool(stalled))
            .expression_attribute_values(":now", s(iso(now)));
        let mut update = "SET stalled = :s, updatedAt = :now".to_string();
        if let Some(p) = recount {
            update.push_str(", progress = :p");
            req = req.expression_attribute_values(
                ":p",
                serde_dynamo::to_attribute_value(p).map_err(StoreError::Serialize)?,
            );
        }
        match req.update_expression(update).send().await {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Ok(()),
            Err(e) => Err(StoreError::dynamo("UpdateItem", e)),
        }
    }

    /// A job's recipients with `outcome` (not pending: those have no entry), by contact id, a
    /// page at a time.
    pub async fn recipients(
        &self,
        tenant: &TenantId,
        job_id: &str,
        outcome: RecipientStatus,
        limit: i32,
        after: Option<&str>,
    ) -> Result<Page<BulkRecipient>, ListError> {
        if !indexed(outcome) {
            return self
                .recipients_in_partition(tenant, job_id, outcome, limit, after)
                .await;
        }
        let at = IndexPartition {
            table: &self.ledger,
            index: "gsi1",
            partition: keys::recipients_by_status_pk(tenant, job_id, outcome.as_str()),
        };
        let page = query_index_then_items(&self.client, at, limit, after, |q| q).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for item in page.items {
            items.extend(BulkRecipient::of_entry(tenant, job_id, item)?);
        }
        // An unknown recipient a delivery status has settled since has left the index; one read
        // between the two writes is left out here.
        items.retain(|r| r.status == outcome);
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
        })
    }

    /// A page of the job's recipients with `outcome`, read from its partition (for sent ones,
    /// which are most of it): a few reads of up to `limit` items until the page is full, the
    /// cursor at its last recipient.
    async fn recipients_in_partition(
        &self,
        tenant: &TenantId,
        job_id: &str,
        outcome: RecipientStatus,
        limit: i32,
        after: Option<&str>,
    ) -> Result<Page<BulkRecipient>, ListError> {
        /// Reads of one page, at most: a page of an outcome that has become rare ends early.
        const READS: usize = 8;
        let pk = keys::job_pk(tenant, job_id);
        let mut start = after.map(|c| cursor::decode(c, "pk", &pk)).transpose()?;
        let mut items: Vec<BulkRecipient> = Vec::new();
        let wanted = usize::try_from(limit.max(1)).unwrap_or(1);
        for _ in 0..READS {
            let out = self
                .ledger_query(tenant, job_id, Some(outcome))
                .limit(limit.max(1))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| StoreError::dynamo("Query", e))?;
            for item in out.items.unwrap_or_default() {
                items.extend(BulkRecipient::of_entry(tenant, job_id, item)?);
            }
            start = out.last_evaluated_key.filter(|k| !k.is_empty());
            if items.len() >= wanted || start.is_none() {
                break;
            }
        }
        // Past the last kept recipient when the page overflowed; else where the reads stopped
        // (what lies between the page's last item and there did not match).
        let next_cursor = if items.len() > wanted {
            items.truncate(wanted);
            items.last().map(|r| {
                cursor::encode(&HashMap::from([
                    ("pk".to_string(), s(pk.clone())),
                    ("sk".to_string(), s(keys::recipient_sk(&r.contact_id))),
                ]))
            })
        } else {
            start.as_ref().map(cursor::encode)
        };
        Ok(Page { items, next_cursor })
    }

    /// Moves an accepted job to RUNNING once its recipients are expanded; true for exactly one
    /// caller (a paused or cancelled job stays as the operator left it).
    pub async fn start(&self, tenant: &TenantId, job_id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let [(pk, pv), (sk, sv)] = BulkJob::key(tenant, job_id);
        let out = self
            .client
            .update_item()
            .table_name(&self.jobs)
            .key(pk, pv)
            .key(sk, sv)
            .update_expression("SET #st = :running, updatedAt = :now")
            .condition_expression("#st = :pending")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":running", s(JobStatus::Running.as_str()))
            .expression_attribute_values(":pending", s(JobStatus::Pending.as_str()))
            .expression_attribute_values(":now", s(iso(now)))
            .send()
            .await;
        match out {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(StoreError::dynamo("UpdateItem", e)),
        }
    }

    /// The job's own record that its tier reservation is settled, with the conversations it used:
    /// the write that makes [`crate::tier::TierTracker::settle_reservation`] happen once.
    pub fn tier_settlement(
        &self,
        tenant: &TenantId,
        job_id: &str,
        used: u64,
        now: DateTime<Utc>,
    ) -> Result<aws_sdk_dynamodb::types::Update, StoreError> {
        let [(pk, pv), (sk, sv)] = BulkJob::key(tenant, job_id);
        aws_sdk_dynamodb::types::Update::builder()
            .table_name(&self.jobs)
            .key(pk, pv)
            .key(sk, sv)
            .update_expression("SET tierUsed = :used, tierSettledAt = :now")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(tierSettledAt)")
            .expression_attribute_values(":used", AttributeValue::N(used.to_string()))
            .expression_attribute_values(":now", s(iso(now)))
            .build()
            .map_err(|e| StoreError::Dynamo {
                operation: "build",
                source: Box::new(e),
            })
    }

    /// Marks a job finished with its exact counts and its report: a running job becomes
    /// COMPLETED or COMPLETED_WITH_FAILURES, a cancelled one keeps its status. True for exactly
    /// one caller.
    /// Takes (or renews) the lease of the pass `pass` that is finishing the job, until `until`:
    /// true if this pass holds it. A job's finish reads its whole ledger, possibly over several
    /// invocations; the lease keeps the checks that come meanwhile from starting passes of their
    /// own. One conditional write, so two checks racing cannot both start one; a pass whose
    /// worker died is taken over once its lease has run out.
    pub async fn lease_finish(
        &self,
        tenant: &TenantId,
        job_id: &str,
        pass: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let [(pk, pv), (sk, sv)] = BulkJob::key(tenant, job_id);
        let out = self
            .client
            .update_item()
            .table_name(&self.jobs)
            .key(pk, pv)
            .key(sk, sv)
            .update_expression("SET finishPass = :p, finishLeaseUntil = :u")
            .condition_expression(
                "attribute_exists(pk) AND attribute_not_exists(finishedAt) AND \
                 (attribute_not_exists(finishPass) OR finishPass = :p OR finishLeaseUntil < :now)",
            )
            .expression_attribute_values(":p", s(pass))
            .expression_attribute_values(":u", s(iso(until)))
            .expression_attribute_values(":now", s(iso(now)))
            .send()
            .await;
        match out {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(StoreError::dynamo("UpdateItem", e)),
        }
    }

    /// Gives the lease of `pass` back (a pass that found the job not done yet), so the next
    /// check need not wait for it to run out.
    pub async fn release_finish(&self, tenant: &TenantId, job_id: &str, pass: &str) -> Result<(), StoreError> {
        let [(pk, pv), (sk, sv)] = BulkJob::key(tenant, job_id);
        let out = self
            .client
            .update_item()
            .table_name(&self.jobs)
            .key(pk, pv)
            .key(sk, sv)
            .update_expression("REMOVE finishPass, finishLeaseUntil")
            .condition_expression("finishPass = :p")
            .expression_attribute_values(":p", s(pass))
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Ok(()),
            Err(e) => Err(StoreError::dynamo("UpdateItem", e)),
        }
    }

    pub async fn finish(
        &self,
        tenant: &TenantId,
        job_id: &str,
        from: JobStatus,
        progress: &Progress,
        report_key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let to = if from == JobStatus::Cancelled {
            JobStatus::Cancelled
        } else {
            JobStatus::finished(progress)
        };
        let [(pk, pv), (sk, sv)] = BulkJob::key(tenant, job_id);
        let counts = serde_dynamo::to_attribute_value(progress).map_err(StoreError::Serialize)?;
        let out = self
            .client
            .update_item()
            .table_name(&self.jobs)
            .key(pk, pv)
            .key(sk, sv)
            .update_expression(
                "SET #st = :done, progress = :p, finishedAt = :now, updatedAt = :now, reportKey = :r, stalled = :f",
            )
            .condition_expression("#st = :from AND attribute_not_exists(finishedAt)")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":done", s(to.as_str()))
            .expression_attribute_values(":from", s(from.as_str()))
            .expression_attribute_values(":p", counts)
            .expression_attribute_values(":r", s(report_key))
            .expression_attribute_values(":f", AttributeValue::Bool(false))
            .expression_attribute_values(":now", s(iso(now)))
            .send()
            .await;
        match out {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(StoreError::dynamo("UpdateItem", e)),
        }
    }
}
