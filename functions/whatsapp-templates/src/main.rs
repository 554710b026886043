//! Lambda entry point: configuration and clients once per cold start, then the handler.
// The SDK config loader nested in the runtime future is deeper than the default limit allows.
#![recursion_limit = "256"]

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    wecare_http::observability::init()?;
    let config = wecare_messaging::Config::from_env()?;
    let aws = aws_config::load_from_env().await;
    let deps = wecare_messaging::Deps::new(config, &aws, aws_sdk_dynamodb::Client::new(&aws), &Default::default());
    // API requests and the schedule's refresh events (see `handle_event`).
    run(service_fn(|event: LambdaEvent<Value>| async {
        Ok::<_, Error>(whatsapp_templates::handle_event(&deps, event.payload, wecare_core::time::now()).await?)
    }))
    .await
}
