//! Contacts end to end: creation rules, validation, uniqueness under concurrency, partial
//! updates with consent provenance, soft delete, search without Scan, pagination, tenancy.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use wecare_core::tables::Table;
use wecare_core::{Role, TenantId};
use wecare_tests::{Method, TestStack};

async fn create(stack: &TestStack, token: &str, body: Value) -> Value {
    let (status, resp) = stack
        .call(Method::POST, "/api/contacts", Some(token), Some(&body))
        .await;
    assert_eq!(status, 201, "{resp}");
    resp
}

async fn history(stack: &TestStack, id: &str) -> Vec<wecare_store::AuditEntry> {
    let tenant = TenantId::parse("wecare").unwrap();
    wecare_store::audit::history(
        &stack.dynamo(),
        &stack.table(Table::AuditLogs),
        &tenant,
        "contact",
        id,
        Utc::now(),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_new_contact_is_normalized_opted_out_everywhere_and_audited() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let c = create(
        &stack,
        &op,
        json!({ "name": "  Anna Smith ", "phone": "098765 43210", "email": "Anna@Example.COM" }),
    )
    .await;
    assert_eq!(c["name"], "Anna Smith");
    assert_eq!(c["phone"], "+919876543210");
    assert_eq!(c["email"], "anna@example.com");
    for f in ["optInWhatsApp", "optInSms", "optInEmail"] {
        assert_eq!(c[f], false, "{f}");
    }
    assert_eq!(c["consentHistory"], json!([]));
    assert_eq!(c["createdAt"], c["updatedAt"]);
    assert!(c["createdAt"].as_str().unwrap().parse::<DateTime<Utc>>().is_ok());

    let entries = history(&stack, c["contactId"].as_str().unwrap()).await;
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(
        (e.action.as_str(), e.outcome.as_str(), e.actor_role.as_str()),
        ("contact.create", "success", "Operator")
    );
    assert_eq!(e.after.as_ref().unwrap()["phone"], "+919876543210");
    let at: DateTime<Utc> = e.at.parse().unwrap();
    assert_eq!(e.expires_at, at.timestamp() + 180 * 86_400);
}

#[tokio::test]
async fn an_explicit_opt_in_at_creation_is_recorded_with_its_provenance() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let (_, me) = stack.call(Method::GET, "/api/me", Some(&op), None).await;
    let c = create(
        &stack,
        &op,
        json!({ "email": "ravi@example.in", "optInEmail": true, "optInSms": false }),
    )
    .await;
    assert_eq!(c["optInEmail"], true);
    assert_eq!(
        c["consentHistory"].as_array().unwrap().len(),
        1,
        "restating false is not a change"
    );
    let change = &c["consentHistory"][0];
    assert_eq!(change["channel"], "email");
    assert_eq!(change["optedIn"], true);
    assert_eq!(change["by"], me["userId"]);
    assert_eq!(change["source"], "operator");
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_and_reason_and_writes_nothing() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "malformed JSON",
            r#"{"phone": "98765"#.into(),
            "body: is not valid JSON",
        ),
        ("not an object", r#"["+919876543210"]"#.into(), "body: "),
        (
            "unknown field",
            r#"{"phone":"9876543210","nickname":"x"}"#.into(),
            "nickname",
        ),
        (
            "neither phone nor email",
            r#"{"name":"Only A Name"}"#.into(),
            "phone: a contact needs a phone or an email",
        ),
        ("invalid phone", r#"{"phone":"12345"}"#.into(), "phone: "),
        (
            "invalid email",
            r#"{"email":"anna@"}"#.into(),
            "email: is not a valid email address",
        ),
        (
            "oversize name",
            format!(r#"{{"phone":"9876543210","name":"{}"}}"#, "n".repeat(201)),
            "name: is too long (201 characters",
        ),
        (
            "non-boolean opt-in",
            r#"{"phone":"9876543210","optInSms":"yes"}"#.into(),
            "optInSms: ",
        ),
        (
            "body over 64 KiB",
            format!(r#"{{"phone":"9876543210","name":"{}"}}"#, "n".repeat(70_000)),
            "body: is too large",
        ),
        ("empty body", String::new(), "body: is required"),
    ];
    for (what, body, expected) in cases {
        let (status, resp) = stack.call_raw(Method::POST, "/api/contacts", &op, body).await;
        assert_eq!(status, 400, "{what}: {resp}");
        assert_eq!(resp["error"]["code"], "VALIDATION_FAILED", "{what}");
        let message = resp["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(expected) || message.contains(expected),
            "{what}: {message}"
        );
    }
    let (_, page) = stack.call(Method::GET, "/api/contacts", Some(&op), None).await;
    assert_eq!(page["items"], json!([]), "a rejected request writes nothing");
}

#[tokio::test]
async fn a_duplicate_phone_or_email_in_the_tenant_is_a_conflict_naming_the_existing_contact() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let first = create(
        &stack,
        &op,
        json!({ "phone": "+91 98765 43210", "email": "anna@example.com" }),
    )
    .await;
    let id = first["contactId"].as_str().unwrap();

    for body in [json!({ "phone": "9876543210" }), json!({ "email": "ANNA@example.com" })] {
        let (status, resp) = stack.call(Method::POST, "/api/contacts", Some(&op), Some(&body)).await;
        assert_eq!(status, 409, "{resp}");
        assert_eq!(resp["error"]["code"], "CONFLICT");
        assert!(resp["error"]["message"].as_str().unwrap().contains(id), "{resp}");
    }
}

#[tokio::test]
async fn twenty_concurrent_creates_of_one_phone_make_exactly_one_contact() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let attempts = (0..20).map(|i| {
        let body = json!({ "name": format!("Racer {i}"), "phone": "+91 91234 56789" });
        let (stack, op) = (&stack, &op);
        async move { stack.call(Method::POST, "/api/contacts", Some(op), Some(&body)).await }
    });
    let results = futures::future::join_all(attempts).await;
    let created: Vec<_> = results.iter().filter(|(s, _)| *s == 201).collect();
    let conflicts = results.iter().filter(|(s, _)| *s == 409).count();
    assert_eq!(created.len(), 1, "{results:?}");
    assert_eq!(conflicts, 19, "{results:?}");
    let winner = created[0].1["contactId"].as_str().unwrap();
    assert!(results
        .iter()
        .filter(|(s, _)| *s == 409)
        .all(|(_, r)| r["error"]["message"].as_str().unwrap().contains(winner)));

    let (_, page) = stack.call(Method::GET, "/api/contacts", Some(&op), None).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_partial_update_changes_only_what_it_names_and_records_consent_provenance() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let c = create(
        &stack,
        &op,
        json!({ "name": "Old Name", "phone": "9876543210", "email": "old@example.com" }),
    )
    .await;
    let id = c["contactId"].as_str().unwrap();
    let path = format!("/api/contacts/{id}");

    let (status, u) = stack
        .call(Method::PATCH, &path, Some(&op), Some(&json!({ "optInWhatsApp": true })))
        .await;
    assert_eq!(status, 200, "{u}");
    assert_eq!(u["optInWhatsApp"], true);
    assert_eq!(
        (u["name"].clone(), u["email"].clone()),
        (json!("Old Name"), json!("old@example.com"))
    );
    assert_eq!(u["consentHistory"][0]["channel"], "whatsapp");
    assert_eq!(u["consentHistory"][0]["source"], "operator");
    assert_eq!(u["version"], 2);
    assert!(u["updatedAt"].as_str() > c["updatedAt"].as_str());

    let (status, u) = stack
        .call(
            Method::PATCH,
            &path,
            Some(&op),
            Some(&json!({ "name": null, "email": "New@Example.com" })),
        )
        .await;
    assert_eq!(status, 200, "{u}");
    assert!(u.get("name").is_none());
    assert_eq!(u["email"], "new@example.com");

    let (status, e) = stack
        .call(Method::PATCH, &path, Some(&op), Some(&json!({ "optInSms": null })))
        .await;
    assert_eq!(
        (status, e["error"]["message"].as_str()),
        (400, Some("optInSms: must be true or false"))
    );
    let (status, _) = stack
        .call(
            Method::PATCH,
            &path,
            Some(&op),
            Some(&json!({ "phone": null, "email": null })),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = stack.call(Method::PATCH, &path, Some(&op), Some(&json!({}))).await;
    assert_eq!(status, 400);

    let audit = history(&stack, id).await;
    let updates: Vec<_> = audit.iter().filter(|e| e.action == "contact.update").collect();
    assert_eq!(updates.len(), 2, "only real changes are written");
    let renamed = updates
        .iter()
        .find(|e| e.after.as_ref().unwrap().get("email").is_some())
        .unwrap();
    assert_eq!(renamed.before.as_ref().unwrap()["email"], "old@example.com");
    assert_eq!(renamed.after.as_ref().unwrap()["email"], "new@example.com");
}

#[tokio::test]
async fn changing_a_phone_claims_the_new_number_and_frees_the_old_one() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let a = create(&stack, &op, json!({ "phone": "9876543210" })).await;
    let b = create(&stack, &op, json!({ "phone": "9876543211" })).await;
    let a_path = format!("/api/contacts/{}", a["contactId"].as_str().unwrap());

    let (status, resp) = stack
        .call(
            Method::PATCH,
            &a_path,
            Some(&op),
            Some(&json!({ "phone": "+919876543211" })),
        )
        .await;
    assert_eq!(status, 409, "{resp}");
    assert!(resp["error"]["message"]
        .as_str()
        .unwrap()
        .contains(b["contactId"].as_str().unwrap()));

    let (status, _) = stack
        .call(
            Method::PATCH,
            &a_path,
            Some(&op),
            Some(&json!({ "phone": "9876543219" })),
        )
        .await;
    assert_eq!(status, 200);
    create(&stack, &op, json!({ "phone": "9876543210" })).await;
}

