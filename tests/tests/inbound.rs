//! Inbound WhatsApp end to end: EUM Social events as SNS delivers them, either published by the
//! provider sandbox (through SNS and SQS in moto, as in `make dev`) or handed to the handler
//! directly when a test needs exact control over duplicates and order. The sandbox's ledger
//! witnesses what was sent back (the opt-out confirmation, replies).

use std::time::{Duration, Instant};

use aws_lambda_events::event::sns::SnsEvent;
use chrono::Utc;
use futures::StreamExt;
use serde_json::{json, Value};
use wecare_core::tables::Table;
use wecare_core::Role;
use wecare_local::seed;
use wecare_tests::{eventually, Method, TestStack};

/// A ceiling, not a pause: the 1000-delivery test shares moto and can hold it for a minute.
const WAIT: Duration = Duration::from_secs(90);

/// The EUM Social SNS message for one Meta `change.value`, received on the first seeded number.
fn eum_message(value: Value) -> String {
    let number = &seed::whatsapp_numbers()[0].setting;
    let bare = number.phone_number_id.trim_start_matches("phone-number-id-");
    let entry = json!({ "id": number.waba_id, "changes": [{ "field": "messages", "value": value }] });
    json!({
        "context": {
            "MetaWabaIds": [{ "wabaId": number.waba_id, "arn": format!("arn:aws:social-messaging:us-east-1:123456789012:waba/{}", number.waba_id) }],
            "MetaPhoneNumberIds": [{ "metaPhoneNumberId": number.meta_phone_number_id, "arn": format!("arn:aws:social-messaging:us-east-1:123456789012:phone-number-id/{bare}") }],
        },
        "whatsAppWebhookEntry": entry.to_string(),
        "aws_account_id": "123456789012",
        "message_timestamp": "2026-12-02T03:30:43.271279391Z",
        "messageId": uuid::Uuid::new_v4().to_string(),
    })
    .to_string()
}

/// A Meta `value` carrying one inbound message from `from` (digits, no `+`).
fn inbound_value(from: &str, message: Value) -> Value {
    let mut message = message;
    message["from"] = json!(from);
    message["from_user_id"] = json!(format!("IN.{from}"));
    json!({
        "messaging_product": "whatsapp",
        "metadata": { "display_phone_number": "+91 93309 94400", "phone_number_id": "106540352242922" },
        "contacts": [{ "profile": { "name": "Ravi Kumar" }, "wa_id": from, "user_id": format!("IN.{from}") }],
        "messages": [message],
    })
}

fn text(wamid: &str, body: &str) -> Value {
    json!({ "id": wamid, "timestamp": Utc::now().timestamp().to_string(), "type": "text", "text": { "body": body } })
}

/// The SNS event Lambda receives, one record per message.
fn sns_event(messages: &[String]) -> SnsEvent {
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            json!({
                "EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:events:1",
                "Sns": {
                    "Type": "Notification", "MessageId": uuid::Uuid::new_v4().to_string(),
                    "TopicArn": "arn:aws:sns:us-east-1:123456789012:events", "Subject": null, "Message": m,
                    "Timestamp": "2026-12-02T03:30:43.271Z", "SignatureVersion": "1", "Signature": "",
                    "SigningCertUrl": "", "UnsubscribeUrl": "", "MessageAttributes": {},
                },
            })
        })
        .collect();
    serde_json::from_value(json!({ "Records": records })).expect("SNS event")
}

async fn deliver(stack: &TestStack, messages: &[String]) -> bool {
    match stack.functions.inbound(sns_event(messages), Utc::now()).await {
        Ok(()) => true,
        Err(e) => {
            eprintln!("delivery failed: {e}");
            false
        }
    }
}

async fn conversations(stack: &TestStack, token: &str) -> Vec<Value> {
    let (status, inbox) = stack.call(Method::GET, "/api/conversations", Some(token), None).await;
    assert_eq!(status, 200, "{inbox}");
    inbox["items"].as_array().cloned().unwrap_or_default()
}

