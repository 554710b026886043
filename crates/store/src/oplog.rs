//! An SDK interceptor that records the name of every DynamoDB call a client sends.
//!
//! Tests attach it to prove properties such as "search issues no Scan", and benchmarks use it to
//! report DynamoDB calls and write units per request (it keeps the body of every write request,
//! from which the items written can be sized). It observes the real SDK pipeline, so what it
//! records is what went over the wire.

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

#[derive(Debug, Clone, Default)]
pub struct OperationLog {
    ops: Arc<Mutex<Vec<String>>>,
    writes: Arc<Mutex<Vec<(String, serde_json::Value)>>>,
}

/// The operations that write items.
const WRITES: &[&str] = &[
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "TransactWriteItems",
    "BatchWriteItem",
];

impl OperationLog {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every operation name recorded so far, in order.
    pub fn operations(&self) -> Vec<String> {
        self.ops.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// Every write request recorded so far: its operation and its JSON body.
    pub fn writes(&self) -> Vec<(String, serde_json::Value)> {
        self.writes.lock().map(|v| v.clone()).unwrap_or_default()
    }

    pub fn clear(&self) {
        if let Ok(mut v) = self.ops.lock() {
            v.clear();
        }
        if let Ok(mut v) = self.writes.lock() {
            v.clear();
        }
    }
}

impl Intercept for OperationLog {
    fn name(&self) -> &'static str {
        "OperationLog"
    }

    /// Reads the `X-Amz-Target` of each request as it is sent (`DynamoDB_20120810.Query` → `Query`),
    /// so retries count as the separate calls they are.
    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let target = context.request().headers().get("x-amz-target").unwrap_or_default();
        let op = target.rsplit('.').next().unwrap_or(target);
        if let Ok(mut ops) = self.ops.lock() {
            ops.push(op.to_string());
        }
        if WRITES.contains(&op) {
            let body = context
                .request()
                .body()
                .bytes()
                .and_then(|b| serde_json::from_slice(b).ok())
                .unwrap_or(serde_json::Value::Null);
            if let Ok(mut w) = self.writes.lock() {
                w.push((op.to_string(), body));
            }
        }
        Ok(())
    }
}
