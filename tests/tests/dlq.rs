//! Dead-letter queues end to end, against moto through the real SDK: what lands in `inbound-dlq`
//! (the local redrive's SNS notification, Lambda's on-failure record, the inbound handler's own
//! dead letter), `bulk-dlq` (a chunk whose worker died) and `outbound-dlq` (a STOP confirmation
//! the platform failed to send) is listed for the tenant's Admin and replayed by the logic of its
//! original consumer: once, at most five times, and never another tenant's. The sandbox's ledger
//! witnesses what was sent.

use std::time::Duration;

use aws_sdk_sqs::types::{MessageAttributeValue, QueueAttributeName};
use chrono::Utc;
use serde_json::{json, Value};
use wecare_core::tables::Table;
use wecare_core::{Channel, ContactId, IdempotencyKey, Role, TenantId};
use wecare_local::bulk_pump::PumpOptions;
use wecare_local::seed;
use wecare_messaging::dead_letter::{OutboundDeadLetter, Purpose};
use wecare_messaging::{Content, WhatsAppContent};
use wecare_tests::bulk::{create_job, finished, ids, per_recipient, seed_contacts, Person};
use wecare_tests::{eventually, Method, TestStack};

const WAIT: Duration = Duration::from_secs(60);

/// The EUM Social envelope of one inbound message on the seeded number `number` (an index into
/// `seed::whatsapp_numbers()`).
fn eum_message(number: usize, message: Value) -> String {
    let n = &seed::whatsapp_numbers()[number].setting;
    let bare = n.phone_number_id.trim_start_matches("phone-number-id-");
    let from = message["from"].as_str().unwrap_or_default().to_string();
    let value = json!({
        "messaging_product": "whatsapp",
        "metadata": { "display_phone_number": n.display_phone_number, "phone_number_id": n.meta_phone_number_id },
        "contacts": [{ "profile": { "name": "Asha" }, "wa_id": from, "user_id": format!("IN.{from}") }],
        "messages": [message],
    });
    let entry = json!({ "id": n.waba_id, "changes": [{ "field": "messages", "value": value }] });
    json!({
        "context": {
            "MetaWabaIds": [{ "wabaId": n.waba_id, "arn": format!("arn:aws:social-messaging:us-east-1:123456789012:waba/{}", n.waba_id) }],
            "MetaPhoneNumberIds": [{ "metaPhoneNumberId": n.meta_phone_number_id, "arn": format!("arn:aws:social-messaging:us-east-1:123456789012:phone-number-id/{bare}") }],
        },
        "whatsAppWebhookEntry": entry.to_string(),
        "aws_account_id": "123456789012",
        "message_timestamp": "2026-12-02T03:30:43.271279391Z",
        "messageId": uuid::Uuid::new_v4().to_string(),
    })
    .to_string()
}

fn text(from: &str, wamid: &str, body: &str) -> Value {
    json!({ "from": from, "from_user_id": format!("IN.{from}"), "id": wamid, "timestamp": Utc::now().timestamp().to_string(), "type": "text", "text": { "body": body } })
}

/// An SNS notification as SNS writes it to a queue (the local redrive, a subscription's DLQ).
fn notification(sns_message_id: &str, message: &str) -> Value {
    json!({
        "Type": "Notification", "MessageId": sns_message_id,
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:wecare-production-whatsapp-events",
        "Message": message, "Timestamp": "2026-12-02T03:30:43.271Z", "SignatureVersion": "1",
        "Signature": "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:events:c9135db0",
    })
}

