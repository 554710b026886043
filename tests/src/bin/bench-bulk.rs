//! `make bench-bulk`: one WhatsApp campaign of 10,000 recipients through the local stack (the
//! create API, the pump playing SQS's event source with 4 concurrent workers, moto and the provider
//! sandbox), from a sender configured at 50 messages a second, then the acceptance time of a
//! 100,000-recipient job. Each job is created as the console creates it: previewed, then created
//! confirming that preview; the create is the acceptance.
//!
//! Everything is measured in this run: rates against the configured rate, the busiest sliding
//! second of the provider's ledger against the limit, duplicates in that ledger, DynamoDB units
//! (`wecare_tests::units`: moto reports no consumed capacity), SQS requests (the functions' and
//! the event source's), worker time (what Lambda bills) and, from those, the AWS-side cost per
//! million messages at list prices. Worker time is also given against a DynamoDB round trip
//! measured on the same stack, because absolute times here follow moto's speed, not our code's.
//!
//! `BENCH_BULK_RECIPIENTS` and `BENCH_BULK_BIG` shrink the runs for a quick look (`BENCH_BULK_BIG=0`
//! skips the big job). The big job's recipients are a CSV of its 100,000 customers, uploaded as
//! the console uploads one, rather than a filter: moto answers each Query page by scanning and
//! sorting the whole table and walking past the pages before it, so a filter's preview of 100,000
//! contacts (200 pages) ran for over 35 minutes here without ending, while a list's rows are
//! matched with batched reads. A create from a preview does the same few requests whichever form
//! the recipients take (its DynamoDB calls are printed with it).

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wecare_core::{Channel, Role};
use wecare_local::bulk_pump::{PumpOptions, PumpStats};
use wecare_tests::bulk::{
    busiest_second, create_job, job, per_recipient, preview, seed_contacts, upload_list, whatsapp_sends, Person,
};
use wecare_tests::units::{read_units, write_units};
use wecare_tests::TestStack;

/// The sender's configured rate (`BENCH_BULK_RATE` sets another, e.g. one below what moto serves).
const DEFAULT_RATE: usize = 50;
const WORKERS: usize = 4;

/// List prices, us-east-1, in dollars.
mod price {
    /// DynamoDB on demand, per write and per read unit.
    pub const WRITE_UNIT: f64 = 0.625e-6;
    pub const READ_UNIT: f64 = 0.125e-6;
    /// SQS standard queue, per request.
    pub const SQS_REQUEST: f64 = 0.40e-6;
    /// Lambda on arm64, per GB-second and per invocation.
    pub const LAMBDA_GB_SECOND: f64 = 0.000_013_333_4;
    pub const LAMBDA_REQUEST: f64 = 0.20e-6;
    /// The functions' memory (infra's FUNCTION_MEMORY_MB), in GB.
    pub const LAMBDA_MEMORY_GB: f64 = 0.25;
    /// S3 standard, per PUT and per GET.
    pub const S3_PUT: f64 = 0.005e-3;
    pub const S3_GET: f64 = 0.0004e-3;
}

/// Goals (issue: bulk campaigns).
mod goal {
    pub const RATE_SHARE: f64 = 0.95;
    pub const WRITE_UNITS: f64 = 3.0;
    pub const READ_UNITS: f64 = 1.0;
    pub const COST_PER_MILLION: f64 = 2.10;
    pub const ACCEPTANCE_SECONDS: f64 = 2.0;
}

fn from_env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn campaign(recipients: usize) -> Value {
    json!({
        "channel": "whatsapp",
        "content": { "type": "template", "name": "order_update", "language": "en_US", "parameters": ["{{name}}", "#42"] },
        "recipients": { "type": "filter", "optedIn": true },
        "confirmedCount": recipients,
    })
}

/// WhatsApp customers outside their window (each send opens a business-initiated conversation,
/// as a campaign's do).
fn customers(n: usize) -> Vec<Person> {
    (0..n).map(|i| Person::numbered(i, &[Channel::WhatsApp])).collect()
}

/// The mean round trip of a GetItem on this stack: the yardstick for worker time.
async fn dynamo_round_trip(stack: &TestStack) -> Duration {
    let table = stack.table(wecare_core::tables::Table::BulkJobs);
    let runs = 100;
    let started = Instant::now();
    for i in 0..runs {
        stack
            .dynamo()
            .get_item()
            .table_name(&table)
            .key("pk", aws_sdk_dynamodb::types::AttributeValue::S(format!("none#{i}")))
            .key("sk", aws_sdk_dynamodb::types::AttributeValue::S("JOB".into()))
            .send()
            .await
            .expect("GetItem");
    }
    started.elapsed() / runs
}

