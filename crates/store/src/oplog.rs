//! An SDK interceptor that records the name of every call a client sends (DynamoDB's, or any other
//! JSON-protocol service's such as SQS).
//!
//! Tests attach it to prove properties such as "search issues no Scan", and benchmarks use it to
//! report calls, write units and read units per request: it keeps the body of every write request,
//! from which the items written can be sized, and the size of every read's response with whether it
//! asked for a consistent read. It observes the real SDK pipeline, so what it records is what went
//! over the wire.

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

#[derive(Debug, Clone, Default)]
pub struct OperationLog {
    ops: Arc<Mutex<Vec<String>>>,
    writes: Arc<Mutex<Vec<(String, serde_json::Value)>>>,
    reads: Arc<Mutex<Vec<Read>>>,
}

/// One read request: its operation, the table it read (the first, for BatchGetItem), whether it
/// asked for a consistent read, how many keys it named (BatchGetItem) and the size of its response
/// body.
#[derive(Debug, Clone, PartialEq)]
pub struct Read {
    pub operation: String,
    pub table: String,
    pub consistent: bool,
    pub keys: usize,
    pub response_bytes: usize,
}

impl Storable for Read {
    type Storer = StoreReplace<Self>;
}

/// The operations that read items.
const READS: &[&str] = &["GetItem", "BatchGetItem", "Query", "Scan"];

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

    /// Every read request recorded so far (see [`Read`]).
    pub fn reads(&self) -> Vec<Read> {
        self.reads.lock().map(|v| v.clone()).unwrap_or_default()
    }

    pub fn clear(&self) {
        if let Ok(mut v) = self.reads.lock() {
            v.clear();
        }
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
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let target = context.request().headers().get("x-amz-target").unwrap_or_default();
        let op = target.rsplit('.').next().unwrap_or(target);
        if let Ok(mut ops) = self.ops.lock() {
            ops.push(op.to_string());
        }
        let body = || {
            context
                .request()
                .body()
                .bytes()
                .and_then(|b| serde_json::from_slice(b).ok())
                .unwrap_or(serde_json::Value::Null)
        };
        if WRITES.contains(&op) {
            if let Ok(mut w) = self.writes.lock() {
                w.push((op.to_string(), body()));
            }
        } else if READS.contains(&op) {
            let body = body();
            let requests = body["RequestItems"].as_object();
            // Kept with the request until its response arrives (below).
            let table = body["TableName"]
                .as_str()
                .or_else(|| requests.and_then(|r| r.keys().next()).map(String::as_str))
                .unwrap_or_default()
                .to_string();
            cfg.interceptor_state().store_put(Read {
                operation: op.to_string(),
                table,
                consistent: body["ConsistentRead"].as_bool().unwrap_or(false)
                    || requests.is_some_and(|r| r.values().any(|t| t["ConsistentRead"].as_bool() == Some(true))),
                keys: requests.map_or(1, |r| {
                    r.values().map(|t| t["Keys"].as_array().map_or(0, Vec::len)).sum()
                }),
                response_bytes: 0,
            });
        }
        Ok(())
    }

    /// The size of a read's response, from its `Content-Length`.
    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(read) = cfg.load::<Read>() {
            let bytes = context
                .response()
                .headers()
                .get("content-length")
                .and_then(|l| l.parse().ok())
                .unwrap_or(0);
            if let Ok(mut r) = self.reads.lock() {
                r.push(Read {
                    response_bytes: bytes,
                    ..read.clone()
                });
            }
        }
        Ok(())
    }
}
