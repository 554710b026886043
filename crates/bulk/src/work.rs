//! The messages on `bulk-queue`: what a worker is asked to do, and how it is enqueued.
//!
//! Every message names its tenant and job, so a worker never needs anything but the message and
//! the ledger; every kind is safe to receive twice (SQS delivers at least once).

use std::collections::BTreeMap;

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use serde::{Deserialize, Serialize};
use wecare_core::{ContactId, TenantId};

use crate::{BulkError, Deps};

/// One recipient of a chunk: who, and their personalisation values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChunkRecipient {
    pub contact_id: ContactId,
    #[serde(default)]
    pub values: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Work {
    /// Write the job's ledger from its manifest and enqueue its chunks.
    Expand {
        tenant: TenantId,
        #[serde(rename = "jobId")]
        job_id: String,
    },
    /// Send to these recipients (at most 100).
    Chunk {
        tenant: TenantId,
        #[serde(rename = "jobId")]
        job_id: String,
        recipients: Vec<ChunkRecipient>,
    },
    /// Finish the job if nothing is pending. `watch` keeps checking (every
    /// [`crate::worker::WATCH_EVERY`]) until the job is final, which recounts a job whose running
    /// counts went astray and shows one whose work stopped as stalled.
    Check {
        tenant: TenantId,
        #[serde(rename = "jobId")]
        job_id: String,
        #[serde(default)]
        watch: bool,
        /// A pass over the ledger that is finishing the job, to go on with.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pass: Option<crate::finish::Pass>,
    },
    /// Cancel every recipient of a cancelled job that is still pending, then finish it.
    Sweep {
        tenant: TenantId,
        #[serde(rename = "jobId")]
        job_id: String,
    },
}

impl Work {
    pub fn job(&self) -> (&TenantId, &str) {
        match self {
            Work::Expand { tenant, job_id }
            | Work::Chunk { tenant, job_id, .. }
            | Work::Check { tenant, job_id, .. }
            | Work::Sweep { tenant, job_id } => (tenant, job_id),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Work::Expand { .. } => "expand",
            Work::Chunk { .. } => "chunk",
            Work::Check { .. } => "check",
            Work::Sweep { .. } => "sweep",
        }
    }
}

/// Enqueues one message, visible after `delay_seconds` (at most 900).
pub async fn enqueue(deps: &Deps, work: &Work, delay_seconds: i32) -> Result<(), BulkError> {
    let body = serde_json::to_string(work).map_err(BulkError::Manifest)?;
    deps.sqs
        .send_message()
        .queue_url(&deps.config.queue_url)
        .message_body(body)
        .delay_seconds(delay_seconds.clamp(0, 900))
        .send()
        .await
        .map_err(|e| BulkError::sqs("SendMessage", e))?;
    Ok(())
}

/// Enqueues many messages, ten per request, retrying the entries SQS did not take.
pub async fn enqueue_all(deps: &Deps, works: &[Work]) -> Result<(), BulkError> {
    for batch in works.chunks(10) {
        let mut entries: Vec<SendMessageBatchRequestEntry> = batch
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let body = serde_json::to_string(w).map_err(BulkError::Manifest)?;
                SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(body)
                    .build()
                    .map_err(|e| BulkError::sqs("SendMessageBatch", e))
            })
            .collect::<Result<_, _>>()?;
        for attempt in 0..5 {
            let out = deps
                .sqs
                .send_message_batch()
                .queue_url(&deps.config.queue_url)
                .set_entries(Some(entries.clone()))
                .send()
                .await
                .map_err(|e| BulkError::sqs("SendMessageBatch", e))?;
            let failed: Vec<String> = out.failed.iter().map(|f| f.id.clone()).collect();
            if failed.is_empty() {
                break;
            }
            if attempt == 4 {
                return Err(BulkError::Sqs {
                    operation: "SendMessageBatch",
                    source: format!("{} messages not accepted", failed.len()).into(),
                });
            }
            entries.retain(|e| failed.contains(&e.id));
            tokio::time::sleep(std::time::Duration::from_millis(100 << attempt)).await;
        }
    }
    Ok(())
}