async fn timeline(stack: &TestStack, token: &str, contact: &str) -> Vec<Value> {
    let (status, t) = stack
        .call(
            Method::GET,
            &format!("/api/contacts/{contact}/messages"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{t}");
    t["items"].as_array().cloned().unwrap_or_default()
}

async fn contact(stack: &TestStack, token: &str, id: &str) -> Value {
    let (status, c) = stack
        .call(Method::GET, &format!("/api/contacts/{id}"), Some(token), None)
        .await;
    assert_eq!(status, 200, "{c}");
    c
}

async fn whatsapp_sends(stack: &TestStack) -> Vec<Value> {
    stack
        .ledger()
        .await
        .into_iter()
        .filter(|e| e["operation"] == "SendWhatsAppMessage")
        .collect()
}

#[tokio::test]
async fn an_inbound_hi_creates_an_opted_out_contact_opens_the_window_and_the_reply_advances_to_read() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;

    stack
        .customer_message(json!({ "from": "+919812345678", "name": "Ravi Kumar", "text": "hi" }))
        .await;
    let row = eventually("the conversation in the inbox", WAIT, || async {
        conversations(&stack, &op).await.into_iter().next()
    })
    .await;
    assert_eq!(row["lastMessage"]["text"], "hi");
    assert_eq!(row["lastMessage"]["direction"], "inbound");
    assert_eq!(row["unreadCount"], 1);
    assert!(
        row["windowExpiresAt"].is_string(),
        "the hi opened the 24 h window: {row}"
    );

    let id = row["contactId"].as_str().unwrap().to_string();
    let c = contact(&stack, &op, &id).await;
    assert_eq!(
        (c["phone"].as_str(), c["name"].as_str()),
        (Some("+919812345678"), Some("Ravi Kumar"))
    );
    assert_eq!(
        (
            c["optInWhatsApp"].as_bool(),
            c["optInSms"].as_bool(),
            c["optInEmail"].as_bool()
        ),
        (Some(false), Some(false), Some(false))
    );
    assert_eq!(c["createdBy"], "inbound");
    assert!(c["lastInboundMessageAt"].is_string());

    // Writing in is not consent: the reply waits for an explicit opt-in.
    let reply = json!({ "contactId": id, "text": "Hello Ravi, how can we help?" });
    let (status, e) = stack
        .call(Method::POST, "/api/messages/whatsapp", Some(&op), Some(&reply))
        .await;
    assert_eq!((status, e["error"]["code"].as_str()), (422, Some("NOT_OPTED_IN")));
    stack
        .call(
            Method::PATCH,
            &format!("/api/contacts/{id}"),
            Some(&op),
            Some(&json!({ "optInWhatsApp": true })),
        )
        .await;
    let (status, sent) = stack
        .call(Method::POST, "/api/messages/whatsapp", Some(&op), Some(&reply))
        .await;
    assert_eq!(status, 202, "free-form inside the window: {sent}");
    let provider_id = sent["providerMessageId"].as_str().unwrap().to_string();

    for status in ["sent", "delivered", "read"] {
        stack
            .customer_status(json!({ "messageId": provider_id, "status": status }))
            .await;
        eventually(&format!("the reply to be {status}"), WAIT, || async {
            let items = timeline(&stack, &op, &id).await;
            items
                .iter()
                .find(|m| m["messageId"] == sent["messageId"] && m["status"] == status)
                .cloned()
        })
        .await;
    }
    // The inbox row carries the same ticks, and opening the conversation clears its unread count.
    let row = conversations(&stack, &op).await.remove(0);
    assert_eq!(
        (
            row["lastMessage"]["messageId"].clone(),
            row["lastMessage"]["status"].as_str()
        ),
        (sent["messageId"].clone(), Some("read"))
    );
    assert_eq!(row["unreadCount"], 1);
    let read = format!("/api/conversations/{id}/read");
    let (status, r) = stack.call(Method::POST, &read, Some(&op), None).await;
    assert_eq!((status, r["changed"].as_bool()), (200, Some(true)), "{r}");
    assert_eq!(conversations(&stack, &op).await[0]["unreadCount"], 0);
    let (_, again) = stack.call(Method::POST, &read, Some(&op), None).await;
    assert_eq!(again["changed"], false, "nothing left unread, nothing written");
}

#[tokio::test]
async fn every_message_type_is_stored_and_media_is_copied_to_the_bucket() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Viewer).await;
    let from = "+919800000001";
    let kinds = [
        json!({ "type": "text", "text": "hello" }),
        json!({ "type": "image", "caption": "my receipt", "mimeType": "image/png" }),
        json!({ "type": "document", "filename": "invoice.pdf" }),
        json!({ "type": "audio" }),
        json!({ "type": "video" }),
        json!({ "type": "sticker" }),
        json!({ "type": "location", "latitude": 19.076, "longitude": 72.8777 }),
        json!({ "type": "interactive", "buttonId": "yes", "buttonTitle": "Yes please" }),
    ];
    for k in &kinds {
        let mut body = k.clone();
        body["from"] = json!(from);
        stack.customer_message(body).await;
    }
    let id = eventually("the conversation", WAIT, || async {
        conversations(&stack, &op)
            .await
            .first()
            .map(|r| r["contactId"].as_str().unwrap().to_string())
    })
    .await;
    let items = eventually("all eight messages", WAIT, || async {
        let items = timeline(&stack, &op, &id).await;
        (items.len() == kinds.len()).then_some(items)
    })
    .await;
    let of = |kind: &str| {
        items
            .iter()
            .find(|m| m["details"]["type"] == kind)
            .cloned()
            .expect(kind)
    };

    assert_eq!(of("text")["text"], "hello");
    assert_eq!(of("image")["text"], "my receipt", "a caption is the message's text");
    assert_eq!(of("interactive")["text"], "Yes please");
    assert_eq!(of("location")["details"]["location"]["latitude"], 19.076);

    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&stack.sdk)
            .force_path_style(true)
            .build(),
    );
    let media = aws_sdk_dynamodb::Client::new(&stack.sdk);
    for kind in ["image", "document", "audio", "video", "sticker"] {
        let m = of(kind);
        let file = &m["details"]["media"];
        let key = file["s3Key"]
            .as_str()
            .unwrap_or_else(|| panic!("{kind} has no S3 key: {m}"));
        assert!(key.starts_with("incoming/wecare/"), "{key}");
        let object = s3
            .get_object()
            .bucket(&stack.resources.media_bucket)
            .key(key)
            .send()
            .await
            .expect(kind);
        let bytes = object.body.collect().await.unwrap().into_bytes();
        assert_eq!(bytes.len() as i64, file["size"].as_i64().unwrap(), "{kind}");
        let records = media
            .query()
            .table_name(stack.table(Table::MediaFiles))
            .index_name("gsi1")
            .key_condition_expression("gsi1pk = :p")
            .expression_attribute_values(
                ":p",
                aws_sdk_dynamodb::types::AttributeValue::S(format!("wecare#MSG#{}", m["messageId"].as_str().unwrap())),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(records.count, 1, "{kind} has its MediaFiles record");
    }
    let png = s3
        .get_object()
        .bucket(&stack.resources.media_bucket)
        .key(of("image")["details"]["media"]["s3Key"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(&png.body.collect().await.unwrap().into_bytes()[..4], b"\x89PNG");
}

#[tokio::test]
async fn a_message_type_nobody_knows_is_stored_as_unsupported_not_dropped() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let order = json!({ "id": "wamid.order1", "timestamp": "1764646243", "type": "order",
        "order": { "catalog_id": "1", "product_items": [{ "product_retailer_id": "sku-1", "quantity": 2 }] } });
    assert!(deliver(&stack, &[eum_message(inbound_value("919800000002", order))]).await);
    let row = conversations(&stack, &op).await.remove(0);
    let m = &timeline(&stack, &op, row["contactId"].as_str().unwrap()).await[0];
    assert_eq!(
        (m["details"]["type"].as_str(), m["details"]["unsupported"].as_bool()),
        (Some("order"), Some(true))
    );
}

#[tokio::test]
async fn a_thousand_concurrent_duplicate_deliveries_store_exactly_one_message_and_one_contact() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let event = eum_message(inbound_value(
        "919811112222",
        text("wamid.dup1", "is my order on its way?"),
    ));

    let started = Instant::now();
    // 1000 deliveries, 100 in flight at any moment: in AWS each is its own invocation with its own
    // connections, but moto (one Python process) resets and times out connections well before
    // 1000 open at once, which would test moto's accept queue rather than our idempotency.
    let results: Vec<bool> = futures::stream::iter((0..1000).map(|_| deliver(&stack, std::slice::from_ref(&event))))
        .buffer_unordered(100)
        .collect()
        .await;
    eprintln!(
        "1000 concurrent duplicate deliveries handled in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        results.iter().all(|ok| *ok),
        "every duplicate is a success, not a retry"
    );

    let (_, contacts) = stack.call(Method::GET, "/api/contacts", Some(&op), None).await;
    assert_eq!(contacts["items"].as_array().unwrap().len(), 1, "{contacts}");
    let rows = conversations(&stack, &op).await;
    assert_eq!((rows.len(), rows[0]["unreadCount"].as_i64()), (1, Some(1)));
    assert_eq!(
        timeline(&stack, &op, rows[0]["contactId"].as_str().unwrap())
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn stop_turns_whatsapp_off_with_one_confirmation_and_start_turns_it_back_on() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let (status, c) = stack
        .call(
            Method::POST,
            "/api/contacts",
            Some(&op),
            Some(&json!({ "phone": "+919822223333", "optInWhatsApp": true })),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    let id = c["contactId"].as_str().unwrap().to_string();
    let from = "919822223333";
    let say = |wamid: &str, body: &str| eum_message(inbound_value(from, text(wamid, body)));

    assert!(deliver(&stack, &[say("wamid.s1", "please don't stop")]).await);
    assert_eq!(
        contact(&stack, &op, &id).await["optInWhatsApp"],
        true,
        "a sentence is not a keyword"
    );

    // The STOP arrives five times at once, as SNS may redeliver it.
    let stop = say("wamid.s2", "  Stop ");
    let all = futures::future::join_all((0..5).map(|_| deliver(&stack, std::slice::from_ref(&stop)))).await;
    assert!(all.into_iter().all(|ok| ok));
    let c = contact(&stack, &op, &id).await;
    assert_eq!(c["optInWhatsApp"], false);
    let last = c["consentHistory"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (
            last["channel"].as_str(),
            last["optedIn"].as_bool(),
            last["source"].as_str()
        ),
        (Some("whatsapp"), Some(false), Some("inbound_keyword"))
    );

    let sends = whatsapp_sends(&stack).await;
    assert_eq!(sends.len(), 1, "exactly one confirmation: {sends:?}");
    assert_eq!(sends[0]["request"]["message"]["to"], "+919822223333");
    let items = timeline(&stack, &op, &id).await;
    let confirmation = items
        .iter()
        .find(|m| m["direction"] == "outbound")
        .expect("the confirmation is recorded");
    assert_eq!(confirmation["details"]["kind"], "opt_out_confirmation");

    // Already opted out: another STOP sends nothing, and operators cannot send either.
    assert!(deliver(&stack, &[say("wamid.s3", "UNSUBSCRIBE")]).await);
    assert_eq!(whatsapp_sends(&stack).await.len(), 1);
    let (status, e) = stack
        .call(
            Method::POST,
            "/api/messages/whatsapp",
            Some(&op),
            Some(&json!({ "contactId": id, "text": "wait!" })),
        )
        .await;
    assert_eq!((status, e["error"]["code"].as_str()), (422, Some("NOT_OPTED_IN")));

    // A second later (WhatsApp stamps whole seconds, and within the STOP's second a START would
    // lose the tie: ties fail closed).
    let start = json!({ "id": "wamid.s4", "timestamp": (Utc::now().timestamp() + 1).to_string(), "type": "text", "text": { "body": "START" } });
    assert!(deliver(&stack, &[eum_message(inbound_value(from, start))]).await);
    let c = contact(&stack, &op, &id).await;
    assert_eq!(c["optInWhatsApp"], true);
    assert_eq!(
        c["consentHistory"].as_array().unwrap().last().unwrap()["source"],
        "inbound_keyword"
    );
}

#[tokio::test]
async fn statuses_only_move_a_message_forward_whatever_order_they_arrive_in() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let (_, c) = stack
        .call(
            Method::POST,
            "/api/contacts",
            Some(&op),
            Some(&json!({ "phone": "+919833334444", "optInWhatsApp": true })),
        )
        .await;
    let id = c["contactId"].as_str().unwrap().to_string();
    let template = json!({ "contactId": id, "template": { "name": "order_update", "language": "en_US", "parameters": ["Asha", "#1"] } });
    let (_, first) = stack
        .call(Method::POST, "/api/messages/whatsapp", Some(&op), Some(&template))
        .await;
    let (_, second) = stack
        .call(Method::POST, "/api/messages/whatsapp", Some(&op), Some(&template))
        .await;
    let sends = whatsapp_sends(&stack).await;
    let status_of = |sent: &Value, status: &str, errors: Option<Value>| {
        let entry = sends
            .iter()
            .find(|e| e["response"]["messageId"] == sent["providerMessageId"])
            .expect("in the ledger");
        let mut s = json!({
            "id": entry["response"]["wamid"], "status": status, "timestamp": "1764646243", "recipient_id": "919833334444",
            "biz_opaque_callback_data": entry["request"]["message"]["biz_opaque_callback_data"],
        });
        if let Some(e) = errors {
            s["errors"] = e;
        }
        eum_message(
            json!({ "messaging_product": "whatsapp", "metadata": { "phone_number_id": "106540352242922" }, "statuses": [s] }),
        )
    };
    let status_now = |m: &Value| {
        let m = m.clone();
        let (stack, op, id) = (&stack, &op, &id);
        async move {
            timeline(stack, op, id)
                .await
                .into_iter()
                .find(|x| x["messageId"] == m["messageId"])
                .expect("in the timeline")
        }
    };

    // read first, then the earlier ones late and twice each.
    for status in ["read", "delivered", "sent", "delivered", "sent", "read"] {
        assert!(deliver(&stack, &[status_of(&first, status, None)]).await);
    }
    assert_eq!(status_now(&first).await["status"], "read");

    let errors = json!([{ "code": 131026, "title": "Message undeliverable", "message": "Receiver is incapable of receiving this message" }]);
    assert!(deliver(&stack, &[status_of(&second, "sent", None)]).await);
    assert!(deliver(&stack, &[status_of(&second, "failed", Some(errors))]).await);
    assert!(deliver(&stack, &[status_of(&second, "delivered", None)]).await);
    let m = status_now(&second).await;
    assert_eq!(m["status"], "failed", "failed is terminal: {m}");
    assert_eq!(
        (m["error"]["code"].as_str(), m["error"]["message"].as_str()),
        (Some("131026"), Some("Receiver is incapable of receiving this message"))
    );
}

#[tokio::test]
async fn a_record_that_is_no_eum_event_is_dead_lettered_with_its_reason_and_the_others_are_stored() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;

    // In one batch, the malformed record is dead-lettered with its reason at once (retrying it
    // would change nothing), and the good one is stored.
    let good = eum_message(inbound_value("919844445555", text("wamid.good", "hello")));
    assert!(deliver(&stack, &["{ not an EUM envelope".to_string(), good]).await);
    assert_eq!(conversations(&stack, &op).await.len(), 1);
    let dead = stack.peek_queue("inbound-dlq").await;
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert!(dead[0].1["reason"].starts_with("MALFORMED"), "{:?}", dead[0].1);
    assert_eq!(dead[0].0["Message"], "{ not an EUM envelope");

    // Through SNS: stored nowhere, in inbound-dlq with the reason, without three retries first.
    let poison = json!({ "context": {}, "whatsAppWebhookEntry": "[1, 2, 3]" }).to_string();
    aws_sdk_sns::Client::new(&stack.sdk)
        .publish()
        .topic_arn(&stack.resources.sns_topic_arn)
        .message(&poison)
        .send()
        .await
        .expect("publish");
    let dead = eventually("the poison event in inbound-dlq", Duration::from_secs(10), || async {
        stack
            .peek_queue("inbound-dlq")
            .await
            .into_iter()
            .find(|(body, _)| body["Message"] == poison)
    })
    .await;
    assert!(dead.1["reason"].starts_with("MALFORMED"), "{:?}", dead.1);
}

