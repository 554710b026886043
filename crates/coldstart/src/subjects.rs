//! What each function is cold-started with: its environment, the one event it answers, the
//! answer that proves it took the intended path, and the Python baseline that does the same.
//!
//! Everything comes from `wecare_core` (function list, routes, table variables), so a renamed
//! route or a new table cannot silently drift from what the functions read at cold start. The
//! events are chosen to need no network, so the time measured is init plus a trivial invocation:
//!
//! - an API request with no authorizer context answers 401 (or 200 for the open health route):
//!   every handler's guard reads the authorizer context before any AWS call;
//! - an authorizer request with no `Authorization` header is denied before any key is fetched;
//! - the inbound WhatsApp event is one SNS record carrying a real EUM Social envelope whose only
//!   change is a `delivered` status without the callback data the send path attaches (a message
//!   sent from outside the platform): the handler parses it all, ignores the status without a
//!   table read and returns `Ok(())`, which the runtime answers as `null`;
//! - the bulk worker's event is an SQS batch with no records: nothing to do, so it answers an
//!   SQS batch response without failures, `{"batchItemFailures": []}`, without any AWS call.

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
    /// `wecare_messaging::Config` and `Deps`: DynamoDB, socialmessaging (twice: the providers'
    /// and the template catalogue's), pinpoint-sms-voice-v2, SESv2, S3 and SNS clients
    /// (`outbound-whatsapp`, `outbound-sms`, `outbound-email`, `messages-read`,
    /// `whatsapp-templates`).
    Messaging,
    /// The messaging config plus the inbound config (media table, phone region, `inbound-dlq` and
    /// `outbound-dlq` URLs), the messaging clients plus SQS for the queues
    /// (`inbound-whatsapp-handler`).
    Inbound,
    /// The inbound config plus the replay's own (`bulk-dlq` and `bulk-queue` URLs, DLQMessages)
    /// and the inbound handler's clients, behind an API route (`dlq-replay`).
    DlqReplay,
    /// `wecare_bulk::Config` (the messaging config plus the bulk tables, queue, reports bucket and
    /// phone region) and `wecare_bulk::Deps`: the messaging clients plus SQS
    /// (`bulk-job-create`, `bulk-job-control`).
    Bulk,
    /// The same configuration and clients as [`Profile::Bulk`], behind an SQS event source
    /// (`bulk-worker`).
    BulkWorker,
    /// `wecare_ai::Config` (the messaging config plus AIInteractions and the Bedrock ids) and
    /// `wecare_ai::Deps`: the messaging clients plus a bedrock-agent-runtime client, behind an API
    /// route (`ai-query-kb`, `ai-generate-response`, whose other trigger is `ai-queue`).
    Ai,
    /// Nothing but the logger (`users`).
    Users,
}

/// The functions whose `main` builds `wecare_messaging::Deps` from `Config::from_env` (and
/// nothing else): the template API's `main` is the outbound functions' to the letter.
const MESSAGING_FUNCTIONS: &[&str] = &[
    "outbound-whatsapp",
    "outbound-sms",
    "outbound-email",
    "messages-read",
    "whatsapp-templates",
];

/// The SNS-triggered function; it serves no route.
const INBOUND_FUNCTION: &str = "inbound-whatsapp-handler";

/// The API functions whose `main` builds `wecare_bulk::Deps` from `wecare_bulk::Config::from_env`.
const BULK_FUNCTIONS: &[&str] = &["bulk-job-create", "bulk-job-control"];

/// The SQS-triggered bulk function; it serves no route.
const BULK_WORKER_FUNCTION: &str = "bulk-worker";

/// The API function that lists and replays the dead-letter queues with the inbound handler's
/// dependencies.
const DLQ_FUNCTION: &str = "dlq-replay";

/// The AI functions: their `main` builds `wecare_ai::Deps` from `wecare_ai::Config::from_env`.
const AI_FUNCTIONS: &[&str] = &["ai-query-kb", "ai-generate-response"];

