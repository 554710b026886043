//! The overview (`GET /api/overview`) end to end, against moto through the real SDK: its counters
//! match what was sent, delivered, read, failed and received on each channel — a redelivered
//! status, a repeated send and a redelivered inbound message counted once, another tenant's never
//! — a campaign's sends are counted by its workers' flushes rather than one write each, a load
//! reads a bounded number of items however full the week, and what each role is shown. The
//! sandbox plays the provider and the customer.

use std::time::{Duration, Instant};

use aws_sdk_sqs::types::QueueAttributeName;
use chrono::Utc;
use serde_json::{json, Value};
use wecare_core::overview::{Counted, Counts, Hour, Tally};
use wecare_core::{Channel, Role, TenantId};
use wecare_local::seed;
use wecare_tests::bulk::{create_job, finished, ids, seed_contacts, Person};
use wecare_tests::{eventually, Method, TestStack};

const WAIT: Duration = Duration::from_secs(30);

async fn overview(stack: &TestStack, token: &str, query: &str) -> Value {
    let (status, v) = stack
        .call(Method::GET, &format!("/api/overview{query}"), Some(token), None)
        .await;
    assert_eq!(status, 200, "{v}");
    v
}

/// A channel's counts over the seven days.
fn totals(o: &Value, channel: &str) -> Value {
    o["messages"]["channels"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["channel"] == channel))
        .map(|c| c["totals"].clone())
        .unwrap_or_else(|| panic!("no {channel} in {o}"))
}

fn rates(o: &Value, channel: &str) -> (Value, Value) {
    let c = o["messages"]["channels"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["channel"] == channel).cloned())
        .expect("channel");
    (c["deliveryRate"].clone(), c["readRate"].clone())
}

/// Every count of a channel that is not zero, by name.
fn nonzero(o: &Value, channel: &str) -> Vec<(String, u64)> {
    let t = totals(o, channel);
    let mut out: Vec<(String, u64)> = t
        .as_object()
        .expect("counts")
        .iter()
        .filter_map(|(k, v)| v.as_u64().filter(|n| *n > 0).map(|n| (k.clone(), n)))
        .collect();
    out.sort();
    out
}

fn pairs(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = list.iter().map(|(k, n)| (k.to_string(), *n)).collect();
    out.sort();
    out
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
    let a = out.attributes.unwrap_or_default();
    [
        QueueAttributeName::ApproximateNumberOfMessages,
        QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
    ]
    .iter()
    .filter_map(|k| a.get(k)?.parse::<u64>().ok())
    .sum()
}

/// Waits until every event published so far (statuses, inbound messages, their copies) has been
/// handled: the events queue is empty.
async fn events_handled(stack: &TestStack) {
    eventually("the events queue to drain", WAIT, || async {
        (depth(stack, "whatsapp-events").await == 0).then_some(())
    })
    .await;
}

/// The counter writes the functions made (UpdateItems of `{tenant}#OVERVIEW` items).
fn counter_writes(stack: &TestStack) -> usize {
    stack
        .dynamo_ops
        .writes()
        .iter()
        .filter(|(op, body)| {
            op == "UpdateItem"
                && body["Key"]["pk"]["S"]
                    .as_str()
                    .is_some_and(|pk| pk.ends_with("#OVERVIEW"))
        })
        .count()
}

