//! An SDK interceptor that records the name of every DynamoDB operation a client performs.
//!
//! Tests attach it to prove properties such as "search issues no Scan", and benchmarks use it to
//! report DynamoDB calls per request. It observes the real SDK pipeline, so what it records is
//! what went over the wire.

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_types::config_bag::ConfigBag;

#[derive(Debug, Clone, Default)]
pub struct OperationLog {
    ops: Arc<Mutex<Vec<String>>>,
}

impl OperationLog {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every operation name recorded so far, in order.
    pub fn operations(&self) -> Vec<String> {
        self.ops.lock().map(|v| v.clone()).unwrap_or_default()
    }

    pub fn clear(&self) {
        if let Ok(mut v) = self.ops.lock() {
            v.clear();
        }
    }
}

impl Intercept for OperationLog {
    fn name(&self) -> &'static str {
        "OperationLog"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let (Some(md), Ok(mut ops)) = (cfg.load::<Metadata>(), self.ops.lock()) {
            ops.push(md.name().to_string());
        }
        Ok(())
    }
}
