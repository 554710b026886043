//! Bulk campaigns through the API and the local event source: the preview (each excluded recipient
//! under one reason, nothing written), the confirmation gate (including a stale count), the tier
//! (a refusal saying how many fit, and two jobs racing for the last capacity), a CSV with invalid
//! rows, and a job sent end to end with its report. The sandbox's ledger is the witness of what
//! reached the provider.

use std::time::Duration;

use serde_json::{json, Value};
use wecare_core::{Channel, Role};
use wecare_tests::bulk::{
    assert_adds_up, create_job, finished, ids, job, per_recipient, preview, seed_contacts, upload_list, whatsapp_sends,
    Person,
};
use wecare_tests::{eventually, Method, TestStack};

const WAIT: Duration = Duration::from_secs(60);

fn sms_job(recipients: Value) -> Value {
    json!({
        "name": "October offer",
        "channel": "sms",
        "content": { "type": "text", "body": "Hi {{name}}, 10% off this week." },
        "recipients": recipients,
    })
}

fn template_job(recipients: Value) -> Value {
    json!({
        "channel": "whatsapp",
        "content": { "type": "template", "name": "order_update", "language": "en_US", "parameters": ["{{name}}", "#42"] },
        "recipients": recipients,
    })
}

async fn job_count(stack: &TestStack) -> usize {
    stack
        .dynamo()
        .scan()
        .table_name(stack.table(wecare_core::tables::Table::BulkJobs))
        .send()
        .await
        .expect("scan")
        .count as usize
}

#[tokio::test]
async fn a_preview_counts_each_excluded_recipient_under_one_reason_and_writes_nothing() {
    let stack = TestStack::start_bulk().await;
    let op = stack.token(Role::Operator).await;
    let mut people: Vec<Person> = (0..4).map(|i| Person::numbered(i, &[Channel::Sms])).collect();
    people.push(Person::numbered(10, &[])); // not opted in
    people.push(Person {
        phone: None,
        ..Person::numbered(11, &[Channel::Sms])
    }); // no phone
    let mut list = seed_contacts(&stack, &people).await;
    // STOP by their own word (SMS consent cannot be given back by keyword here, so WhatsApp).
    let stopper = seed_contacts(&stack, &[Person::numbered(12, &[Channel::WhatsApp])]).await[0];
    let deleted = seed_contacts(&stack, &[Person::numbered(13, &[Channel::Sms])]).await[0];
    let (status, _) = stack
        .call(Method::DELETE, &format!("/api/contacts/{deleted}"), Some(&op), None)
        .await;
    assert_eq!(status, 204);
    list.push(deleted);
    list.push(list[0]); // a duplicate

    let (status, p) = preview(
        &stack,
        &op,
        &sms_job(json!({ "type": "contacts", "contactIds": ids(&list) })),
    )
    .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["total"], 8);
    assert_eq!(p["eligible"], 4);
    assert_eq!(p["excluded"]["not_opted_in"], 1);
    assert_eq!(p["excluded"]["missing_address"], 1);
    assert_eq!(p["excluded"]["deleted"], 1);
    assert_eq!(p["excluded"]["duplicate_in_list"], 1);
    assert_eq!(p["segments"], 4, "one segment each");
    assert_eq!(p["samples"].as_array().map(Vec::len), Some(3));
    assert_eq!(p["samples"][0]["rendered"], "Hi Customer 0, 10% off this week.");
    assert!(
        p["samples"][0]["to"].as_str().unwrap().contains('•'),
        "addresses are masked"
    );
    assert_eq!(
        p["excludedContacts"]["not_opted_in"][0]["contactId"],
        list[4].to_string()
    );

    // The customer who wrote STOP is told apart from one who never opted in.
    stack
        .customer_message(json!({ "from": "+919870000012", "text": "STOP" }))
        .await;
    eventually("the STOP to be applied", WAIT, || async {
        let (_, c) = stack
            .call(Method::GET, &format!("/api/contacts/{stopper}"), Some(&op), None)
            .await;
        (c["optInWhatsApp"] == false).then_some(())
    })
    .await;
    let wa = template_job(json!({ "type": "contacts", "contactIds": ids(&[stopper]) }));
    let (_, p) = preview(&stack, &op, &wa).await;
    assert_eq!(p["excluded"]["opted_out_by_keyword"], 1, "{p}");
    assert_eq!(p["eligible"], 0);

    assert_eq!(job_count(&stack).await, 0, "a preview writes nothing");
    let viewer = stack.token(Role::Viewer).await;
    let (status, _) = preview(&stack, &viewer, &sms_job(json!({ "type": "filter" }))).await;
    assert_eq!(status, 403, "viewers do not start campaigns");
}