#[tokio::test]
async fn the_counters_match_what_was_sent_delivered_read_failed_and_received_on_each_channel() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let admin = stack.token(Role::Admin).await;
    let asha = stack
        .create_contact(
            &op,
            json!({ "name": "Asha", "phone": "+919811200001", "email": "asha@example.com",
                    "optInWhatsApp": true, "optInSms": true, "optInEmail": true }),
        )
        .await;
    stack.open_window(&asha, 5).await;

    // WhatsApp: a text inside the window, then its statuses, each delivered twice (as SNS may).
    let (status, wa) = stack
        .send_message(
            &op,
            "whatsapp",
            json!({ "contactId": asha, "text": "Your order is ready" }),
        )
        .await;
    assert_eq!(status, 202, "{wa}");
    let provider_id = wa["providerMessageId"].as_str().expect("provider id").to_string();
    for (s, copies) in [("delivered", 2), ("read", 2), ("delivered", 1)] {
        stack
            .customer_status(json!({ "messageId": provider_id, "status": s, "copies": copies }))
            .await;
    }
    // A template to a contact outside the window opens a business-initiated conversation.
    let ravi = stack
        .create_contact(
            &op,
            json!({ "name": "Ravi", "phone": "+919811200003", "optInWhatsApp": true }),
        )
        .await;
    let (status, t) = stack
        .send_message(
            &op,
            "whatsapp",
            json!({ "contactId": ravi, "template": { "name": "order_update", "language": "en_US", "parameters": ["Ravi", "#7"] } }),
        )
        .await;
    assert_eq!(status, 202, "{t}");

    // SMS: one send asked twice with the same key (one message), and one the provider refuses.
    let sms = json!({ "contactId": asha, "text": "Your order is ready" });
    for _ in 0..2 {
        let (status, v) = stack.send_with_key(&op, "sms", &sms, "overview-sms-1").await;
        assert_eq!(status, 202, "{v}");
    }
    stack
        .inject_fault("SendTextMessage", 1, 400, "ValidationException")
        .await;
    let (status, refused) = stack
        .send_message(&op, "sms", json!({ "contactId": asha, "text": "This one is refused" }))
        .await;
    assert_ne!(status, 202, "the provider refused it: {refused}");

    // Email: one.
    let (status, e) = stack
        .send_message(
            &op,
            "email",
            json!({ "contactId": asha, "subject": "Order", "text": "Ready" }),
        )
        .await;
    assert_eq!(status, 202, "{e}");

    // Inbound: a customer writes, and the event is delivered twice.
    stack
        .customer_message(json!({ "from": "+919811200002", "text": "Hello there", "copies": 2 }))
        .await;
    events_handled(&stack).await;
    eventually("the WhatsApp message to be read", WAIT, || async {
        let t = stack.timeline(&op, &asha).await;
        t.iter()
            .any(|m| m["providerMessageId"] == provider_id.as_str() && m["status"] == "read")
            .then_some(())
    })
    .await;

    // Another tenant sends an SMS of its own.
    let globex = stack.sign_in(Role::Operator, seed::SECOND_TENANT).await.id;
    let theirs = stack
        .create_contact(&globex, json!({ "phone": "+919811200009", "optInSms": true }))
        .await;
    let (status, v) = stack
        .send_message(&globex, "sms", json!({ "contactId": theirs, "text": "Globex here" }))
        .await;
    assert_eq!(status, 202, "{v}");

    let o = overview(&stack, &op, "").await;
    assert_eq!(
        nonzero(&o, "whatsapp"),
        pairs(&[("sent", 2), ("delivered", 1), ("read", 1), ("received", 1)]),
        "{o}"
    );
    assert_eq!(nonzero(&o, "sms"), pairs(&[("sent", 1), ("failed", 1)]), "{o}");
    assert_eq!(nonzero(&o, "email"), pairs(&[("sent", 1)]), "{o}");
    // Delivered of sent, read of delivered; SMS and email statuses never reach the platform.
    assert_eq!(rates(&o, "whatsapp"), (json!(0.5), json!(1.0)));
    assert_eq!(rates(&o, "sms"), (Value::Null, Value::Null));
    // Today's hours add up to today, and the seven days to the totals.
    let days = o["messages"]["days"].as_array().expect("days");
    assert_eq!(days.len(), 7);
    let hours = o["messages"]["today"].as_array().expect("hours");
    let sum = |points: &[Value], channel: &str, what: &str| -> u64 {
        points
            .iter()
            .map(|p| p["channels"][channel][what].as_u64().unwrap_or(0))
            .sum()
    };
    assert_eq!(sum(hours, "whatsapp", "sent"), sum(&days[6..], "whatsapp", "sent"));
    assert_eq!(sum(days, "sms", "failed"), 1);
    // The template opened one business-initiated conversation on the tenant's account.
    assert_eq!(
        o["tier"],
        json!([{ "wabaId": seed::WECARE_WABA, "numbers": ["+91 93309 94400", "+91 99033 00044"], "used": 1, "limit": 250, "warnAt": 200 }])
    );
    assert_eq!(o["messages"], overview(&stack, &admin, "").await["messages"]);

    let theirs = overview(&stack, &globex, "").await;
    assert_eq!(nonzero(&theirs, "sms"), pairs(&[("sent", 1)]), "{theirs}");
    assert!(nonzero(&theirs, "whatsapp").is_empty() && nonzero(&theirs, "email").is_empty());
}

