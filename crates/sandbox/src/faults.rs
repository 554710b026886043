//! Injected provider failures: "fail the next N calls of this operation with this AWS error",
//! optionally after a delay, so retries, backoff and error mapping are tested against the wire.

use std::time::Duration;

use axum::extract::State as AxState;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::State;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// e.g. `SendWhatsAppMessage`, `SendTextMessage`.
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
}

/// An error to answer with instead of succeeding.
pub(crate) struct Injected {
    pub status: u16,
    pub code: String,
    pub message: String,
}

/// Applies latency and takes one failure for `operation`, if any is pending.
pub(crate) async fn take(state: &State, operation: &str) -> Option<Injected> {
    let (delay, injected) = {
        let Ok(mut faults) = state.faults.lock() else {
            return None;
        };
        let i = faults.iter().position(|f| f.operation == operation)?;
        let f = &mut faults[i];
        let delay = f.latency_ms;
        let injected = (f.count > 0).then(|| Injected {
            status: f.status.unwrap_or(500),
            code: f.code.clone().unwrap_or_else(|| "InternalServiceException".into()),
            message: f.message.clone().unwrap_or_else(|| "injected by the sandbox".into()),
        });
        f.count = f.count.saturating_sub(1);
        if f.count == 0 && f.latency_ms == 0 {
            faults.remove(i);
        }
        (delay, injected)
    };
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    injected
}

pub(crate) async fn add(AxState(state): AxState<State>, Json(fault): Json<Fault>) -> Json<Value> {
    if let Ok(mut f) = state.faults.lock() {
        f.retain(|x| x.operation != fault.operation);
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
