//! Bulk jobs and their recipients.
//!
//! A job is one item (`{tenant}#JOB#{jobId}` / `JOB` in BulkJobs), listed newest first through
//! `gsi1` (`{tenant}#JOBS` / `{createdAt}#{jobId}`). Its recipients are items of BulkRecipients
//! under the job (`{tenant}#JOB#{jobId}` / `RCPT#{contactId}`), and `gsi1` lists them by status
//! (`{tenant}#JOB#{jobId}#{status}` / `{contactId}`), so "the failed recipients" or "what is
//! still pending" is one Query.
//!
//! Everything that must happen once is one conditional write: the job is created only if its id
//! is new; a control (pause, resume, cancel) only from the statuses `wecare_core::bulk::control`
//! allows, so two operators racing cannot both win and an illegal transition is refused by
//! DynamoDB itself; a recipient is settled only while it is still pending, so a chunk delivered
//! twice cannot count anyone twice; and the job completes only once. Recipients are written with
//! BatchWriteItem, retrying what DynamoDB leaves unprocessed.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, PutRequest, ReturnValue, ReturnValuesOnConditionCheckFailure, WriteRequest,
};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wecare_core::bulk::{control, statuses_allowing, Control, Exclusion, IllegalTransition, JobStatus, Progress};
use wecare_core::time::iso;
use wecare_core::{Channel, ContactId, TenantId};

use crate::cursor::{query_index, IndexPartition};
pub use crate::cursor::{ListError, Page};
use crate::error::{condition_failed, StoreError};
use crate::keys;

/// A bulk job as stored and as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkJob {
    pub job_id: String,
    pub tenant_id: TenantId,
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
    /// Business-initiated conversations reserved in the tier for this job.
    #[serde(default)]
    pub tier_reserved: u64,
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
    /// Personalisation values for this recipient (CSV columns, contact fields).
    #[serde(default)]
    pub values: HashMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_at: Option<DateTime<Utc>>,
}

impl BulkRecipient {
    fn item(&self) -> Result<HashMap<String, AttributeValue>, StoreError> {
        let mut item: HashMap<String, AttributeValue> = serde_dynamo::to_item(self).map_err(StoreError::Serialize)?;
        item.insert("pk".into(), s(keys::job_pk(&self.tenant_id, &self.job_id)));
        item.insert("sk".into(), s(keys::recipient_sk(&self.contact_id)));
        item.insert(
            "gsi1pk".into(),
            s(keys::recipients_by_status_pk(
                &self.tenant_id,
                &self.job_id,
                self.status.as_str(),
            )),
        );
        item.insert("gsi1sk".into(), s(self.contact_id.to_string()));
        Ok(item)
    }
}

/// How a recipient was settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub status: RecipientStatus,
    pub reason: Option<String>,
    pub message_id: Option<String>,
}

impl Settled {
    pub fn skipped(why: Exclusion) -> Settled {
        Settled {
            status: RecipientStatus::Skipped,
            reason: Some(why.as_str().to_string()),
            message_id: None,
        }
    }
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

/// BatchWriteItem takes at most this many puts.
const BATCH: usize = 25;
/// Rounds of retrying what DynamoDB left unprocessed before giving up.
const UNPROCESSED_ROUNDS: u32 = 8;

#[derive(Clone)]
pub struct BulkRepo {
    client: Client,
    jobs: String,
    recipients: String,
}

impl BulkRepo {
    pub fn new(client: Client, jobs_table: impl Into<String>, recipients_table: impl Into<String>) -> Self {
        BulkRepo {
            client,
            jobs: jobs_table.into(),
            recipients: recipients_table.into(),
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

    /// Writes recipients with BatchWriteItem, 25 at a time, retrying what comes back
    /// unprocessed with a growing pause.
    pub async fn put_recipients(&self, recipients: &[BulkRecipient]) -> Result<(), StoreError> {
        for batch in recipients.chunks(BATCH) {
            let mut requests =
                batch
                    .iter()
                    .map(|r| {
                        let put = PutRequest::builder().set_item(Some(r.item()?)).build().map_err(|e| {
                            StoreError::Dynamo {
                                operation: "build",
                                source: Box::new(e),
                            }
                        })?;
                        Ok(WriteRequest::builder().put_request(put).build())
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
            let mut round = 0;
            while !requests.is_empty() {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.recipients, requests)
                    .send()
                    .await
                    .map_err(|e| StoreError::dynamo("BatchWriteItem", e))?;
                requests = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(&self.recipients))
                    .unwrap_or_default();
                if requests.is_empty() {
                    break;
                }
                round += 1;
                if round > UNPROCESSED_ROUNDS {
                    return Err(StoreError::Dynamo {
                        operation: "BatchWriteItem",
                        source: format!("{} items still unprocessed after {round} rounds", requests.len()).into(),
                    });
                }
                tokio::time::sleep(Duration::from_millis(50 << round.min(6))).await;
            }
        }
        Ok(())
    }

    /// Settles a recipient that is still pending; false if it was settled before (a chunk
    /// delivered twice, a worker retried), in which case nothing changes.
    pub async fn settle_recipient(
        &self,
        tenant: &TenantId,
        job_id: &str,
        contact: &ContactId,
        how: &Settled,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut set = vec!["#st = :to", "settledAt = :now", "gsi1pk = :g"];
        let mut req = self
            .client
            .update_item()
            .table_name(&self.recipients)
            .key("pk", s(keys::job_pk(tenant, job_id)))
            .key("sk", s(keys::recipient_sk(contact)))
            .condition_expression("#st = :pending")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":to", s(how.status.as_str()))
            .expression_attribute_values(":pending", s(RecipientStatus::Pending.as_str()))
            .expression_attribute_values(":now", s(iso(now)))
            .expression_attribute_values(
                ":g",
                s(keys::recipients_by_status_pk(tenant, job_id, how.status.as_str())),
            );
        if let Some(r) = &how.reason {
            set.push("reason = :r");
            req = req.expression_attribute_values(":r", s(r.clone()));
        }
        if let Some(m) = &how.message_id {
            set.push("messageId = :m");
            req = req.expression_attribute_values(":m", s(m.clone()));
        }
        match req.update_expression(format!("SET {}", set.join(", "))).send().await {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(StoreError::dynamo("UpdateItem", e)),
        }
    }

    /// A job's recipients in `status`, by contact id, a page at a time.
    pub async fn recipients(
        &self,
        tenant: &TenantId,
        job_id: &str,
        status: RecipientStatus,
        limit: i32,
        after: Option<&str>,
    ) -> Result<Page<BulkRecipient>, ListError> {
        let at = IndexPartition {
            table: &self.recipients,
            index: "gsi1",
            partition: keys::recipients_by_status_pk(tenant, job_id, status.as_str()),
        };
        query_index(&self.client, at, limit, after, |q| q).await
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

    /// Marks a running job finished with its final counts; true for exactly one caller.
    pub async fn complete(
        &self,
        tenant: &TenantId,
        job_id: &str,
        progress: &Progress,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let [(pk, pv), (sk, sv)] = BulkJob::key(tenant, job_id);
        let counts = serde_dynamo::to_attribute_value(progress).map_err(StoreError::Serialize)?;
        let out = self
            .client
            .update_item()
            .table_name(&self.jobs)
            .key(pk, pv)
            .key(sk, sv)
            .update_expression("SET #st = :done, progress = :p, finishedAt = :now, updatedAt = :now")
            .condition_expression("#st = :running")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":done", s(JobStatus::finished(progress).as_str()))
            .expression_attribute_values(":running", s(JobStatus::Running.as_str()))
            .expression_attribute_values(":p", counts)
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
