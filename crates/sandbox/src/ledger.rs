//! The ledger: every provider call the sandbox received, so a test can assert what was sent.

use axum::extract::State as AxState;
use axum::Json;
use serde::Serialize;
use serde_json::Value;

use crate::State;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    pub service: String,
    pub operation: String,
    /// The request as the service decoded it (WhatsApp messages with `message` base64-decoded).
    pub request: Value,
    /// What the sandbox answered: a result or an error.
    pub response: Value,
    pub status: u16,
    pub at: String,
}

pub(crate) fn record(state: &State, service: &str, operation: &str, request: Value, status: u16, response: Value) {
    let entry = LedgerEntry {
        service: service.into(),
        operation: operation.into(),
        request,
        response,
        status,
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    };
    if let Ok(mut l) = state.ledger.lock() {
        l.push(entry);
    }
}

pub(crate) async fn list(AxState(state): AxState<State>) -> Json<Vec<LedgerEntry>> {
    Json(state.ledger.lock().map(|l| l.clone()).unwrap_or_default())
}

pub(crate) async fn clear(AxState(state): AxState<State>) -> Json<Value> {
    if let Ok(mut l) = state.ledger.lock() {
        l.clear();
    }
    Json(serde_json::json!({ "cleared": true }))
}
