//! JSON logs for Lambda and the local stack.
//!
//! One line per event, with the request id of the invocation attached by the span each handler
//! opens. Tokens, message bodies and contact details are never fields of a log line; handlers log
//! ids and outcomes only.

use tracing_subscriber::EnvFilter;

use crate::config::{ConfigError, Env};

/// A function's observability, once per cold start: JSON logs, and the environment its metrics
/// are counted in (`ENVIRONMENT`, required: without it no dashboard or alarm would see them).
pub fn init() -> Result<(), ConfigError> {
    let mut env = Env::from_process();
    let environment = env.required("ENVIRONMENT");
    env.finish(|| Some(()))?;
    crate::metrics::set_environment(&environment);
    init_json_logs();
    Ok(())
}

/// Installs the JSON subscriber; the level comes from `LOG_LEVEL` (default `info`).
pub fn init_json_logs() {
    let filter = EnvFilter::try_from_env("LOG_LEVEL").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .without_time()
        .try_init();
}
