//! `bulk-worker`: the consumer of `bulk-queue` (an SQS event source with partial batch responses).
//! Everything it does is `wecare_bulk::worker`; this edge only turns Lambda's deadline into an
//! instant the work can plan by.

use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use wecare_bulk::Deps;

/// Handles one batch, stopping to take recipients in time for `deadline_ms` (epoch milliseconds,
/// Lambda's `Context::deadline`).
pub async fn handle(deps: &Deps, event: SqsEvent, deadline_ms: u64) -> SqsBatchResponse {
    let now_ms = wecare_core::time::now().timestamp_millis().max(0) as u64;
    let left = Duration::from_millis(deadline_ms.saturating_sub(now_ms));
    wecare_bulk::worker::handle(deps, event, Instant::now() + left).await
}