/// Lambda's on-failure destination record of an asynchronous invocation of the inbound handler
/// that failed its retries (the documented shape: `requestContext`, the original event under
/// `requestPayload`, the handler's error under `responsePayload`).
fn on_failure_record(sns_message_id: &str, message: &str) -> Value {
    json!({
        "version": "1.0",
        "timestamp": "2026-12-02T03:33:12.117Z",
        "requestContext": {
            "requestId": "e4b46cbf-b738-4a9e-8880-a18cdf61200e",
            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:wecare-production-inbound-whatsapp-handler:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3,
        },
        "requestPayload": {
            "Records": [{
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:wecare-production-whatsapp-events:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": sns_message_id,
                    "TopicArn": "arn:aws:sns:us-east-1:123456789012:wecare-production-whatsapp-events",
                    "Subject": null,
                    "Message": message,
                    "Timestamp": "2026-12-02T03:30:43.271Z",
                    "SignatureVersion": "1",
                    "Signature": "tcc6faL2yUC6dgZdmrwh1Y4cGa/ebXEkAi6RibDsvpi+tE/1+82j...65r==",
                    "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
                    "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:wecare-production-whatsapp-events:2bcfbf39",
                    "MessageAttributes": {},
                },
            }],
        },
        "responseContext": { "statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled" },
        "responsePayload": {
            "errorType": "&alloc::boxed::Box<dyn core::error::Error + core::marker::Send + core::marker::Sync>",
            "errorMessage": "1 of 1 records failed; the first: DynamoDB TransactWriteItems failed: service error",
        },
    })
}