/// What moto serves at most here: DynamoDB requests per second from 8 concurrent callers (it
/// serves DynamoDB one request at a time), measured with conditional puts like a claim's. With the
/// campaign's requests per message, this bounds the rate any code could reach on this stack.
async fn dynamo_capacity(stack: &TestStack) -> f64 {
    let table = stack.table(wecare_core::tables::Table::BulkJobs);
    let per_task = 150;
    let started = Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let (client, table) = (stack.dynamo(), table.clone());
            tokio::spawn(async move {
                for i in 0..per_task {
                    client
                        .put_item()
                        .table_name(&table)
                        .item(
                            "pk",
                            aws_sdk_dynamodb::types::AttributeValue::S(format!("capacity#{t}#{i}")),
                        )
                        .item("sk", aws_sdk_dynamodb::types::AttributeValue::S("PROBE".into()))
                        .item("body", aws_sdk_dynamodb::types::AttributeValue::S("x".repeat(600)))
                        .condition_expression("attribute_not_exists(pk)")
                        .send()
                        .await
                        .expect("PutItem");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("probe");
    }
    f64::from(8 * per_task) / started.elapsed().as_secs_f64()
}

/// CPU time moto has used so far (user and system, all its threads), from `/proc`; `None` where
/// that cannot be read (no `WECARE_MOTO_PID`, not Linux).
fn moto_cpu() -> Option<Duration> {
    let pid = std::env::var("WECARE_MOTO_PID").ok()?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces, so split after its closing paren):
    // utime and stime are the 12th and 13th, in clock ticks, whose rate `getconf` tells.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    let per_second: u64 = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .filter(|hz| *hz > 0)?;
    Some(Duration::from_secs_f64(ticks as f64 / per_second as f64))
}

/// Sends per second between the 5th and the 95th percentile of the send times (ramp-up and the
/// tail left out).
/// The steady state of a run's sorted send times: without its first and last 5 %.
fn steady(times: &[chrono::DateTime<chrono::Utc>]) -> &[chrono::DateTime<chrono::Utc>] {
    &times[times.len() / 20..times.len() - times.len() / 20]
}

fn steady_rate(times: &[chrono::DateTime<chrono::Utc>]) -> f64 {
    let steady = steady(times);
    let span = (steady[steady.len() - 1] - steady[0]).num_milliseconds() as f64 / 1000.0;
    (steady.len() - 1) as f64 / span
}

/// Of the steady state's slots (spaced as the pacer spaces them), the share that passed with no
/// send: every gap between two sends of about `k` slots is `k - 1` slots unused, whether dropped
/// by a late send or never reserved by an idle bucket.
fn unused_slots(times: &[chrono::DateTime<chrono::Utc>], rate: f64) -> f64 {
    let steady = steady(times);
    let spacing = (1.0 + wecare_messaging::pace::HEADROOM) / rate;
    let unused: u64 = steady
        .windows(2)
        .map(|w| ((w[1] - w[0]).num_microseconds().unwrap_or(0) as f64 / 1e6 / spacing).round() as u64)
        .map(|slots| slots.saturating_sub(1))
        .sum();
    unused as f64 / (unused + steady.len() as u64 - 1) as f64
}

/// What an operator does: previews the campaign, then creates it confirming that preview. The
/// create alone is timed (the acceptance); the preview's time is given with it.
async fn preview_then_create(stack: &TestStack, op: &str, body: &Value) -> (u16, Value, Duration, Duration) {
    let previewing = Instant::now();
    let (status, p) = preview(stack, op, body).await;
    let previewed = previewing.elapsed();
    assert_eq!(status, 200, "{p}");
    let mut confirmed = body.clone();
    confirmed["previewId"] = p["previewId"].clone();
    let accepting = Instant::now();
    let (status, created) = create_job(stack, op, &confirmed).await;
    (status, created, accepting.elapsed(), previewed)
}

/// The campaign to a list uploaded as the console uploads one: one row per customer, by phone.
async fn campaign_to_list(stack: &TestStack, op: &str, people: &[Person]) -> Value {
    let mut csv = String::from("name,phone\n");
    for p in people {
        csv.push_str(&format!(
            "{},{}\n",
            p.name.as_deref().unwrap_or_default(),
            p.phone.as_deref().unwrap_or_default()
        ));
    }
    let mut body = campaign(people.len());
    body["recipients"] = json!({ "type": "upload", "uploadId": upload_list(stack, op, csv).await });
    body
}

/// Seeds `big` customers on a stack of their own (no pump: the job is only accepted) and creates
/// a campaign to all of them, as an uploaded list: its status, how long the create took, its
/// DynamoDB calls, its answer, and how long its preview took.
async fn accept_big(big: usize) -> (u16, Duration, BTreeMap<String, usize>, Value, Duration) {
    let stack = TestStack::start_with(&[("WHATSAPP_TIER_LIMIT", "1000000")]).await;
    let op = stack.token(Role::Operator).await;
    let seeding = Instant::now();
    let people = customers(big);
    seed_contacts(&stack, &people).await;
    eprintln!("seeded {big} contacts in {:.1}s", seeding.elapsed().as_secs_f64());
    let body = campaign_to_list(&stack, &op, &people).await;
    let previewing = Instant::now();
    let (status, p) = preview(&stack, &op, &body).await;
    let previewed = previewing.elapsed();
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["eligible"], big, "{}", p["excluded"]);
    let mut confirmed = body;
    confirmed["previewId"] = p["previewId"].clone();
    stack.dynamo_ops.clear();
    let accepting = Instant::now();
    let (status, created) = create_job(&stack, &op, &confirmed).await;
    let took = accepting.elapsed();
    let mut calls: BTreeMap<String, usize> = BTreeMap::new();
    for o in stack.dynamo_ops.operations() {
        *calls.entry(o).or_default() += 1;
    }
    (status, took, calls, created, previewed)
}

