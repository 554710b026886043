//! Shared helpers of the end-to-end tests: a whole local stack per test, against moto.
//!
//! Each test provisions its own tables, queues and user pool under a random prefix, so tests run
//! in parallel without seeing each other. They share one moto: the one `make test` started
//! (`WECARE_AWS_ENDPOINT`), or else one this process starts on a free port. Requests go through
//! the local API gateway over HTTP, with ID tokens issued by Cognito (moto) for the seed users.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use aws_config::SdkConfig;
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use serde_json::Value;
use wecare_core::Role;
use wecare_local::seed::{self, SeedUser};
use wecare_local::{aws, gateway, provision, Functions, Resources};
use wecare_store::OperationLog;

pub use reqwest::Method;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The moto all tests of this process use.
pub fn moto_endpoint() -> String {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT
        .get_or_init(|| {
            if let Ok(e) = std::env::var("WECARE_AWS_ENDPOINT") {
                return e;
            }
            let python = std::env::var("WECARE_PYTHON")
                .map(PathBuf::from)
                .unwrap_or_else(|_| workspace_root().join(".venv/bin/python"));
            let mut child = std::process::Command::new(&python)
                .arg(wecare_local::moto::launcher_script())
                .args(["--port", "0"])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start moto with {}: {e} (run `make test`)", python.display()));
            let mut line = String::new();
            let stdout = child.stdout.take().expect("moto stdout");
            std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).expect("moto READY line");
            let port = line.trim().strip_prefix("READY ").expect("moto READY line").to_string();
            // The launcher exits on its own when this test process ends.
            std::mem::forget(child);
            format!("http://127.0.0.1:{port}")
        })
        .clone()
}

/// The signing key moto's Cognito uses, to forge tokens that are validly signed but otherwise
/// wrong (expired, wrong issuer, …): only the verifier's claim checks can refuse those.
pub fn moto_signing_key_pem() -> String {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::BigUint;
    let venv = workspace_root().join(".venv/lib");
    let gz = std::fs::read_dir(&venv)
        .expect("project virtualenv")
        .filter_map(Result::ok)
        .map(|d| {
            d.path()
                .join("site-packages/moto/cognitoidp/resources/jwks-private.json.gz")
        })
        .find(|p| p.exists())
        .expect("moto's jwks-private.json.gz");
    let out = std::process::Command::new("gzip")
        .arg("-dc")
        .arg(&gz)
        .output()
        .expect("gzip");
    let jwk: Value = serde_json::from_slice(&out.stdout).expect("jwk json");
    let b = |k: &str| {
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(jwk[k].as_str().expect(k))
            .expect(k);
        BigUint::from_bytes_be(&raw)
    };
    // moto ships only n, e and d; the primes are recovered from them.
    let key = rsa::RsaPrivateKey::from_components(b("n"), b("e"), b("d"), vec![]).expect("rsa key");
    key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).expect("pem").to_string()
}

pub struct TestStack {
    pub api: String,
    /// The provider sandbox's base URL (ledger, faults, customer simulation).
    pub sandbox: String,
    pub resources: Resources,
    pub sdk: SdkConfig,
    /// Every DynamoDB operation the functions performed.
    pub dynamo_ops: OperationLog,
    /// Every SQS operation the functions performed (not the pumps').
    pub sqs_ops: OperationLog,
    /// The handlers themselves, for events that do not arrive over HTTP.
    pub functions: Arc<Functions>,
    /// The environment the functions were built from.
    env: std::collections::BTreeMap<String, String>,
    http: reqwest::Client,
}

pub struct Tokens {
    pub id: String,
    pub access: String,
}

impl TestStack {
    pub async fn start() -> TestStack {
        Self::start_with(&[]).await
    }

    /// A stack whose functions see `overrides` on top of the local environment (e.g. a small
    /// messaging tier).
    pub async fn start_with(overrides: &[(&str, &str)]) -> TestStack {
        Self::start_stack(overrides, None).await
    }

