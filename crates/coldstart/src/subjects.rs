//! What each function is cold-started with: its environment, the one event it answers, the
//! answer that proves it took the intended path, and the Python baseline that does the same.
//!
//! Everything comes from `wecare_core` (function list, routes, table variables), so a renamed
//! route or a new table cannot silently drift from what the functions read at cold start. The
//! events are chosen to need no network: an API request with no authorizer context answers 401
//! (or 200 for the open health route) and an authorizer request with no `Authorization` header
//! is denied, both before any AWS call, so the time measured is init plus a trivial invocation.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};
use wecare_core::routes::{RouteDef, FUNCTIONS, ROUTES};

/// What a function's `main` builds at cold start; the Python baseline builds the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// JWKS verifier config, a DynamoDB client and an HTTP client (`auth-middleware`).
    Authorizer,
    /// Contacts config and a DynamoDB client (`contacts-*`).
    Contacts,
    /// Nothing but the logger (`users`).
    Users,
}

impl Profile {
    /// The profile of a function, `None` for one nobody described yet.
    fn of(function: &str) -> Option<Self> {
        match function {
            "auth-middleware" => Some(Profile::Authorizer),
            "users" => Some(Profile::Users),
            f if f.starts_with("contacts-") => Some(Profile::Contacts),
            _ => None,
        }
    }

    /// The argument naming this profile to `python/baseline.py`.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Authorizer => "authorizer",
            Profile::Contacts => "contacts",
            Profile::Users => "users",
        }
    }

    /// The clients built at init, for the report.
    pub fn clients(self) -> &'static str {
        match self {
            Profile::Authorizer => "dynamodb + http",
            Profile::Contacts => "dynamodb",
            Profile::Users => "none",
        }
    }
}

/// One function under test.
#[derive(Debug, Clone)]
pub struct Subject {
    pub function: &'static str,
    pub profile: Profile,
    /// The route the event is for, e.g. `GET /api/contacts`.
    pub route_key: String,
    pub event: Vec<u8>,
    /// The `statusCode` an HTTP function must answer, or `None` for the authorizer (must deny).
    pub expected_status: Option<u16>,
}

impl Subject {
    /// Checks that `answer` is what this subject's event must produce; `Err` says what came instead.
    pub fn check(&self, answer: &Value) -> Result<(), String> {
        let ok = match self.expected_status {
            Some(status) => answer.get("statusCode").and_then(Value::as_u64) == Some(u64::from(status)),
            None => answer.get("isAuthorized") == Some(&Value::Bool(false)),
        };
        if ok {
            return Ok(());
        }
        let wanted = match self.expected_status {
            Some(status) => format!("statusCode {status}"),
            None => "isAuthorized: false".to_string(),
        };
        Err(format!("{} answered {answer} instead of {wanted}", self.function))
    }
}

