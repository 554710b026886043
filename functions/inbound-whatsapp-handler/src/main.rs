//! Lambda entry point: configuration and clients once per cold start, then the handler.
// The SDK config loader nested in the runtime future is deeper than the default limit allows.
#![recursion_limit = "256"]

use aws_lambda_events::event::sns::SnsEvent;
use inbound_whatsapp_handler::{Config, Deps};
use lambda_runtime::{run, service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    wecare_http::observability::init()?;
    let config = Config::from_env()?;
    let aws = aws_config::load_from_env().await;
    let deps = Deps::new(config, &aws, aws_sdk_dynamodb::Client::new(&aws), &Default::default());
    run(service_fn(|event: LambdaEvent<SnsEvent>| async {
        inbound_whatsapp_handler::handle(&deps, event.payload, wecare_core::time::now())
            .await
            .map_err(Error::from)
    }))
    .await
}