#[tokio::test]
async fn a_deleted_contact_is_gone_from_every_read_but_its_record_and_history_stay() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let c = create(&stack, &op, json!({ "name": "Gone Soon", "phone": "9876543210" })).await;
    let id = c["contactId"].as_str().unwrap();
    let path = format!("/api/contacts/{id}");

    let (status, body) = stack.call(Method::DELETE, &path, Some(&op), None).await;
    assert_eq!((status, body), (204, Value::Null));
    assert_eq!(stack.call(Method::GET, &path, Some(&op), None).await.0, 404);
    assert_eq!(
        stack
            .call(Method::PATCH, &path, Some(&op), Some(&json!({ "name": "x" })))
            .await
            .0,
        404
    );
    let (status, again) = stack.call(Method::DELETE, &path, Some(&op), None).await;
    assert_eq!((status, again["error"]["code"].as_str()), (404, Some("NOT_FOUND")));
    let (_, page) = stack.call(Method::GET, "/api/contacts", Some(&op), None).await;
    assert_eq!(page["items"], json!([]));
    let (_, found) = stack
        .call(Method::GET, "/api/contacts/search?q=gone", Some(&op), None)
        .await;
    assert_eq!(found["items"], json!([]));

    let raw = stack
        .dynamo()
        .get_item()
        .table_name(stack.table(Table::Contacts))
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("wecare#CONTACT#{id}")),
        )
        .key("sk", aws_sdk_dynamodb::types::AttributeValue::S("CONTACT".into()))
        .send()
        .await
        .unwrap()
        .item
        .expect("the record stays");
    assert!(raw.contains_key("deletedAt"));
    assert_eq!(raw["name"].as_s().unwrap(), "Gone Soon");
    let actions: Vec<_> = history(&stack, id).await.into_iter().map(|e| e.action).collect();
    assert!(actions.contains(&"contact.create".to_string()) && actions.contains(&"contact.delete".to_string()));

    // Its phone is free again for a new contact.
    create(&stack, &op, json!({ "phone": "9876543210" })).await;
}

