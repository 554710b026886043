//! The send pipeline under at-least-once delivery and provider faults: idempotency keys (repeated
//! and concurrent), throttling retried, ambiguous answers settled `unknown` and never resent, a
//! status that overtakes the send's answer, provider refusals recorded, senders owned by tenants,
//! and a limiter that never refuses far below its limit. The sandbox's ledger is the witness of
//! what reached the provider.

use std::time::Duration;

use serde_json::{json, Value};
use wecare_core::{ContactId, IdempotencyKey, Role, TenantId};
use wecare_http::config::Env;
use wecare_local::seed;
use wecare_messaging::{Actor, Content, SendCommand, SendOutcome, WhatsAppContent};
use wecare_tests::{eventually, Method, TestStack};

const WECARE_DEFAULT: &str = "phone-number-id-0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const GLOBEX_NUMBER: &str = "phone-number-id-7c0b1e5a9d2f4c3b8a6e0d1f2a3b4c5d";

fn sends(ledger: &[Value]) -> Vec<&Value> {
    ledger
        .iter()
        .filter(|e| e["operation"] == "SendWhatsAppMessage" || e["operation"] == "SendTextMessage")
        .collect()
}

fn accepted(ledger: &[Value]) -> usize {
    sends(ledger).iter().filter(|e| e["status"] == 200).count()
}

/// A contact of the default tenant, opted in to WhatsApp, inside its 24 h window.
async fn customer(stack: &TestStack, op: &str, phone: &str) -> String {
    let id = stack
        .create_contact(op, json!({ "phone": phone, "optInWhatsApp": true, "optInSms": true }))
        .await;
    stack.open_window(&id, 10).await;
    id
}

#[tokio::test]
async fn a_repeated_idempotency_key_answers_the_first_outcome_and_sends_once() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let id = customer(&stack, &op, "+919876500001").await;
    let body = json!({ "contactId": id, "text": "Your order has shipped" });

    let (status, first) = stack.send_with_key(&op, "whatsapp", &body, "compose-1").await;
    assert_eq!((status, first["status"].as_str()), (202, Some("sent")), "{first}");
    let (status, again) = stack.send_with_key(&op, "whatsapp", &body, "compose-1").await;
    assert_eq!(status, 202, "{again}");
    assert_eq!(again["messageId"], first["messageId"]);
    assert_eq!(again["providerMessageId"], first["providerMessageId"]);

    assert_eq!(accepted(&stack.ledger().await), 1, "one provider call");
    assert_eq!(stack.timeline(&op, &id).await.len(), 1, "one record");
    let tenant = TenantId::parse(seed::DEFAULT_TENANT).unwrap();
    let audit = wecare_store::audit::history(
        &stack.dynamo(),
        &stack.table(wecare_core::tables::Table::AuditLogs),
        &tenant,
        "contact",
        &id,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(
        audit.iter().filter(|a| a.action == "message.send").count(),
        1,
        "one audit entry for one send, however often it is asked for"
    );

    // The same key for another message is a mistake, not a repeat.
    let other = json!({ "contactId": id, "text": "Something else" });
    let (status, e) = stack.send_with_key(&op, "whatsapp", &other, "compose-1").await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("IDEMPOTENCY_KEY_REUSED"))
    );
    // A new key is a new message.
    let (status, second) = stack.send_with_key(&op, "whatsapp", &body, "compose-2").await;
    assert_eq!(status, 202);
    assert_ne!(second["messageId"], first["messageId"]);
    assert_eq!(accepted(&stack.ledger().await), 2);
}

