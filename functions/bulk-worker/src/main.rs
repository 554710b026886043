//! Lambda entry point: configuration and clients once per cold start, then the handler.
// The SDK config loader nested in the runtime future is deeper than the default limit allows.
#![recursion_limit = "256"]

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{run, service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    wecare_http::observability::init()?;
    let config = wecare_bulk::Config::from_env()?;
    let aws = aws_config::load_from_env().await;
    let deps = wecare_bulk::Deps::new(config, &aws, aws_sdk_dynamodb::Client::new(&aws), &Default::default());
    let deps = &deps;
    run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let deadline = event.context.deadline;
        Ok::<SqsBatchResponse, Error>(bulk_worker::handle(deps, event.payload, deadline).await)
    }))
    .await
}
