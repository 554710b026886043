//! The demo `make dev` seeds (`wecare_local::demo`), run against a fresh stack put together as
//! `dev()` puts it together — the bulk pump running, the events pump started only after the seed —
//! and looked at through the API gateway as an operator would: the inbox lists conversations with
//! something to read and something read, the overview's week has counts on several days and on
//! all three channels, there are contacts with each kind of consent, customers' files are in the
//! timelines, and the campaign is COMPLETED with its report. What the seed says it left is what
//! the API shows.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use serde_json::{json, Value};
use wecare_core::Role;
use wecare_local::{aws, demo, gateway, provision, seed, Functions};
use wecare_tests::eventually;

struct Seeded {
    functions: Arc<Functions>,
    sdk: SdkConfig,
    resources: wecare_local::Resources,
    api: String,
    sandbox: String,
    http: reqwest::Client,
    token: String,
    seeded: demo::Seeded,
    seconds: f64,
}

/// A stack as `dev()` starts it, seeded with the demo.
async fn seeded_stack() -> Seeded {
    let endpoint = wecare_tests::moto_endpoint();
    let sdk = aws::sdk_config(&endpoint);
    let prefix = format!("t{}-", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let resources = provision::provision(&sdk, &endpoint, &prefix, seed::users())
        .await
        .expect("provision");
    let sandbox_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let sandbox = format!("http://{}", sandbox_listener.local_addr().expect("sandbox addr"));
    wecare_local::start_sandbox(sandbox_listener, &sdk, &resources, None);
    let providers = wecare_messaging::ProviderEndpoints {
        social_messaging: Some(sandbox.clone()),
        sms_voice: Some(sandbox.clone()),
        bedrock_agent_runtime: Some(sandbox.clone()),
    };
    let functions =
        Arc::new(Functions::new(&sdk, &resources.function_env(), &providers, None, None).expect("functions"));
    wecare_local::bulk_pump::start(
        aws_sdk_sqs::Client::new(&sdk),
        resources.queues["bulk-queue"].clone(),
        functions.clone(),
        wecare_local::bulk_pump::PumpOptions::default(),
    );
    let started = Instant::now();
    let seeded = demo::seed(&demo::Stack {
        functions: &functions,
        sdk: &sdk,
        resources: &resources,
        sandbox_url: &sandbox,
    })
    .await
    .unwrap_or_else(|e| panic!("the demo failed: {e:#}"));
    let seconds = started.elapsed().as_secs_f64();
    wecare_local::pump::start(
        aws_sdk_sqs::Client::new(&sdk),
        resources.queues["whatsapp-events"].clone(),
        functions.clone(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let api = format!("http://{}", listener.local_addr().expect("addr"));
    let app = gateway::router(functions.clone(), None, resources.console_config());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    let token = sign_in(&sdk, &resources, Role::Operator).await;
    Seeded {
        functions,
        sdk,
        resources,
        api,
        sandbox,
        http: reqwest::Client::new(),
        token,
        seeded,
        seconds,
    }
}

async fn sign_in(sdk: &SdkConfig, resources: &wecare_local::Resources, role: Role) -> String {
    let u = resources
        .users
        .iter()
        .find(|u| u.role == role && u.tenant_id == seed::DEFAULT_TENANT)
        .expect("seed user");
    aws_sdk_cognitoidentityprovider::Client::new(sdk)
        .initiate_auth()
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .client_id(&resources.user_pool_client_id)
        .auth_parameters("USERNAME", &u.email)
        .auth_parameters("PASSWORD", &u.password)
        .send()
        .await
        .expect("sign in")
        .authentication_result
        .and_then(|r| r.id_token)
        .expect("ID token")
}

impl Seeded {
    /// `GET path` through the gateway, which must answer 200.
    async fn get(&self, path: &str) -> Value {
        let resp = self
            .http
            .get(format!("{}{path}", self.api))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect(path);
        let status = resp.status();
        let body: Value = resp.json().await.expect("JSON");
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// Every item of a listing, following its cursor.
    async fn all(&self, path: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut page = self.get(path).await;
        loop {
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["nextCursor"].as_str() {
                Some(c) if !c.is_empty() => page = self.get(&format!("{path}&cursor={c}")).await,
                _ => return items,
            }
        }
    }
}

fn opted(c: &Value) -> [bool; 3] {
    ["optInWhatsApp", "optInSms", "optInEmail"].map(|k| c[k] == true)
}

fn count_of(counts: &Value, k: &str) -> u64 {
    counts[k].as_u64().unwrap_or(0)
}

#[tokio::test]
async fn a_seeded_stack_shows_an_operator_a_week_of_conversations_every_kind_of_consent_and_a_finished_campaign() {
    let stack = seeded_stack().await;
    let d = &stack.seeded;
    println!(
        "demo: {} contacts, {} messages, {} campaign(s) in {:.1} s",
        d.contacts, d.messages, d.campaigns, stack.seconds
    );
    assert!(
        stack.seconds < 90.0,
        "the demo took {:.1} s; `make dev` waits for it",
        stack.seconds
    );

    // Contacts: every kind of consent, one of them given up by a STOP the customer sent.
    let contacts = stack.all("/api/contacts?limit=100").await;
    assert_eq!(contacts.len(), d.contacts, "the count printed is what the list holds");
    assert!(contacts.len() >= 20, "{}", contacts.len());
    let all_in = contacts.iter().filter(|c| opted(c) == [true; 3]).count();
    let whatsapp_only = contacts.iter().filter(|c| opted(c) == [true, false, false]).count();
    let stopped: Vec<&Value> = contacts
        .iter()
        .filter(|c| {
            c["optInWhatsApp"] == false
                && c["consentHistory"].as_array().is_some_and(|h| {
                    h.iter()
                        .any(|e| e["source"] == "inbound_keyword" && e["optedIn"] == false)
                })
        })
        .collect();
    let never = contacts
        .iter()
        .filter(|c| {
            opted(c) == [false; 3]
                && !c["consentHistory"]
                    .as_array()
                    .is_some_and(|h| h.iter().any(|e| e["optedIn"] == true))
        })
        .count();
    assert!(all_in >= 3, "opted in to everything: {all_in}");
    assert!(whatsapp_only >= 3, "WhatsApp only: {whatsapp_only}");
    assert!(stopped.len() >= 2, "opted out by STOP: {}", stopped.len());
    assert!(never >= 2, "never consented: {never}");

    // Timelines: what the seed counted, customers' photos and documents, an operator's document,
    // and each STOP confirmed.
    let mut messages = Vec::new();
    for c in &contacts {
        let id = c["contactId"].as_str().expect("contactId");
        messages.extend(stack.all(&format!("/api/contacts/{id}/messages?limit=100")).await);
    }
    assert_eq!(
        messages.len(),
        d.messages,
        "the count printed is what the timelines hold"
    );
    let media = |direction: &str, mime: &str| {
        messages
            .iter()
            .filter(|m| m["direction"] == direction && m["details"]["media"]["mimeType"] == mime)
            .count()
    };
    assert!(media("inbound", "image/jpeg") >= 2, "customers' photos");
    assert!(media("inbound", "application/pdf") >= 1, "a customer's document");
    assert!(media("outbound", "application/pdf") >= 1, "an operator's document");
    let confirmations = messages
        .iter()
        .filter(|m| m["details"]["kind"] == "opt_out_confirmation" && m["status"] == "sent")
        .count();
    assert_eq!(confirmations, stopped.len(), "each STOP is confirmed");
    let history_days: BTreeSet<&str> = messages
        .iter()
        .filter_map(|m| m["createdAt"].as_str().map(|t| &t[..10]))
        .collect();
    assert!(history_days.len() >= 5, "a week of messages: {history_days:?}");

    // The inbox: conversations to answer and conversations answered and read.
    let inbox = stack.all("/api/conversations?limit=100").await;
    assert!(inbox.len() >= 20, "{} conversations", inbox.len());
    assert!(
        inbox.iter().any(|c| c["unreadCount"].as_u64() > Some(0)),
        "someone is waiting for an answer"
    );
    assert!(
        inbox.iter().any(|c| c["lastMessage"]["status"] == "read"),
        "a reply was read"
    );
    let first = &inbox[0];
    assert!(
        first["lastMessage"]["direction"] == "inbound" && first["unreadCount"].as_u64() > Some(0),
        "the customer who just wrote is on top: {first}"
    );
    let (status, reply) = {
        let resp = stack
            .http
            .post(format!("{}/api/messages/whatsapp", stack.api))
            .bearer_auth(&stack.token)
            .json(&json!({ "contactId": first["contactId"], "text": "Of course, adding it now." }))
            .send()
            .await
            .expect("reply");
        (resp.status().as_u16(), resp.json::<Value>().await.expect("JSON"))
    };
    assert_eq!(status, 202, "their window is open, so the operator can answer: {reply}");
    // A reply drafted for them waits beside the one rated down and rejected.
    let drafts = stack
        .get(&format!(
            "/api/ai/suggestions?contactId={}",
            first["contactId"].as_str().unwrap_or_default()
        ))
        .await;
    let statuses: Vec<&str> = drafts["items"]
        .as_array()
        .expect("drafts")
        .iter()
        .filter_map(|d| d["status"].as_str())
        .collect();
    assert_eq!(statuses, ["suggested", "rejected"], "{drafts}");
    assert_eq!(drafts["items"][1]["feedback"]["rating"], "down");
    let channels: BTreeSet<&str> = inbox
        .iter()
        .filter_map(|c| c["lastMessage"]["channel"].as_str())
        .collect();
    assert_eq!(channels.len(), 3, "{channels:?}");

    // The overview of the last seven days: counts on several days, on all three channels.
    let overview = stack.get("/api/overview?utcOffsetMinutes=0").await;
    let days = overview["messages"]["days"].as_array().expect("days");
    let busy_days = days
        .iter()
        .filter(|day| {
            day["channels"].as_object().is_some_and(|cs| {
                cs.values()
                    .any(|c| c.as_object().is_some_and(|c| c.values().any(|n| n.as_u64() > Some(0))))
            })
        })
        .count();
    assert!(busy_days >= 5, "{overview}");
    let totals = |channel: &str| {
        overview["messages"]["channels"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["channel"] == channel))
            .map(|c| c["totals"].clone())
            .unwrap_or_else(|| panic!("no {channel} in {overview}"))
    };
    let (whatsapp, sms, email) = (totals("whatsapp"), totals("sms"), totals("email"));
    for k in ["received", "sent", "delivered", "read"] {
        assert!(count_of(&whatsapp, k) > 0, "WhatsApp {k}: {whatsapp}");
    }
    assert!(
        count_of(&whatsapp, "failed") >= 2,
        "refused and undeliverable: {whatsapp}"
    );
    assert!(count_of(&sms, "sent") > 0 && count_of(&sms, "failed") >= 1, "{sms}");
    assert!(count_of(&email, "sent") > 0, "{email}");
    let received: u64 = messages.iter().filter(|m| m["direction"] == "inbound").count() as u64;
    assert_eq!(
        count_of(&whatsapp, "received"),
        received,
        "every customer message counted once"
    );

    // The campaign: finished, everyone it was for sent to, and its report written.
    let jobs = stack.get("/api/bulk-jobs").await;
    let jobs = jobs["items"].as_array().expect("jobs");
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(d.campaigns, 1);
    let id = jobs[0]["jobId"].as_str().expect("jobId");
    let job = stack.get(&format!("/api/bulk-jobs/{id}")).await;
    assert_eq!(job["job"]["status"], "COMPLETED", "{job}");
    let progress = &job["job"]["progress"];
    let sent = count_of(progress, "sent");
    assert!(sent > 0 && sent == count_of(progress, "total"), "{progress}");
    let report = stack.get(&format!("/api/bulk-jobs/{id}/report")).await;
    let csv = reqwest::get(report["url"].as_str().expect("report url"))
        .await
        .expect("report")
        .text()
        .await
        .expect("report text");
    assert_eq!(csv.lines().count() as u64, sent + 1, "a header and a row per recipient");

    // Nothing was left behind for the events pump, which now takes what customers write.
    let before = received;
    stack
        .http
        .post(format!("{}/customer/messages", stack.sandbox))
        .json(&json!({ "from": "+919740010001", "name": "Asha Verma", "text": "One more question" }))
        .send()
        .await
        .expect("customer message");
    eventually("the new message to arrive", Duration::from_secs(20), || async {
        let o = stack.get("/api/overview?utcOffsetMinutes=0").await;
        let w = o["messages"]["channels"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["channel"] == "whatsapp").cloned())
            .unwrap_or(Value::Null);
        (count_of(&w["totals"], "received") == before + 1).then_some(())
    })
    .await;

    // A seed that fails says which step and why, and leaves the stack serving.
    let again = demo::seed(&demo::Stack {
        functions: &stack.functions,
        sdk: &stack.sdk,
        resources: &stack.resources,
        sandbox_url: &stack.sandbox,
    })
    .await
    .expect_err("the contacts exist already");
    let why = format!("{again:#}");
    assert!(
        why.starts_with("demo step 1 at ") && why.contains("create Asha Verma") && why.contains("409"),
        "{why}"
    );
    assert_eq!(stack.all("/api/contacts?limit=100").await.len(), d.contacts);
}