    /// A stack that also runs bulk jobs: its pump delivers `bulk-queue` to `bulk-worker` with
    /// `pump` (concurrency, duplicate delivery, aborts). Other stacks leave the queue alone, so
    /// suites that never start a job do not load moto with its long polls.
    pub async fn start_with_pump(overrides: &[(&str, &str)], pump: wecare_local::bulk_pump::PumpOptions) -> TestStack {
        Self::start_stack(overrides, Some(pump)).await
    }

    /// A stack that also drafts automatically: `ai-queue` is pumped into `ai-generate-response`.
    pub async fn start_ai(overrides: &[(&str, &str)]) -> TestStack {
        let pump = wecare_local::bulk_pump::PumpOptions {
            worker: wecare_local::bulk_pump::Worker::AiDrafts,
            timeout: wecare_local::bulk_pump::AI_TIMEOUT,
            ..Default::default()
        };
        Self::start_stack(overrides, Some(pump)).await
    }

    /// [`TestStack::start_with_pump`] with the default pump.
    pub async fn start_bulk() -> TestStack {
        Self::start_with_pump(&[], wecare_local::bulk_pump::PumpOptions::default()).await
    }

    async fn start_stack(overrides: &[(&str, &str)], pump: Option<wecare_local::bulk_pump::PumpOptions>) -> TestStack {
        let endpoint = moto_endpoint();
        let sdk = aws::sdk_config(&endpoint);
        let prefix = format!("t{}-", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let resources = provision::provision(&sdk, &endpoint, &prefix, seed::users())
            .await
            .expect("provision");
        let sandbox_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind sandbox");
        let sandbox = format!("http://{}", sandbox_listener.local_addr().expect("sandbox addr"));
        wecare_local::start_sandbox(sandbox_listener, &sdk, &resources, None);
        let providers = wecare_messaging::ProviderEndpoints {
            social_messaging: Some(sandbox.clone()),
            sms_voice: Some(sandbox.clone()),
            bedrock_agent_runtime: Some(sandbox.clone()),
        };
        let dynamo_ops = OperationLog::new();
        let mut env = resources.function_env();
        env.extend(overrides.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let sqs_ops = OperationLog::new();
        let functions = Arc::new(
            Functions::new(&sdk, &env, &providers, Some(dynamo_ops.clone()), Some(sqs_ops.clone())).expect("functions"),
        );
        let function_env = env.clone();
        wecare_local::pump::start(
            aws_sdk_sqs::Client::new(&sdk),
            resources.queues["whatsapp-events"].clone(),
            functions.clone(),
        );
        if let Some(pump) = pump {
            let queue = match pump.worker {
                wecare_local::bulk_pump::Worker::Bulk => "bulk-queue",
                wecare_local::bulk_pump::Worker::AiDrafts => "ai-queue",
            };
            wecare_local::bulk_pump::start(
                aws_sdk_sqs::Client::new(&sdk),
                resources.queues[queue].clone(),
                functions.clone(),
                pump,
            );
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let functions_handle = functions.clone();
        let app = gateway::router(functions, None, resources.console_config());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
        });
        TestStack {
            api: format!("http://{addr}"),
            sandbox,
            resources,
            sdk,
            dynamo_ops,
            sqs_ops,
            functions: functions_handle,
            env: function_env,
            http: reqwest::Client::new(),
        }
    }

    /// The environment the stack's functions were built from (overrides included).
    pub fn function_env(&self) -> std::collections::BTreeMap<String, String> {
        self.env.clone()
    }

    pub fn user(&self, role: Role, tenant: &str) -> &SeedUser {
        self.resources
            .users
            .iter()
            .find(|u| u.role == role && u.tenant_id == tenant)
            .expect("seed user")
    }

    /// Signs in through Cognito (USER_PASSWORD_AUTH) as the seed user of `role` in `tenant`.
    pub async fn sign_in(&self, role: Role, tenant: &str) -> Tokens {
        let u = self.user(role, tenant);
        let out = aws_sdk_cognitoidentityprovider::Client::new(&self.sdk)
            .initiate_auth()
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .client_id(&self.resources.user_pool_client_id)
            .auth_parameters("USERNAME", &u.email)
            .auth_parameters("PASSWORD", &u.password)
            .send()
            .await
            .expect("sign in");
        let r = out.authentication_result.expect("tokens");
        Tokens {
            id: r.id_token.expect("id token"),
            access: r.access_token.expect("access token"),
        }
    }

    /// The ID token of the default tenant's user with `role`.
    pub async fn token(&self, role: Role) -> String {
        self.sign_in(role, seed::DEFAULT_TENANT).await.id
    }

    /// Calls the API; returns the status and the JSON body (`Null` when empty).
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<&Value>) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.api));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        self.send(req).await
    }

    /// Calls the API with a raw body, for malformed-input tests.
    pub async fn call_raw(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: impl Into<reqwest::Body>,
    ) -> (u16, Value) {
        let req = self
            .http
            .request(method, format!("{}{path}", self.api))
            .bearer_auth(token)
            .body(body);
        self.send(req).await
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("JSON body")
        };
        (status, json)
    }

    /// Creates a contact in the default tenant through the API; returns its id.
    pub async fn create_contact(&self, token: &str, body: Value) -> String {
        let (status, c) = self.call(Method::POST, "/api/contacts", Some(token), Some(&body)).await;
        assert_eq!(status, 201, "{c}");
        c["contactId"].as_str().expect("contactId").to_string()
    }

    /// Opens a default-tenant contact's 24 h window as an inbound message `minutes_ago` would.
    pub async fn open_window(&self, id: &str, minutes_ago: i64) {
        use aws_sdk_dynamodb::types::AttributeValue;
        let at = chrono::Utc::now() - chrono::Duration::minutes(minutes_ago);
        self.dynamo()
            .update_item()
            .table_name(self.table(wecare_core::tables::Table::Contacts))
            .key(
                "pk",
                AttributeValue::S(format!("{}#CONTACT#{id}", seed::DEFAULT_TENANT)),
            )
            .key("sk", AttributeValue::S("CONTACT".into()))
            .update_expression("SET lastInboundMessageAt = :t")
            .expression_attribute_values(":t", AttributeValue::S(wecare_core::time::iso(at)))
            .send()
            .await
            .expect("open the window");
    }

    /// Uploads `bytes` as the console does (`POST /api/media/uploads`, then a PUT to the presigned
    /// URL); the upload's key.
    pub async fn upload_media(&self, token: &str, mime: &str, bytes: &[u8], filename: &str) -> String {
        let body = serde_json::json!({ "mimeType": mime, "size": bytes.len(), "filename": filename });
        let (status, u) = self
            .call(Method::POST, "/api/media/uploads", Some(token), Some(&body))
            .await;
        assert_eq!(status, 201, "{u}");
        let put = self
            .http
            .put(u["uploadUrl"].as_str().expect("uploadUrl"))
            .header("Content-Type", mime)
            .body(bytes.to_vec())
            .send()
            .await
            .expect("PUT to the presigned URL");
        assert!(put.status().is_success(), "upload answered {}", put.status());
        u["s3Key"].as_str().expect("s3Key").to_string()
    }

    /// `POST /api/messages/{channel}`.
    pub async fn send_message(&self, token: &str, channel: &str, body: Value) -> (u16, Value) {
        self.call(
            Method::POST,
            &format!("/api/messages/{channel}"),
            Some(token),
            Some(&body),
        )
        .await
    }

    /// `POST /api/messages/{channel}` with an `Idempotency-Key`.
    pub async fn send_with_key(&self, token: &str, channel: &str, body: &Value, key: &str) -> (u16, Value) {
        let req = self
            .http
            .post(format!("{}/api/messages/{channel}", self.api))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(body);
        self.send(req).await
    }

    /// A contact's timeline (`GET /api/contacts/{id}/messages`), as a list.
    pub async fn timeline(&self, token: &str, id: &str) -> Vec<Value> {
        let (status, t) = self
            .call(Method::GET, &format!("/api/contacts/{id}/messages"), Some(token), None)
            .await;
        assert_eq!(status, 200, "{t}");
        t["items"].as_array().cloned().unwrap_or_default()
    }

    /// Receives what is in one of the stack's queues (without deleting it): bodies and attributes.
    pub async fn peek_queue(&self, queue: &str) -> Vec<(Value, std::collections::HashMap<String, String>)> {
        let out = aws_sdk_sqs::Client::new(&self.sdk)
            .receive_message()
            .queue_url(&self.resources.queues[queue])
            .max_number_of_messages(10)
            .message_attribute_names("All")
            .visibility_timeout(0)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive");
        out.messages
            .unwrap_or_default()
            .into_iter()
            .map(|m| {
                let body = m
                    .body()
                    .and_then(|b| serde_json::from_str(b).ok())
                    .unwrap_or(Value::Null);
                let attrs = m
                    .message_attributes
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, v)| (k, v.string_value.unwrap_or_default()))
                    .collect();
                (body, attrs)
            })
            .collect()
    }

    pub fn dynamo(&self) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::new(&self.sdk)
    }

    pub fn table(&self, t: wecare_core::tables::Table) -> String {
        self.resources.table(t)
    }
}

