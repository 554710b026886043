//! A bulk job under every fault at once: 500 recipients, the provider throttling 20 % of calls and
//! dropping 5 % of connections after accepting them, every chunk delivered twice, one worker
//! killed mid-chunk, and a customer writing STOP while the campaign runs. The sandbox's ledger is
//! the witness: nobody is sent twice, nobody without consent is sent anything, and every recipient
//! ends in exactly one state, the job's counts adding up to the total.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{json, Value};
use wecare_core::{Channel, Role};
use wecare_local::bulk_pump::PumpOptions;
use wecare_tests::bulk::{assert_adds_up, create_job, ids, job, seed_contacts, Person};
use wecare_tests::{eventually, Method, TestStack};

/// Template sends the sandbox accepted (a dropped connection was accepted too): recipient → count.
fn template_sends(ledger: &[Value]) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for e in ledger.iter().filter(|e| {
        e["operation"] == "SendWhatsAppMessage" && e["status"] == 200 && e["request"]["message"]["type"] == "template"
    }) {
        *m.entry(e["request"]["message"]["to"].as_str().unwrap_or_default().to_string())
            .or_default() += 1;
    }
    m
}

async fn all_recipients(stack: &TestStack, token: &str, id: &str) -> HashMap<String, String> {
    let mut state = HashMap::new();
    for status in ["pending", "sent", "failed", "skipped", "unknown", "cancelled"] {
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/api/bulk-jobs/{id}/recipients?status={status}&limit=100");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let (code, page) = stack.call(Method::GET, &path, Some(token), None).await;
            assert_eq!(code, 200, "{page}");
            for r in page["items"].as_array().unwrap() {
                let contact = r["contactId"].as_str().unwrap().to_string();
                let previous = state.insert(contact.clone(), status.to_string());
                assert!(previous.is_none(), "{contact} is both {previous:?} and {status}");
            }
            match page["nextCursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
    }
    state
}

#[tokio::test]
async fn under_throttling_drops_duplicates_and_a_killed_worker_no_recipient_is_sent_twice_or_without_consent() {
    let pump = PumpOptions {
        concurrency: 2,
        deliver_twice: true,
        abort: Some((1, Duration::from_millis(1500))),
        ..PumpOptions::default()
    };
    let aborted = pump.aborted.clone();
    let stack =
        TestStack::start_with_pump(&[("WHATSAPP_TIER_LIMIT", "2000"), ("STALE_CLAIM_SECONDS", "12")], pump).await;
    // The killed worker's chunk comes back after this (six times the worker's timeout in AWS).
    aws_sdk_sqs::Client::new(&stack.sdk)
        .set_queue_attributes()
        .queue_url(&stack.resources.queues["bulk-queue"])
        .attributes(QueueAttributeName::VisibilityTimeout, "15")
        .send()
        .await
        .expect("visibility");
    let op = stack.token(Role::Operator).await;

    let consenting: Vec<Person> = (0..500).map(|i| Person::numbered(i, &[Channel::WhatsApp])).collect();
    let refusing: Vec<Person> = (500..510).map(|i| Person::numbered(i, &[])).collect();
    let mut list = seed_contacts(&stack, &consenting).await;
    let stopper_phone = "+919870000499"; // the last recipient: STOP reaches us before its turn
    list.extend(seed_contacts(&stack, &refusing).await);

    for (probability, fault) in [
        (0.20, json!({ "status": 429, "code": "ThrottlingException" })),
        (0.05, json!({ "mode": "drop" })),
    ] {
        let mut f = fault;
        f["operation"] = json!("SendWhatsAppMessage");
        f["probability"] = json!(probability);
        stack.fault(f).await;
    }

    let body = json!({
        "name": "Fault drill",
        "channel": "whatsapp",
        "content": { "type": "template", "name": "order_update", "language": "en_US", "parameters": ["{{name}}", "#42"] },
        "recipients": { "type": "contacts", "contactIds": ids(&list) },
        "confirmedCount": 500,
    });
    let (status, created) = create_job(&stack, &op, &body).await;
    assert_eq!(status, 202, "{created}");
    assert_eq!(created["job"]["excluded"]["not_opted_in"], 10);
    let id = created["job"]["jobId"].as_str().unwrap().to_string();

    eventually("the first sends", Duration::from_secs(60), || async {
        let v = job(&stack, &op, &id).await;
        (v["job"]["progress"]["sent"].as_u64().unwrap_or(0) > 0).then_some(())
    })
    .await;
    stack
        .customer_message(json!({ "from": stopper_phone, "text": "STOP" }))
        .await;

    let started = std::time::Instant::now();
    let done = eventually("the job to finish", Duration::from_secs(240), || async {
        let v = job(&stack, &op, &id).await;
        eprintln!(
            "{:>5.1}s {} {}",
            started.elapsed().as_secs_f64(),
            v["job"]["status"],
            v["job"]["progress"]
        );
        tokio::time::sleep(Duration::from_millis(900)).await;
        v["job"]
            .get("finishedAt")
            .filter(|f| !f.is_null())
            .map(|_| v["job"].clone())
    })
    .await;
    assert_adds_up(&done);
    assert_eq!(
        aborted.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "a worker was killed mid-chunk"
    );
    let p = &done["progress"];
    assert_eq!(p["total"], 500);
    assert_eq!(p["pending"], 0);
    assert_eq!(
        p["skipped"]["opted_out_by_keyword"], 1,
        "the STOP mid-campaign was honoured: {p}"
    );

    let ledger = stack.ledger().await;
    let sends = template_sends(&ledger);
    let twice: Vec<_> = sends.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert!(!sends.contains_key(stopper_phone), "nothing after their STOP");
    for i in 500..510 {
        assert!(!sends.contains_key(&format!("+919870{i:06}")), "no consent, no message");
    }
    let (sent, unknown, failed) = (
        p["sent"].as_u64().unwrap(),
        p["unknown"].as_u64().unwrap(),
        p["failed"].as_u64().unwrap(),
    );
    // Every accepted call is a sent or an unknown recipient (a dropped answer, or a killed worker's
    // call in flight), and every sent recipient is an accepted call.
    assert!(
        sent as usize <= sends.len() && sends.len() <= (sent + unknown) as usize,
        "{p} vs {} calls",
        sends.len()
    );
    let throttled = ledger.iter().filter(|e| e["status"] == 429).count();
    assert!(throttled > 50, "the provider throttled: {throttled}");
    assert!(unknown > 0, "some answers were dropped: {p}");
    assert_eq!(done["status"], "COMPLETED_WITH_FAILURES");

    let states = all_recipients(&stack, &op, &id).await;
    assert_eq!(states.len(), 500, "every recipient in exactly one state");
    let count = |s: &str| states.values().filter(|v| *v == s).count() as u64;
    assert_eq!(
        (count("sent"), count("unknown"), count("failed")),
        (sent, unknown, failed)
    );
    eprintln!(
        "fault drill: sent {sent}, unknown {unknown}, failed {failed}, skipped {}, provider calls {} ({} throttled)",
        p["skipped"],
        ledger
            .iter()
            .filter(|e| e["operation"] == "SendWhatsAppMessage")
            .count(),
        throttled
    );
}
