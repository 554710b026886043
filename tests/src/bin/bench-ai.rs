//! `make bench-ai`: what a question to the knowledge base, a drafted suggestion and its approval
//! cost in time through the local stack, as ratios to `GET /api/me` measured in the same run.
//!
//! Every request goes over HTTP through the local API gateway (authorizer, then the function's
//! handler) to moto and the provider sandbox, whose knowledge base and agent answer at once: the
//! figures are the platform's own overhead around Bedrock (authorization, reading the
//! conversation, storing the interaction and its counts, the send pipeline), not Bedrock's
//! latency, which in AWS adds seconds. Requests run one after another.

use std::time::{Duration, Instant};

use serde_json::json;
use wecare_core::Role;
use wecare_tests::{eventually, Method, TestStack};

const RUNS: usize = 60;
const WARM_UP: usize = 5;

struct Timed {
    name: &'static str,
    p50: Duration,
    p95: Duration,
    /// DynamoDB calls per request, by operation.
    calls: std::collections::BTreeMap<String, f64>,
}

/// Times `RUNS` calls of `once` after `WARM_UP` untimed ones; each must answer 2xx.
async fn measure<F, Fut>(stack: &TestStack, name: &'static str, mut once: F) -> Timed
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = (u16, serde_json::Value)>,
{
    for i in 0..WARM_UP {
        once(RUNS + i).await;
    }
    stack.dynamo_ops.clear();
    let mut times = Vec::with_capacity(RUNS);
    for i in 0..RUNS {
        let started = Instant::now();
        let (status, body) = once(i).await;
        times.push(started.elapsed());
        assert!((200..300).contains(&status), "{name}: {status} {body}");
    }
    times.sort();
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    let mut calls = std::collections::BTreeMap::new();
    for op in stack.dynamo_ops.operations() {
        *calls.entry(op).or_default() += 1.0 / RUNS as f64;
    }
    Timed {
        name,
        p50: at(0.5),
        p95: at(0.95),
        calls,
    }
}

#[tokio::main]
async fn main() {
    let stack = TestStack::start_with(&[("RATE_WHATSAPP_PER_SECOND", "5000")]).await;
    let op = stack.token(Role::Operator).await;
    let phone = "+919811100000";
    let contact = stack
        .create_contact(&op, json!({ "name": "Asha", "phone": phone, "optInWhatsApp": true }))
        .await;
    let question = "What is your returns policy?";
    stack.customer_message(json!({ "from": phone, "text": question })).await;
    eventually("the customer's message", Duration::from_secs(20), || async {
        stack.timeline(&op, &contact).await.into_iter().next()
    })
    .await;

    let me = measure(&stack, "GET /api/me (baseline)", |_| {
        stack.call(Method::GET, "/api/me", Some(&op), None)
    })
    .await;
    let query = measure(&stack, "POST /api/ai/query", |_| {
        let body = json!({ "question": question });
        let (stack, op) = (&stack, &op);
        async move { stack.call(Method::POST, "/api/ai/query", Some(op), Some(&body)).await }
    })
    .await;
    let mut drafted = Vec::new();
    let suggest = measure(&stack, "POST /api/ai/suggestions", |_| {
        let body = json!({ "contactId": contact });
        let (stack, op) = (&stack, &op);
        async move {
            stack
                .call(Method::POST, "/api/ai/suggestions", Some(op), Some(&body))
                .await
        }
    })
    .await;
    // Drafts to approve, made outside the timed runs; each approval sends one message.
    for _ in 0..(RUNS + WARM_UP) {
        let (_, d) = stack
            .call(
                Method::POST,
                "/api/ai/suggestions",
                Some(&op),
                Some(&json!({ "contactId": contact })),
            )
            .await;
        drafted.push(d["id"].as_str().unwrap_or_default().to_string());
    }
    let approve = measure(&stack, "POST /api/ai/suggestions/{id}/approve", |i| {
        let path = format!("/api/ai/suggestions/{}/approve", drafted[i]);
        let body = json!({ "text": format!("Hello Asha, returns are free within 30 days. ({i})") });
        let (stack, op) = (&stack, &op);
        async move { stack.call(Method::POST, &path, Some(op), Some(&body)).await }
    })
    .await;

    println!("\nAI through the local stack ({RUNS} sequential requests each; moto + the sandbox's knowledge base and agent)\n");
    println!(
        "{:<40} {:>9} {:>9} {:>9} {:>13}",
        "request", "p50 ms", "p95 ms", "p50/me", "DynamoDB/req"
    );
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    for t in [&me, &query, &suggest, &approve] {
        println!(
            "{:<40} {:>9.2} {:>9.2} {:>8.2}x {:>13.2}",
            t.name,
            ms(t.p50),
            ms(t.p95),
            ms(t.p50) / ms(me.p50),
            t.calls.values().sum::<f64>()
        );
    }
    for t in [&query, &suggest, &approve] {
        let calls: Vec<String> = t.calls.iter().map(|(op, n)| format!("{op} {n:.2}")).collect();
        println!("  {}: {}", t.name, calls.join(", "));
    }
}