/// A Meta `value` from a user who writes from a WhatsApp username without showing a number.
fn username_value(wamid: &str, body: &str) -> Value {
    let message = json!({ "from_user_id": "IN.1234567890ABCDEF", "id": wamid, "timestamp": Utc::now().timestamp().to_string(), "type": "text", "text": { "body": body } });
    json!({
        "messaging_product": "whatsapp", "metadata": { "phone_number_id": "106540352242922" },
        "contacts": [{ "profile": { "name": "Priya" }, "user_id": "IN.1234567890ABCDEF" }],
        "messages": [message],
    })
}

#[tokio::test]
async fn a_sender_without_a_phone_number_is_known_by_the_business_scoped_user_id() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    for (wamid, body) in [("wamid.u1", "hi"), ("wamid.u2", "anyone there?")] {
        assert!(deliver(&stack, &[eum_message(username_value(wamid, body))]).await);
    }
    let (_, contacts) = stack.call(Method::GET, "/api/contacts", Some(&op), None).await;
    let items = contacts["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "both messages belong to one contact: {contacts}");
    assert_eq!(
        (items[0]["whatsappUserId"].as_str(), items[0]["phone"].as_str()),
        (Some("IN.1234567890ABCDEF"), None)
    );
    assert_eq!(
        timeline(&stack, &op, items[0]["contactId"].as_str().unwrap())
            .await
            .len(),
        2
    );
}

