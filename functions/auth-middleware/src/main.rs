//! Lambda entry point: configuration, the JWKS cache and clients once per cold start.
// The SDK config loader nested in the runtime future is deeper than the default limit allows.
#![recursion_limit = "256"]

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use wecare_http::AuthorizerRequest;

#[tokio::main]
async fn main() -> Result<(), Error> {
    wecare_http::observability::init()?;
    let config = auth_middleware::Config::from_env()?;
    let aws = aws_config::load_from_env().await;
    let deps = auth_middleware::Deps::new(&config, aws_sdk_dynamodb::Client::new(&aws), reqwest::Client::new());
    run(service_fn(|event: LambdaEvent<AuthorizerRequest>| async {
        Ok::<_, Error>(auth_middleware::handle(&deps, event.payload, wecare_core::time::now()).await)
    }))
    .await
}