#[tokio::test]
async fn search_matches_name_word_email_and_phone_prefixes_without_a_scan() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let anna = create(
        &stack,
        &op,
        json!({ "name": "Anna Maria Smith", "phone": "9876543210", "email": "anna.s@example.com" }),
    )
    .await;
    create(&stack, &op, json!({ "name": "Bob Annan", "phone": "+14155552671" })).await;
    create(&stack, &op, json!({ "name": "Carol", "email": "carol@example.com" })).await;
    stack.dynamo_ops.clear();

    let names = |page: &Value| -> HashSet<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("ann", vec!["Anna Maria Smith", "Bob Annan"]),
        ("MARIA", vec!["Anna Maria Smith"]),
        ("smi", vec!["Anna Maria Smith"]),
        ("anna smi", vec!["Anna Maria Smith"]),
        ("anna.s@ex", vec!["Anna Maria Smith"]),
        ("carol@", vec!["Carol"]),
        ("98765", vec!["Anna Maria Smith"]),
        ("+91 98765", vec!["Anna Maria Smith"]),
        ("919876", vec!["Anna Maria Smith"]),
        ("+1 415", vec!["Bob Annan"]),
        ("4155", vec!["Bob Annan"]),
        ("nna", vec![]),
        ("zzz", vec![]),
    ];
    for (q, expected) in cases {
        let path = format!(
            "/api/contacts/search?q={}",
            q.replace('+', "%2B").replace(' ', "%20").replace('@', "%40")
        );
        let (status, page) = stack.call(Method::GET, &path, Some(&op), None).await;
        assert_eq!(status, 200, "{q}: {page}");
        assert_eq!(
            names(&page),
            expected.into_iter().map(String::from).collect::<HashSet<_>>(),
            "q={q}"
        );
    }
    let (_, page) = stack
        .call(Method::GET, "/api/contacts/search?q=anna", Some(&op), None)
        .await;
    assert_eq!(page["items"][0]["contactId"], anna["contactId"]);

    let ops = stack.dynamo_ops.operations();
    assert!(!ops.is_empty());
    assert!(!ops.iter().any(|o| o == "Scan"), "{ops:?}");
    // GetItem: the authorizer reads the caller's team membership for every token it verifies.
    assert!(
        ops.iter()
            .all(|o| ["Query", "BatchGetItem", "UpdateItem", "GetItem"].contains(&o.as_str())),
        "{ops:?}"
    );

    let (status, e) = stack
        .call(Method::GET, "/api/contacts/search?q=%20", Some(&op), None)
        .await;
    assert_eq!(
        (status, e["error"]["message"].as_str()),
        (400, Some("q: must not be empty"))
    );
}

