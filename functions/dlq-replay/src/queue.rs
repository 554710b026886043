//! Looking into a dead-letter queue without taking anything out of it.
//!
//! SQS has no "peek": a message is read by receiving it, which hides it for a visibility timeout.
//! [`scan`] receives up to [`MAX_RECEIVES`] batches of ten (SQS's most per call), each hiding what
//! it returned for `hold`, so the next batch brings other messages, and stops at the first batch
//! with nothing new; duplicates (by SQS message id) are dropped. The caller then [`release`]s
//! what it only looked at, which makes it visible again at once, and deletes what it is done
//! with. If the caller dies first, the messages reappear when `hold` ends: nothing is lost.

use std::collections::{HashMap, HashSet};

use aws_sdk_sqs::types::{ChangeMessageVisibilityBatchRequestEntry, MessageSystemAttributeName};
use chrono::{DateTime, Utc};

/// Receives of one scan: at most 100 messages are looked at per request.
pub const MAX_RECEIVES: usize = 10;

/// One message as received.
#[derive(Debug, Clone)]
pub struct Received {
    /// SQS's id of the message (kept when SQS moves a message to its dead-letter queue).
    pub sqs_id: String,
    pub receipt_handle: String,
    pub body: String,
    /// String message attributes (the inbound handler's `reason`, …).
    pub attributes: HashMap<String, String>,
    /// When the message was first sent to a queue (SQS keeps it through a redrive).
    pub sent_at: Option<DateTime<Utc>>,
}

/// What one scan saw.
#[derive(Debug, Default)]
pub struct Scan {
    pub messages: Vec<Received>,
    /// Whether the scan stopped at [`MAX_RECEIVES`] while batches still brought new messages.
    pub truncated: bool,
}

/// A failed SQS call.
#[derive(Debug, thiserror::Error)]
#[error("SQS {operation} failed")]
pub struct SqsError {
    pub operation: &'static str,
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

fn sqs_error(operation: &'static str, e: impl std::error::Error + Send + Sync + 'static) -> SqsError {
    SqsError {
        operation,
        source: Box::new(e),
    }
}

/// Receives what `queue_url` holds (see the module), hiding each message for `hold_seconds`.
pub async fn scan(sqs: &aws_sdk_sqs::Client, queue_url: &str, hold_seconds: i32) -> Result<Scan, SqsError> {
    let mut seen = HashSet::new();
    let mut scan = Scan::default();
    for receive in 0..MAX_RECEIVES {
        let out = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .visibility_timeout(hold_seconds)
            // A short long-poll: it asks every SQS server (a short poll samples some and can miss
            // messages of a small queue), and waits only when nothing is left to see.
            .wait_time_seconds(1)
            .message_attribute_names("All")
            .message_system_attribute_names(MessageSystemAttributeName::SentTimestamp)
            .send()
            .await
            .map_err(|e| sqs_error("ReceiveMessage", e))?;
        let mut new = 0;
        for m in out.messages.unwrap_or_default() {
            let (Some(id), Some(handle)) = (m.message_id.clone(), m.receipt_handle.clone()) else {
                continue;
            };
            if !seen.insert(id.clone()) {
                continue;
            }
            new += 1;
            let sent_at = m
                .attributes
                .as_ref()
                .and_then(|a| a.get(&MessageSystemAttributeName::SentTimestamp))
                .and_then(|ms| ms.parse::<i64>().ok())
                .and_then(DateTime::from_timestamp_millis);
            let attributes = m
                .message_attributes
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(k, v)| Some((k, v.string_value?)))
                .collect();
            scan.messages.push(Received {
                sqs_id: id,
                receipt_handle: handle,
                body: m.body.unwrap_or_default(),
                attributes,
                sent_at,
            });
        }
        if new == 0 {
            return Ok(scan);
        }
        scan.truncated = receive + 1 == MAX_RECEIVES;
    }
    Ok(scan)
}

/// Makes messages visible again at once. Best effort: a message not released reappears when its
/// hold ends anyway, so a failure is logged, not raised.
pub async fn release(sqs: &aws_sdk_sqs::Client, queue_url: &str, messages: &[&Received]) {
    for batch in messages.chunks(10) {
        let entries: Vec<ChangeMessageVisibilityBatchRequestEntry> = batch
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(&m.receipt_handle)
                    .visibility_timeout(0)
                    .build()
                    .ok()
            })
            .collect();
        if entries.is_empty() {
            continue;
        }
        let out = sqs
            .change_message_visibility_batch()
            .queue_url(queue_url)
            .set_entries(Some(entries))
            .send()
            .await;
        match out {
            Ok(o) if o.failed.is_empty() => {}
            Ok(o) => {
                tracing::warn!(
                    failed = o.failed.len(),
                    "some dead letters not released; they reappear when their hold ends"
                )
            }
            Err(e) => tracing::warn!(
                error = %aws_sdk_sqs::error::DisplayErrorContext(&e),
                "dead letters not released; they reappear when their hold ends"
            ),
        }
    }
}

/// Deletes a message for good.
pub async fn delete(sqs: &aws_sdk_sqs::Client, queue_url: &str, m: &Received) -> Result<(), SqsError> {
    sqs.delete_message()
        .queue_url(queue_url)
        .receipt_handle(&m.receipt_handle)
        .send()
        .await
        .map_err(|e| sqs_error("DeleteMessage", e))?;
    Ok(())
}

/// Sends `body` to `queue_url` (a bulk chunk back to `bulk-queue`).
pub async fn send(sqs: &aws_sdk_sqs::Client, queue_url: &str, body: &str) -> Result<(), SqsError> {
    sqs.send_message()
        .queue_url(queue_url)
        .message_body(body)
        .send()
        .await
        .map_err(|e| sqs_error("SendMessage", e))?;
    Ok(())
}