#[tokio::test]
async fn a_user_without_a_visible_number_is_answered_by_their_user_id_and_their_stop_confirmed() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    assert!(
        deliver(
            &stack,
            &[eum_message(username_value("wamid.n1", "is my order shipped?"))]
        )
        .await
    );
    let (_, contacts) = stack.call(Method::GET, "/api/contacts", Some(&op), None).await;
    let id = contacts["items"][0]["contactId"].as_str().unwrap().to_string();

    // The user id is an address: the contact may be opted in although it has no phone or email.
    let (status, c) = stack
        .call(
            Method::PATCH,
            &format!("/api/contacts/{id}"),
            Some(&op),
            Some(&json!({ "optInWhatsApp": true, "optInSms": true })),
        )
        .await;
    assert_eq!((status, c["optInWhatsApp"].as_bool()), (200, Some(true)), "{c}");
    let reply = json!({ "contactId": id, "text": "Yes, it left this morning." });
    let (status, sent) = stack
        .call(Method::POST, "/api/messages/whatsapp", Some(&op), Some(&reply))
        .await;
    assert_eq!(status, 202, "{sent}");
    assert_eq!(sent["to"], "IN.1234567890ABCDEF");
    let sends = whatsapp_sends(&stack).await;
    let message = &sends.last().expect("the reply reached the provider")["request"]["message"];
    assert_eq!(
        (message["recipient"].as_str(), message.get("to")),
        (Some("IN.1234567890ABCDEF"), None),
        "Meta takes a user id in `recipient`, never in `to`: {message}"
    );
    // An SMS, consent or not, has nowhere to go.
    let (status, e) = stack
        .call(
            Method::POST,
            "/api/messages/sms",
            Some(&op),
            Some(&json!({ "contactId": id, "text": "hello" })),
        )
        .await;
    assert_eq!(
        (status, e["error"]["message"].as_str()),
        (400, Some("contactId: the contact has no phone"))
    );

    assert!(deliver(&stack, &[eum_message(username_value("wamid.n2", "STOP"))]).await);
    let sends = whatsapp_sends(&stack).await;
    assert_eq!(sends.len(), 2, "the reply and one confirmation: {sends:?}");
    assert_eq!(sends[1]["request"]["message"]["recipient"], "IN.1234567890ABCDEF");
    assert_eq!(contact(&stack, &op, &id).await["optInWhatsApp"], false);
}

