//! Injected provider failures, so retries, backoff and error mapping are tested against the wire.
//!
//! A fault applies to the next `count` calls of one operation — or, with `probability`, to each call
//! with that chance until the faults are cleared (several such faults of one operation add up,
//! e.g. 20 % throttling and 5 % dropped) — after an optional delay, in one of four modes:
//! - `error` (the default): answer with this AWS error (throttling, a 4xx refusal, a 5xx);
//! - `drop`: accept the request (it is in the ledger, as sent), then drop the connection before
//!   the answer is complete — the ambiguous case, where the caller cannot know it was sent;
//! - `statusFirst`: accept it, publish its delivery status (`deliverStatus`, `delivered` by
//!   default) to the events topic, wait `latencyMs`, and only then answer: a status that
//!   overtakes the send's own answer.
//! - `streamError` (event-stream operations, i.e. InvokeAgent): answer 200, send the first chunk,
//!   then an in-stream exception frame (`code` in camelCase as the frame's `:exception-type`,
//!   `throttlingException` by default) and end the stream: the caller has part of a reply and an
//!   error, and must not keep the part.

use std::time::Duration;

use axum::extract::State as AxState;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::State;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// e.g. `SendWhatsAppMessage`, `SendTextMessage`, `Retrieve`, `RetrieveAndGenerate`, `InvokeAgent`.
    pub operation: String,
    /// How many of the next calls fail (0 with `latencyMs` = only slow them down).
    #[serde(default)]
    pub count: u32,
    /// HTTP status of the error (429, 400, 500, …).
    #[serde(default)]
    pub status: Option<u16>,
    /// AWS error code, e.g. `ThrottlingException`.
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub latency_ms: u64,
    #[serde(default)]
    pub mode: Mode,
    /// With `statusFirst`: the status published before the answer.
    #[serde(default)]
    pub deliver_status: Option<String>,
    /// Applies to each call with this chance (0–1) instead of to the next `count` calls.
    #[serde(default)]
    pub probability: Option<f64>,
}

/// A uniform draw in [0, 1) from the operating system's randomness, through a v4 UUID: its last
/// 48 bits are random (the version and variant bits sit higher up and would bias the draw).
fn draw() -> f64 {
    let bits = (uuid::Uuid::new_v4().as_u128() & ((1u128 << 48) - 1)) as u64;
    bits as f64 / (1u64 << 48) as f64
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_spread_over_the_whole_unit_interval() {
        let draws: Vec<f64> = (0..2000).map(|_| super::draw()).collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        let low = draws.iter().filter(|d| **d < 0.2).count();
        assert!((300..500).contains(&low), "{low} of 2000 below 0.2");
    }
}

fn action_of(f: &Fault) -> Action {
    match f.mode {
        Mode::Error => Action::Fail(Injected {
            status: f.status.unwrap_or(500),
            code: f.code.clone().unwrap_or_else(|| "InternalServiceException".into()),
            message: f.message.clone().unwrap_or_else(|| "injected by the sandbox".into()),
        }),
        Mode::Drop => Action::Drop,
        Mode::StatusFirst => Action::StatusFirst {
            status: f.deliver_status.clone().unwrap_or_else(|| "delivered".into()),
            wait: Duration::from_millis(f.latency_ms),
        },
        Mode::StreamError => Action::StreamError(Injected {
            status: 200,
            code: f.code.clone().unwrap_or_else(|| "throttlingException".into()),
            message: f
                .message
                .clone()
                .unwrap_or_else(|| "Your request rate is too high. Reduce the frequency of requests.".into()),
        }),
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Mode {
    #[default]
    Error,
    Drop,
    StatusFirst,
    StreamError,
}

/// An error to answer with instead of succeeding.
pub(crate) struct Injected {
    pub status: u16,
    pub code: String,
    pub message: String,
}

/// What to do with one call.
pub(crate) enum Action {
    Proceed,
    Fail(Injected),
    /// Accept, then drop the connection.
    Drop,
    /// Accept, publish this status, wait, then answer.
    StatusFirst {
        status: String,
        wait: Duration,
    },
    /// Answer 200, send part of the event stream, then this exception in the stream. Operations
    /// without an event stream proceed as if there were no fault.
    StreamError(Injected),
}

/// Takes one fault for `operation`, if any is pending; the delay of `error` and `drop` faults is
/// applied here.
pub(crate) async fn take(state: &State, operation: &str) -> Action {
    let (delay, action) = {
        let Ok(mut faults) = state.faults.lock() else {
            return Action::Proceed;
        };
        let chances: Vec<&Fault> = faults
            .iter()
            .filter(|f| f.operation == operation && f.probability.is_some())
            .collect();
        if !chances.is_empty() {
            let r = draw();
            let mut cumulative = 0.0;
            for f in chances {
                cumulative += f.probability.unwrap_or(0.0);
                if r < cumulative {
                    return action_of(f);
                }
            }
            return Action::Proceed;
        }
        let Some(i) = faults.iter().position(|f| f.operation == operation) else {
            return Action::Proceed;
        };
        let f = &mut faults[i];
        let delay = f.latency_ms;
        let action = if f.count == 0 { Action::Proceed } else { action_of(f) };
        f.count = f.count.saturating_sub(1);
        if f.count == 0 && f.latency_ms == 0 {
            faults.remove(i);
        } else if f.count == 0 && f.mode != Mode::Error {
            // Latency without a count slows every call; a spent drop or statusFirst fault does not.
            faults.remove(i);
        }
        (delay, action)
    };
    if delay > 0 && !matches!(action, Action::StatusFirst { .. }) {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    action
}

pub(crate) async fn add(AxState(state): AxState<State>, Json(fault): Json<Fault>) -> Json<Value> {
    if let Ok(mut f) = state.faults.lock() {
        // A counted fault replaces the operation's counted fault; chances accumulate.
        if fault.probability.is_none() {
            f.retain(|x| x.operation != fault.operation || x.probability.is_some());
        }
        f.push(fault);
    }
    Json(json!({ "ok": true }))
}

pub(crate) async fn clear(AxState(state): AxState<State>) -> Json<Value> {
    if let Ok(mut f) = state.faults.lock() {
        f.clear();
    }
    Json(json!({ "ok": true }))
}
