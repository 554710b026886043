//! A tenant's settings (`GET`/`PUT /api/settings`) end to end, against moto through the real SDK:
//! what an Admin is shown of the deployment, a save that comes back as saved and is audited, a
//! save over someone else's refused, an invalid one writing nothing, who may see them, and a
//! campaign that holds in the tenant's quiet hours and sends when they end.

use std::time::Duration;

use chrono::{DateTime, Duration as Span, Timelike, Utc};
use serde_json::{json, Value};
use wecare_core::{Channel, Role};
use wecare_tests::bulk::{create_job, finished, ids, job, seed_contacts, whatsapp_sends, Person};
use wecare_tests::{Method, TestStack};

async fn settings(stack: &TestStack, token: &str) -> Value {
    let (status, v) = stack.call(Method::GET, "/api/settings", Some(token), None).await;
    assert_eq!(status, 200, "{v}");
    v
}

async fn save(stack: &TestStack, token: &str, version: u64, config: Value) -> (u16, Value) {
    stack
        .call(
            Method::PUT,
            "/api/settings",
            Some(token),
            Some(&json!({ "version": version, "config": config })),
        )
        .await
}

fn quiet(start: &str, end: &str, zone: &str) -> Value {
    json!({ "aiAutomation": false, "alertRecipients": [], "quietHours": { "start": start, "end": end, "timeZone": zone } })
}

#[tokio::test]
async fn an_admin_sees_the_deployment_and_a_save_comes_back_as_saved_and_is_audited() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;

    let first = settings(&stack, &admin).await;
    assert_eq!(
        first["deployment"],
        json!({ "environment": "local", "sendMode": "LIVE" })
    );
    assert_eq!(first["version"], 0, "never saved: {first}");
    assert_eq!(
        first["config"],
        json!({ "aiAutomation": false, "alertRecipients": [], "quietHours": null })
    );
    assert!(first["quietNow"].is_null());
    // The tenant's own senders only, each with its rate; its business account's tier.
    let senders = first["senders"].as_array().unwrap();
    for channel in ["whatsapp", "sms", "email"] {
        assert!(senders.iter().any(|s| s["channel"] == channel), "{channel}: {first}");
    }
    assert!(senders.iter().all(|s| s["ratePerSecond"].as_f64().unwrap_or(0.0) > 0.0));
    assert!(!senders
        .iter()
        .any(|s| s["label"].as_str().unwrap_or("").contains("globex")));
    assert_eq!(first["tiers"][0]["used"], 0);
    assert_eq!(first["tiers"][0]["limit"], 250);

    let config = json!({
        "aiAutomation": true,
        "alertRecipients": ["Ops@WeCare.digital", "oncall@wecare.digital"],
        "quietHours": { "start": "21:00", "end": "08:00", "timeZone": "Asia/Kolkata" },
    });
    let (status, saved) = save(&stack, &admin, 0, config).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["updatedBy"], "admin@wecare.digital");
    let expected = json!({
        "aiAutomation": true,
        "alertRecipients": ["ops@wecare.digital", "oncall@wecare.digital"],
        "quietHours": { "start": "21:00", "end": "08:00", "timeZone": "Asia/Kolkata" },
    });
    assert_eq!(saved["config"], expected);
    let again = settings(&stack, &admin).await;
    assert_eq!(again["config"], expected);
    assert_eq!(again["version"], 1);

    let (status, trail) = stack
        .call(Method::GET, "/api/audit?action=settings.update", Some(&admin), None)
        .await;
    assert_eq!(status, 200, "{trail}");
    let entries = trail["items"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{trail}");
    assert_eq!(entries[0]["before"]["aiAutomation"], false);
    assert_eq!(entries[0]["after"], expected);
}

