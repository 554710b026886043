//! The bulk pump: what Lambda's SQS event source mapping does for `bulk-worker`, locally (and
//! for `ai-generate-response` on `ai-queue`, with [`Worker::AiDrafts`]).
//!
//! It long-polls `bulk-queue` in moto and invokes the worker with the real `SqsEvent` shape (with
//! `ApproximateReceiveCount`), at most [`PumpOptions::concurrency`] invocations at once, each with
//! a deadline of [`WORKER_TIMEOUT`]. It deletes only the messages the partial batch response does
//! not name as failed; a failed or unfinished message is left to moto, which makes it visible
//! again after the visibility timeout and moves it to `bulk-dlq` after five receives, exactly as
//! SQS does. Tests can make it deliver every message twice and abort an invocation mid-way (a
//! worker that dies), which is how the fault tests exercise redelivery.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_sqs::types::MessageSystemAttributeName;
use tokio::sync::Semaphore;

use crate::functions::Functions;

/// The local worker's timeout (the queue's visibility is six times it).
pub const WORKER_TIMEOUT: Duration = Duration::from_secs(30);
/// The local timeout of `ai-generate-response` on `ai-queue`: a draft is one agent call.
pub const AI_TIMEOUT: Duration = Duration::from_secs(60);

/// Which function a queue is pumped into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Worker {
    #[default]
    Bulk,
    AiDrafts,
}

#[derive(Debug, Clone)]
pub struct PumpOptions {
    /// The function invoked.
    pub worker: Worker,
    /// Invocations at once (the event source's maximum concurrency).
    pub concurrency: usize,
    /// Messages per invocation.
    pub batch_size: i32,
    /// Each invocation's time limit.
    pub timeout: Duration,
    /// Deliver every message twice, concurrently (SQS may; this makes it certain).
    pub deliver_twice: bool,
    /// Abort this many invocations carrying a chunk of recipients after the given time, as if
    /// the worker had died mid-chunk: their messages are neither deleted nor reported, and
    /// reappear after the visibility timeout.
    pub abort: Option<(u32, Duration)>,
    /// How many invocations were aborted so far (for a test to see that its fault happened).
    pub aborted: Arc<AtomicU32>,
    /// What the pump did, for a benchmark to cost it.
    pub stats: PumpStats,
}

/// Counters of a pump's work: what Lambda's event source and the worker's runtime would bill.
#[derive(Debug, Clone, Default)]
pub struct PumpStats {
    /// Worker invocations.
    pub invocations: Arc<AtomicU64>,
    /// Time spent inside worker invocations, in microseconds (Lambda's billed duration).
    pub busy_micros: Arc<AtomicU64>,
    /// The event source's own SQS requests (receives and deletes).
    pub sqs_requests: Arc<AtomicU64>,
}

impl Default for PumpOptions {
    fn default() -> Self {
        PumpOptions {
            worker: Worker::Bulk,
            concurrency: 2,
            batch_size: 1,
            timeout: WORKER_TIMEOUT,
            deliver_twice: false,
            abort: None,
            aborted: Arc::default(),
            stats: PumpStats::default(),
        }
    }
}