#[tokio::test]
async fn twenty_concurrent_requests_with_one_key_make_one_message() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let id = customer(&stack, &op, "+919876500002").await;
    let body = json!({ "contactId": id, "text": "Double-clicked" });
    let answers = futures::future::join_all(
        (0..20).map(|_| async { stack.send_with_key(&op, "whatsapp", &body, "click-once").await }),
    )
    .await;
    let ids: std::collections::BTreeSet<String> = answers
        .iter()
        .map(|(s, m)| {
            assert_eq!(*s, 202, "every repeat waits for the first and answers its outcome: {m}");
            m["messageId"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(accepted(&stack.ledger().await), 1);
    assert_eq!(stack.timeline(&op, &id).await.len(), 1);
}

#[tokio::test]
async fn throttling_is_retried_and_the_message_is_sent_once() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let id = customer(&stack, &op, "+919876500003").await;
    stack
        .inject_fault("SendWhatsAppMessage", 2, 429, "ThrottledRequestException")
        .await;
    let (status, m) = stack
        .send_message(&op, "whatsapp", json!({ "contactId": id, "text": "third time lucky" }))
        .await;
    assert_eq!((status, m["status"].as_str()), (202, Some("sent")), "{m}");
    let ledger = stack.ledger().await;
    assert_eq!((sends(&ledger).len(), accepted(&ledger)), (3, 1));

    // Throttled on every try: at most 3 retries, then failed with the provider's code.
    stack
        .inject_fault("SendTextMessage", 10, 400, "ThrottlingException")
        .await;
    let (status, e) = stack
        .send_message(&op, "sms", json!({ "contactId": id, "text": "never gets through" }))
        .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (502, Some("PROVIDER_ERROR")),
        "{e}"
    );
    let sms = stack
        .ledger()
        .await
        .into_iter()
        .filter(|e| e["operation"] == "SendTextMessage")
        .count();
    assert_eq!(sms, 4, "the first attempt and three retries");
    let failed = &stack.timeline(&op, &id).await[0];
    assert_eq!(
        (failed["status"].as_str(), failed["error"]["code"].as_str()),
        (Some("failed"), Some("ThrottlingException"))
    );
}

#[tokio::test]
async fn an_answer_lost_after_the_provider_took_the_message_is_unknown_until_a_status_settles_it() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let id = customer(&stack, &op, "+919876500004").await;
    stack
        .fault(json!({ "operation": "SendWhatsAppMessage", "count": 1, "mode": "drop" }))
        .await;
    let body = json!({ "contactId": id, "text": "Did this arrive?" });
    let (status, m) = stack.send_with_key(&op, "whatsapp", &body, "lost-answer").await;
    assert_eq!((status, m["status"].as_str()), (202, Some("unknown")), "{m}");

    // The operator presses Send again: the same key never reaches the provider a second time.
    let (status, again) = stack.send_with_key(&op, "whatsapp", &body, "lost-answer").await;
    assert_eq!((status, again["status"].as_str()), (202, Some("unknown")));
    let ledger = stack.ledger().await;
    assert_eq!(sends(&ledger).len(), 1, "no second ledger entry");

    // The provider did take it: its delivery status settles the record.
    let aws_id = ledger[0]["response"]["messageId"].as_str().unwrap().to_string();
    stack
        .customer_status(json!({ "messageId": aws_id, "status": "delivered" }))
        .await;
    eventually(
        "the unknown send to be settled as delivered",
        Duration::from_secs(10),
        || async {
            let t = stack.timeline(&op, &id).await;
            (t[0]["status"] == "delivered").then_some(())
        },
    )
    .await;

    // A 5xx may have been accepted too: unknown, not retried.
    stack
        .inject_fault("SendWhatsAppMessage", 5, 500, "InternalServiceException")
        .await;
    let (status, m) = stack
        .send_message(&op, "whatsapp", json!({ "contactId": id, "text": "and this?" }))
        .await;
    assert_eq!((status, m["status"].as_str()), (202, Some("unknown")), "{m}");
    assert_eq!(m["error"]["code"], "InternalServiceException");
    assert_eq!(sends(&stack.ledger().await).len(), 2, "one call, no retry");
}