impl TestStack {
    /// Every provider call the sandbox received.
    pub async fn ledger(&self) -> Vec<Value> {
        let v: Value = self
            .http
            .get(format!("{}/ledger", self.sandbox))
            .send()
            .await
            .expect("ledger")
            .json()
            .await
            .expect("ledger json");
        v.as_array().cloned().unwrap_or_default()
    }

    /// Has the sandbox play a customer writing in (`POST /customer/messages`); returns its answer
    /// (`{"wamid", "published"}`).
    pub async fn customer_message(&self, body: Value) -> Value {
        self.sandbox_post("/customer/messages", body).await
    }

    /// Has the sandbox publish a delivery status of a sent message (`POST /customer/statuses`).
    pub async fn customer_status(&self, body: Value) -> Value {
        self.sandbox_post("/customer/statuses", body).await
    }

    async fn sandbox_post(&self, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .post(format!("{}{path}", self.sandbox))
            .json(&body)
            .send()
            .await
            .expect(path);
        let status = resp.status();
        let text = resp.text().await.expect("sandbox body");
        assert!(status.is_success(), "{path} answered {status}: {text}");
        serde_json::from_str(&text).expect("sandbox JSON")
    }

    /// Adds any sandbox fault (`POST /faults`), e.g. `{"operation", "count", "mode": "drop"}`.
    pub async fn fault(&self, fault: Value) {
        self.http
            .post(format!("{}/faults", self.sandbox))
            .json(&fault)
            .send()
            .await
            .expect("fault");
    }