/// Sends `body` to one of the stack's queues, with string attributes.
async fn put(stack: &TestStack, queue: &str, body: &Value, attributes: &[(&str, &str)]) {
    let mut req = aws_sdk_sqs::Client::new(&stack.sdk)
        .send_message()
        .queue_url(&stack.resources.queues[queue])
        .message_body(match body {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    for (k, v) in attributes {
        req = req.message_attributes(
            *k,
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value(*v)
                .build()
                .expect("attribute"),
        );
    }
    req.send().await.expect("send to the queue");
}

/// Messages in a queue, visible or not.
async fn depth(stack: &TestStack, queue: &str) -> u64 {
    let out = aws_sdk_sqs::Client::new(&stack.sdk)
        .get_queue_attributes()
        .queue_url(&stack.resources.queues[queue])
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .expect("queue attributes");
    let attributes = out.attributes.unwrap_or_default();
    [
        QueueAttributeName::ApproximateNumberOfMessages,
        QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
    ]
    .iter()
    .filter_map(|a| attributes.get(a)?.parse::<u64>().ok())
    .sum()
}

async fn list(stack: &TestStack, token: &str, queue: &str) -> Vec<Value> {
    let (status, v) = stack
        .call(Method::GET, &format!("/api/dlq/{queue}"), Some(token), None)
        .await;
    assert_eq!(status, 200, "{v}");
    v["items"].as_array().cloned().unwrap_or_default()
}

async fn replay(stack: &TestStack, token: &str, queue: &str, body: Value) -> Vec<Value> {
    let (status, v) = stack
        .call(
            Method::POST,
            &format!("/api/dlq/{queue}/replay"),
            Some(token),
            Some(&body),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    v["results"].as_array().cloned().unwrap_or_default()
}

/// Every DLQMessages record.
async fn records(stack: &TestStack) -> Vec<Value> {
    let out = stack
        .dynamo()
        .scan()
        .table_name(stack.table(Table::DlqMessages))
        .send()
        .await
        .expect("scan");
    out.items
        .unwrap_or_default()
        .into_iter()
        .map(|i| {
            let mut v = serde_json::Map::new();
            for (k, a) in i {
                let value = match a {
                    aws_sdk_dynamodb::types::AttributeValue::S(s) => json!(s),
                    aws_sdk_dynamodb::types::AttributeValue::N(n) => json!(n.parse::<f64>().unwrap_or_default()),
                    _ => json!("…"),
                };
                v.insert(k, value);
            }
            Value::Object(v)
        })
        .collect()
}

async fn conversations(stack: &TestStack, token: &str) -> Vec<Value> {
    let (status, inbox) = stack.call(Method::GET, "/api/conversations", Some(token), None).await;
    assert_eq!(status, 200, "{inbox}");
    inbox["items"].as_array().cloned().unwrap_or_default()
}

/// A send of `tenant`'s the platform failed to make, as the inbound handler enqueues one.
fn dead_letter(tenant: &str, contact: ContactId, key: &str) -> OutboundDeadLetter {
    let tenant = TenantId::parse(tenant).expect("tenant");
    let key = IdempotencyKey::parse(key).expect("key");
    OutboundDeadLetter {
        message_id: key.message_id(&tenant),
        tenant,
        contact_id: contact,
        content: Content::WhatsApp(WhatsAppContent::Text(
            "You will no longer receive WhatsApp messages from us.".into(),
        )),
        from: None,
        key,
        purpose: Some(Purpose::OptOutConfirmation),
        error: "DynamoDB UpdateItem failed: service error".into(),
        failed_at: Utc::now(),
    }
}

#[tokio::test]
async fn only_an_admin_sees_or_replays_dead_letters_and_a_rejected_request_writes_nothing() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let letter = dead_letter(seed::DEFAULT_TENANT, ContactId::new(), "stop-confirmation:wamid.r1");
    put(&stack, "outbound-dlq", &json!(letter.body().unwrap()), &[]).await;

    for role in [Role::Operator, Role::Viewer] {
        let token = stack.token(role).await;
        let (status, e) = stack
            .call(Method::GET, "/api/dlq/outbound-dlq", Some(&token), None)
            .await;
        assert_eq!(
            (status, e["error"]["code"].as_str()),
            (403, Some("FORBIDDEN")),
            "{role:?}"
        );
        let (status, _) = stack
            .call(
                Method::POST,
                "/api/dlq/outbound-dlq/replay",
                Some(&token),
                Some(&json!({ "all": true })),
            )
            .await;
        assert_eq!(status, 403, "{role:?}");
    }
    for unknown in ["bulk-queue", "whatsapp-events", "nope"] {
        let (status, e) = stack
            .call(Method::GET, &format!("/api/dlq/{unknown}"), Some(&admin), None)
            .await;
        assert_eq!(
            (status, e["error"]["code"].as_str()),
            (404, Some("NOT_FOUND")),
            "{unknown}"
        );
    }

    let too_many: Vec<String> = (0..101).map(|i| format!("m-{i}")).collect();
    for body in [
        json!({ "messageIds": too_many }),
        json!({}),
        json!({ "all": true, "messageIds": [letter.message_id] }),
        json!({ "all": true, "force": true }),
    ] {
        let (status, e) = stack
            .call(Method::POST, "/api/dlq/outbound-dlq/replay", Some(&admin), Some(&body))
            .await;
        assert_eq!(
            (status, e["error"]["code"].as_str()),
            (400, Some("VALIDATION_FAILED")),
            "{body}: {e}"
        );
    }
    assert!(records(&stack).await.is_empty(), "a rejected request writes nothing");
    assert_eq!(depth(&stack, "outbound-dlq").await, 1);
    // The denials were audited, with who tried.
    let audit = stack
        .dynamo()
        .scan()
        .table_name(stack.table(Table::AuditLogs))
        .send()
        .await
        .expect("scan");
    let denied = audit
        .items
        .unwrap_or_default()
        .iter()
        .filter(|i| i.get("outcome").and_then(|o| o.as_s().ok()).map(String::as_str) == Some("denied"))
        .count();
    assert_eq!(denied, 4);
}

#[tokio::test]
async fn an_inbound_event_that_failed_three_times_is_listed_from_the_redrive_and_replayed_into_a_stored_message() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let operator = stack.token(Role::Operator).await;
    // The copy of the customer's photo fails three times: the local redrive moves the SNS
    // notification to inbound-dlq, as a subscription's dead-letter queue holds it in AWS.
    stack
        .inject_fault("GetWhatsAppMessageMedia", 3, 500, "InternalServiceException")
        .await;
    stack
        .customer_message(
            json!({ "from": "+919811100001", "type": "image", "caption": "my receipt", "mimeType": "image/png" }),
        )
        .await;
    let items = eventually("the event in inbound-dlq", WAIT, || async {
        let items = list(&stack, &admin, "inbound-dlq").await;
        (!items.is_empty()).then_some(items)
    })
    .await;
    assert_eq!(items.len(), 1, "{items:?}");
    let item = &items[0];
    assert_eq!(item["kind"], "sns-notification");
    assert_eq!(item["summary"]["messageType"], "image");
    assert_eq!(item["summary"]["sender"], "+919811100001");
    assert_eq!(item["summary"]["textPreview"], "my receipt");
    assert_eq!(
        (item["attempts"].as_u64(), item["state"].as_str()),
        (Some(0), Some("pending"))
    );
    assert!(item["firstFailedAt"].is_string(), "{item}");
    assert!(conversations(&stack, &operator).await.is_empty(), "nothing was stored");
    assert_eq!(
        depth(&stack, "inbound-dlq").await,
        1,
        "a listing leaves it in the queue"
    );

    let id = item["messageId"].as_str().unwrap();
    let results = replay(&stack, &admin, "inbound-dlq", json!({ "messageIds": [id] })).await;
    assert_eq!(results[0]["outcome"], "replayed", "{results:?}");
    assert_eq!(
        (results[0]["state"].as_str(), results[0]["attempts"].as_u64()),
        (Some("replayed"), Some(1))
    );
    let row = conversations(&stack, &operator).await.remove(0);
    assert_eq!(row["lastMessage"]["text"], "my receipt");
    let timeline = stack.timeline(&operator, row["contactId"].as_str().unwrap()).await;
    assert!(
        timeline[0]["details"]["media"]["s3Key"].is_string(),
        "the photo was copied: {timeline:?}"
    );
    assert_eq!(depth(&stack, "inbound-dlq").await, 0, "a replayed message is deleted");
    let record = &records(&stack).await[0];
    assert_eq!(record["pk"], "wecare#DLQ#inbound-dlq");
    assert_eq!(record["sk"], id);
    assert!(record["replayedAt"].is_string(), "{record}");
}

#[tokio::test]
async fn a_lambda_on_failure_record_and_the_handlers_own_dead_letter_are_decoded_and_replayed() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let operator = stack.token(Role::Operator).await;
    let failed = eum_message(0, text("919811100002", "wamid.of1", "where is my order?"));
    put(&stack, "inbound-dlq", &on_failure_record("sns-of-1", &failed), &[]).await;
    // What the handler sends itself for a number no tenant owned at the time (here the second
    // number, since given to this tenant), with its reason.
    let unowned = eum_message(1, text("919811100003", "wamid.un1", "hello?"));
    put(
        &stack,
        "inbound-dlq",
        &notification("sns-un-1", &unowned),
        &[
            (
                "reason",
                "UNOWNED_NUMBER: no tenant owns the WhatsApp number \"phone-number-id-f9e8\"",
            ),
            ("source", "inbound-whatsapp-handler"),
        ],
    )
    .await;

    let items = list(&stack, &admin, "inbound-dlq").await;
    assert_eq!(items.len(), 2, "{items:?}");
    let of = |id: &str| items.iter().find(|i| i["messageId"] == id).cloned().expect(id);
    let lambda = of("sns-of-1");
    assert_eq!(lambda["kind"], "lambda-on-failure");
    assert_eq!(lambda["firstFailedAt"], "2026-12-02T03:33:12.117Z");
    assert!(
        lambda["error"]
            .as_str()
            .unwrap()
            .starts_with("RetriesExhausted after 3 invocations: "),
        "{lambda}"
    );
    assert!(lambda["error"].as_str().unwrap().ends_with("service error"), "{lambda}");
    assert_eq!(lambda["summary"]["textPreview"], "where is my order?");
    let own = of("sns-un-1");
    assert_eq!(own["kind"], "unroutable-event");
    assert!(own["error"].as_str().unwrap().starts_with("UNOWNED_NUMBER"), "{own}");

    let results = replay(&stack, &admin, "inbound-dlq", json!({ "all": true })).await;
    assert_eq!(results.len(), 2, "{results:?}");
    assert!(results.iter().all(|r| r["outcome"] == "replayed"), "{results:?}");
    let texts: Vec<Value> = conversations(&stack, &operator)
        .await
        .iter()
        .map(|r| r["lastMessage"]["text"].clone())
        .collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts.contains(&json!("where is my order?")) && texts.contains(&json!("hello?")));
    assert_eq!(depth(&stack, "inbound-dlq").await, 0);
}

