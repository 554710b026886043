//! Sending on every channel end to end: the fail-closed checks, the provider sandbox's ledger as
//! the witness of what was sent, retries and failures injected at the wire, and the rate limiter.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{json, Value};
use wecare_core::rate::Rate;
use wecare_core::tables::Table;
use wecare_core::Role;
use wecare_store::RateLimiter;
use wecare_tests::{Method, TestStack};

const DEFAULT_SENDER: &str = "phone-number-id-0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const NOT_ALLOWED_SENDER: &str = "phone-number-id-00000000000000000000000000000bad";

/// The sends the provider received (the ledger also holds the template catalogue's reads).
async fn sends(stack: &TestStack) -> Vec<Value> {
    stack
        .ledger()
        .await
        .into_iter()
        .filter(|e| {
            e["operation"] == "SendWhatsAppMessage"
                || e["operation"] == "SendTextMessage"
                || e["operation"] == "SendEmail"
        })
        .collect()
}

async fn contact(stack: &TestStack, token: &str, body: Value) -> String {
    stack.create_contact(token, body).await
}

async fn open_window(stack: &TestStack, id: &str, minutes_ago: i64) {
    stack.open_window(id, minutes_ago).await
}

async fn send(stack: &TestStack, token: &str, channel: &str, body: Value) -> (u16, Value) {
    stack.send_message(token, channel, body).await
}

#[tokio::test]
async fn an_sms_is_sent_only_after_opt_in_and_reports_its_exact_segments() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let id = contact(&stack, &op, json!({ "name": "Anna", "phone": "9876543210" })).await;

    let (status, e) = send(&stack, &op, "sms", json!({ "contactId": id, "text": "hello" })).await;
    assert_eq!((status, e["error"]["code"].as_str()), (422, Some("NOT_OPTED_IN")));
    assert!(
        stack.ledger().await.is_empty(),
        "nothing reaches the provider without consent"
    );

    stack
        .call(
            Method::PATCH,
            &format!("/api/contacts/{id}"),
            Some(&op),
            Some(&json!({ "optInSms": true })),
        )
        .await;
    let text = format!("{}€", "a".repeat(159));
    let (status, m) = send(&stack, &op, "sms", json!({ "contactId": id, "text": text })).await;
    assert_eq!(status, 202, "{m}");
    assert_eq!(
        (m["segments"].as_u64(), m["encoding"].as_str()),
        (Some(2), Some("GSM-7"))
    );
    assert_eq!(m["status"], "sent");

    let ledger = stack.ledger().await;
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0]["operation"], "SendTextMessage");
    assert_eq!(ledger[0]["request"]["DestinationPhoneNumber"], "+919876543210");
    assert_eq!(ledger[0]["request"]["MessageBody"], text);
    assert_eq!(m["providerMessageId"], ledger[0]["response"]["MessageId"]);

    let (_, timeline) = stack
        .call(Method::GET, &format!("/api/contacts/{id}/messages"), Some(&op), None)
        .await;
    assert_eq!(timeline["items"][0]["messageId"], m["messageId"]);
    let (_, inbox) = stack.call(Method::GET, "/api/conversations", Some(&op), None).await;
    assert_eq!(inbox["items"][0]["contactId"], id.as_str());
    assert_eq!(inbox["items"][0]["lastMessage"]["messageId"], m["messageId"]);
}

#[tokio::test]
async fn free_form_whatsapp_needs_the_window_templates_do_not_and_senders_must_be_allowed() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let id = contact(&stack, &op, json!({ "phone": "9876543210", "optInWhatsApp": true })).await;

    let (status, e) = send(&stack, &op, "whatsapp", json!({ "contactId": id, "text": "hi" })).await;
    assert_eq!((status, e["error"]["code"].as_str()), (422, Some("TEMPLATE_REQUIRED")));

    let template = json!({ "name": "order_update", "language": "en_US", "parameters": ["Asha", "#1234"] });
    let (status, m) = send(
        &stack,
        &op,
        "whatsapp",
        json!({ "contactId": id, "template": template }),
    )
    .await;
    assert_eq!(status, 202, "{m}");
    assert_eq!(m["isTemplate"], true);

    let (status, e) = send(
        &stack,
        &op,
        "whatsapp",
        json!({ "contactId": id, "template": template, "from": NOT_ALLOWED_SENDER }),
    )
    .await;
    assert_eq!((status, e["error"]["code"].as_str()), (403, Some("NOT_ALLOWLISTED")));

    open_window(&stack, &id, 60).await;
    let (status, m) = send(
        &stack,
        &op,
        "whatsapp",
        json!({ "contactId": id, "text": "Your order has shipped 🚚" }),
    )
    .await;
    assert_eq!(status, 202, "{m}");
    assert_eq!(m["isTemplate"], false);

    let ledger = sends(&stack).await;
    assert_eq!(ledger.len(), 2, "the refused sends never reached the provider");
    let sent_template = &ledger[0]["request"];
    assert_eq!(sent_template["originationPhoneNumberId"], DEFAULT_SENDER);
    assert_eq!(sent_template["message"]["type"], "template");
    assert_eq!(
        sent_template["message"]["template"]["components"],
        json!([{ "type": "body", "parameters": [{ "type": "text", "text": "Asha" }, { "type": "text", "text": "#1234" }] }]),
        "the values fill the template's body in order"
    );
    assert_eq!(
        ledger[1]["request"]["message"]["text"]["body"],
        "Your order has shipped 🚚"
    );
    assert_eq!(ledger[1]["request"]["message"]["to"], "+919876543210");
    let callback = ledger[1]["request"]["message"]["biz_opaque_callback_data"]
        .as_str()
        .unwrap();
    assert_eq!(callback, format!("wecare:{}", m["messageId"].as_str().unwrap()));

    let (status, e) = send(
        &stack,
        &op,
        "whatsapp",
        json!({ "contactId": id, "text": "x".repeat(4097) }),
    )
    .await;
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("VALIDATION_FAILED")));
}

