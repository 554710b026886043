//! `make bench`: what one send costs through the local stack, against baselines measured in the
//! same run on the same stack.
//!
//! Every request goes over HTTP through the local API gateway (authorizer, then the function's
//! handler, the code Lambda runs) to moto and the provider sandbox. Baselines: `GET /api/health`
//! (the gateway alone, no AWS) and `GET /api/me` (the authorizer: JWT verification and the users
//! record). Figures are printed as ratios to those, because absolute times here swing with the
//! machine's load and moto, not with our code. DynamoDB calls per request are counted with an SDK
//! interceptor on the functions' client. Rates are raised so the limiter never makes a send wait.

use std::time::{Duration, Instant};

use serde_json::json;
use wecare_core::Role;
use wecare_tests::{Method, TestStack};

const RUNS: usize = 200;

struct Figures {
    name: &'static str,
    p50: Duration,
    p95: Duration,
    dynamo_calls: f64,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn measure<F, Fut>(stack: &TestStack, name: &'static str, mut once: F) -> Figures
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = u16>,
{
    // Warm-up: connections, JWKS, the users record.
    for i in 0..5 {
        once(RUNS + i).await;
    }
    stack.dynamo_ops.clear();
    let mut times = Vec::with_capacity(RUNS);
    for i in 0..RUNS {
        let started = Instant::now();
        let status = once(i).await;
        times.push(started.elapsed());
        assert!((200..300).contains(&status), "{name}: status {status}");
    }
    times.sort();
    Figures {
        name,
        p50: percentile(&times, 0.5),
        p95: percentile(&times, 0.95),
        dynamo_calls: stack.dynamo_ops.operations().len() as f64 / RUNS as f64,
    }
}

#[tokio::main]
async fn main() {
    let stack = TestStack::start_with(&[("RATE_WHATSAPP_PER_SECOND", "5000"), ("RATE_SMS_PER_SECOND", "5000")]).await;
    let op = stack.token(Role::Operator).await;
    let id = stack
        .create_contact(
            &op,
            json!({ "phone": "+919811100000", "optInWhatsApp": true, "optInSms": true }),
        )
        .await;
    stack.open_window(&id, 5).await;

    let health = measure(&stack, "GET /api/health (baseline)", |_| async {
        stack.call(Method::GET, "/api/health", None, None).await.0
    })
    .await;
    let me = measure(&stack, "GET /api/me (authorizer)", |_| async {
        stack.call(Method::GET, "/api/me", Some(&op), None).await.0
    })
    .await;
    let whatsapp = measure(&stack, "POST /api/messages/whatsapp", |i| {
        let body = json!({ "contactId": id, "text": format!("Your order #{i} is on its way") });
        let (stack, op) = (&stack, &op);
        async move { stack.send_message(op, "whatsapp", body).await.0 }
    })
    .await;
    let sms = measure(&stack, "POST /api/messages/sms", |i| {
        let body = json!({ "contactId": id, "text": format!("Your code is {i:06}") });
        let (stack, op) = (&stack, &op);
        async move { stack.send_message(op, "sms", body).await.0 }
    })
    .await;

    println!("\nsend path through the local stack ({RUNS} sequential requests each; moto + provider sandbox)\n");
    println!(
        "{:<32} {:>9} {:>9} {:>11} {:>11} {:>13}",
        "request", "p50 ms", "p95 ms", "p50/health", "p50/me", "DynamoDB/req"
    );
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    for f in [&health, &me, &whatsapp, &sms] {
        println!(
            "{:<32} {:>9.2} {:>9.2} {:>10.1}x {:>10.2}x {:>13.2}",
            f.name,
            ms(f.p50),
            ms(f.p95),
            ms(f.p50) / ms(health.p50),
            ms(f.p50) / ms(me.p50),
            f.dynamo_calls
        );
    }
    println!(
        "\nA send costs {:.2} DynamoDB calls beyond the authorizer's {:.2} (WhatsApp, inside the window).",
        whatsapp.dynamo_calls - me.dynamo_calls,
        me.dynamo_calls
    );
}
