//! API Gateway (HTTP API) on loopback.
//!
//! For `/api/*` it does what the managed service does: match the route table (static segments
//! win over `{params}`), answer 404 `{"message":"Not Found"}` for unknown routes, 401
//! `{"message":"Unauthorized"}` when the authorizer's identity source (the Authorization header)
//! is missing, run the Lambda authorizer and answer 403 `{"message":"Forbidden"}` on deny, then
//! build the payload-v2 event with the authorizer context and return the function's response.
//! Everything else is the console (`frontend/dist`), with index.html for client-side routes.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use base64::Engine;
use serde_json::json;
use tower_http::services::{ServeDir, ServeFile};
use wecare_core::routes::{RouteDef, ROUTES};

use crate::functions::Functions;

const MAX_PAYLOAD: usize = 10 * 1024 * 1024;

#[derive(Clone)]
struct Gateway {
    functions: Arc<Functions>,
}

/// The router of the local stack: the API, the console's settings (`/config.json`, which in
/// production is a file deployed beside the SPA), then the console's static files when built.
pub fn router(functions: Arc<Functions>, console: Option<PathBuf>, console_config: serde_json::Value) -> Router {
    let config = console_config.to_string();
    let api = Router::new()
        .route("/api", any(api))
        .route("/api/{*rest}", any(api))
        .with_state(Gateway { functions })
        .route(
            "/config.json",
            axum::routing::get(move || {
                let config = config.clone();
                async move {
                    (
                        [("content-type", "application/json"), ("cache-control", "no-store")],
                        config,
                    )
                }
            }),
        );
    match console.filter(|d| d.join("index.html").is_file()) {
        Some(dir) => api.fallback_service(ServeDir::new(&dir).fallback(ServeFile::new(dir.join("index.html")))),
        None => api.fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                "the console is not built (frontend/dist is missing)",
            )
        }),
    }
}

/// The route for `method path` and its path parameters, most specific first.
pub fn match_route(method: &str, path: &str) -> Option<(&'static RouteDef, HashMap<String, String>)> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let mut best: Option<(usize, &'static RouteDef, HashMap<String, String>)> = None;
    for route in ROUTES.iter().filter(|r| r.method == method) {
        let pattern: Vec<&str> = route.path.split('/').collect();
        if pattern.len() != segments.len() {
            continue;
        }
        let mut params = HashMap::new();
        let mut literal = 0;
        let matched = pattern.iter().zip(&segments).all(|(p, s)| {
            if let Some(name) = p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                let value = percent_encoding::percent_decode_str(s).decode_utf8_lossy().to_string();
                params.insert(name.to_string(), value);
                !s.is_empty()
            } else {
                literal += 1;
                p == s
            }
        });
        if matched && best.as_ref().is_none_or(|(l, _, _)| literal > *l) {
            best = Some((literal, route, params));
        }
    }
    best.map(|(_, r, p)| (r, p))
}

fn gateway_message(status: StatusCode, message: &str) -> Response {
    (
        status,
        [("content-type", "application/json")],
        json!({ "message": message }).to_string(),
    )
        .into_response()
}

