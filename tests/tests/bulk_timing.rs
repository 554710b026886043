//! Bulk jobs against the clock: pacing (two workers and a sender at 20/s never put more than 20
//! sends in any sliding second of the provider's ledger, and use at least 90 % of the rate),
//! pause (nothing reaches the provider more than a second after it; resume finishes the job with
//! nobody sent twice) and cancel (the rest is cancelled). These measure time, so they run one at a
//! time.

use std::time::Duration;

use serde_json::{json, Value};
use wecare_core::{Channel, Role};
use wecare_local::bulk_pump::PumpOptions;
use wecare_tests::bulk::{
    assert_adds_up, busiest_second, control, create_job, finished, ids, job, per_recipient, seed_contacts,
    whatsapp_sends, Person,
};
use wecare_tests::{eventually, TestStack};

/// One timing test at a time: they share two cores with moto.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn stack_at(rate: &str) -> TestStack {
    let pump = PumpOptions {
        concurrency: 2,
        ..PumpOptions::default()
    };
    TestStack::start_with_pump(
        &[("RATE_WHATSAPP_PER_SECOND", rate), ("WHATSAPP_TIER_LIMIT", "5000")],
        pump,
    )
    .await
}

/// A WhatsApp job to `n` customers inside their 24-hour window (free-form text: no tier writes,
/// so moto's capacity on two cores is not what the pacing measures).
async fn start_job(stack: &TestStack, token: &str, n: usize) -> String {
    let people: Vec<Person> = (0..n)
        .map(|i| Person {
            wrote_minutes_ago: Some(30),
            ..Person::numbered(i, &[Channel::WhatsApp])
        })
        .collect();
    let list = seed_contacts(stack, &people).await;
    let body = json!({
        "channel": "whatsapp",
        "content": { "type": "text", "body": "Hi {{name}}, your order #7 is on its way." },
        "recipients": { "type": "contacts", "contactIds": ids(&list) },
        "confirmedCount": n,
    });
    let (status, created) = create_job(stack, token, &body).await;
    assert_eq!(status, 202, "{created}");
    created["job"]["jobId"].as_str().unwrap().to_string()
}

async fn wait_sent(stack: &TestStack, token: &str, id: &str, at_least: u64) {
    eventually("sends to start", Duration::from_secs(60), || async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let v = job(stack, token, id).await;
        (v["job"]["progress"]["sent"].as_u64().unwrap_or(0) >= at_least).then_some(())
    })
    .await;
}

#[tokio::test]
async fn two_workers_never_exceed_the_senders_rate_in_any_second_and_use_at_least_ninety_percent_of_it() {
    let _one = SERIAL.lock().await;
    let stack = stack_at("20").await;
    let op = stack.token(Role::Operator).await;
    let id = start_job(&stack, &op, 400).await;
    let done = finished(&stack, &op, &id, Duration::from_secs(120)).await;
    assert_eq!(done["progress"]["sent"], 400, "{done}");

    let sends = whatsapp_sends(&stack.ledger().await);
    assert_eq!(sends.len(), 400);
    assert!(per_recipient(&sends).values().all(|n| *n == 1));
    let busiest = busiest_second(&sends);
    let first = sends.iter().map(|(_, t)| *t).min().unwrap();
    let last = sends.iter().map(|(_, t)| *t).max().unwrap();
    let rate = (sends.len() - 1) as f64 / ((last - first).num_milliseconds() as f64 / 1000.0);
    eprintln!("pacing: busiest second {busiest} (limit 20), achieved {rate:.2}/s of 20/s");
    let mut ops: std::collections::BTreeMap<String, usize> = Default::default();
    for o in stack.dynamo_ops.operations() {
        *ops.entry(o).or_default() += 1;
    }
    eprintln!("dynamo ops: {ops:?}");
    let mut at: Vec<_> = sends.iter().map(|(_, t)| *t).collect();
    at.sort();
    for w in at.chunks(50) {
        let span = (w[w.len() - 1] - w[0]).num_milliseconds() as f64 / 1000.0;
        eprintln!("  50 sends in {span:.2}s");
    }
    assert!(busiest <= 20, "{busiest} sends in one second");
    assert!(rate >= 18.0, "only {rate:.2}/s");
}

