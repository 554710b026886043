//! Building API Gateway responses.

use aws_lambda_events::encodings::Body;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, HeaderValue};
use serde::Serialize;

use crate::error::ApiError;
use crate::Response;

/// A JSON response. Serialization of our own types cannot fail; if it ever did the caller gets a
/// generic 500 rather than a panic.
pub fn json_response<T: Serialize>(status: u16, body: &T) -> Response {
    match serde_json::to_string(body) {
        Ok(text) => raw_json(status, text),
        Err(e) => error_response(&ApiError::internal(&e)),
    }
}

pub fn error_response(err: &ApiError) -> Response {
    let body = serde_json::json!({ "error": { "code": err.code.as_str(), "message": err.message } });
    let mut resp = raw_json(err.status(), body.to_string());
    if let Some(secs) = err.retry_after {
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            resp.headers.insert(RETRY_AFTER, v);
        }
    }
    resp
}

/// A response without a body (204 No Content).
pub fn empty_response(status: u16) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let mut resp = Response::default();
    resp.status_code = i64::from(status);
    resp.headers = headers;
    resp
}

/// Turns a handler's result into the response API Gateway returns.
pub fn respond<T: Serialize>(status: u16, result: Result<T, ApiError>) -> Response {
    match result {
        Ok(body) => json_response(status, &body),
        Err(e) => error_response(&e),
    }
}

fn raw_json(status: u16, text: String) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    // Responses carry tenant data: never let a shared cache keep them.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let mut resp = Response::default();
    resp.status_code = i64::from(status);
    resp.headers = headers;
    resp.body = Some(Body::Text(text));
    resp
}