#[tokio::test]
async fn a_save_over_someone_elses_is_refused_and_an_invalid_one_writes_nothing() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let (status, _) = save(&stack, &admin, 0, quiet("22:00", "07:00", "Europe/London")).await;
    assert_eq!(status, 200);

    // Made from version 0, after version 1 was saved: refused, and version 1 stands.
    let (status, e) = save(&stack, &admin, 0, quiet("23:00", "06:00", "UTC")).await;
    assert_eq!(status, 409, "{e}");
    assert_eq!(e["error"]["code"], "CONFLICT");

    for (config, field) in [
        (quiet("22:00", "7:00", "UTC"), "config.quietHours.end"),
        (quiet("22:00", "22:00", "UTC"), "config.quietHours.end"),
        (quiet("22:00", "07:00", "Europe/Atlantis"), "config.quietHours.timeZone"),
        (
            json!({ "aiAutomation": false, "alertRecipients": ["ops@wecare.digital", "not an address"] }),
            "config.alertRecipients[1]",
        ),
    ] {
        let (status, e) = save(&stack, &admin, 1, config).await;
        assert_eq!(status, 400, "{e}");
        assert_eq!(e["error"]["code"], "VALIDATION_FAILED");
        let message = e["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("{field}: ")), "{message}");
    }
    let now = settings(&stack, &admin).await;
    assert_eq!(now["version"], 1);
    assert_eq!(now["config"], quiet("22:00", "07:00", "Europe/London"));

    let (status, zones) = stack
        .call(Method::GET, "/api/settings/time-zones", Some(&admin), None)
        .await;
    assert_eq!(status, 200);
    let zones: Vec<&str> = zones["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(zones.contains(&"Asia/Kolkata") && zones.contains(&"Europe/London"));
}

#[tokio::test]
async fn only_admins_see_or_change_settings_and_everyone_is_told_the_send_mode() {
    let stack = TestStack::start().await;
    for role in [Role::Viewer, Role::Operator] {
        let token = stack.token(role).await;
        let (status, _) = stack.call(Method::GET, "/api/settings", Some(&token), None).await;
        assert_eq!(status, 403, "{role:?}");
        let (status, _) = save(&stack, &token, 0, quiet("22:00", "07:00", "UTC")).await;
        assert_eq!(status, 403, "{role:?}");
        let (status, me) = stack.call(Method::GET, "/api/me", Some(&token), None).await;
        assert_eq!(status, 200);
        assert_eq!(me["deployment"], json!({ "environment": "local", "sendMode": "LIVE" }));
    }
    let admin = stack.token(Role::Admin).await;
    assert_eq!(
        settings(&stack, &admin).await["version"],
        0,
        "a refused save wrote nothing"
    );
}

/// `t` on a 24-hour clock in UTC.
fn hh_mm(t: DateTime<Utc>) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

#[tokio::test]
async fn a_campaign_holds_in_quiet_hours_and_sends_when_they_end() {
    let stack = TestStack::start_bulk().await;
    let admin = stack.token(Role::Admin).await;
    let op = stack.token(Role::Operator).await;
    let people: Vec<Person> = (0..6).map(|i| Person::numbered(i, &[Channel::WhatsApp])).collect();
    let list = seed_contacts(&stack, &people).await;

    // Quiet hours of this minute (UTC), so they end within a minute: started with at least 20 s
    // of them left, so the job is seen holding first.
    let mut now = Utc::now();
    if now.second() > 40 {
        tokio::time::sleep(Duration::from_secs(u64::from(61 - now.second()))).await;
        now = Utc::now();
    }
    let end = now.with_second(0).unwrap().with_nanosecond(0).unwrap() + Span::minutes(1);
    let (status, saved) = save(&stack, &admin, 0, quiet(&hh_mm(now), &hh_mm(end), "UTC")).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["quietNow"]["until"], wecare_core::time::iso(end));

    let body = json!({
        "channel": "whatsapp",
        "content": { "type": "template", "name": "order_update", "language": "en_US", "parameters": ["{{name}}", "#42"] },
        "recipients": { "type": "contacts", "contactIds": ids(&list) },
    });
    let (status, created) = create_job(&stack, &op, &body).await;
    assert_eq!(status, 202, "{created}");
    let id = created["job"]["jobId"].as_str().unwrap().to_string();

    tokio::time::sleep(Duration::from_secs(8)).await;
    assert!(Utc::now() < end, "the test was too slow to see the hold");
    let held = job(&stack, &op, &id).await["job"].clone();
    assert_eq!(held["status"], "RUNNING", "{held}");
    assert_eq!(held["progress"]["sent"], 0, "{held}");
    assert_eq!(
        held["quietUntil"],
        wecare_core::time::iso(end),
        "the job says what it waits for"
    );
    assert!(
        whatsapp_sends(&stack.ledger().await).is_empty(),
        "nothing reaches the provider"
    );

    let done = finished(&stack, &op, &id, Duration::from_secs(120)).await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    assert_eq!(done["progress"]["sent"], 6, "{done}");
    let sends = whatsapp_sends(&stack.ledger().await);
    assert_eq!(sends.len(), 6);
    assert!(
        sends.iter().all(|(_, at)| *at >= end),
        "a send inside quiet hours: {sends:?}"
    );
}