#[tokio::test]
async fn a_large_job_needs_the_exact_count_and_a_stale_count_is_refused() {
    let stack = TestStack::start_bulk().await;
    let op = stack.token(Role::Operator).await;
    let people: Vec<Person> = (0..22).map(|i| Person::numbered(i, &[Channel::Sms])).collect();
    seed_contacts(&stack, &people).await;
    let body = sms_job(json!({ "type": "filter", "optedIn": true }));

    let (status, e) = create_job(&stack, &op, &body).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("CONFIRMATION_REQUIRED")),
        "{e}"
    );
    assert!(e["error"]["message"].as_str().unwrap().contains("22"), "{e}");

    // The list grew after the operator looked: the count they confirmed is stale.
    seed_contacts(&stack, &[Person::numbered(40, &[Channel::Sms])]).await;
    let mut stale = body.clone();
    stale["confirmedCount"] = json!(22);
    let (status, e) = create_job(&stack, &op, &stale).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("CONFIRMATION_REQUIRED")),
        "{e}"
    );
    assert!(e["error"]["message"].as_str().unwrap().contains("23"), "{e}");
    assert_eq!(job_count(&stack).await, 0, "a refused create writes nothing");

    let mut confirmed = body.clone();
    confirmed["confirmedCount"] = json!(23);
    let (status, created) = create_job(&stack, &op, &confirmed).await;
    assert_eq!(status, 202, "{created}");
    assert_eq!(created["job"]["status"], "PENDING");
    assert_eq!(created["job"]["progress"]["total"], 23);
    let id = created["job"]["jobId"].as_str().unwrap().to_string();
    let done = finished(&stack, &op, &id, WAIT).await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    assert_eq!(done["progress"]["sent"], 23);
    let sms = stack
        .ledger()
        .await
        .into_iter()
        .filter(|e| e["operation"] == "SendTextMessage" && e["status"] == 200)
        .count();
    assert_eq!(sms, 23);
}

/// A create naming its preview is accepted from it while no contact was written since (a new plan
/// would be the same); once one is, it plans again and a changed count asks for confirmation again.
/// Either way recipients are judged again when they are sent.
#[tokio::test]
async fn a_create_is_accepted_from_its_preview_until_a_contact_changes_and_recipients_are_judged_when_sent() {
    let stack = TestStack::start_bulk().await;
    let op = stack.token(Role::Operator).await;
    let tenant = wecare_core::TenantId::parse(wecare_local::seed::DEFAULT_TENANT).unwrap();
    let people: Vec<Person> = (0..25).map(|i| Person::numbered(i, &[Channel::Sms])).collect();
    let list = seed_contacts(&stack, &people).await;
    let body = sms_job(json!({ "type": "filter", "optedIn": true }));
    let (status, p) = preview(&stack, &op, &body).await;
    assert_eq!((status, p["eligible"].as_u64()), (200, Some(25)), "{p}");
    let first = p["previewId"].as_str().expect("a preview id").to_string();

    // A contact deleted behind the repository's back (as a write whose count was lost would be):
    // the create does not plan again, so it takes the preview's 25 — and the send skips it.
    stack
        .dynamo()
        .update_item()
        .table_name(stack.table(wecare_core::tables::Table::Contacts))
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S(wecare_store::keys::contact_pk(&tenant, &list[3])),
        )
        .key(
            "sk",
            aws_sdk_dynamodb::types::AttributeValue::S(wecare_store::keys::CONTACT_SK.into()),
        )
        .update_expression("SET deletedAt = :now")
        .expression_attribute_values(
            ":now",
            aws_sdk_dynamodb::types::AttributeValue::S(wecare_core::time::iso(chrono::Utc::now())),
        )
        .send()
        .await
        .unwrap();
    let mut confirmed = body.clone();
    confirmed["previewId"] = json!(first);
    confirmed["confirmedCount"] = json!(25);
    let (status, created) = create_job(&stack, &op, &confirmed).await;
    assert_eq!(status, 202, "{created}");
    assert_eq!(created["job"]["progress"]["total"], 25, "accepted from the preview");
    let id = created["job"]["jobId"].as_str().unwrap().to_string();
    let done = finished(&stack, &op, &id, WAIT).await;
    assert_adds_up(&done);
    assert_eq!(done["progress"]["sent"], 24, "{done}");
    assert_eq!(done["progress"]["skipped"]["deleted"], 1, "{done}");

    // A new preview; then two customers opt in through the API: the create plans again.
    let (_, p) = preview(&stack, &op, &body).await;
    assert_eq!(p["eligible"], 24, "{p}");
    let second = p["previewId"].as_str().unwrap().to_string();
    seed_contacts(
        &stack,
        &[
            Person::numbered(40, &[Channel::Sms]),
            Person::numbered(41, &[Channel::Sms]),
        ],
    )
    .await;
    let mut stale = body.clone();
    stale["name"] = json!("Second wave");
    stale["previewId"] = json!(second);
    stale["confirmedCount"] = json!(24);
    let (status, e) = create_job(&stack, &op, &stale).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("CONFIRMATION_REQUIRED")),
        "{e}"
    );
    assert!(e["error"]["message"].as_str().unwrap().contains("26"), "{e}");
    // Other content than was previewed is planned again too.
    let mut other = stale.clone();
    other["content"]["body"] = json!("Hi {{name}}, 20% off this week.");
    other["confirmedCount"] = json!(26);
    let (status, created) = create_job(&stack, &op, &other).await;
    assert_eq!(
        (status, created["job"]["progress"]["total"].as_u64()),
        (202, Some(26)),
        "{created}"
    );
}