#[tokio::test]
async fn a_message_replayed_once_is_only_deleted_when_a_copy_comes_back() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let operator = stack.token(Role::Operator).await;
    let body = notification(
        "sns-dup-1",
        &eum_message(0, text("919811100004", "wamid.dup1", "is it shipped?")),
    );
    // The same failed event twice (SNS's subscription DLQ and a redelivery): one message.
    put(&stack, "inbound-dlq", &body, &[]).await;
    put(&stack, "inbound-dlq", &body, &[]).await;
    let items = list(&stack, &admin, "inbound-dlq").await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["copies"], 2);

    let results = replay(&stack, &admin, "inbound-dlq", json!({ "messageIds": ["sns-dup-1"] })).await;
    assert_eq!(
        (results[0]["outcome"].as_str(), results[0]["attempts"].as_u64()),
        (Some("replayed"), Some(1))
    );
    assert_eq!(depth(&stack, "inbound-dlq").await, 0, "both copies deleted");

    // Another copy arrives later: it is shown as replayed, and a replay only deletes it.
    put(&stack, "inbound-dlq", &body, &[]).await;
    let items = list(&stack, &admin, "inbound-dlq").await;
    assert_eq!(
        (items[0]["state"].as_str(), items[0]["attempts"].as_u64()),
        (Some("replayed"), Some(1))
    );
    let results = replay(&stack, &admin, "inbound-dlq", json!({ "messageIds": ["sns-dup-1"] })).await;
    assert_eq!(
        (results[0]["outcome"].as_str(), results[0]["attempts"].as_u64()),
        (Some("already-replayed"), Some(1)),
        "not run again: {results:?}"
    );
    assert_eq!(depth(&stack, "inbound-dlq").await, 0);
    let rows = conversations(&stack, &operator).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        stack
            .timeline(&operator, rows[0]["contactId"].as_str().unwrap())
            .await
            .len(),
        1
    );
    // Asking for a message that is not there says so.
    let results = replay(&stack, &admin, "inbound-dlq", json!({ "messageIds": ["sns-dup-1"] })).await;
    assert_eq!(results[0]["outcome"], "not-found");
}