/// The customer sent START, then STOP a minute later; SNS delivered the STOP first. Consent
/// follows what the customer said last, not what was processed last.
#[tokio::test]
async fn a_start_sent_before_a_stop_but_delivered_after_it_leaves_the_contact_opted_out() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let from = "919877776666";
    let id = stack.create_contact(&op, json!({ "phone": format!("+{from}") })).await;
    let t = Utc::now().timestamp() + 5;
    let keyword = |wamid: &str, body: &str, at: i64| {
        eum_message(inbound_value(
            from,
            json!({ "id": wamid, "timestamp": at.to_string(), "type": "text", "text": { "body": body } }),
        ))
    };
    // An operator opted them in a moment ago; the STOP comes after that.
    stack
        .call(
            Method::PATCH,
            &format!("/api/contacts/{id}"),
            Some(&op),
            Some(&json!({ "optInWhatsApp": true })),
        )
        .await;
    assert!(deliver(&stack, &[keyword("wamid.stop", "STOP", t)]).await);
    assert!(deliver(&stack, &[keyword("wamid.start", "START", t - 60)]).await);
    // …and the late START once more, as a redelivery.
    assert!(deliver(&stack, &[keyword("wamid.start", "START", t - 60)]).await);

    let c = contact(&stack, &op, &id).await;
    assert_eq!(c["optInWhatsApp"], false, "{c}");
    let history = c["consentHistory"].as_array().unwrap();
    let late: Vec<&Value> = history.iter().filter(|h| h["event"] == "wamid.start").collect();
    assert_eq!(late.len(), 1, "recorded once, however often delivered: {history:?}");
    assert!(
        late[0]["notApplied"]
            .as_str()
            .unwrap()
            .contains("consent was last changed"),
        "{late:?}"
    );
    assert_eq!(c["lastConsentChange"]["whatsapp"]["event"], "wamid.stop");
    // The late START is still in the timeline: the customer did say it.
    let texts: Vec<String> = timeline(&stack, &op, &id)
        .await
        .iter()
        .filter_map(|m| m["text"].as_str().map(str::to_string))
        .collect();
    assert!(texts.contains(&"START".to_string()), "{texts:?}");
}