#[tokio::test]
async fn a_whatsapp_job_over_the_tier_is_refused_saying_how_many_fit_and_racing_jobs_cannot_overbook() {
    let stack = TestStack::start_with_pump(&[("WHATSAPP_TIER_LIMIT", "5")], Default::default()).await;
    let op = stack.token(Role::Operator).await;
    let people: Vec<Person> = (0..9).map(|i| Person::numbered(i, &[Channel::WhatsApp])).collect();
    let all = seed_contacts(&stack, &people).await;

    let too_many = template_job(json!({ "type": "contacts", "contactIds": ids(&all[..6]) }));
    let (_, p) = preview(&stack, &op, &too_many).await;
    assert_eq!(p["excluded"]["over_tier"], 1, "{p}");
    assert_eq!(p["tier"]["afterJob"], 5);
    let (status, e) = create_job(&stack, &op, &too_many).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("TIER_LIMIT_EXCEEDED")),
        "{e}"
    );
    assert!(e["error"]["message"].as_str().unwrap().contains("room for 5"), "{e}");

    // Two jobs of three each, created at once, for five conversations: exactly one is accepted.
    let a = template_job(json!({ "type": "contacts", "contactIds": ids(&all[..3]) }));
    let b = template_job(json!({ "type": "contacts", "contactIds": ids(&all[3..6]) }));
    let ((sa, ra), (sb, rb)) = tokio::join!(create_job(&stack, &op, &a), create_job(&stack, &op, &b));
    let mut statuses = [sa, sb];
    statuses.sort_unstable();
    assert_eq!(statuses, [202, 422], "{ra} {rb}");
    let accepted = if sa == 202 { ra } else { rb };
    let id = accepted["job"]["jobId"].as_str().unwrap();
    let done = finished(&stack, &op, id, WAIT).await;
    assert_eq!(done["progress"]["sent"], 3, "{done}");
    assert_eq!(whatsapp_sends(&stack.ledger().await).len(), 3);

    // What the job used stays counted; nothing it reserved is lost or double counted.
    let (_, p) = preview(
        &stack,
        &op,
        &template_job(json!({ "type": "contacts", "contactIds": ids(&all[6..]) })),
    )
    .await;
    assert_eq!(p["tier"]["used"], 3, "{p}");
    assert_eq!(p["eligible"], 2);
    assert_eq!(p["excluded"]["over_tier"], 1);
}

