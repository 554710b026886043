//! Reading what API Gateway tells a function about a request.

use wecare_core::{IdempotencyKey, Principal};

use crate::error::ApiError;
use crate::Request;

/// The caller as the authorizer verified it (`requestContext.authorizer.lambda`).
///
/// A function behind the authorizer always has one; its absence means the function was reached
/// some other way, which is treated as unauthenticated rather than trusted.
pub fn principal(req: &Request) -> Result<Principal, ApiError> {
    let fields = req
        .request_context
        .authorizer
        .as_ref()
        .map(|a| &a.fields)
        .ok_or_else(ApiError::unauthenticated)?;
    let value = serde_json::Value::Object(fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
    serde_json::from_value(value).map_err(|e| {
        tracing::warn!(error = %e, "authorizer context is malformed");
        ApiError::unauthenticated()
    })
}

pub fn path_param<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.path_parameters.get(name).map(String::as_str)
}

pub fn query_param<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.query_string_parameters.first(name)
}

/// `GET /api/contacts/{contactId}`: how a function serving several routes tells them apart.
pub fn route_key(req: &Request) -> &str {
    req.request_context
        .route_key
        .as_deref()
        .or(req.route_key.as_deref())
        .unwrap_or("")
}

pub fn request_id(req: &Request) -> &str {
    req.request_context.request_id.as_deref().unwrap_or("-")
}

pub fn source_ip(req: &Request) -> Option<&str> {
    req.request_context.http.source_ip.as_deref()
}

pub fn user_agent(req: &Request) -> Option<&str> {
    req.request_context.http.user_agent.as_deref()
}

/// The request's `Idempotency-Key` header, if it has one (a value that is not a key is refused).
pub fn idempotency_key(req: &Request) -> Result<Option<IdempotencyKey>, ApiError> {
    req.headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|s| IdempotencyKey::parse(s).ok())
                .ok_or_else(|| ApiError::validation("Idempotency-Key", "must be 1-255 visible ASCII characters"))
        })
        .transpose()
}

/// The `limit` query parameter of a list: 1–100, `default` when absent.
pub fn page_limit(req: &Request, default: u8) -> Result<i32, ApiError> {
    match query_param(req, "limit") {
        None => Ok(i32::from(default)),
        Some(raw) => match raw.parse::<i32>() {
            Ok(n) if (1..=100).contains(&n) => Ok(n),
            _ => Err(ApiError::validation("limit", "must be a whole number from 1 to 100")),
        },
    }
}
