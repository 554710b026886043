//! Lambda entry point.
// The SDK config loader nested in the runtime future is deeper than the default limit allows.
#![recursion_limit = "256"]

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use wecare_http::Request;

#[tokio::main]
async fn main() -> Result<(), Error> {
    wecare_http::observability::init()?;
    run(service_fn(|event: LambdaEvent<Request>| async {
        Ok::<_, Error>(users::handle(event.payload).await)
    }))
    .await
}