/// Starts pumping `queue_url` into `bulk-worker` until the process ends.
pub fn start(sqs: aws_sdk_sqs::Client, queue_url: String, functions: Arc<Functions>, options: PumpOptions) {
    let slots = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let aborts_left = Arc::new(AtomicU32::new(options.abort.map_or(0, |(n, _)| n)));
    tokio::spawn(async move {
        loop {
            let Ok(permit) = slots.clone().acquire_owned().await else {
                return;
            };
            options.stats.sqs_requests.fetch_add(1, Ordering::Relaxed);
            let received = sqs
                .receive_message()
                .queue_url(&queue_url)
                .max_number_of_messages(options.batch_size.clamp(1, 10))
                .wait_time_seconds(1)
                .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
                .send()
                .await;
            let messages = match received {
                Ok(out) => out.messages.unwrap_or_default(),
                Err(e) => {
                    tracing::warn!(error = %e, "queue not reachable; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    continue;
                }
            };
            if messages.is_empty() {
                continue;
            }
            let event = event_of(&messages);
            let handles: HashMap<String, String> = messages
                .iter()
                .filter_map(|m| Some((m.message_id.clone()?, m.receipt_handle.clone()?)))
                .collect();
            let (sqs, url, functions, options) = (sqs.clone(), queue_url.clone(), functions.clone(), options.clone());
            let aborts_left = aborts_left.clone();
            tokio::spawn(async move {
                let _permit = permit;
                let deadline_ms =
                    (wecare_core::time::now().timestamp_millis().max(0) as u64) + options.timeout.as_millis() as u64;
                let worker = options.worker;
                let twice = options.deliver_twice.then(|| {
                    let (functions, event) = (functions.clone(), event.clone());
                    tokio::spawn(async move { invoke(&functions, worker, event, deadline_ms).await })
                });
                let abort_after = options.abort.map(|(_, after)| after).filter(|_| {
                    carries_chunk(&event)
                        && aborts_left
                            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                            .is_ok()
                });
                let started = std::time::Instant::now();
                let stats = options.stats.clone();
                let invocation = async move {
                    let response = invoke(&functions, worker, event, deadline_ms).await;
                    stats.invocations.fetch_add(1, Ordering::Relaxed);
                    stats
                        .busy_micros
                        .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
                    response
                };
                let response = match abort_after {
                    Some(after) => match tokio::time::timeout(after, invocation).await {
                        Ok(r) => Some(r),
                        Err(_) => {
                            options.aborted.fetch_add(1, Ordering::SeqCst);
                            tracing::warn!("bulk-worker invocation aborted mid-way (fault injection)");
                            None
                        }
                    },
                    None => match tokio::time::timeout(options.timeout, invocation).await {
                        Ok(r) => Some(r),
                        Err(_) => {
                            tracing::error!("bulk-worker ran past its timeout; its messages will reappear");
                            None
                        }
                    },
                };
                if let Some(t) = twice {
                    let _ = t.await;
                }
                let Some(response) = response else {
                    return;
                };
                let failed: Vec<String> = response
                    .batch_item_failures
                    .into_iter()
                    .map(|f| f.item_identifier)
                    .collect();
                for (id, handle) in handles {
                    if !failed.contains(&id) {
                        options.stats.sqs_requests.fetch_add(1, Ordering::Relaxed);
                        let _ = sqs.delete_message().queue_url(&url).receipt_handle(handle).send().await;
                    }
                }
            });
        }
    });
}

async fn invoke(functions: &Functions, worker: Worker, event: SqsEvent, deadline_ms: u64) -> SqsBatchResponse {
    match worker {
        Worker::Bulk => functions.bulk_worker(event, deadline_ms).await,
        Worker::AiDrafts => functions.ai_drafts(event).await,
    }
}

/// Whether a record of `event` is a chunk of recipients (not an expansion or a check).
fn carries_chunk(event: &SqsEvent) -> bool {
    event.records.iter().any(|r| {
        r.body
            .as_deref()
            .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
            .is_some_and(|w| w["kind"] == "chunk")
    })
}

/// The `SqsEvent` Lambda passes for these messages.
fn event_of(messages: &[aws_sdk_sqs::types::Message]) -> SqsEvent {
    let records = messages
        .iter()
        .map(|m| {
            let mut attributes = HashMap::new();
            if let Some(a) = &m.attributes {
                for (k, v) in a {
                    attributes.insert(k.as_str().to_string(), v.clone());
                }
            }
            let mut r = SqsMessage::default();
            r.message_id = m.message_id.clone();
            r.receipt_handle = m.receipt_handle.clone();
            r.body = m.body.clone();
            r.md5_of_body = m.md5_of_body.clone();
            r.attributes = attributes;
            r.event_source = Some("aws:sqs".into());
            r.event_source_arn = Some("arn:aws:sqs:local:000000000000:bulk-queue".into());
            r
        })
        .collect();
    let mut event = SqsEvent::default();
    event.records = records;
    event
}