/// Functions that cannot be measured, each with the reason.
pub type Skipped = Vec<(&'static str, String)>;

/// The subjects for `only` (all functions of the platform when empty), in specification order,
/// and the functions left out because no profile says what their `main` builds at init.
pub fn subjects(only: &[String]) -> Result<(Vec<Subject>, Skipped), String> {
    if let Some(unknown) = only.iter().find(|f| !FUNCTIONS.contains(&f.as_str())) {
        return Err(format!(
            "unknown function {unknown:?}; the functions are {}",
            FUNCTIONS.join(", ")
        ));
    }
    let mut subjects = Vec::new();
    let mut skipped = Vec::new();
    for f in FUNCTIONS
        .iter()
        .filter(|f| only.is_empty() || only.iter().any(|o| o == *f))
    {
        match Profile::of(f) {
            Some(profile) => subjects.push(subject(f, profile)?),
            None => skipped.push((
                *f,
                "no cold-start profile: say what its main builds at init in crates/coldstart/src/subjects.rs \
                 and python/baseline.py"
                    .to_string(),
            )),
        }
    }
    Ok((subjects, skipped))
}

fn subject(function: &'static str, profile: Profile) -> Result<Subject, String> {
    if profile == Profile::Authorizer {
        let route = ROUTES
            .iter()
            .find(|r| r.authorized)
            .ok_or("no authorized route for the authorizer event")?;
        return Ok(Subject {
            function,
            profile,
            route_key: route.route_key(),
            event: authorizer_event(route).to_string().into_bytes(),
            expected_status: None,
        });
    }
    // The function's first route: `users` answers the open health check, the others deny the
    // caller the (absent) authorizer did not vouch for.
    let route = ROUTES
        .iter()
        .find(|r| r.function == function)
        .ok_or_else(|| format!("no route is served by {function}"))?;
    Ok(Subject {
        function,
        profile,
        route_key: route.route_key(),
        event: http_event(route).to_string().into_bytes(),
        expected_status: Some(if route.authorized { 401 } else { 200 }),
    })
}

/// `/api/contacts/{contactId}` → the concrete path and its parameters.
fn concrete_path(route: &RouteDef) -> (String, BTreeMap<String, String>) {
    let mut params = BTreeMap::new();
    let path = route
        .path
        .split('/')
        .map(|seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => {
                let value = "01J0000000COLDSTART0000000".to_string();
                params.insert(name.to_string(), value.clone());
                value
            }
            None => seg.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/");
    (path, params)
}

fn request_context(route: &RouteDef, path: &str) -> Value {
    json!({
        "accountId": "123456789012",
        "apiId": "coldstart",
        "domainName": "coldstart.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "coldstart",
        "http": {
            "method": route.method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": "wecare-coldstart"
        },
        "requestId": "coldstart-request",
        "routeKey": route.route_key(),
        "stage": "$default",
        "time": "01/Jan/2026:00:00:00 +0000",
        "timeEpoch": 1_767_225_600_000_i64
    })
}

/// An API Gateway HTTP API (payload 2.0) request with no authorizer context.
fn http_event(route: &RouteDef) -> Value {
    let (path, params) = concrete_path(route);
    json!({
        "version": "2.0",
        "routeKey": route.route_key(),
        "rawPath": path,
        "rawQueryString": "",
        "headers": { "accept": "application/json", "user-agent": "wecare-coldstart" },
        "requestContext": request_context(route, &path),
        "pathParameters": params,
        "isBase64Encoded": false
    })
}

/// An HTTP API REQUEST-authorizer (payload 2.0) event without an `Authorization` header.
fn authorizer_event(route: &RouteDef) -> Value {
    let (path, params) = concrete_path(route);
    json!({
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": format!("arn:aws:execute-api:us-east-1:123456789012:coldstart/$default/{}{}", route.method, path),
        "identitySource": [],
        "routeKey": route.route_key(),
        "rawPath": path,
        "rawQueryString": "",
        "headers": { "accept": "application/json", "user-agent": "wecare-coldstart" },
        "requestContext": request_context(route, &path),
        "pathParameters": params
    })
}

/// The environment every process gets (after `env_clear`): Lambda's runtime variables, dummy
/// credentials, and every configuration variable the functions read, with valid dummy values.
/// `home` is an empty directory, so neither side reads a developer's `~/.aws`.
pub fn environment(function: &str, home: &Path) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = [
        ("AWS_LAMBDA_FUNCTION_NAME", function),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "2026/01/01/[$LATEST]coldstart"),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/coldstart"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "AKIACOLDSTARTDUMMY00"),
        ("AWS_SECRET_ACCESS_KEY", "coldstart-dummy-secret-access-key-0000000"),
        ("AWS_SESSION_TOKEN", "coldstart-dummy-session-token"),
        ("DEFAULT_PHONE_REGION", "IN"),
        ("DEFAULT_TENANT_ID", "coldstart-tenant"),
        (
            "COGNITO_ISSUER",
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_coldstart",
        ),
        ("COGNITO_CLIENT_IDS", "coldstartclient"),
        // Never contacted: the event carries no token, so no key is ever fetched.
        ("JWKS_URL", "http://127.0.0.1:9/.well-known/jwks.json"),
        ("TZ", ":UTC"),
        ("LANG", "C.UTF-8"),
        ("PATH", "/usr/local/bin:/usr/bin:/bin"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    env.push(("HOME".into(), home.display().to_string()));
    env.extend(
        wecare_core::tables::all()
            .into_iter()
            .map(|t| (t.env_var.to_string(), format!("coldstart-{}", t.name))),
    );
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_has_a_subject_or_a_reason_and_events_are_json() {
        let (all, skipped) = subjects(&[]).expect("subjects");
        assert_eq!(all.len() + skipped.len(), FUNCTIONS.len());
        for f in ["auth-middleware", "contacts-create", "contacts-read", "users"] {
            assert!(all.iter().any(|s| s.function == f), "{f} is measured");
        }
        for s in &all {
            let event: Value = serde_json::from_slice(&s.event).expect("event is JSON");
            assert_eq!(event["routeKey"], s.route_key.as_str());
            assert!(event["headers"].get("authorization").is_none());
        }
    }

    #[test]
    fn path_parameters_are_filled_in() {
        let route = ROUTES
            .iter()
            .find(|r| r.path.contains('{'))
            .expect("a route with a parameter");
        let (path, params) = concrete_path(route);
        assert!(!path.contains('{'));
        assert_eq!(params.len(), 1);
    }

    #[test]
    fn the_answer_is_checked() {
        let s = subject("users", Profile::Users).expect("users");
        assert!(s.check(&json!({ "statusCode": 200 })).is_ok());
        assert!(s.check(&json!({ "statusCode": 500 })).is_err());
        let a = subject("auth-middleware", Profile::Authorizer).expect("authorizer");
        assert!(a.check(&json!({ "isAuthorized": false })).is_ok());
        assert!(a.check(&json!({ "isAuthorized": true })).is_err());
    }
}
