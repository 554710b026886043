//! Lambda entry point: configuration and clients once per cold start, then the handler. The
//! function has two triggers: API Gateway (the suggestion routes) and `ai-queue` (drafts that
//! automation asks for), told apart by the event's shape.
// The SDK config loader nested in the runtime future is deeper than the default limit allows.
#![recursion_limit = "256"]

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::Value;
use wecare_ai::{Config, Deps};

#[tokio::main]
async fn main() -> Result<(), Error> {
    wecare_http::observability::init()?;
    let config = Config::from_env()?;
    let aws = aws_config::load_from_env().await;
    let deps = Deps::new(config, &aws, aws_sdk_dynamodb::Client::new(&aws), &Default::default());
    let deps = &deps;
    run(service_fn(|event: LambdaEvent<Value>| async move {
        let now = wecare_core::time::now();
        if ai_generate_response::is_queue_event(&event.payload) {
            let records = serde_json::from_value(event.payload)?;
            Ok::<_, Error>(serde_json::to_value(ai_generate_response::drafts(deps, records).await)?)
        } else {
            let request = serde_json::from_value(event.payload)?;
            Ok(serde_json::to_value(
                ai_generate_response::handle(deps, request, now).await,
            )?)
        }
    }))
    .await
}