    /// Clears every injected sandbox fault (`DELETE /faults`).
    pub async fn clear_faults(&self) {
        self.http
            .delete(format!("{}/faults", self.sandbox))
            .send()
            .await
            .expect("faults");
    }

    /// Makes the sandbox fail the next `count` calls of `operation` with `code` and `status`.
    pub async fn inject_fault(&self, operation: &str, count: u32, status: u16, code: &str) {
        let body = serde_json::json!({ "operation": operation, "count": count, "status": status, "code": code });
        self.http
            .post(format!("{}/faults", self.sandbox))
            .json(&body)
            .send()
            .await
            .expect("fault");
    }
}

/// Polls `check` until it returns `Some`, for effects that arrive through SNS and SQS; panics
/// with `what` after `timeout`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: std::time::Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Bulk-campaign helpers shared by the bulk suites.
pub mod units;

pub mod bulk {
    use std::collections::HashMap;
    use std::time::Duration;

    use serde_json::{json, Value};
    use wecare_core::consent::{ConsentSource, OptIns};
    use wecare_core::{Channel, ConsentClock, ContactId, ContactName, Email, PhoneNumber, Region, TenantId};
    use wecare_store::Contact;

    use super::{eventually, Method, TestStack};

    /// A contact to seed.
    #[derive(Debug, Clone, Default)]
    pub struct Person {
        pub name: Option<String>,
        pub phone: Option<String>,
        pub email: Option<String>,
        pub opt_in: Vec<Channel>,
        /// Minutes since their last inbound message (their WhatsApp window).
        pub wrote_minutes_ago: Option<i64>,
    }