#[tokio::test]
async fn a_message_that_keeps_failing_is_abandoned_after_five_attempts_and_not_run_again() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    // A photo whose media the provider does not know: every copy attempt fails.
    let photo = json!({ "from": "919811100005", "id": "wamid.p1", "timestamp": Utc::now().timestamp().to_string(), "type": "image",
        "image": { "id": "media-nobody-has", "mime_type": "image/png", "sha256": "00" } });
    put(
        &stack,
        "inbound-dlq",
        &notification("sns-poison-1", &eum_message(0, photo)),
        &[],
    )
    .await;
    let ask = json!({ "messageIds": ["sns-poison-1"] });
    for attempt in 1..=5u64 {
        let r = replay(&stack, &admin, "inbound-dlq", ask.clone()).await.remove(0);
        assert_eq!(
            (r["outcome"].as_str(), r["attempts"].as_u64()),
            (Some("failed"), Some(attempt)),
            "{r}"
        );
        assert!(r["error"].as_str().unwrap().contains("could not be copied"), "{r}");
        let state = if attempt < 5 { "pending" } else { "abandoned" };
        assert_eq!(r["state"], state, "{r}");
    }
    let r = replay(&stack, &admin, "inbound-dlq", ask).await.remove(0);
    assert_eq!(
        (r["outcome"].as_str(), r["attempts"].as_u64()),
        (Some("abandoned"), Some(5)),
        "{r}"
    );
    assert!(r["error"].as_str().unwrap().contains("could not be copied"), "{r}");
    let fetches = stack
        .ledger()
        .await
        .iter()
        .filter(|e| e["operation"] == "GetWhatsAppMessageMedia")
        .count();
    assert_eq!(fetches, 5, "the sixth request ran nothing");

    let items = list(&stack, &admin, "inbound-dlq").await;
    assert_eq!(
        (items[0]["state"].as_str(), items[0]["attempts"].as_u64()),
        (Some("abandoned"), Some(5))
    );
    assert!(items[0]["lastError"].as_str().unwrap().contains("could not be copied"));
    assert_eq!(
        depth(&stack, "inbound-dlq").await,
        1,
        "an abandoned message stays to be looked at"
    );
    let results = replay(&stack, &admin, "inbound-dlq", json!({ "all": true })).await;
    assert_eq!(results[0]["outcome"], "abandoned");
}