#[tokio::test]
async fn a_csv_reports_invalid_rows_by_line_and_creates_contacts_only_with_explicit_consent() {
    let stack = TestStack::start_bulk().await;
    let op = stack.token(Role::Operator).await;
    seed_contacts(&stack, &[Person::numbered(1, &[Channel::Sms])]).await;
    let csv = "name,phone,optInSms,city\n\
               Known,+919870000001,,Pune\n\
               Asha,+919811100001,yes,Kolkata\n\
               Ravi,12,yes,Delhi\n\
               Meera,+919811100002,,Goa\n\
               Zoya,+919811100003,maybe,Agra\n";
    let upload = upload_list(&stack, &op, csv.to_string()).await;
    let body = json!({
        "channel": "sms",
        "content": { "type": "text", "body": "Hi {{name}} in {{city}}" },
        "recipients": { "type": "upload", "uploadId": upload },
    });
    let (status, p) = preview(&stack, &op, &body).await;
    assert_eq!(status, 200, "{p}");
    let lines: Vec<u64> = p["invalidRows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [4, 6], "{p}");
    assert_eq!(p["eligible"], 2, "the known contact and the new one with consent: {p}");
    assert_eq!(
        p["excluded"]["not_opted_in"], 1,
        "a row without consent creates no contact"
    );
    assert_eq!(
        p["samples"][0]["rendered"], "Hi Customer 1 in Pune",
        "the contact's own name, the row's city"
    );

    let (status, created) = create_job(&stack, &op, &body).await;
    assert_eq!(status, 202, "{created}");
    let id = created["job"]["jobId"].as_str().unwrap().to_string();
    let done = finished(&stack, &op, &id, WAIT).await;
    assert_eq!(done["progress"]["sent"], 2, "{done}");
    let (_, found) = stack
        .call(Method::GET, "/api/contacts/search?q=Asha", Some(&op), None)
        .await;
    let asha = &found["items"][0];
    assert_eq!(asha["optInSms"], true, "{found}");
    assert_eq!(asha["consentHistory"][0]["source"], "import");
    let (_, found) = stack
        .call(Method::GET, "/api/contacts/search?q=Meera", Some(&op), None)
        .await;
    assert_eq!(
        found["items"].as_array().map(Vec::len),
        Some(0),
        "no consent, no contact"
    );
    let texts: Vec<String> = stack
        .ledger()
        .await
        .iter()
        .filter(|e| e["operation"] == "SendTextMessage")
        .map(|e| e["request"]["MessageBody"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(texts.contains(&"Hi Asha in Kolkata".to_string()), "{texts:?}");
}

#[tokio::test]
async fn a_job_sends_each_recipient_once_reports_every_one_and_another_tenant_cannot_see_it() {
    let stack = TestStack::start_bulk().await;
    let op = stack.token(Role::Operator).await;
    let people: Vec<Person> = (0..130).map(|i| Person::numbered(i, &[Channel::WhatsApp])).collect();
    let list = seed_contacts(&stack, &people).await;
    let mut body = template_job(json!({ "type": "contacts", "contactIds": ids(&list) }));
    body["confirmedCount"] = json!(130);
    let key = "campaign-1";
    let req = |b: &Value| {
        reqwest::Client::new()
            .post(format!("{}/api/bulk-jobs", stack.api))
            .bearer_auth(&op)
            .header("Idempotency-Key", key)
            .json(b)
    };
    let first: Value = req(&body).send().await.unwrap().json().await.unwrap();
    let again = req(&body).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 200, "a repeated create answers the same job");
    let again: Value = again.json().await.unwrap();
    let id = first["job"]["jobId"].as_str().unwrap().to_string();
    assert_eq!(again["job"]["jobId"], id.as_str());

    let done = finished(&stack, &op, &id, WAIT).await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    assert_adds_up(&done);
    assert_eq!(done["progress"]["sent"], 130);
    let sends = whatsapp_sends(&stack.ledger().await);
    assert_eq!(sends.len(), 130);
    assert!(per_recipient(&sends).values().all(|n| *n == 1));
    // Each accepted template message is in the sender's daily usage, counted once (the chunks
    // add theirs up and count them at their flushes).
    let (status, usage) = stack
        .call(Method::GET, "/api/whatsapp/template-usage?days=2", Some(&op), None)
        .await;
    assert_eq!(status, 200, "{usage}");
    let counted: u64 = usage["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["count"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, 130, "{usage}");

    let detail = job(&stack, &op, &id).await;
    assert!(detail["series"].as_array().is_some_and(|s| !s.is_empty()), "{detail}");
    let (status, report) = stack
        .call(Method::GET, &format!("/api/bulk-jobs/{id}/report"), Some(&op), None)
        .await;
    assert_eq!(status, 200, "{report}");
    let csv = reqwest::get(report["url"].as_str().unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 131, "a header and one row per recipient");
    assert!(csv.lines().nth(1).unwrap().contains(",sent,"));

    let (status, page) = stack
        .call(
            Method::GET,
            &format!("/api/bulk-jobs/{id}/recipients?status=sent&limit=100"),
            Some(&op),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["items"].as_array().unwrap().len(), 100);
    let cursor = page["nextCursor"].as_str().expect("a second page").to_string();
    let (status, rest) = stack
        .call(
            Method::GET,
            &format!("/api/bulk-jobs/{id}/recipients?status=sent&limit=100&cursor={cursor}"),
            Some(&op),
            None,
        )
        .await;
    assert_eq!(status, 200, "{rest}");
    let mut seen: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["items"].as_array().unwrap())
        .filter_map(|r| r["contactId"].as_str())
        .collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 130, "two pages hold every sent recipient once: {rest}");
    let (status, e) = super_control(&stack, &op, &id, "pause").await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("CONFLICT")),
        "a finished job is not paused"
    );

    let viewer = stack.token(Role::Viewer).await;
    let (status, list) = stack.call(Method::GET, "/api/bulk-jobs", Some(&viewer), None).await;
    assert_eq!(status, 200);
    assert_eq!(list["items"][0]["jobId"], id.as_str());
    let (status, _) = super_control(&stack, &viewer, &id, "cancel").await;
    assert_eq!(status, 403, "viewers read, they do not control");
    let globex = stack
        .sign_in(Role::Operator, wecare_local::seed::SECOND_TENANT)
        .await
        .id;
    let (status, _) = stack
        .call(Method::GET, &format!("/api/bulk-jobs/{id}"), Some(&globex), None)
        .await;
    assert_eq!(status, 404, "another tenant's job does not exist for them");
    let (_, theirs) = stack.call(Method::GET, "/api/bulk-jobs", Some(&globex), None).await;
    assert_eq!(theirs["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn a_job_whose_ledger_is_read_in_many_parts_finishes_with_every_recipient_reported_once_in_order() {
    // Seven ledger entries a part: the finish of 45 recipients takes seven steps, each its own
    // message on bulk-queue, as a job of 70,000 would with the deployed part size.
    let stack = TestStack::start_with_pump(
        &[("BULK_REPORT_PART", "7")],
        wecare_local::bulk_pump::PumpOptions::default(),
    )
    .await;
    let op = stack.token(Role::Operator).await;
    let people: Vec<Person> = (0..45).map(|i| Person::numbered(i, &[Channel::WhatsApp])).collect();
    let list = seed_contacts(&stack, &people).await;
    let mut body = template_job(json!({ "type": "contacts", "contactIds": ids(&list) }));
    body["confirmedCount"] = json!(45);
    let (status, created) = create_job(&stack, &op, &body).await;
    assert_eq!(status, 202, "{created}");
    let id = created["job"]["jobId"].as_str().unwrap().to_string();

    let done = finished(&stack, &op, &id, WAIT).await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    assert_adds_up(&done);
    assert_eq!(done["progress"]["sent"], 45);
    let (status, report) = stack
        .call(Method::GET, &format!("/api/bulk-jobs/{id}/report"), Some(&op), None)
        .await;
    assert_eq!(status, 200, "{report}");
    let csv = reqwest::get(report["url"].as_str().unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("contactId,address,status,reason,providerMessageId,at")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 45, "one row per recipient, the header once: {csv}");
    let contacts: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    let mut in_order = contacts.clone();
    in_order.sort_unstable();
    in_order.dedup();
    assert_eq!(
        contacts, in_order,
        "each recipient once, in contact order across the parts"
    );
    assert!(
        rows.iter()
            .all(|r| r[2] == "sent" && !r[1].is_empty() && !r[4].is_empty()),
        "{csv}"
    );
}

async fn super_control(stack: &TestStack, token: &str, id: &str, action: &str) -> (u16, Value) {
    wecare_tests::bulk::control(stack, token, id, action).await
}
