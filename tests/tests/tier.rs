//! The WhatsApp messaging tier: business-initiated conversations (templates outside the 24 h
//! window) counted per WhatsApp Business Account in a moving 24 h, exactly under concurrency, one
//! alert per crossing of 80 % on the alerts topic, and `TIER_LIMIT_EXCEEDED` past the limit. Small
//! tiers keep the numbers small.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{json, Value};
use wecare_core::{ContactId, Role, TenantId};
use wecare_local::seed;
use wecare_store::{TierOutcome, TierTracker};
use wecare_tests::{eventually, Method, TestStack};

fn template(id: &str) -> Value {
    json!({ "contactId": id, "template": { "name": "order_update", "language": "en_US", "parameters": ["Asha", "#7"] } })
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

async fn contacts(stack: &TestStack, op: &str, n: usize, series: u32) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(
            stack
                .create_contact(
                    op,
                    json!({ "phone": format!("+91980{series:02}{i:05}"), "optInWhatsApp": true }),
                )
                .await,
        );
    }
    ids
}

fn whatsapp_sends(ledger: &[Value]) -> usize {
    ledger
        .iter()
        .filter(|e| e["operation"] == "SendWhatsAppMessage" && e["status"] == 200)
        .count()
}

#[tokio::test]
async fn business_initiated_conversations_stop_at_the_tier_with_one_alert_per_crossing() {
    let stack = TestStack::start_with(&[("WHATSAPP_TIER_LIMIT", "5")]).await;
    let (sqs, alerts) = alerts_queue(&stack).await;
    let op = stack.token(Role::Operator).await;
    let ids = contacts(&stack, &op, 7, 1).await;

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
        alert["wabaId"],
        seed::WECARE_WABA,
        "the alert names the business account"
    );
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
        "one alert per crossing, not one per send above it"
    );
    assert_eq!(
        whatsapp_sends(&stack.ledger().await),
        7,
        "5 conversations (one of them twice) and one inside a window; the refused one never left"
    );
    // The refused send left nothing behind: no message, no conversation.
    let (_, timeline) = stack
        .call(
            Method::GET,
            &format!("/api/contacts/{}/messages", ids[5]),
            Some(&op),
            None,
        )
        .await;
    assert_eq!(timeline["items"].as_array().map(Vec::len), Some(0), "{timeline}");
}