#[tokio::test]
async fn a_bulk_chunk_whose_worker_died_is_replayed_from_bulk_dlq_and_sends_nobody_twice() {
    // The worker carrying the chunk is killed after 1.5 s, part-way through its 20 SMS (5 a
    // second); with one receive allowed, SQS moves the chunk to bulk-dlq when it reappears.
    let pump = PumpOptions {
        concurrency: 1,
        abort: Some((1, Duration::from_millis(1500))),
        ..PumpOptions::default()
    };
    let aborted = pump.aborted.clone();
    let stack = TestStack::start_with_pump(&[("STALE_CLAIM_SECONDS", "5")], pump).await;
    let sqs = aws_sdk_sqs::Client::new(&stack.sdk);
    let dlq_arn = sqs
        .get_queue_attributes()
        .queue_url(&stack.resources.queues["bulk-dlq"])
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("arn")
        .attributes
        .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
        .expect("arn");
    sqs.set_queue_attributes()
        .queue_url(&stack.resources.queues["bulk-queue"])
        .attributes(
            QueueAttributeName::RedrivePolicy,
            json!({ "deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1 }).to_string(),
        )
        .attributes(QueueAttributeName::VisibilityTimeout, "8")
        .send()
        .await
        .expect("redrive");
    let admin = stack.token(Role::Admin).await;
    let op = stack.token(Role::Operator).await;
    let people: Vec<Person> = (0..20).map(|i| Person::numbered(700 + i, &[Channel::Sms])).collect();
    let list_ids = seed_contacts(&stack, &people).await;
    let body = json!({
        "name": "Replayed chunk",
        "channel": "sms",
        "content": { "type": "text", "body": "Hi {{name}}, your order is ready." },
        "recipients": { "type": "contacts", "contactIds": ids(&list_ids) },
    });
    let (status, created) = create_job(&stack, &op, &body).await;
    assert_eq!(status, 202, "{created}");
    let job_id = created["job"]["jobId"].as_str().unwrap().to_string();

    let item = eventually("the chunk in bulk-dlq", WAIT, || async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        list(&stack, &admin, "bulk-dlq").await.into_iter().next()
    })
    .await;
    assert_eq!(aborted.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(item["kind"], "chunk");
    assert_eq!(
        item["summary"],
        json!({ "jobId": job_id, "work": "chunk", "recipients": 20 })
    );
    let sms = |ledger: Vec<Value>| -> Vec<(String, chrono::DateTime<Utc>)> {
        ledger
            .into_iter()
            .filter(|e| e["operation"] == "SendTextMessage" && e["status"] == 200)
            .map(|e| {
                (
                    e["request"]["DestinationPhoneNumber"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    Utc::now(),
                )
            })
            .collect()
    };
    let before = sms(stack.ledger().await).len();
    assert!(before > 0 && before < 20, "the worker died part-way: {before} sent");

    let results = replay(&stack, &admin, "bulk-dlq", json!({ "all": true })).await;
    assert_eq!(results[0]["outcome"], "replayed", "{results:?}");
    assert_eq!(results[0]["detail"], "put back on bulk-queue");
    let done = finished(&stack, &op, &job_id, Duration::from_secs(90)).await;
    let p = &done["progress"];
    assert_eq!(p["pending"], 0, "{p}");
    let (sent, unknown) = (p["sent"].as_u64().unwrap(), p["unknown"].as_u64().unwrap());
    assert_eq!(sent + unknown, 20, "{p}");
    let sends = sms(stack.ledger().await);
    let twice: Vec<_> = per_recipient(&sends).into_iter().filter(|(_, n)| *n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert!(sends.len() > before, "the replay sent the rest");
    assert!(
        sent as usize <= sends.len() && sends.len() <= 20,
        "{p} vs {} sends",
        sends.len()
    );
    assert_eq!(depth(&stack, "bulk-dlq").await, 0);
}

#[tokio::test]
async fn another_tenants_and_nobodys_dead_letters_are_neither_shown_nor_replayed() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let globex = dead_letter(seed::SECOND_TENANT, ContactId::new(), "stop-confirmation:wamid.g1");
    put(&stack, "outbound-dlq", &json!(globex.body().unwrap()), &[]).await;
    let chunk = json!({ "kind": "chunk", "tenant": seed::SECOND_TENANT, "jobId": "0192f0c4-job", "recipients": [{ "contactId": ContactId::new() }] });
    put(&stack, "bulk-dlq", &chunk, &[]).await;
    put(&stack, "bulk-dlq", &json!("not bulk work"), &[]).await;
    // A customer writes to the number no tenant owns: the handler dead-letters it itself.
    stack
        .customer_message(json!({ "from": "+919811100006", "text": "hi", "phoneNumberId": "phone-number-id-00000000000000000000000000000bad" }))
        .await;
    eventually("the unowned event in inbound-dlq", WAIT, || async {
        (depth(&stack, "inbound-dlq").await == 1).then_some(())
    })
    .await;

    for queue in ["outbound-dlq", "bulk-dlq", "inbound-dlq"] {
        assert!(list(&stack, &admin, queue).await.is_empty(), "{queue}");
    }
    let results = replay(
        &stack,
        &admin,
        "outbound-dlq",
        json!({ "messageIds": [globex.message_id] }),
    )
    .await;
    assert_eq!(results[0]["outcome"], "not-found");
    for queue in ["bulk-dlq", "inbound-dlq"] {
        assert!(
            replay(&stack, &admin, queue, json!({ "all": true })).await.is_empty(),
            "{queue}"
        );
    }
    assert_eq!(
        (
            depth(&stack, "outbound-dlq").await,
            depth(&stack, "bulk-dlq").await,
            depth(&stack, "inbound-dlq").await
        ),
        (1, 2, 1),
        "all left where they were"
    );
    assert!(
        records(&stack).await.is_empty(),
        "nothing of theirs recorded under this tenant"
    );
    assert!(
        stack
            .ledger()
            .await
            .iter()
            .all(|e| e["operation"] != "SendWhatsAppMessage"),
        "nothing sent"
    );
}

#[tokio::test]
async fn a_stop_confirmation_the_platform_failed_to_send_is_put_on_outbound_dlq_and_replayed_once() {
    // The rate limiter's table is unreachable, so the confirmation's send fails on the platform's
    // side (the store), after the STOP itself was recorded.
    let missing = format!("missing-{}-RateLimitTrackers", uuid::Uuid::new_v4().simple());
    let stack = TestStack::start_with(&[("RATE_LIMIT_TRACKERS_TABLE", missing.as_str())]).await;
    let admin = stack.token(Role::Admin).await;
    let op = stack.token(Role::Operator).await;
    let id = stack
        .create_contact(&op, json!({ "phone": "+919811100007", "optInWhatsApp": true }))
        .await;
    let stop = eum_message(0, text("919811100007", "wamid.stop7", "STOP"));
    // Delivered twice, as SNS may: each delivery succeeds, neither retries for the confirmation.
    for _ in 0..2 {
        stack
            .functions
            .inbound(
                serde_json::from_value(json!({ "Records": [{
                    "EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:events:1",
                    "Sns": notification(&uuid::Uuid::new_v4().to_string(), &stop),
                }]}))
                .expect("SNS event"),
                // What Lambda's `main` passes: the platform's millisecond precision.
                wecare_core::time::now(),
            )
            .await
            .expect("the STOP is handled, though its confirmation is not sent");
    }
    let (_, c) = stack
        .call(Method::GET, &format!("/api/contacts/{id}"), Some(&op), None)
        .await;
    assert_eq!(c["optInWhatsApp"], false, "{c}");
    let timeline = stack.timeline(&op, &id).await;
    assert_eq!(
        timeline.len(),
        1,
        "the STOP is stored once, no confirmation: {timeline:?}"
    );
    assert!(stack.ledger().await.is_empty(), "nothing reached the provider");

    let items = list(&stack, &admin, "outbound-dlq").await;
    assert_eq!(items.len(), 1, "{items:?}");
    let item = &items[0];
    assert_eq!(item["copies"], 2, "one dead letter per delivery, one message");
    assert_eq!(item["kind"], "send");
    assert_eq!(
        item["summary"],
        json!({ "contactId": id, "channel": "whatsapp", "purpose": "opt_out_confirmation", "from": seed::whatsapp_numbers()[0].setting.phone_number_id })
    );
    assert!(item["error"].as_str().unwrap().contains("DynamoDB"), "{item}");

    // The platform is repaired: the table exists again.
    stack
        .dynamo()
        .create_table()
        .table_name(&missing)
        .billing_mode(aws_sdk_dynamodb::types::BillingMode::PayPerRequest)
        .attribute_definitions(
            aws_sdk_dynamodb::types::AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(aws_sdk_dynamodb::types::ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .attribute_definitions(
            aws_sdk_dynamodb::types::AttributeDefinition::builder()
                .attribute_name("sk")
                .attribute_type(aws_sdk_dynamodb::types::ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            aws_sdk_dynamodb::types::KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(aws_sdk_dynamodb::types::KeyType::Hash)
                .build()
                .unwrap(),
        )
        .key_schema(
            aws_sdk_dynamodb::types::KeySchemaElement::builder()
                .attribute_name("sk")
                .key_type(aws_sdk_dynamodb::types::KeyType::Range)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("create the table");

    let results = replay(&stack, &admin, "outbound-dlq", json!({ "all": true })).await;
    assert_eq!(
        (results[0]["outcome"].as_str(), results[0]["detail"].as_str()),
        (Some("replayed"), Some("sent")),
        "{results:?}"
    );
    let sends: Vec<Value> = stack
        .ledger()
        .await
        .into_iter()
        .filter(|e| e["operation"] == "SendWhatsAppMessage")
        .collect();
    assert_eq!(sends.len(), 1, "exactly one confirmation: {sends:?}");
    assert_eq!(sends[0]["request"]["message"]["to"], "+919811100007");
    assert_eq!(depth(&stack, "outbound-dlq").await, 0);
    let timeline = stack.timeline(&op, &id).await;
    let confirmation = timeline
        .iter()
        .find(|m| m["direction"] == "outbound")
        .expect("the confirmation is recorded");
    assert_eq!(confirmation["details"]["kind"], "opt_out_confirmation");
    // Replaying again finds nothing: the same key never makes a second message.
    assert!(replay(&stack, &admin, "outbound-dlq", json!({ "all": true }))
        .await
        .is_empty());
}