    impl Person {
        /// Opted in to `channels`, with a phone of the form +9198765xxxxx from `i`.
        pub fn numbered(i: usize, channels: &[Channel]) -> Person {
            Person {
                name: Some(format!("Customer {i}")),
                phone: Some(format!("+919870{i:06}")),
                email: Some(format!("customer{i}@example.com")),
                opt_in: channels.to_vec(),
                wrote_minutes_ago: None,
            }
        }
    }

    /// Writes contacts of the default tenant straight to the table (many at once, quickly; they
    /// are listed and found by phone or email, but not by search); returns their ids in order.
    pub async fn seed_contacts(stack: &TestStack, people: &[Person]) -> Vec<ContactId> {
        let tenant = TenantId::parse(wecare_local::seed::DEFAULT_TENANT).expect("tenant");
        let now = chrono::Utc::now();
        let contacts: Vec<Contact> = people
            .iter()
            .map(|p| {
                let mut opt_ins = OptIns::default();
                let wanted: Vec<(Channel, bool)> = p.opt_in.iter().map(|c| (*c, true)).collect();
                let changes = opt_ins.apply(&wanted, "seed", now, ConsentSource::Operator);
                let mut clock = ConsentClock::default();
                clock.record(&changes);
                Contact {
                    contact_id: ContactId::new(),
                    tenant_id: tenant.clone(),
                    name: p.name.as_deref().map(|n| ContactName::parse(n).expect("name")),
                    phone: p
                        .phone
                        .as_deref()
                        .map(|n| PhoneNumber::parse(n, Region::INDIA).expect("phone")),
                    email: p.email.as_deref().map(|e| Email::parse(e).expect("email")),
                    whatsapp_user_id: None,
                    opt_ins,
                    consent_history: changes,
                    last_consent_change: clock,
                    last_inbound_message_at: p.wrote_minutes_ago.map(|m| now - chrono::Duration::minutes(m)),
                    created_at: now,
                    created_by: "seed".into(),
                    updated_at: now,
                    deleted_at: None,
                    deleted_by: None,
                    version: 1,
                }
            })
            .collect();
        let ids = contacts.iter().map(|c| c.contact_id).collect();
        // Straight to the table, 25 items a request: one transaction per contact (with its search
        // tokens and audit entry) takes moto most of a second, and the suites seed hundreds.
        let items: Vec<_> = contacts
            .iter()
            .flat_map(|c| c.fixture_items().expect("contact items"))
            .collect();
        let table = stack.table(wecare_core::tables::Table::Contacts);
        for batch in items.chunks(25) {
            let mut requests: Vec<aws_sdk_dynamodb::types::WriteRequest> = batch
                .iter()
                .map(|i| {
                    aws_sdk_dynamodb::types::WriteRequest::builder()
                        .put_request(
                            aws_sdk_dynamodb::types::PutRequest::builder()
                                .set_item(Some(i.clone()))
                                .build()
                                .expect("put"),
                        )
                        .build()
                })
                .collect();
            while !requests.is_empty() {
                let out = stack
                    .dynamo()
                    .batch_write_item()
                    .request_items(&table, requests)
                    .send()
                    .await
                    .expect("seed contacts");
                requests = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(&table))
                    .unwrap_or_default();
            }
        }
        // Counted as the repository counts its writes, so a bulk preview sees them as changes.
        stack
            .dynamo()
            .update_item()
            .table_name(&table)
            .key(
                "pk",
                aws_sdk_dynamodb::types::AttributeValue::S(wecare_store::keys::contacts_changes_pk(&tenant)),
            )
            .key(
                "sk",
                aws_sdk_dynamodb::types::AttributeValue::S(wecare_store::keys::CONTACTS_CHANGES_SK.into()),
            )
            .update_expression("ADD n :n")
            .expression_attribute_values(
                ":n",
                aws_sdk_dynamodb::types::AttributeValue::N(people.len().to_string()),
            )
            .send()
            .await
            .expect("count the seeded contacts");
        ids
    }

    pub fn ids(ids: &[ContactId]) -> Value {
        json!(ids.iter().map(|i| i.to_string()).collect::<Vec<_>>())
    }

    /// `POST /api/bulk-jobs` (with an idempotency key when given).
    pub async fn create_job(stack: &TestStack, token: &str, body: &Value) -> (u16, Value) {
        stack
            .call(Method::POST, "/api/bulk-jobs", Some(token), Some(body))
            .await
    }

    /// Uploads a recipients list as the console does (`POST /api/bulk-jobs/uploads`, then a PUT of
    /// the CSV to the presigned URL); the upload's id, for `recipients.uploadId`.
    pub async fn upload_list(stack: &TestStack, token: &str, csv: String) -> Value {
        let (status, up) = stack
            .call(
                Method::POST,
                "/api/bulk-jobs/uploads",
                Some(token),
                Some(&json!({ "fileName": "list.csv" })),
            )
            .await;
        assert_eq!(status, 201, "{up}");
        let put = reqwest::Client::new()
            .put(up["url"].as_str().expect("upload url"))
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .expect("upload");
        assert!(put.status().is_success(), "upload answered {}", put.status());
        up["uploadId"].clone()
    }

    pub async fn preview(stack: &TestStack, token: &str, body: &Value) -> (u16, Value) {
        stack
            .call(Method::POST, "/api/bulk-jobs/preview", Some(token), Some(body))
            .await
    }

    pub async fn job(stack: &TestStack, token: &str, id: &str) -> Value {
        let (status, v) = stack
            .call(Method::GET, &format!("/api/bulk-jobs/{id}"), Some(token), None)
            .await;
        assert_eq!(status, 200, "{v}");
        v
    }

    pub async fn control(stack: &TestStack, token: &str, id: &str, action: &str) -> (u16, Value) {
        stack
            .call(
                Method::POST,
                &format!("/api/bulk-jobs/{id}/{action}"),
                Some(token),
                None,
            )
            .await
    }

    /// Waits for the job to be finished (its counts exact and its report written).
    pub async fn finished(stack: &TestStack, token: &str, id: &str, timeout: Duration) -> Value {
        eventually(&format!("bulk job {id} to finish"), timeout, || async {
            // Every other second: every look is an API call that moto, the bottleneck here, serves.
            tokio::time::sleep(Duration::from_millis(1900)).await;
            let v = job(stack, token, id).await;
            v["job"]
                .get("finishedAt")
                .filter(|f| !f.is_null())
                .map(|_| v["job"].clone())
        })
        .await
    }

    /// Accepted WhatsApp sends in the sandbox's ledger: (recipient, time).
    pub fn whatsapp_sends(ledger: &[Value]) -> Vec<(String, chrono::DateTime<chrono::Utc>)> {
        ledger
            .iter()
            .filter(|e| e["operation"] == "SendWhatsAppMessage" && e["status"] == 200)
            .map(|e| {
                (
                    e["request"]["message"]["to"].as_str().unwrap_or_default().to_string(),
                    e["at"].as_str().and_then(|a| a.parse().ok()).expect("ledger time"),
                )
            })
            .collect()
    }

    /// How many times each recipient appears.
    pub fn per_recipient(sends: &[(String, chrono::DateTime<chrono::Utc>)]) -> HashMap<String, usize> {
        let mut m = HashMap::new();
        for (to, _) in sends {
            *m.entry(to.clone()).or_default() += 1;
        }
        m
    }

    /// The most sends in any sliding one-second window.
    pub fn busiest_second(sends: &[(String, chrono::DateTime<chrono::Utc>)]) -> usize {
        let mut at: Vec<i64> = sends.iter().map(|(_, t)| t.timestamp_millis()).collect();
        at.sort_unstable();
        let (mut best, mut start) = (0, 0);
        for end in 0..at.len() {
            while at[end] - at[start] >= 1000 {
                start += 1;
            }
            best = best.max(end - start + 1);
        }
        best
    }

    /// The job's counts: every recipient in exactly one state, adding up to the total.
    pub fn assert_adds_up(job: &Value) {
        let p = &job["progress"];
        let n = |k: &str| p[k].as_u64().unwrap_or(0);
        let skipped: u64 = p["skipped"]
            .as_object()
            .map(|m| m.values().filter_map(Value::as_u64).sum())
            .unwrap_or(0);
        assert_eq!(
            n("pending") + n("sent") + n("failed") + n("unknown") + n("cancelled") + skipped,
            n("total"),
            "{p}"
        );
    }
}