#[tokio::test]
async fn email_goes_to_ses_and_a_viewer_cannot_send() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let id = contact(&stack, &op, json!({ "email": "anna@example.com", "optInEmail": true })).await;
    let body = json!({ "contactId": id, "subject": "Your invoice", "text": "Thanks!", "html": "<p>Thanks!</p>" });
    let (status, m) = send(&stack, &op, "email", body.clone()).await;
    assert_eq!((status, m["status"].as_str()), (202, Some("sent")), "{m}");

    let data: Value = reqwest::get(format!("{}/moto-api/data.json", stack.resources.aws_endpoint))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sent = data.to_string();
    assert!(
        sent.contains("Your invoice") && sent.contains("anna@example.com"),
        "SES in moto holds the email"
    );

    let viewer = stack.token(Role::Viewer).await;
    let (status, _) = send(&stack, &viewer, "email", body).await;
    assert_eq!(status, 403);
    let (status, e) = send(&stack, &op, "email", json!({ "contactId": id, "subject": "no body" })).await;
    assert_eq!(
        (status, e["error"]["message"].as_str()),
        (400, Some("text: text or html is required"))
    );
}

#[tokio::test]
async fn throttling_is_retried_a_5xx_is_unknown_and_a_refusal_is_recorded_failed() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let id = contact(&stack, &op, json!({ "phone": "9876543210", "optInSms": true })).await;

    stack
        .inject_fault("SendTextMessage", 2, 400, "ThrottlingException")
        .await;
    let (status, m) = send(
        &stack,
        &op,
        "sms",
        json!({ "contactId": id, "text": "third time lucky" }),
    )
    .await;
    assert_eq!(status, 202, "throttling is retried: {m}");
    assert_eq!(stack.ledger().await.len(), 3);

    // A 5xx may have been accepted: recorded as unknown and never retried.
    stack
        .inject_fault("SendTextMessage", 5, 500, "InternalServerException")
        .await;
    let (status, m) = send(
        &stack,
        &op,
        "sms",
        json!({ "contactId": id, "text": "this one is unknown" }),
    )
    .await;
    assert_eq!((status, m["status"].as_str()), (202, Some("unknown")), "{m}");
    assert_eq!(stack.ledger().await.len(), 4, "one attempt, no retry");

    // A refusal is definitive: recorded as failed with the provider's code.
    stack
        .inject_fault("SendTextMessage", 1, 400, "ValidationException")
        .await;
    let (status, e) = send(&stack, &op, "sms", json!({ "contactId": id, "text": "refused" })).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (502, Some("PROVIDER_ERROR")),
        "{e}"
    );
    let (_, timeline) = stack
        .call(Method::GET, &format!("/api/contacts/{id}/messages"), Some(&op), None)
        .await;
    let failed = &timeline["items"][0];
    assert_eq!(
        (failed["status"].as_str(), failed["error"]["code"].as_str()),
        (Some("failed"), Some("ValidationException"))
    );
}