#[tokio::test]
async fn a_delivery_status_that_overtakes_the_send_answer_is_kept() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let id = customer(&stack, &op, "+919876500005").await;
    stack
        .fault(json!({ "operation": "SendWhatsAppMessage", "count": 1, "mode": "statusFirst", "latencyMs": 1500 }))
        .await;
    let (status, m) = stack
        .send_message(&op, "whatsapp", json!({ "contactId": id, "text": "fast customer" }))
        .await;
    assert_eq!(status, 202, "{m}");
    eventually("the timeline to show delivered", Duration::from_secs(10), || async {
        let t = stack.timeline(&op, &id).await;
        (t.len() == 1 && t[0]["status"] == "delivered" && t[0]["providerMessageId"].is_string()).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_provider_refusal_is_recorded_failed_with_its_code_and_audited() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let id = customer(&stack, &op, "+919876500006").await;
    stack
        .inject_fault("SendWhatsAppMessage", 1, 400, "ValidationException")
        .await;
    let (status, e) = stack
        .send_message(&op, "whatsapp", json!({ "contactId": id, "text": "refused" }))
        .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (502, Some("PROVIDER_ERROR")),
        "{e}"
    );
    let t = stack.timeline(&op, &id).await;
    assert_eq!(
        (t[0]["status"].as_str(), t[0]["error"]["code"].as_str()),
        (Some("failed"), Some("ValidationException"))
    );
    let tenant = TenantId::parse(seed::DEFAULT_TENANT).unwrap();
    let audit = wecare_store::audit::history(
        &stack.dynamo(),
        &stack.table(wecare_core::tables::Table::AuditLogs),
        &tenant,
        "contact",
        &id,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let send = audit
        .iter()
        .find(|a| a.action == "message.send")
        .expect("the send is audited");
    assert_eq!(send.outcome, "failed");
    assert_eq!(send.after.as_ref().unwrap()["providerCode"], "ValidationException");
}

#[tokio::test]
async fn senders_belong_to_one_tenant() {
    let stack = TestStack::start().await;
    let globex = stack.sign_in(Role::Operator, seed::SECOND_TENANT).await.id;
    let (status, c) = stack
        .call(
            Method::POST,
            "/api/contacts",
            Some(&globex),
            Some(&json!({ "phone": "+919876500007", "email": "g@example.com", "optInWhatsApp": true, "optInSms": true, "optInEmail": true })),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    let id = c["contactId"].as_str().unwrap().to_string();
    let template = json!({ "name": "hello_world", "language": "en_US" });

    let (status, e) = stack
        .send_message(
            &globex,
            "whatsapp",
            json!({ "contactId": id, "template": template, "from": WECARE_DEFAULT }),
        )
        .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (403, Some("NOT_ALLOWLISTED")),
        "{e}"
    );
    assert!(stack.ledger().await.is_empty(), "nothing reached the provider");

    let (status, m) = stack
        .send_message(&globex, "whatsapp", json!({ "contactId": id, "template": template }))
        .await;
    assert_eq!((status, m["from"].as_str()), (202, Some(GLOBEX_NUMBER)), "{m}");
    let (status, m) = stack
        .send_message(&globex, "sms", json!({ "contactId": id, "text": "hi" }))
        .await;
    assert_eq!(status, 202, "{m}");
    assert_eq!(m["from"], "pool-1d2c3b4a59687f0e1d2c3b4a59687f0e");
    let (status, m) = stack
        .send_message(
            &globex,
            "email",
            json!({ "contactId": id, "subject": "Hi", "text": "hello" }),
        )
        .await;
    assert_eq!((status, m["from"].as_str()), (202, Some(seed::GLOBEX_EMAIL)), "{m}");
    // The sends alone (the ledger also holds the template catalogue's reads).
    let ledger: Vec<_> = stack
        .ledger()
        .await
        .into_iter()
        .filter(|e| e["operation"].as_str().is_some_and(|o| o.starts_with("Send")))
        .collect();
    assert_eq!(ledger[0]["request"]["originationPhoneNumberId"], GLOBEX_NUMBER);
    assert_eq!(
        ledger[1]["request"]["OriginationIdentity"],
        "pool-1d2c3b4a59687f0e1d2c3b4a59687f0e"
    );

    // Each tenant lists only its own senders, the default first.
    let (_, list) = stack
        .call(Method::GET, "/api/senders?channel=whatsapp", Some(&globex), None)
        .await;
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["senderId"].as_str())
        .collect();
    assert_eq!(ids, [GLOBEX_NUMBER]);
    let op = stack.token(Role::Operator).await;
    let (_, list) = stack.call(Method::GET, "/api/senders", Some(&op), None).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 4, "two numbers, a pool and an address: {list}");
    assert_eq!(
        (items[0]["senderId"].as_str(), items[0]["default"].as_bool()),
        (Some(WECARE_DEFAULT), Some(true))
    );
}