#[tokio::test]
async fn a_paused_job_sends_nothing_a_second_later_and_resume_finishes_it_without_repeating_anyone() {
    let _one = SERIAL.lock().await;
    let stack = stack_at("20").await;
    let op = stack.token(Role::Operator).await;
    let id = start_job(&stack, &op, 200).await;
    wait_sent(&stack, &op, &id, 30).await;

    let (status, paused) = control(&stack, &op, &id, "pause").await;
    let paused_at = chrono::Utc::now();
    assert_eq!(
        (status, paused["job"]["status"].as_str()),
        (200, Some("PAUSED")),
        "{paused}"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let sends = whatsapp_sends(&stack.ledger().await);
    let late: Vec<_> = sends
        .iter()
        .filter(|(_, t)| *t > paused_at + chrono::Duration::seconds(1))
        .collect();
    assert!(
        late.is_empty(),
        "{} sends more than a second after the pause",
        late.len()
    );
    let at_pause = sends.len();
    assert!(at_pause < 200, "the pause came before the end");
    let (status, e) = control(&stack, &op, &id, "pause").await;
    assert_eq!(status, 409, "a paused job is not paused again: {e}");
    let v: Value = job(&stack, &op, &id).await;
    assert_eq!(v["job"]["status"], "PAUSED");

    let (status, resumed) = control(&stack, &op, &id, "resume").await;
    assert_eq!(
        (status, resumed["job"]["status"].as_str()),
        (200, Some("RUNNING")),
        "{resumed}"
    );
    let done = finished(&stack, &op, &id, Duration::from_secs(90)).await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    assert_eq!(done["progress"]["sent"], 200);
    let sends = whatsapp_sends(&stack.ledger().await);
    assert_eq!(sends.len(), 200, "resume sent only the unsent");
    assert!(per_recipient(&sends).values().all(|n| *n == 1));
}

#[tokio::test]
async fn a_cancelled_job_stops_within_a_second_and_leaves_the_rest_cancelled() {
    let _one = SERIAL.lock().await;
    let stack = stack_at("20").await;
    let op = stack.token(Role::Operator).await;
    let id = start_job(&stack, &op, 200).await;
    wait_sent(&stack, &op, &id, 20).await;

    let (status, cancelled) = control(&stack, &op, &id, "cancel").await;
    let cancelled_at = chrono::Utc::now();
    assert_eq!(
        (status, cancelled["job"]["status"].as_str()),
        (200, Some("CANCELLED")),
        "{cancelled}"
    );
    let done = finished(&stack, &op, &id, Duration::from_secs(90)).await;
    assert_eq!(done["status"], "CANCELLED");
    assert_adds_up(&done);
    let p = &done["progress"];
    assert_eq!(p["pending"], 0, "{p}");
    let (sent, gone) = (p["sent"].as_u64().unwrap(), p["cancelled"].as_u64().unwrap());
    assert!(gone > 0 && sent + gone == 200, "{p}");
    let sends = whatsapp_sends(&stack.ledger().await);
    assert_eq!(sends.len() as u64, sent, "the ledger and the counts agree");
    assert!(
        sends
            .iter()
            .all(|(_, t)| *t <= cancelled_at + chrono::Duration::seconds(1)),
        "nothing reached the provider more than a second after the cancel"
    );
    let (status, _) = control(&stack, &op, &id, "resume").await;
    assert_eq!(status, 409, "a cancelled job stays cancelled");
    let (status, report) = stack
        .call(
            wecare_tests::Method::GET,
            &format!("/api/bulk-jobs/{id}/report"),
            Some(&op),
            None,
        )
        .await;
    assert_eq!(status, 200, "{report}");
}