/// Randomized requests against randomized contacts: whatever the mix, nothing reaches the
/// provider for a contact without opt-in, outside the window without a template, or from a
/// number that is not allowed.
#[tokio::test]
async fn no_provider_call_ever_breaks_consent_the_window_or_the_allowlist() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    struct Facts {
        opted_in: bool,
        window_open: bool,
        phone: String,
    }
    let mut contacts: HashMap<String, Facts> = HashMap::new();
    for i in 0..6 {
        let opted_in = next() % 2 == 0;
        let phone = format!("+9198765000{i:02}");
        let id = contact(&stack, &op, json!({ "phone": phone, "optInWhatsApp": opted_in })).await;
        let window_open = next() % 2 == 0;
        if window_open {
            open_window(&stack, &id, (next() % 1400) as i64).await;
        } else if next() % 2 == 0 {
            open_window(&stack, &id, 24 * 60 + 1 + (next() % 600) as i64).await;
        }
        contacts.insert(
            id,
            Facts {
                opted_in,
                window_open,
                phone,
            },
        );
    }
    let ids: Vec<String> = contacts.keys().cloned().collect();
    let mut expected_sends = 0;
    for _ in 0..30 {
        let id = &ids[(next() % ids.len() as u64) as usize];
        let template = next() % 3 == 0;
        let from = if next() % 4 == 0 {
            NOT_ALLOWED_SENDER
        } else {
            DEFAULT_SENDER
        };
        let mut body = json!({ "contactId": id, "from": from });
        if template {
            body["template"] = json!({ "name": "hello_world", "language": "en_US" });
        } else {
            body["text"] = json!("hello");
        }
        let (status, _) = send(&stack, &op, "whatsapp", body).await;
        let f = &contacts[id];
        let allowed = f.opted_in && from == DEFAULT_SENDER && (template || f.window_open);
        assert_eq!(
            status == 202,
            allowed,
            "contact opted_in={} window={} template={template} from={from}",
            f.opted_in,
            f.window_open
        );
        expected_sends += usize::from(allowed);
    }
    let ledger = sends(&stack).await;
    assert_eq!(ledger.len(), expected_sends);
    for entry in ledger {
        let to = entry["request"]["message"]["to"].as_str().unwrap();
        let f = contacts.values().find(|f| f.phone == to).unwrap();
        assert!(f.opted_in);
        assert_eq!(entry["request"]["originationPhoneNumberId"], DEFAULT_SENDER);
        assert!(f.window_open || entry["request"]["message"]["type"] == "template");
    }
}

/// 8 concurrent senders for 10 s against one 20/s bucket: no calendar second goes over the
/// limit, at least 95 % of the limit is used, and a send costs about one DynamoDB write.
#[tokio::test]
async fn the_rate_limit_holds_under_concurrent_senders_and_is_nearly_fully_used() {
    let stack = TestStack::start().await;
    let ops = wecare_store::OperationLog::new();
    let conf = aws_sdk_dynamodb::config::Builder::from(&stack.sdk)
        .interceptor(ops.clone())
        .build();
    let limiter = Arc::new(RateLimiter::new(
        aws_sdk_dynamodb::Client::from_conf(conf),
        stack.table(Table::RateLimitTrackers),
    ));
    let rate = Rate::steady(20.0);
    let run_for = Duration::from_secs(10);
    let start = Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                let mut allowed = Vec::new();
                while start.elapsed() < run_for {
                    let now = Utc::now();
                    match limiter
                        .reserve("sms#pool-1", rate, 1.0, Duration::from_secs(1), now)
                        .await
                        .unwrap()
                    {
                        Ok(slot) => {
                            // The send happens at its slot.
                            if let Ok(wait) = (slot - Utc::now()).to_std() {
                                tokio::time::sleep(wait).await;
                            }
                            if slot
                                < chrono::DateTime::<Utc>::from(std::time::SystemTime::now())
                                    + chrono::Duration::seconds(1)
                            {
                                allowed.push(slot);
                            }
                        }
                        Err(l) => tokio::time::sleep(Duration::from_millis(l.retry_after_ms)).await,
                    }
                }
                allowed
            })
        })
        .collect();
    let mut allowed = Vec::new();
    for t in tasks {
        allowed.extend(t.await.unwrap());
    }
    let mut per_second: HashMap<i64, usize> = HashMap::new();
    for t in &allowed {
        *per_second.entry(t.timestamp()).or_default() += 1;
    }
    // Slots reserved in the last moments may lie just past the run; count whole seconds only.
    let first = allowed.iter().min().map(|t| t.timestamp()).unwrap_or_default();
    let whole: Vec<_> = per_second
        .iter()
        .filter(|(s, _)| **s > first && **s < first + run_for.as_secs() as i64)
        .collect();
    let worst = per_second.values().max().copied().unwrap_or(0);
    let achieved = whole.iter().map(|(_, n)| **n).sum::<usize>() as f64 / (20.0 * whole.len().max(1) as f64);
    let writes = ops.operations().iter().filter(|o| *o == "UpdateItem").count();
    println!(
        "limiter: {} sends in {:?}, busiest second {worst}, {:.1} % of the limit, {:.2} UpdateItem per send",
        allowed.len(),
        run_for,
        achieved * 100.0,
        writes as f64 / allowed.len() as f64
    );
    assert!(worst <= 20, "a second had {worst} sends: {per_second:?}");
    assert!(achieved >= 0.95, "only {:.1} % of the limit was used", achieved * 100.0);
}