/// The median and 95th percentile of 20 GETs of `path` as `token`.
async fn timed(stack: &TestStack, token: &str, path: &str) -> (Duration, Duration) {
    let mut took = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let (status, _) = stack.call(Method::GET, path, Some(token), None).await;
        assert_eq!(status, 200, "{path}");
        took.push(started.elapsed());
    }
    took.sort();
    (took[took.len() / 2], took[took.len() * 95 / 100])
}

#[tokio::test]
async fn a_load_reads_one_page_of_counters_however_full_the_week_and_older_hours_are_left_out() {
    let stack = TestStack::start().await;
    let viewer = stack.token(Role::Viewer).await;
    let tenant = TenantId::parse(seed::DEFAULT_TENANT).expect("tenant");
    // How long a load takes against moto on this machine, beside a request that reads nothing
    // (GET /api/me: the gateway and the authorizer alone), since the machine's speed varies.
    let (base, _) = timed(&stack, &viewer, "/api/me").await;
    let (empty, _) = timed(&stack, &viewer, "/api/overview").await;

    // A full week and more, written through the counters' own code: 3 sends an hour per channel
    // for the last 9 days (the oldest outside the window).
    let now = Utc::now();
    let mut week = Tally::new();
    for back in 0..(9 * 24) {
        for channel in Channel::ALL {
            let mut counts = Counts::default();
            counts.add(Counted::Sent, 3);
            week.add_counts(Hour::of(now - chrono::Duration::hours(back)), channel, &counts);
        }
    }
    let counters =
        wecare_store::OverviewCounters::new(stack.dynamo(), stack.table(wecare_core::tables::Table::Messages));
    counters.add(&tenant, week).await.expect("seed the counters");

    stack.dynamo_ops.clear();
    let o = overview(&stack, &viewer, "").await;
    let reads = stack.dynamo_ops.reads();
    let on = |table: wecare_core::tables::Table| stack.table(table);
    let messages_reads: Vec<_> = reads
        .iter()
        .filter(|r| r.table == on(wecare_core::tables::Table::Messages))
        .collect();
    assert_eq!(messages_reads.len(), 1, "one Query of the counters: {reads:?}");
    assert_eq!(messages_reads[0].operation, "Query");
    assert!(reads.iter().all(|r| r.operation != "Scan"), "{reads:?}");
    // The counters, one GetItem of the tier per business account, one Query of the newest jobs;
    // besides, whatever the authorizer reads of the caller (Users) for every request.
    let users = on(wecare_core::tables::Table::Users);
    let own: Vec<_> = reads.iter().filter(|r| r.table != users).collect();
    assert_eq!(own.len(), 3, "{reads:?}");
    let units = wecare_tests::units::read_units(&stack);
    println!(
        "overview load: {} DynamoDB reads ({} of them the overview's own), {:.1} read units ({} bytes of counters for a full week)",
        reads.len(),
        own.len(),
        units.total,
        messages_reads[0].response_bytes
    );
    // Only the window's hours are counted: the seven local days, today's hours so far.
    let days = o["messages"]["days"].as_array().expect("days");
    let window_hours = 6 * 24 + o["messages"]["today"].as_array().map_or(0, Vec::len) as u64;
    let sent: u64 = days
        .iter()
        .map(|d| d["channels"]["sms"]["sent"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(sent, 3 * window_hours, "{o}");

    let (full, p95) = timed(&stack, &viewer, "/api/overview?utcOffsetMinutes=330").await;
    println!(
        "overview API latency over 20 loads: median {empty:?} with no counters, {full:?} (p95 {p95:?}) with a full week; \
         GET /api/me median {base:?} ({:.1}x and {:.1}x)",
        empty.as_secs_f64() / base.as_secs_f64().max(1e-9),
        full.as_secs_f64() / base.as_secs_f64().max(1e-9),
    );
}

#[tokio::test]
async fn a_campaigns_sends_are_counted_at_its_workers_flushes_not_one_write_each() {
    let stack = TestStack::start_bulk().await;
    let op = stack.token(Role::Operator).await;
    let people: Vec<Person> = (0..20).map(|i| Person::numbered(900 + i, &[Channel::Sms])).collect();
    let list = seed_contacts(&stack, &people).await;
    stack.dynamo_ops.clear();
    let body = json!({
        "name": "Counted campaign",
        "channel": "sms",
        "content": { "type": "text", "body": "Hi {{name}}, your order is ready." },
        "recipients": { "type": "contacts", "contactIds": ids(&list) },
    });
    let (status, created) = create_job(&stack, &op, &body).await;
    assert_eq!(status, 202, "{created}");
    let job_id = created["job"]["jobId"].as_str().expect("job id").to_string();

    // While it sends (5 a second), the overview shows it running with its progress.
    let running = eventually("the job among the running ones", WAIT, || async {
        let o = overview(&stack, &op, "").await;
        o["runningJobs"]
            .as_array()
            .and_then(|jobs| jobs.iter().find(|j| j["jobId"] == job_id.as_str()).cloned())
    })
    .await;
    assert_eq!(running["progress"]["total"], 20, "{running}");
    assert_eq!(
        (running["status"].as_str(), running["channel"].as_str()),
        (Some("RUNNING"), Some("sms"))
    );

    finished(&stack, &op, &job_id, Duration::from_secs(90)).await;
    let o = overview(&stack, &op, "").await;
    assert_eq!(nonzero(&o, "sms"), pairs(&[("sent", 20)]), "{o}");
    assert!(o["runningJobs"].as_array().is_some_and(Vec::is_empty), "{o}");
    let writes = counter_writes(&stack);
    println!("a 20-recipient campaign wrote its overview counts in {writes} writes");
    assert!(
        (1..=5).contains(&writes),
        "a few flushes, not one write per message: {writes}"
    );
}

#[tokio::test]
async fn every_role_reads_the_overview_and_only_admins_see_the_queues_depth() {
    let stack = TestStack::start().await;
    let (admin, op, viewer) = (
        stack.token(Role::Admin).await,
        stack.token(Role::Operator).await,
        stack.token(Role::Viewer).await,
    );
    let sqs = aws_sdk_sqs::Client::new(&stack.sdk);
    for i in 0..2 {
        sqs.send_message()
            .queue_url(&stack.resources.queues["bulk-dlq"])
            .message_body(json!({ "kind": "check", "tenant": "wecare", "jobId": format!("j-{i}") }).to_string())
            .send()
            .await
            .expect("dead letter");
    }
    let o = overview(&stack, &admin, "").await;
    assert_eq!(
        o["deadLetterQueues"],
        json!([
            { "queue": "inbound-dlq", "depth": 0 },
            { "queue": "bulk-dlq", "depth": 2 },
            { "queue": "outbound-dlq", "depth": 0 },
        ])
    );
    for token in [&op, &viewer] {
        let o = overview(&stack, token, "").await;
        assert!(o["deadLetterQueues"].is_null(), "{o}");
        assert_eq!(o["messages"]["days"].as_array().map(Vec::len), Some(7));
    }

    // The reader's days: India is UTC+5:30.
    let o = overview(&stack, &viewer, "?utcOffsetMinutes=330").await;
    let today = (Utc::now() + chrono::Duration::minutes(330)).date_naive().to_string();
    assert_eq!(o["messages"]["utcOffsetMinutes"], 330);
    assert_eq!(o["messages"]["days"][6]["date"], today.as_str());
    for bad in ["abc", "900", "-721", "5.5"] {
        let (status, e) = stack
            .call(
                Method::GET,
                &format!("/api/overview?utcOffsetMinutes={bad}"),
                Some(&viewer),
                None,
            )
            .await;
        assert_eq!(
            (status, e["error"]["code"].as_str()),
            (400, Some("VALIDATION_FAILED")),
            "{bad}: {e}"
        );
    }
    let (status, _) = stack.call(Method::GET, "/api/overview", None, None).await;
    assert_eq!(status, 401);
}
