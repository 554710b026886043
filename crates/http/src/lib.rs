//! The plumbing every HTTP function shares: reading API Gateway (HTTP API, payload v2) requests,
//! the verified principal from the authorizer context, bounded and strict JSON bodies, the one
//! error envelope of the API, typed configuration from the environment, JSON logs and EMF metrics.
//!
//! Functions stay thin because everything that is the same in sixteen binaries lives here once.

pub mod body;
pub mod config;
pub mod error;
pub mod guard;
pub mod metrics;
pub mod observability;
pub mod request;
pub mod response;

pub use aws_lambda_events::apigw::{
    ApiGatewayV2CustomAuthorizerSimpleResponse as AuthorizerResponse,
    ApiGatewayV2CustomAuthorizerV2Request as AuthorizerRequest, ApiGatewayV2httpRequest as Request,
    ApiGatewayV2httpResponse as Response,
};
pub use body::{parse_json_body, Patch, MAX_BODY_BYTES};
pub use error::ApiError;
pub use request::{
    idempotency_key, page_limit, path_param, principal, query_param, request_id, route_key, source_ip, user_agent,
};
pub use response::{empty_response, error_response, json_response, respond};