#[tokio::test]
async fn search_and_listing_page_through_every_contact_once() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        // "Ravi Ravindra" matches "ravi" through two tokens; it must still appear once.
        let c = create(
            &stack,
            &op,
            json!({ "name": format!("Ravi Ravindra {i}"), "phone": format!("98765432{i:02}") }),
        )
        .await;
        ids.push(c["contactId"].as_str().unwrap().to_string());
    }
    for base in ["/api/contacts/search?q=ravi&limit=3", "/api/contacts?limit=3"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let path = match &cursor {
                Some(c) => format!("{base}&cursor={c}"),
                None => base.to_string(),
            };
            let (status, page) = stack.call(Method::GET, &path, Some(&op), None).await;
            assert_eq!(status, 200, "{page}");
            pages += 1;
            seen.extend(
                page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["contactId"].as_str().unwrap().to_string()),
            );
            match page["nextCursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
            assert!(pages < 10, "pagination does not end");
        }
        assert_eq!(seen.len(), 7, "{base}: {seen:?}");
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 7, "{base}: duplicates");
        if base.starts_with("/api/contacts?") {
            let mut newest_first = ids.clone();
            newest_first.reverse();
            assert_eq!(seen, newest_first, "listing is newest first");
        }
    }
    let (status, e) = stack
        .call(Method::GET, "/api/contacts?cursor=bm90LWEtY3Vyc29y", Some(&op), None)
        .await;
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("VALIDATION_FAILED")));
    let (status, _) = stack.call(Method::GET, "/api/contacts?limit=0", Some(&op), None).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn another_tenant_sees_none_of_this_tenants_contacts() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let globex = stack.sign_in(Role::Operator, "globex").await.id;
    let c = create(&stack, &op, json!({ "name": "Private Person", "phone": "9876543210" })).await;
    let path = format!("/api/contacts/{}", c["contactId"].as_str().unwrap());

    assert_eq!(stack.call(Method::GET, &path, Some(&globex), None).await.0, 404);
    assert_eq!(
        stack
            .call(Method::PATCH, &path, Some(&globex), Some(&json!({ "name": "Hijack" })))
            .await
            .0,
        404
    );
    assert_eq!(stack.call(Method::DELETE, &path, Some(&globex), None).await.0, 404);
    let (_, page) = stack.call(Method::GET, "/api/contacts", Some(&globex), None).await;
    assert_eq!(page["items"], json!([]));
    let (_, found) = stack
        .call(Method::GET, "/api/contacts/search?q=private", Some(&globex), None)
        .await;
    assert_eq!(found["items"], json!([]));
    let (_, page) = stack.call(Method::GET, "/api/contacts", Some(&op), None).await;
    let cursor_of_wecare = page["nextCursor"].clone();
    assert!(cursor_of_wecare.is_null());

    // Uniqueness is per tenant: the same number is a different person's contact elsewhere.
    let (status, _) = stack
        .call(
            Method::POST,
            "/api/contacts",
            Some(&globex),
            Some(&json!({ "phone": "9876543210" })),
        )
        .await;
    assert_eq!(status, 201);
    let (_, mine) = stack.call(Method::GET, &path, Some(&op), None).await;
    assert_eq!(mine["name"], "Private Person");
}
