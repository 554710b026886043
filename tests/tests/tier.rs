//! The WhatsApp messaging tier: business-initiated conversations (templates outside the 24 h
//! window) counted per tenant in a moving 24 h, one alert at 80 % on the alerts topic, and
//! `TIER_LIMIT_EXCEEDED` past the limit. A stack with a tier of 5 keeps the numbers small.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{json, Value};
use wecare_core::Role;
use wecare_tests::{eventually, TestStack};

fn template(id: &str) -> Value {
    json!({ "contactId": id, "template": { "name": "order_update", "language": "en_US", "parameters": ["#7"] } })
}

/// An SQS queue subscribed to the stack's alerts topic, to read what was published.
async fn alerts_queue(stack: &TestStack) -> (aws_sdk_sqs::Client, String) {
    let sqs = aws_sdk_sqs::Client::new(&stack.sdk);
    let url = sqs
        .create_queue()
        .queue_name(format!("{}alerts-reader", stack.resources.prefix))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let arn = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap()
        .remove(&QueueAttributeName::QueueArn)
        .unwrap();
    aws_sdk_sns::Client::new(&stack.sdk)
        .subscribe()
        .topic_arn(&stack.resources.alerts_topic_arn)
        .protocol("sqs")
        .endpoint(arn)
        .attributes("RawMessageDelivery", "true")
        .send()
        .await
        .unwrap();
    (sqs, url)
}

async fn drain(sqs: &aws_sdk_sqs::Client, url: &str) -> Vec<Value> {
    let out = sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .wait_time_seconds(1)
        .send()
        .await
        .unwrap();
    out.messages
        .unwrap_or_default()
        .iter()
        .filter_map(|m| serde_json::from_str(m.body()?).ok())
        .collect()
}

#[tokio::test]
async fn business_initiated_conversations_stop_at_the_tier_with_one_warning_at_eighty_percent() {
    let stack = TestStack::start_with(&[("WHATSAPP_TIER_LIMIT", "5")]).await;
    let (sqs, alerts) = alerts_queue(&stack).await;
    let op = stack.token(Role::Operator).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(
            stack
                .create_contact(
                    &op,
                    json!({ "phone": format!("+9198000100{i:02}"), "optInWhatsApp": true }),
                )
                .await,
        );
    }

    for id in &ids[..3] {
        let (status, m) = stack.send_message(&op, "whatsapp", template(id)).await;
        assert_eq!(status, 202, "{m}");
    }
    assert!(drain(&sqs, &alerts).await.is_empty(), "3 of 5 is below 80 %");

    // The same contact again within 24 h is the same conversation: not counted twice.
    assert_eq!(stack.send_message(&op, "whatsapp", template(&ids[0])).await.0, 202);
    // Inside a customer's window a template opens no business-initiated conversation.
    stack.open_window(&ids[6], 30).await;
    assert_eq!(stack.send_message(&op, "whatsapp", template(&ids[6])).await.0, 202);

    assert_eq!(stack.send_message(&op, "whatsapp", template(&ids[3])).await.0, 202);
    let alert = eventually("the 80 % alert", Duration::from_secs(10), || async {
        drain(&sqs, &alerts).await.pop()
    })
    .await;
    assert_eq!(alert["alert"], "WHATSAPP_TIER_80_PERCENT");
    assert_eq!(
        (alert["openConversations"].as_u64(), alert["tierLimit"].as_u64()),
        (Some(4), Some(5))
    );

    assert_eq!(
        stack.send_message(&op, "whatsapp", template(&ids[4])).await.0,
        202,
        "the fifth fits"
    );
    let (status, e) = stack.send_message(&op, "whatsapp", template(&ids[5])).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("TIER_LIMIT_EXCEEDED"))
    );
    assert!(
        drain(&sqs, &alerts).await.is_empty(),
        "one warning per window, not one per send"
    );

    let sends = stack
        .ledger()
        .await
        .into_iter()
        .filter(|e| e["operation"] == "SendWhatsAppMessage")
        .count();
    assert_eq!(
        sends, 7,
        "5 conversations (one of them twice) and one inside a window; the refused one never left"
    );

    // A day later the first conversation has left the moving window, and its place is free again
    // once the counter is recounted (at most once a minute).
    let table = stack.table(wecare_core::tables::Table::RateLimitTrackers);
    let set = |pk: String, sk: String, attr: &'static str, at: chrono::DateTime<chrono::Utc>| {
        let (dynamo, table) = (stack.dynamo(), table.clone());
        async move {
            dynamo
                .update_item()
                .table_name(table)
                .key("pk", AttributeValue::S(pk))
                .key("sk", AttributeValue::S(sk))
                .update_expression("SET #a = :t")
                .expression_attribute_names("#a", attr)
                .expression_attribute_values(":t", AttributeValue::S(wecare_core::time::iso(at)))
                .send()
                .await
                .unwrap();
        }
    };
    let now = chrono::Utc::now();
    set(
        "wecare#TIER".into(),
        ids[1].clone(),
        "openedAt",
        now - chrono::Duration::hours(25),
    )
    .await;
    set(
        "wecare#TIER-COUNT".into(),
        "COUNT".into(),
        "reconciledAt",
        now - chrono::Duration::minutes(2),
    )
    .await;
    let (status, m) = stack.send_message(&op, "whatsapp", template(&ids[5])).await;
    assert_eq!(status, 202, "{m}");
}

#[tokio::test]
async fn concurrent_sends_never_open_more_conversations_than_the_tier_allows() {
    let stack = TestStack::start_with(&[("WHATSAPP_TIER_LIMIT", "5")]).await;
    let op = stack.token(Role::Operator).await;
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(
            stack
                .create_contact(
                    &op,
                    json!({ "phone": format!("+9198000200{i:02}"), "optInWhatsApp": true }),
                )
                .await,
        );
    }
    let results = futures::future::join_all(
        ids.iter()
            .map(|id| async { stack.send_message(&op, "whatsapp", template(id)).await }),
    )
    .await;
    let sent = results.iter().filter(|(s, _)| *s == 202).count();
    let refused = results
        .iter()
        .filter(|(_, e)| e["error"]["code"] == "TIER_LIMIT_EXCEEDED")
        .count();
    eprintln!("12 concurrent business-initiated sends with a tier of 5: {sent} sent, {refused} refused");
    assert_eq!(sent + refused, 12, "{results:?}");
    assert!((1..=5).contains(&sent), "never more than the tier: {sent}");
    let ledger = stack
        .ledger()
        .await
        .into_iter()
        .filter(|e| e["operation"] == "SendWhatsAppMessage")
        .count();
    assert_eq!(ledger, sent);
}