/// With an injected clock: conversations leave the count 24 h after they opened, exactly, and a
/// contact reached again after that is a new conversation.
#[tokio::test]
async fn the_tier_count_falls_as_conversations_pass_twenty_four_hours() {
    let stack = TestStack::start().await;
    let tier = TierTracker::new(
        stack.dynamo(),
        stack.table(wecare_core::tables::Table::RateLimitTrackers),
    );
    let tenant = TenantId::parse("wecare").unwrap();
    let waba = "100000000000042";
    let t0 = chrono::Utc::now();
    let h = chrono::Duration::hours;
    let people: Vec<ContactId> = (0..5).map(|_| ContactId::new()).collect();
    for (i, c) in people.iter().enumerate() {
        let at = if i < 3 { t0 } else { t0 + h(2) };
        assert!(matches!(
            tier.open(waba, &tenant, c, 5, at).await.unwrap(),
            TierOutcome::Opened { .. }
        ));
    }
    assert!(matches!(
        tier.open(waba, &tenant, &ContactId::new(), 5, t0 + h(3)).await.unwrap(),
        TierOutcome::Exceeded { count: 5 }
    ));
    assert_eq!(tier.usage(waba, t0 + h(23)).await.unwrap(), 5);
    assert_eq!(
        tier.usage(waba, t0 + h(24) + chrono::Duration::seconds(1))
            .await
            .unwrap(),
        2
    );
    // Reached again a day later: a new conversation, counted again.
    assert!(matches!(
        tier.open(waba, &tenant, &people[0], 5, t0 + h(25)).await.unwrap(),
        TierOutcome::Opened { count: 3, .. }
    ));
    assert_eq!(
        tier.usage(waba, t0 + h(26) + chrono::Duration::seconds(1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(tier.usage(waba, t0 + h(50)).await.unwrap(), 0);
}

/// 50 business-initiated sends to distinct contacts at once, with 10 conversations left in the
/// tier: exactly 10 go out, the other 40 are refused and leave nothing, one alert is published.
#[tokio::test]
async fn fifty_concurrent_sends_with_ten_slots_left_send_exactly_ten() {
    let stack = TestStack::start_with(&[("WHATSAPP_TIER_LIMIT", "12")]).await;
    let (sqs, alerts) = alerts_queue(&stack).await;
    let op = stack.token(Role::Operator).await;
    let early = contacts(&stack, &op, 2, 2).await;
    for id in &early {
        assert_eq!(stack.send_message(&op, "whatsapp", template(id)).await.0, 202);
    }
    let ids = contacts(&stack, &op, 50, 3).await;
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
    eprintln!("50 concurrent business-initiated sends with 10 slots left: {sent} sent, {refused} refused");
    assert_eq!((sent, refused), (10, 40), "{results:?}");
    assert_eq!(whatsapp_sends(&stack.ledger().await), 12);
    let mut published = Vec::new();
    for _ in 0..3 {
        published.extend(drain(&sqs, &alerts).await);
    }
    assert_eq!(published.len(), 1, "one alert for one crossing of 80 %: {published:?}");
    // The count as it stood when the alert went out: concurrent admissions may have added to it.
    let count = published[0]["openConversations"].as_u64().unwrap_or(0);
    assert!((10..=12).contains(&count), "{count}");
}

/// A template the provider refuses opened no conversation: its slot is given back.
#[tokio::test]
async fn a_send_the_provider_refuses_gives_its_tier_slot_back() {
    let stack = TestStack::start_with(&[("WHATSAPP_TIER_LIMIT", "2")]).await;
    let op = stack.token(Role::Operator).await;
    let ids = contacts(&stack, &op, 3, 4).await;
    stack
        .inject_fault("SendWhatsAppMessage", 1, 400, "ValidationException")
        .await;
    let (status, e) = stack.send_message(&op, "whatsapp", template(&ids[0])).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (502, Some("PROVIDER_ERROR")),
        "{e}"
    );
    for id in &ids[1..] {
        let (status, m) = stack.send_message(&op, "whatsapp", template(id)).await;
        assert_eq!(status, 202, "both slots are free: {m}");
    }
}

/// Two bulk jobs created together for the tier's last 10 conversations: only one reservation fits;
/// what a job did not use is given back when it settles (once), and what it used retires 24 h
/// later.
#[tokio::test]
async fn bulk_reservations_cannot_overbook_the_tier_and_unused_ones_are_given_back() {
    let stack = TestStack::start().await;
    let tier = TierTracker::new(
        stack.dynamo(),
        stack.table(wecare_core::tables::Table::RateLimitTrackers),
    );
    let tenant = TenantId::parse("wecare").unwrap();
    let waba = "100000000000043";
    let now = chrono::Utc::now();
    for c in [ContactId::new(), ContactId::new()] {
        assert!(matches!(
            tier.open(waba, &tenant, &c, 12, now).await.unwrap(),
            TierOutcome::Opened { .. }
        ));
    }
    let (a, b) = tokio::join!(tier.reserve(waba, 6, 12, now), tier.reserve(waba, 6, 12, now));
    let granted = [a.unwrap(), b.unwrap()];
    assert_eq!(granted.iter().filter(|g| g.is_some()).count(), 1, "{granted:?}");
    assert_eq!(
        tier.reserve(waba, 5, 12, now).await.unwrap(),
        None,
        "2 open + 6 held + 5 > 12"
    );
    assert_eq!(tier.reserve(waba, 4, 12, now).await.unwrap(), Some(12));
    // A regular send finds the tier full.
    assert!(matches!(
        tier.open(waba, &tenant, &ContactId::new(), 12, now).await.unwrap(),
        TierOutcome::Exceeded { .. }
    ));

    assert_eq!(tier.usage(waba, now).await.unwrap(), 12, "2 open + 6 held + 4 held");
    // Each job settles its reservation once, however often its end is processed: the first used
    // 4 of its 6, the other none of its 4.
    let table = stack.table(wecare_core::tables::Table::RateLimitTrackers);
    let once = |job: &str| {
        aws_sdk_dynamodb::types::Update::builder()
            .table_name(&table)
            .key("pk", AttributeValue::S("TEST#JOB".into()))
            .key("sk", AttributeValue::S(job.into()))
            .update_expression("SET settled = :yes")
            .condition_expression("attribute_not_exists(settled)")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .build()
            .unwrap()
    };
    for round in 0..2 {
        let first = tier
            .settle_reservation(waba, &tenant, "job-a", 6, 4, now, once("job-a"))
            .await
            .unwrap();
        let other = tier
            .settle_reservation(waba, &tenant, "job-b", 4, 0, now, once("job-b"))
            .await
            .unwrap();
        assert_eq!(
            (first, other),
            (round == 0, round == 0),
            "only the first settlement takes effect"
        );
        assert_eq!(
            tier.usage(waba, now).await.unwrap(),
            6,
            "2 opened one by one + the 4 the job used, settled once"
        );
    }
    assert_eq!(
        tier.usage(waba, now + chrono::Duration::hours(23)).await.unwrap(),
        6,
        "still inside the 24 h"
    );
    assert_eq!(
        tier.usage(waba, now + chrono::Duration::hours(25)).await.unwrap(),
        0,
        "the conversations and the job's entry retired"
    );
}