/// The SQS batch response of a batch in which nothing failed.
const NO_BATCH_ITEM_FAILURES: &str = r#"{"batchItemFailures": []}"#;

impl Profile {
    /// The profile of a function, `None` for one nobody described yet.
    fn of(function: &str) -> Option<Self> {
        match function {
            "auth-middleware" => Some(Profile::Authorizer),
            "users" => Some(Profile::Users),
            INBOUND_FUNCTION => Some(Profile::Inbound),
            BULK_WORKER_FUNCTION => Some(Profile::BulkWorker),
            DLQ_FUNCTION => Some(Profile::DlqReplay),
            f if AI_FUNCTIONS.contains(&f) => Some(Profile::Ai),
            f if BULK_FUNCTIONS.contains(&f) => Some(Profile::Bulk),
            f if MESSAGING_FUNCTIONS.contains(&f) => Some(Profile::Messaging),
            f if f.starts_with("contacts-") => Some(Profile::Contacts),
            _ => None,
        }
    }

    /// The argument naming this profile to `python/baseline.py`.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Authorizer => "authorizer",
            Profile::Contacts => "contacts",
            Profile::Messaging => "messaging",
            Profile::Inbound => "inbound",
            Profile::Bulk => "bulk",
            Profile::BulkWorker => "bulk-worker",
            Profile::DlqReplay => "dlq-replay",
            Profile::Ai => "ai",
            Profile::Users => "users",
        }
    }

    /// The clients built at init, for the report.
    pub fn clients(self) -> &'static str {
        match self {
            Profile::Authorizer => "dynamodb + http",
            Profile::Contacts => "dynamodb",
            // wecare_messaging::Deps builds two socialmessaging clients: the providers' (no
            // retries: a retried send could be a second message) and the template catalogue's.
            Profile::Messaging => "dynamodb + socialmessaging x2 + sms-voice-v2 + sesv2 + s3 + sns",
            // wecare_bulk::Deps reaches the reports bucket through the messaging S3 client.
            Profile::Inbound | Profile::Bulk | Profile::BulkWorker | Profile::DlqReplay => {
                "dynamodb + socialmessaging x2 + sms-voice-v2 + sesv2 + s3 + sns + sqs"
            }
            Profile::Ai => "dynamodb + socialmessaging x2 + sms-voice-v2 + sesv2 + s3 + sns + bedrock-agent-runtime",
            Profile::Users => "none",
        }
    }
}

/// What the one invocation must answer for the run to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// An API Gateway response with this `statusCode`.
    Status(u16),
    /// An authorizer response with `isAuthorized: false`.
    Denied,
    /// `null`: the handler returned `Ok(())` (an event-source function with nothing to return).
    Null,
    /// Exactly this JSON document (an event-source function's response, such as an SQS batch
    /// response).
    Json(&'static str),
}

/// One function under test.
#[derive(Debug, Clone)]
pub struct Subject {
    pub function: &'static str,
    pub profile: Profile,
    /// What the event is, for the report: the route key (`GET /api/contacts`), or for an
    /// event-source function a description of the notification or batch.
    pub event_label: String,
    pub event: Vec<u8>,
    pub expected: Expected,
}