async fn api(State(gw): State<Gateway>, ConnectInfo(peer): ConnectInfo<SocketAddr>, req: Request) -> Response {
    let now = wecare_core::time::now();
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let Some((route, path_params)) = match_route(&method, &path) else {
        return gateway_message(StatusCode::NOT_FOUND, "Not Found");
    };
    let Ok(body) = axum::body::to_bytes(body, MAX_PAYLOAD).await else {
        return gateway_message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
    };

    let request_id = uuid::Uuid::new_v4().to_string();
    let raw_query = parts.uri.query().unwrap_or("").to_string();
    let headers = header_map(&parts.headers);
    let mut context = json!({
        "accountId": "000000000000",
        "apiId": "local",
        "domainName": parts.headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1"),
        "domainPrefix": "local",
        "http": {
            "method": method,
            "path": path,
            "protocol": format!("{:?}", parts.version),
            "sourceIp": peer.ip().to_string(),
            "userAgent": parts.headers.get("user-agent").and_then(|h| h.to_str().ok()).unwrap_or(""),
        },
        "requestId": request_id,
        "routeKey": route.route_key(),
        "stage": "$default",
        "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
        "timeEpoch": now.timestamp_millis(),
    });
    let query = query_parameters(&raw_query);
    let cookies: Vec<String> = parts
        .headers
        .get_all("cookie")
        .iter()
        .filter_map(|c| c.to_str().ok())
        .flat_map(|c| c.split(';').map(|s| s.trim().to_string()))
        .filter(|c| !c.is_empty())
        .collect();

    if route.authorized {
        let Some(identity) = parts.headers.get("authorization").and_then(|h| h.to_str().ok()) else {
            return gateway_message(StatusCode::UNAUTHORIZED, "Unauthorized");
        };
        let event = json!({
            "version": "2.0",
            "type": "REQUEST",
            "routeArn": format!("arn:aws:execute-api:us-east-1:000000000000:local/$default/{method}{path}"),
            "identitySource": [identity],
            "routeKey": route.route_key(),
            "rawPath": path,
            "rawQueryString": raw_query,
            "cookies": cookies,
            "headers": headers,
            "queryStringParameters": query,
            "requestContext": context,
            "pathParameters": path_params,
        });
        let Ok(auth_req) = serde_json::from_value(event) else {
            return gateway_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
        };
        let decision = gw.functions.authorize(auth_req, now).await;
        if !decision.is_authorized {
            return gateway_message(StatusCode::FORBIDDEN, "Forbidden");
        }
        context["authorizer"] = json!({ "lambda": decision.context });
    }

    let (body_text, is_base64) = match std::str::from_utf8(&body) {
        Ok(text) => (text.to_string(), false),
        Err(_) => (base64::engine::general_purpose::STANDARD.encode(&body), true),
    };
    let mut event = json!({
        "version": "2.0",
        "routeKey": route.route_key(),
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": headers,
        "queryStringParameters": query,
        "pathParameters": path_params,
        "requestContext": context,
        "isBase64Encoded": is_base64,
    });
    if !cookies.is_empty() {
        event["cookies"] = json!(cookies);
    }
    if !body.is_empty() {
        event["body"] = json!(body_text);
    }
    let request = match serde_json::from_value(event) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the API Gateway event");
            return gateway_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
        }
    };
    let Some(resp) = gw.functions.invoke(route.function, request, now).await else {
        tracing::error!(
            function = route.function,
            "route names a function the local stack does not wire"
        );
        return gateway_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
    };
    let mut out = into_http(resp);
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        out.headers_mut().insert("apigw-requestid", v);
    }
    out
}

/// Lower-cased names; repeated headers joined with commas, as API Gateway does.
fn header_map(headers: &HeaderMap) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        if name == "cookie" {
            continue;
        }
        let v = String::from_utf8_lossy(value.as_bytes()).to_string();
        out.entry(name.as_str().to_string())
            .and_modify(|e| {
                e.push(',');
                e.push_str(&v);
            })
            .or_insert(v);
    }
    out
}

/// Decoded query parameters; repeated keys joined with commas, as API Gateway does.
fn query_parameters(raw: &str) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
        out.entry(k.to_string())
            .and_modify(|e| {
                e.push(',');
                e.push_str(&v);
            })
            .or_insert(v.to_string());
    }
    out
}

fn into_http(resp: wecare_http::Response) -> Response {
    let status = StatusCode::from_u16(resp.status_code as u16).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = match resp.body {
        // A function that base64-encodes its body expects the gateway to decode it.
        Some(aws_lambda_events::encodings::Body::Text(t)) if resp.is_base64_encoded => {
            Body::from(base64::engine::general_purpose::STANDARD.decode(t).unwrap_or_default())
        }
        Some(aws_lambda_events::encodings::Body::Text(t)) => Body::from(t),
        Some(aws_lambda_events::encodings::Body::Binary(b)) => Body::from(b),
        _ => Body::empty(),
    };
    let mut out = Response::builder().status(status).body(body).unwrap_or_default();
    for (name, value) in resp.headers.iter().chain(resp.multi_value_headers.iter()) {
        out.headers_mut().append(name.clone(), value.clone());
    }
    for cookie in resp.cookies {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            out.headers_mut().append("set-cookie", v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_static_segment_wins_over_a_parameter() {
        let (r, p) = match_route("GET", "/api/contacts/search").unwrap();
        assert_eq!(r.function, "contacts-search");
        assert!(p.is_empty());
        let (r, p) = match_route("GET", "/api/contacts/0192f0c4-aaaa-7bbb-8ccc-123456789abc").unwrap();
        assert_eq!(r.function, "contacts-read");
        assert_eq!(p["contactId"], "0192f0c4-aaaa-7bbb-8ccc-123456789abc");
    }

    #[test]
    fn unknown_paths_and_methods_match_nothing() {
        assert!(match_route("GET", "/api/nothing").is_none());
        assert!(match_route("PUT", "/api/contacts").is_none());
    }
}
