//! The local stack: the whole product on one machine with no AWS account.
//!
//! moto is the embedded AWS (started as a child process, DynamoDB serialized), resources are
//! provisioned from the same table definitions the CDK app uses, and an HTTP server routes
//! `/api/*` exactly as API Gateway's HTTP API would: it builds the payload-v2 event, runs the
//! `auth-middleware` authorizer, then the route's function handler, all in-process and all the
//! very code that runs in Lambda. `make dev` and the integration tests both start it from here.

pub mod aws;
pub mod functions;
pub mod gateway;
pub mod moto;
pub mod provision;
pub mod seed;

pub use functions::Functions;
pub use provision::Resources;