impl Subject {
    /// Checks that `answer` is what this subject's event must produce; `Err` says what came instead.
    pub fn check(&self, answer: &Value) -> Result<(), String> {
        let (ok, wanted) = match self.expected {
            Expected::Status(status) => (
                answer.get("statusCode").and_then(Value::as_u64) == Some(u64::from(status)),
                format!("statusCode {status}"),
            ),
            Expected::Denied => (
                answer.get("isAuthorized") == Some(&Value::Bool(false)),
                "isAuthorized: false".to_string(),
            ),
            Expected::Null => (answer.is_null(), "null (the handler returned Ok)".to_string()),
            Expected::Json(document) => (
                serde_json::from_str::<Value>(document).is_ok_and(|wanted| *answer == wanted),
                document.to_string(),
            ),
        };
        if ok {
            return Ok(());
        }
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
    match profile {
        Profile::Authorizer => {
            let route = ROUTES
                .iter()
                .find(|r| r.authorized)
                .ok_or("no authorized route for the authorizer event")?;
            Ok(Subject {
                function,
                profile,
                event_label: route.route_key(),
                event: authorizer_event(route).to_string().into_bytes(),
                expected: Expected::Denied,
            })
        }
        Profile::Inbound => {
            if ROUTES.iter().any(|r| r.function == function) {
                return Err(format!(
                    "{function} serves a route; its cold-start event is an SNS notification"
                ));
            }
            Ok(Subject {
                function,
                profile,
                event_label: "SNS: EUM Social status without our callback data (ignored)".to_string(),
                event: inbound_event().to_string().into_bytes(),
                expected: Expected::Null,
            })
        }
        Profile::BulkWorker => {
            if ROUTES.iter().any(|r| r.function == function) {
                return Err(format!(
                    "{function} serves a route; its cold-start event is an SQS batch"
                ));
            }
            Ok(Subject {
                function,
                profile,
                event_label: "SQS: a batch without records (nothing to do)".to_string(),
                event: json!({ "Records": [] }).to_string().into_bytes(),
                expected: Expected::Json(NO_BATCH_ITEM_FAILURES),
            })
        }
        Profile::Contacts | Profile::Messaging | Profile::Bulk | Profile::DlqReplay | Profile::Ai | Profile::Users => {
            // The function's first route: `users` answers the open health check, the others deny
            // the caller the (absent) authorizer did not vouch for.
            let route = ROUTES
                .iter()
                .find(|r| r.function == function)
                .ok_or_else(|| format!("no route is served by {function}"))?;
            Ok(Subject {
                function,
                profile,
                event_label: route.route_key(),
                event: http_event(route).to_string().into_bytes(),
                expected: Expected::Status(if route.authorized { 401 } else { 200 }),
            })
        }
    }
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

/// The WhatsApp number of the run, as `SendWhatsAppMessage` names it; the inbound event arrives
/// on it and the environment allows it and maps it to [`TENANT`].
const PHONE_NUMBER_ID: &str = "phone-number-id-00000000000000000000000000c01d57";
const WABA_ID: &str = "00000000000000000000000000c01d57";
const TENANT: &str = "coldstart-tenant";

/// The SNS event Lambda delivers for one EUM Social notification: a Meta `entry` with one
/// `delivered` status that carries no `biz_opaque_callback_data` (sent from outside the platform,
/// e.g. WhatsApp Manager), which the handler ignores after parsing everything, without AWS.
fn inbound_event() -> Value {
    let bare = PHONE_NUMBER_ID.trim_start_matches("phone-number-id-");
    let entry = json!({
        "id": "102290129340398",
        "changes": [{
            "field": "messages",
            "value": {
                "messaging_product": "whatsapp",
                "metadata": { "display_phone_number": "919800000001", "phone_number_id": "106540352242922" },
                "statuses": [{
                    "id": "wamid.HBgMOTE5ODAwMDAwMDAyFQIAERgSQ09MRFNUQVJUMDAwMDAwMDAA",
                    "status": "delivered",
                    "timestamp": "1767225600",
                    "recipient_id": "919800000002"
                }]
            }
        }]
    });
    let envelope = json!({
        "context": {
            "MetaWabaIds": [{
                "wabaId": "102290129340398",
                "arn": format!("arn:aws:social-messaging:us-east-1:123456789012:waba/{WABA_ID}")
            }],
            "MetaPhoneNumberIds": [{
                "metaPhoneNumberId": "106540352242922",
                "arn": format!("arn:aws:social-messaging:us-east-1:123456789012:phone-number-id/{bare}")
            }]
        },
        "whatsAppWebhookEntry": entry.to_string(),
        "aws_account_id": "123456789012",
        "message_timestamp": "2026-01-01T00:00:00.000000000Z",
        "messageId": "01J0000000COLDSTART0000000"
    });
    let topic = "arn:aws:sns:us-east-1:123456789012:coldstart-eum-events";
    json!({
        "Records": [{
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": format!("{topic}:00000000-0000-0000-0000-00000000c01d"),
            "Sns": {
                "Type": "Notification",
                "MessageId": "00000000-0000-0000-0000-0000000c01d5",
                "TopicArn": topic,
                "Subject": null,
                "Message": envelope.to_string(),
                "Timestamp": "2026-01-01T00:00:00.000Z",
                "SignatureVersion": "1",
                "Signature": "Y29sZHN0YXJ0",
                "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-coldstart.pem",
                "UnsubscribeUrl": format!("https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={topic}:coldstart"),
                "MessageAttributes": {}
            }
        }]
    })
}

/// The environment every process gets (after `env_clear`): Lambda's runtime variables, dummy
/// credentials, and every configuration variable the functions read, with valid dummy values.
/// `home` is an empty directory, so neither side reads a developer's `~/.aws`.
pub fn environment(function: &str, home: &Path) -> Vec<(String, String)> {
    let senders = serde_json::json!([
        { "tenant": TENANT, "channel": "whatsapp", "id": PHONE_NUMBER_ID, "label": "+91 90000 00001", "wabaId": "100000000000001" },
        { "tenant": TENANT, "channel": "sms", "id": "pool-00000000000000000000000000c01d57", "label": "Pool" },
        { "tenant": TENANT, "channel": "email", "id": "coldstart@example.com", "label": "Coldstart" },
    ])
    .to_string();
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
        // Every function's observability: the environment its metrics are counted in.
        ("ENVIRONMENT", "coldstart"),
        ("DEFAULT_PHONE_REGION", "IN"),
        ("TENANCY", "multi"),
        (
            "COGNITO_ISSUER",
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_coldstart",
        ),
        ("COGNITO_CLIENT_IDS", "coldstartclient"),
        // Never contacted: the event carries no token, so no key is ever fetched.
        ("JWKS_URL", "http://127.0.0.1:9/.well-known/jwks.json"),
        // `wecare_messaging::Config` (the outbound functions, messages-read, whatsapp-templates,
        // inbound and, through `wecare_bulk::Config`, the bulk functions; its tables, the template
        // catalogue's SystemConfig among them, come with the others below). DRY_RUN: even a send
        // that got past the guard would call no provider.
        ("SEND_MODE", "DRY_RUN"),
        ("SENDERS", senders.as_str()),
        ("WHATSAPP_META_API_VERSION", "v20.0"),
        ("RATE_WHATSAPP_PER_SECOND", "80"),
        ("RATE_SMS_PER_SECOND", "5"),
        ("RATE_EMAIL_PER_SECOND", "10"),
        ("WHATSAPP_TIER_LIMIT", "250"),
        (
            "ALERTS_TOPIC_ARN",
            "arn:aws:sns:us-east-1:123456789012:coldstart-alerts",
        ),
        ("MEDIA_BUCKET", "coldstart-media"),
        // `wecare_bulk::Config` (the bulk functions; their two tables come with the others below).
        (
            "BULK_QUEUE_URL",
            "https://sqs.us-east-1.amazonaws.com/123456789012/coldstart-bulk-queue",
        ),
        ("REPORTS_BUCKET", "coldstart-reports"),
        // The inbound handler's own: where events of numbers no tenant owns go, and confirmations
        // the platform failed to send.
        (
            "INBOUND_DLQ_URL",
            "https://sqs.us-east-1.amazonaws.com/123456789012/coldstart-inbound-dlq",
        ),
        (
            "OUTBOUND_DLQ_URL",
            "https://sqs.us-east-1.amazonaws.com/123456789012/coldstart-outbound-dlq",
        ),
        // The DLQ replay's: the queue it reads bulk work from (it writes it back to bulk-queue).
        (
            "BULK_DLQ_URL",
            "https://sqs.us-east-1.amazonaws.com/123456789012/coldstart-bulk-dlq",
        ),
        // Automatic drafts (the inbound handler and the DLQ replay send there) and the AI
        // functions' knowledge base, agent and model.
        (
            "AI_QUEUE_URL",
            "https://sqs.us-east-1.amazonaws.com/123456789012/coldstart-ai-queue",
        ),
        ("AI_KNOWLEDGE_BASE_ID", "KBCOLDSTRT"),
        ("AI_AGENT_ID", "AGCOLDSTRT"),
        ("AI_AGENT_ALIAS_ID", "TSTALIASID"),
        (
            "AI_MODEL_ARN",
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0",
        ),
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

    fn env_map() -> BTreeMap<String, String> {
        environment("test", Path::new("/nonexistent")).into_iter().collect()
    }

    #[test]
    fn every_function_has_a_subject_or_a_reason_and_events_are_json() {
        let (all, skipped) = subjects(&[]).expect("subjects");
        assert_eq!(all.len() + skipped.len(), FUNCTIONS.len());
        assert!(skipped.is_empty(), "every function has a profile: {skipped:?}");
        // Each profile has its own name for the Python baseline.
        let profiles: std::collections::BTreeMap<&str, Profile> =
            all.iter().map(|s| (s.profile.as_str(), s.profile)).collect();
        let distinct: std::collections::BTreeSet<String> = all.iter().map(|s| format!("{:?}", s.profile)).collect();
        assert_eq!(profiles.len(), distinct.len());
        for s in &all {
            let event: Value = serde_json::from_slice(&s.event).expect("event is JSON");
            if matches!(s.profile, Profile::Inbound | Profile::BulkWorker) {
                assert!(event["Records"].is_array());
                assert!(!ROUTES.iter().any(|r| r.function == s.function));
                continue;
            }
            assert_eq!(event["routeKey"], s.event_label.as_str());
            assert!(event["headers"].get("authorization").is_none());
        }
    }

    #[test]
    fn messaging_and_bulk_api_functions_answer_401_on_their_first_route() {
        let (all, _) = subjects(&[]).expect("subjects");
        let api = MESSAGING_FUNCTIONS
            .iter()
            .map(|f| (f, Profile::Messaging))
            .chain(BULK_FUNCTIONS.iter().map(|f| (f, Profile::Bulk)));
        for (f, profile) in api {
            let s = all.iter().find(|s| s.function == *f).expect("measured");
            assert_eq!(s.profile, profile);
            let first = ROUTES.iter().find(|r| r.function == *f).expect("a route");
            assert_eq!(s.event_label, first.route_key());
            assert_eq!(s.expected, Expected::Status(401));
            let event: Value = serde_json::from_slice(&s.event).expect("JSON");
            // No authorizer context: the guard answers 401 before any AWS call.
            assert!(event["requestContext"].get("authorizer").is_none());
            assert!(!event["rawPath"].as_str().expect("path").contains('{'));
        }
        let sms = all.iter().find(|s| s.function == "outbound-sms").expect("sms");
        assert_eq!(sms.event_label, "POST /api/messages/sms");
        let body = json!({ "error": { "code": "UNAUTHENTICATED", "message": "sign in to continue" } });
        assert!(sms
            .check(&json!({ "statusCode": 401, "body": body.to_string() }))
            .is_ok());
        assert!(sms.check(&json!({ "statusCode": 202 })).is_err());
    }

    #[test]
    fn the_bulk_api_functions_are_measured_on_their_first_routes() {
        let (all, _) = subjects(&[]).expect("subjects");
        let create = all.iter().find(|s| s.function == "bulk-job-create").expect("create");
        assert_eq!(create.event_label, "POST /api/bulk-jobs/uploads");
        let control = all.iter().find(|s| s.function == "bulk-job-control").expect("control");
        assert_eq!(control.event_label, "GET /api/bulk-jobs");
        assert!(control.check(&json!({ "statusCode": 401 })).is_ok());
        assert!(control.check(&json!({ "statusCode": 200 })).is_err());
    }

    #[test]
    fn the_dlq_replay_is_measured_on_its_listing_with_the_inbound_handlers_dependencies() {
        let (all, skipped) = subjects(&[DLQ_FUNCTION.to_string()]).expect("subjects");
        assert!(skipped.is_empty());
        let s = &all[0];
        assert_eq!((s.function, s.profile), (DLQ_FUNCTION, Profile::DlqReplay));
        assert_eq!(s.event_label, "GET /api/dlq/{queue}");
        assert_eq!(s.expected, Expected::Status(401));
        assert_eq!(s.profile.clients(), Profile::Inbound.clients());
        let event: Value = serde_json::from_slice(&s.event).expect("JSON");
        assert!(event["requestContext"].get("authorizer").is_none());
        assert!(!event["rawPath"].as_str().expect("path").contains('{'));
    }

    #[test]
    fn the_bulk_worker_gets_an_empty_sqs_batch_and_reports_no_failures() {
        let (all, _) = subjects(&[BULK_WORKER_FUNCTION.to_string()]).expect("subjects");
        let s = &all[0];
        assert_eq!((s.function, s.profile), (BULK_WORKER_FUNCTION, Profile::BulkWorker));
        let event: Value = serde_json::from_slice(&s.event).expect("JSON");
        assert_eq!(event, json!({ "Records": [] }));
        assert_eq!(s.expected, Expected::Json(NO_BATCH_ITEM_FAILURES));
        assert!(s.check(&json!({ "batchItemFailures": [] })).is_ok());
        assert!(s
            .check(&json!({ "batchItemFailures": [{ "itemIdentifier": "m-1" }] }))
            .is_err());
        assert!(s.check(&Value::Null).is_err());
        assert!(s.check(&json!({ "errorType": "x", "errorMessage": "y" })).is_err());
    }

    #[test]
    fn the_inbound_event_is_an_eum_status_on_a_configured_number_without_callback_data() {
        let s = subject(INBOUND_FUNCTION, Profile::Inbound).expect("inbound");
        assert_eq!(s.expected, Expected::Null);
        let event: Value = serde_json::from_slice(&s.event).expect("JSON");
        let records = event["Records"].as_array().expect("records");
        assert_eq!(records.len(), 1);
        let sns = &records[0]["Sns"];
        for field in [
            "Type",
            "MessageId",
            "TopicArn",
            "Timestamp",
            "SignatureVersion",
            "Signature",
            "SigningCertUrl",
            "UnsubscribeUrl",
        ] {
            assert!(sns[field].is_string(), "Sns.{field} is set");
        }
        assert_eq!(records[0]["EventSource"], "aws:sns");
        // Sns.Message → envelope → whatsAppWebhookEntry (itself a JSON string) → entry.
        let envelope: Value = serde_json::from_str(sns["Message"].as_str().expect("Message")).expect("envelope");
        let entry: Value =
            serde_json::from_str(envelope["whatsAppWebhookEntry"].as_str().expect("entry string")).expect("entry");
        let change = &entry["changes"][0];
        assert_eq!(change["field"], "messages");
        assert!(
            change["value"].get("messages").is_none(),
            "no inbound message: that would read DynamoDB"
        );
        let status = &change["value"]["statuses"][0];
        assert_eq!(status["status"], "delivered");
        assert!(status.get("biz_opaque_callback_data").is_none());
        // The number it arrived on is allowed and mapped to a tenant in the environment.
        let arn = envelope["context"]["MetaPhoneNumberIds"][0]["arn"]
            .as_str()
            .expect("arn");
        let number = format!("phone-number-id-{}", arn.rsplit_once("phone-number-id/").expect("id").1);
        let env = env_map();
        let senders: Value = serde_json::from_str(&env["SENDERS"]).expect("SENDERS");
        assert!(senders
            .as_array()
            .expect("a list")
            .iter()
            .any(|s| s["id"] == number && s["tenant"] == TENANT));

        assert!(s.check(&Value::Null).is_ok());
        assert!(s.check(&json!({ "statusCode": 200 })).is_err());
        assert!(s.check(&json!({ "errorType": "x", "errorMessage": "y" })).is_err());
    }

    #[test]
    fn the_environment_has_every_messaging_and_inbound_variable_with_a_valid_value() {
        let env = env_map();
        // crates/messaging/src/config.rs and inbound-whatsapp-handler's Config.
        for var in [
            "SEND_MODE",
            "SENDERS",
            "WHATSAPP_META_API_VERSION",
            "RATE_WHATSAPP_PER_SECOND",
            "RATE_SMS_PER_SECOND",
            "RATE_EMAIL_PER_SECOND",
            "CONTACTS_TABLE",
            "MESSAGES_TABLE",
            "AUDIT_LOGS_TABLE",
            "RATE_LIMIT_TRACKERS_TABLE",
            "SYSTEM_CONFIG_TABLE",
            "WHATSAPP_TIER_LIMIT",
            "ALERTS_TOPIC_ARN",
            "MEDIA_BUCKET",
            "MEDIA_FILES_TABLE",
            "INBOUND_DLQ_URL",
            "OUTBOUND_DLQ_URL",
            "TENANCY",
            "DEFAULT_PHONE_REGION",
            // crates/bulk/src/lib.rs
            "BULK_JOBS_TABLE",
            "BULK_RECIPIENTS_TABLE",
            "BULK_QUEUE_URL",
            "REPORTS_BUCKET",
            // functions/dlq-replay/src/lib.rs
            "BULK_DLQ_URL",
            "DLQ_MESSAGES_TABLE",
        ] {
            assert!(env.get(var).is_some_and(|v| !v.trim().is_empty()), "{var} is set");
        }
        assert_eq!(env["SEND_MODE"], "DRY_RUN");
        for rate in [
            "RATE_WHATSAPP_PER_SECOND",
            "RATE_SMS_PER_SECOND",
            "RATE_EMAIL_PER_SECOND",
        ] {
            let r: f64 = env[rate].parse().expect("a number");
            assert!(r > 0.0 && r <= 10_000.0, "{rate}");
        }
        assert!(env["WHATSAPP_TIER_LIMIT"].parse::<u64>().expect("a number") > 0);
        assert!(env["ALERTS_TOPIC_ARN"].starts_with("arn:aws:sns:"));
        assert!(env["BULK_QUEUE_URL"].starts_with("https://sqs."));
    }

    #[test]
    fn the_template_api_is_measured_on_its_catalogue_list_like_the_messaging_functions() {
        let (all, skipped) = subjects(&["whatsapp-templates".to_string()]).expect("subjects");
        assert!(skipped.is_empty());
        let s = &all[0];
        assert_eq!((s.function, s.profile), ("whatsapp-templates", Profile::Messaging));
        // Its first route: the catalogue as stored, which every role may read.
        assert_eq!(s.event_label, "GET /api/whatsapp/templates");
        assert_eq!(s.expected, Expected::Status(401));
        let event: Value = serde_json::from_slice(&s.event).expect("JSON");
        assert_eq!(event["rawPath"], "/api/whatsapp/templates");
        assert_eq!(event["requestContext"]["http"]["method"], "GET");
        assert!(event["requestContext"].get("authorizer").is_none());
        // The catalogue's table is in the environment, as its config requires.
        assert_eq!(env_map()["SYSTEM_CONFIG_TABLE"], "coldstart-SystemConfig");
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
        assert!(a.check(&Value::Null).is_err());
    }
}