#[tokio::test]
async fn inbound_to_a_number_no_tenant_owns_is_stored_nowhere_and_dead_lettered_with_the_reason() {
    let stack = TestStack::start().await;
    stack
        .customer_message(json!({
            "from": "+919876500008", "text": "hello?",
            "phoneNumberId": "phone-number-id-00000000000000000000000000000bad",
        }))
        .await;
    let dead = eventually("the event in inbound-dlq", Duration::from_secs(10), || async {
        stack.peek_queue("inbound-dlq").await.into_iter().next()
    })
    .await;
    assert!(dead.1["reason"].starts_with("UNOWNED_NUMBER"), "{:?}", dead.1);
    assert!(
        dead.0["Message"].as_str().unwrap().contains("hello?"),
        "the event itself is kept"
    );
    for tenant in [seed::DEFAULT_TENANT, seed::SECOND_TENANT] {
        let token = stack.sign_in(Role::Operator, tenant).await.id;
        let (_, list) = stack.call(Method::GET, "/api/contacts", Some(&token), None).await;
        assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "{tenant}: {list}");
    }
}

/// 200 sends one after the other, at well under a tenth of the limit, each reaching the limiter
/// 1.5 s after its request began: none is refused (the wait is measured from the limiter).
#[tokio::test]
async fn sends_far_below_the_limit_are_never_refused_however_slowly_they_arrive() {
    let stack = TestStack::start_with(&[("RATE_WHATSAPP_PER_SECOND", "1000")]).await;
    let op = stack.token(Role::Operator).await;
    let id = customer(&stack, &op, "+919876500009").await;
    let contact = ContactId::parse(&id).unwrap();
    let config = wecare_messaging::Config::from(Env::from_map(stack.function_env())).unwrap();
    let deps = wecare_messaging::Deps::new(
        config,
        &stack.sdk,
        stack.dynamo(),
        &wecare_messaging::ProviderEndpoints {
            social_messaging: Some(stack.sandbox.clone()),
            sms_voice: Some(stack.sandbox.clone()),
            bedrock_agent_runtime: Some(stack.sandbox.clone()),
        },
    );
    let tenant = TenantId::parse(seed::DEFAULT_TENANT).unwrap();
    let started = std::time::Instant::now();
    let mut refused = 0;
    for i in 0..200 {
        let cmd = SendCommand {
            tenant: tenant.clone(),
            actor: Actor::Operator(wecare_messaging::system_context(&tenant)),
            contact_id: contact,
            content: Content::WhatsApp(WhatsAppContent::Text(format!("update {i}"))),
            from: None,
            key: IdempotencyKey::random(),
            now: chrono::Utc::now() - chrono::Duration::milliseconds(1500),
            pacer: None,
        };
        match wecare_messaging::send(&deps, cmd).await.unwrap() {
            SendOutcome::Sent(_) => {}
            SendOutcome::Refused(r) => {
                eprintln!("refused: {r}");
                refused += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    let rate = 200.0 / started.elapsed().as_secs_f64();
    eprintln!("200 sequential sends at {rate:.0}/s against 1000/s: {refused} refused");
    assert!(rate < 100.0, "the test must stay below a tenth of the limit");
    assert_eq!(refused, 0);
}

/// A status for a message with no record yet is kept, and the send that claims that message
/// takes it over: nothing the provider reported is lost, whatever order things happen in.
#[tokio::test]
async fn a_status_for_a_message_not_recorded_yet_is_applied_when_its_send_settles() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let id = customer(&stack, &op, "+919876500010").await;
    let tenant = TenantId::parse(seed::DEFAULT_TENANT).unwrap();
    let key = IdempotencyKey::parse("early-status").unwrap();
    let messages = wecare_store::MessagesRepo::new(
        stack.dynamo(),
        stack.table(wecare_core::tables::Table::Messages),
        stack.table(wecare_core::tables::Table::BulkRecipients),
        stack.table(wecare_core::tables::Table::AuditLogs),
    );
    let outcome = messages
        .apply_status(
            &tenant,
            &key.message_id(&tenant),
            wecare_core::message::MessageStatus::Delivered,
            None,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(outcome, wecare_store::messages::StatusOutcome::Pending);
    assert!(stack.timeline(&op, &id).await.is_empty(), "a kept status is no message");

    let (status, m) = stack
        .send_with_key(
            &op,
            "whatsapp",
            &json!({ "contactId": id, "text": "hello" }),
            key.as_str(),
        )
        .await;
    assert_eq!((status, m["status"].as_str()), (202, Some("delivered")), "{m}");
    assert_eq!(stack.timeline(&op, &id).await[0]["status"], "delivered");
}