#[tokio::main]
async fn main() {
    if std::env::var_os("LOG_LEVEL").is_some() {
        // The functions' own logs (`LOG_LEVEL=info` shows each chunk's limiter writes and slots).
        wecare_http::observability::init_json_logs();
    }
    let recipients = from_env("BENCH_BULK_RECIPIENTS", 10_000);
    let big = from_env("BENCH_BULK_BIG", 100_000);
    let stats = PumpStats::default();
    let pump = PumpOptions {
        concurrency: WORKERS,
        stats: stats.clone(),
        ..PumpOptions::default()
    };
    let rate_setting = from_env("BENCH_BULK_RATE", DEFAULT_RATE);
    let rate = rate_setting.to_string();
    let stack = TestStack::start_with_pump(
        &[("RATE_WHATSAPP_PER_SECOND", &rate), ("WHATSAPP_TIER_LIMIT", "1000000")],
        pump,
    )
    .await;
    let op = stack.token(Role::Operator).await;
    let round_trip = dynamo_round_trip(&stack).await;
    let capacity = dynamo_capacity(&stack).await;

    let seeding = Instant::now();
    seed_contacts(&stack, &customers(recipients)).await;
    eprintln!(
        "seeded {recipients} contacts in {:.1}s",
        seeding.elapsed().as_secs_f64()
    );
    stack.dynamo_ops.clear();
    stack.sqs_ops.clear();

    let (status, created, acceptance, previewed) = preview_then_create(&stack, &op, &campaign(recipients)).await;
    assert_eq!(status, 202, "{created}");
    let id = created["job"]["jobId"].as_str().expect("job id").to_string();
    let running = Instant::now();
    let moto_before = moto_cpu();
    let done = loop {
        tokio::time::sleep(Duration::from_secs(10)).await;
        let v = job(&stack, &op, &id).await;
        let p = &v["job"]["progress"];
        eprintln!(
            "{:>5.0}s {} sent {} failed {} pending {}",
            running.elapsed().as_secs_f64(),
            v["job"]["status"],
            p["sent"],
            p["failed"],
            p["pending"]
        );
        if !v["job"]["finishedAt"].is_null() {
            break v["job"].clone();
        }
        assert!(
            running.elapsed() < Duration::from_secs(3600),
            "the job did not finish in an hour"
        );
    };
    let wall = running.elapsed();
    // moto serves requests one at a time (Python), so the CPU it spent on this campaign's messages
    // bounds the rate any code could reach on this stack: one second of its CPU a second at most.
    let moto_busy = moto_cpu()
        .zip(moto_before)
        .map(|(after, before)| after.saturating_sub(before));

    let sends = whatsapp_sends(&stack.ledger().await);
    let n = sends.len() as f64;
    let duplicates: usize = per_recipient(&sends).values().map(|c| c - 1).sum();
    let busiest = busiest_second(&sends);
    let mut times: Vec<_> = sends.iter().map(|(_, t)| *t).collect();
    times.sort();
    let overall = (n - 1.0) / ((times[times.len() - 1] - times[0]).num_milliseconds() as f64 / 1000.0);
    let steady = steady_rate(&times);
    let unused = unused_slots(&times, rate_setting as f64);

    let writes = write_units(&stack).await.per(n);
    let reads = read_units(&stack).per(n);
    let mut dynamo_calls: BTreeMap<String, f64> = BTreeMap::new();
    for o in stack.dynamo_ops.operations() {
        *dynamo_calls.entry(o).or_default() += 1.0 / n;
    }
    let function_sqs = stack.sqs_ops.operations().len() as f64;
    let pump_sqs = stats.sqs_requests.load(Ordering::Relaxed) as f64;
    let sqs = (function_sqs + pump_sqs) / n;
    let invocations = stats.invocations.load(Ordering::Relaxed) as f64;
    let busy = Duration::from_micros(stats.busy_micros.load(Ordering::Relaxed));
    let worker_ms = busy.as_secs_f64() * 1000.0 / n;
    // Not measured (S3 has no operation log here): a job's S3 requests from its code path — the
    // manifest written at creation and read once by expand, the report written at the end.
    let s3_puts = 2.0;
    let s3_gets = 1.0;

    let per_million = |per_message: f64| per_message * 1e6;
    let cost_dynamo = per_million((writes.total + writes.indexes) * price::WRITE_UNIT + reads.total * price::READ_UNIT);
    let cost_sqs = per_million(sqs * price::SQS_REQUEST);
    let cost_lambda = per_million(
        busy.as_secs_f64() / n * price::LAMBDA_MEMORY_GB * price::LAMBDA_GB_SECOND
            + invocations / n * price::LAMBDA_REQUEST,
    );
    let cost_s3 = per_million((s3_puts * price::S3_PUT + s3_gets * price::S3_GET) / n);
    let cost = cost_dynamo + cost_sqs + cost_lambda + cost_s3;

    // The acceptance of a big job, on a stack of its own with no pump (the job is only accepted).
    let big_run = if big > 0 { Some(accept_big(big).await) } else { None };

    let check = |ok: bool| if ok { "met" } else { "NOT MET" };
    println!(
        "\nbulk campaign through the local stack: {recipients} WhatsApp recipients (template, business-initiated), \
         sender at {rate_setting}/s, {WORKERS} workers; job {}, sent {}, wall {:.0}s\n",
        done["status"],
        done["progress"]["sent"],
        wall.as_secs_f64()
    );
    println!("{:<44} {:>12} {:>12} {:>8}", "figure", "measured", "goal", "");
    let row = |what: &str, measured: String, goal: String, ok: bool| {
        println!("{what:<44} {measured:>12} {goal:>12} {:>8}", check(ok));
    };
    row(
        "steady rate / configured (5th–95th pct)",
        format!("{:.3}", steady / rate_setting as f64),
        format!("≥ {:.2}", goal::RATE_SHARE),
        steady / rate_setting as f64 >= goal::RATE_SHARE,
    );
    println!(
        "{:<44} {:>12}",
        "  paced slots unused (steady state)",
        format!("{:.1}%", unused * 100.0)
    );
    println!(
        "{:<44} {:>12}",
        "  overall rate / configured",
        format!("{:.3}", overall / rate_setting as f64)
    );
    // The same run's yardsticks. moto's CPU per message of this campaign, where it can be read, is
    // the true bound (its requests cost it more than the probe's small puts); otherwise its
    // DynamoDB requests per second over this campaign's per message.
    let calls_per_message: f64 = dynamo_calls.values().sum();
    let by_requests = capacity / calls_per_message;
    let by_cpu = moto_busy.map(|busy| n / busy.as_secs_f64().max(1e-3));
    let ceiling = by_cpu.unwrap_or(by_requests);
    println!(
        "{:<44} {:>12}",
        "  moto's ceiling for this campaign (msg/s)",
        format!("{ceiling:.1}")
    );
    if let Some(busy) = moto_busy {
        println!(
            "{:<44} {:>12}",
            "  (moto: CPU per message; busy share)",
            format!(
                "{:.1} ms; {:.0}%",
                busy.as_secs_f64() * 1000.0 / n,
                busy.as_secs_f64() * 100.0 / wall.as_secs_f64()
            )
        );
    }
    println!(
        "{:<44} {:>12}",
        "  steady rate / that ceiling",
        format!("{:.3}", steady / ceiling.min(rate_setting as f64))
    );
    println!(
        "{:<44} {:>12}",
        "  (moto: small puts per second; ceiling by them)",
        format!("{capacity:.0}; {by_requests:.1}")
    );
    row(
        "busiest sliding second / limit",
        format!("{busiest}/{rate_setting}"),
        format!("≤ {rate_setting}"),
        busiest <= rate_setting,
    );
    row(
        "duplicates in the provider's ledger",
        duplicates.to_string(),
        "0".into(),
        duplicates == 0,
    );
    row(
        "DynamoDB write units per message",
        format!("{:.2}", writes.total),
        format!("≤ {:.0}", goal::WRITE_UNITS),
        writes.total <= goal::WRITE_UNITS,
    );
    println!(
        "{:<44} {:>12}",
        "  and on global secondary indexes",
        format!("{:.2}", writes.indexes)
    );
    row(
        "DynamoDB read units per message",
        format!("{:.2}", reads.total),
        format!("≤ {:.0}", goal::READ_UNITS),
        reads.total <= goal::READ_UNITS,
    );
    println!("{:<44} {:>12.3}", "SQS requests per message", sqs);
    println!("{:<44} {:>12}", "worker time per message", format!("{worker_ms:.1} ms"));
    println!(
        "{:<44} {:>12}",
        "  / a DynamoDB round trip here",
        format!("{:.1}x", worker_ms / (round_trip.as_secs_f64() * 1000.0))
    );
    row(
        "AWS-side cost per million messages",
        format!("${cost:.2}"),
        format!("≤ ${:.2}", goal::COST_PER_MILLION),
        cost <= goal::COST_PER_MILLION,
    );
    println!(
        "  DynamoDB ${cost_dynamo:.2}, SQS ${cost_sqs:.2}, Lambda ${cost_lambda:.2}, S3 ${cost_s3:.4} \
         (S3 from the job's code path, not measured; the provider's own per-message fee is not AWS-side)"
    );
    row(
        &format!("acceptance of {recipients} recipients"),
        format!("{:.2} s", acceptance.as_secs_f64()),
        format!("≤ {:.0} s", goal::ACCEPTANCE_SECONDS),
        acceptance.as_secs_f64() <= goal::ACCEPTANCE_SECONDS,
    );
    println!(
        "{:<44} {:>12}",
        "  its preview (before; the plan it confirms)",
        format!("{:.2} s", previewed.as_secs_f64())
    );
    if let Some((status, took, calls, body, previewed)) = &big_run {
        row(
            &format!("acceptance of {big} recipients, a list ({status})"),
            format!("{:.2} s", took.as_secs_f64()),
            format!("≤ {:.0} s", goal::ACCEPTANCE_SECONDS),
            *status == 202 && took.as_secs_f64() <= goal::ACCEPTANCE_SECONDS,
        );
        if *status != 202 {
            println!("  {body}");
        }
        println!(
            "{:<44} {:>12}",
            "  its preview (before; the plan it confirms)",
            format!("{:.1} s", previewed.as_secs_f64())
        );
        let calls: Vec<String> = calls.iter().map(|(o, c)| format!("{o} {c}")).collect();
        println!("  DynamoDB calls while accepting {big}: {}", calls.join(", "));
    }
    println!("\nwrite units per message by operation and table:");
    for (what, u) in &writes.by {
        println!("  {what:<40} {u:>6.3}");
    }
    println!("read units per message by operation:");
    for (what, u) in &reads.by {
        println!("  {what:<40} {u:>6.3}");
    }
    let calls: Vec<String> = dynamo_calls.iter().map(|(o, c)| format!("{o} {c:.2}")).collect();
    println!("DynamoDB calls per message: {}", calls.join(", "));
    println!(
        "worker invocations {invocations:.0}; SQS requests: functions {function_sqs:.0}, event source {pump_sqs:.0}; \
         a DynamoDB round trip here {:.1} ms",
        round_trip.as_secs_f64() * 1000.0
    );
}
