//! The audit trail's search (`GET /api/audit`), end to end: filters, paging over the tenant's day
//! partitions, tenant isolation, who may search, and retention.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use wecare_core::tables::Table;
use wecare_core::{Principal, Role, TenantId, UserId};
use wecare_store::{AuditContext, AuditEntry};
use wecare_tests::{Method, TestStack};

fn context(tenant: &str, user: &str, role: Role) -> AuditContext {
    AuditContext {
        principal: Principal {
            user_id: UserId::parse(user).unwrap(),
            email: None,
            role,
            tenant_id: TenantId::parse(tenant).unwrap(),
        },
        request_id: "seed".into(),
        source_ip: None,
        user_agent: None,
    }
}

/// Writes an entry of `tenant` as if made at `at`, straight to the table.
async fn seed(
    stack: &TestStack,
    tenant: &str,
    actor: &str,
    action: &str,
    resource: (&str, &str),
    at: DateTime<Utc>,
) -> AuditEntry {
    let entry = AuditEntry::new(
        &context(tenant, actor, Role::Operator),
        action,
        resource.0,
        resource.1,
        "success",
        None,
        Some(json!({ "seeded": true })),
        at,
    );
    wecare_store::audit::write(&stack.dynamo(), &stack.table(Table::AuditLogs), &entry, at)
        .await
        .expect("seed an entry");
    entry
}

async fn page(stack: &TestStack, token: &str, query: &str) -> (u16, Value) {
    stack
        .call(Method::GET, &format!("/api/audit?{query}"), Some(token), None)
        .await
}

/// Every page of a search, with how many queries each made.
async fn all_pages(stack: &TestStack, token: &str, query: &str) -> (Vec<Value>, Vec<usize>) {
    all_pages_timed(stack, token, query).await.0
}

/// [`all_pages`], with how long each page took to answer.
async fn all_pages_timed(
    stack: &TestStack,
    token: &str,
    query: &str,
) -> ((Vec<Value>, Vec<usize>), Vec<std::time::Duration>) {
    let (mut items, mut queries, mut cursor) = (Vec::new(), Vec::new(), None::<String>);
    let mut times = Vec::new();
    loop {
        let q = match &cursor {
            Some(c) => format!("{query}&cursor={c}"),
            None => query.to_string(),
        };
        stack.dynamo_ops.clear();
        let started = std::time::Instant::now();
        let (status, p) = page(stack, token, &q).await;
        times.push(started.elapsed());
        assert_eq!(status, 200, "{p}");
        queries.push(stack.dynamo_ops.operations().iter().filter(|o| *o == "Query").count());
        items.extend(p["items"].as_array().cloned().unwrap_or_default());
        match p["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return ((items, queries), times),
        }
        assert!(queries.len() < 50, "paging does not end");
    }
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|e| e["auditId"].as_str().unwrap().to_string())
        .collect()
}

fn q(t: DateTime<Utc>) -> String {
    wecare_core::time::iso(t).replace(':', "%3A")
}

#[tokio::test]
async fn the_trail_is_searched_by_actor_action_resource_outcome_and_time() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let operator = stack.token(Role::Operator).await;
    let viewer = stack.token(Role::Viewer).await;
    let started = Utc::now();

    let create = |token: String, phone: &'static str| {
        let stack = &stack;
        async move {
            stack
                .create_contact(&token, json!({ "name": "Audit Fixture", "phone": phone }))
                .await
        }
    };
    let first = create(admin.clone(), "9876540001").await;
    let second = create(operator.clone(), "9876540002").await;
    let (status, _) = stack
        .call(
            Method::PATCH,
            &format!("/api/contacts/{first}"),
            Some(&operator),
            Some(&json!({ "optInSms": true })),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = stack
        .call(
            Method::PATCH,
            &format!("/api/contacts/{second}"),
            Some(&viewer),
            Some(&json!({ "name": "Nope" })),
        )
        .await;
    assert_eq!(status, 403);
    let (_, me) = stack.call(Method::GET, "/api/me", Some(&operator), None).await;
    let operator_id = me["userId"].as_str().unwrap().to_string();

    // One resource's history, newest first, with what changed.
    let (status, p) = page(&stack, &admin, &format!("resourceType=contact&resourceId={first}")).await;
    assert_eq!(status, 200, "{p}");
    let actions: Vec<&str> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["contact.update", "contact.create"]);
    assert_eq!(p["items"][0]["after"]["optInSms"], true);
    assert_eq!(p["items"][0]["before"]["optInSms"], false);

    // An actor, by id or by the email of the member.
    for actor in [operator_id.as_str(), "operator%40wecare.digital"] {
        let (_, p) = page(&stack, &admin, &format!("actor={actor}&action=contact.*")).await;
        let found: Vec<(&str, &str)> = p["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["action"].as_str().unwrap(), e["resourceId"].as_str().unwrap()))
            .collect();
        assert_eq!(
            found,
            [("contact.update", first.as_str()), ("contact.create", second.as_str())],
            "{actor}"
        );
    }
    let (_, p) = page(&stack, &admin, "actor=nobody%40example.com").await;
    assert_eq!(p["items"], json!([]));

    // An action exactly, and an outcome.
    let (_, p) = page(&stack, &admin, "action=contact.create").await;
    let created: HashSet<&str> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resourceId"].as_str().unwrap())
        .collect();
    assert_eq!(created, HashSet::from([first.as_str(), second.as_str()]));
    let (_, p) = page(&stack, &admin, "outcome=denied").await;
    assert_eq!(p["items"].as_array().unwrap().len(), 1, "{p}");
    assert_eq!(p["items"][0]["actorRole"], "Viewer");
    assert_eq!(p["items"][0]["resourceId"], second.as_str());

    // A resource and an actor together: the resource's entries by that actor only.
    let (_, p) = page(
        &stack,
        &admin,
        &format!("resourceType=contact&resourceId={first}&actor={operator_id}"),
    )
    .await;
    assert_eq!(p["items"].as_array().unwrap().len(), 1);

    // A time range, both ends included; nothing before it or after it.
    let (_, all) = page(&stack, &admin, "action=contact.*").await;
    let times: Vec<DateTime<Utc>> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["at"].as_str().unwrap().parse().unwrap())
        .collect();
    let (newest, oldest) = (times[0], *times.last().unwrap());
    assert!(oldest >= started - Duration::seconds(1));
    let (_, p) = page(
        &stack,
        &admin,
        &format!("action=contact.*&from={}&to={}", q(oldest), q(oldest)),
    )
    .await;
    assert_eq!(p["items"].as_array().unwrap().len(), 1);
    let (_, p) = page(
        &stack,
        &admin,
        &format!("action=contact.*&from={}", q(newest + Duration::milliseconds(1))),
    )
    .await;
    assert_eq!(p["items"], json!([]));
    let (_, p) = page(
        &stack,
        &admin,
        &format!("action=contact.*&to={}", q(oldest - Duration::milliseconds(1))),
    )
    .await;
    assert_eq!(p["items"], json!([]));

    for (query, field) in [
        ("from=yesterday", "from"),
        ("from=2026-02-02T00:00:00Z&to=2026-02-01T00:00:00Z", "from"),
        ("resourceType=contact", "resourceId"),
        ("outcome=maybe", "outcome"),
        ("limit=0", "limit"),
        ("cursor=not-a-cursor", "cursor"),
    ] {
        let (status, e) = page(&stack, &admin, query).await;
        assert_eq!(status, 400, "{query}: {e}");
        assert!(
            e["error"]["message"].as_str().unwrap().starts_with(field),
            "{query}: {e}"
        );
    }
}

#[tokio::test]
async fn a_search_pages_newest_first_over_months_of_days_without_gaps_or_repeats() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let now = Utc::now();
    // Clusters of entries today, on days 1–3 ago, and 40 and 150 days ago: quiet stretches much
    // longer than the queries a page may make.
    let mut seeded = Vec::new();
    for (days, n) in [(0, 4), (1, 3), (2, 5), (3, 2), (40, 6), (150, 3)] {
        for i in 0..n {
            let at = now - Duration::days(days) - Duration::minutes(10 + i);
            seeded.push(seed(&stack, "wecare", "seed-actor", "contact.update", ("contact", "c-1"), at).await);
        }
    }
    seeded.sort_by(|a, b| b.at.cmp(&a.at));
    let expected: Vec<String> = seeded.iter().map(|e| e.audit_id.clone()).collect();

    for limit in [1, 4, 7, 100] {
        let (items, queries) = all_pages(&stack, &admin, &format!("actor=seed-actor&limit={limit}")).await;
        assert_eq!(ids(&items), expected, "by actor, limit {limit}");
        assert!(queries.iter().all(|n| *n <= 2), "{queries:?}");

        // The same over the tenant's days (no actor or resource to narrow by).
        let (items, queries) = all_pages(&stack, &admin, &format!("action=contact.update&limit={limit}")).await;
        assert_eq!(ids(&items), expected, "over days, limit {limit}");
        assert!(
            queries.iter().all(|n| *n <= wecare_core::audit::MAX_QUERIES_PER_PAGE),
            "limit {limit}: {queries:?}"
        );
    }
    let ((items, queries), times) = all_pages_timed(&stack, &admin, "action=contact.update&limit=100").await;
    assert_eq!(items.len(), seeded.len());
    let started = std::time::Instant::now();
    let (status, _) = stack.call(Method::GET, "/api/me", Some(&admin), None).await;
    let me = started.elapsed();
    assert_eq!(status, 200);
    let ((by_actor, _), actor_times) = all_pages_timed(&stack, &admin, "actor=seed-actor&limit=100").await;
    assert_eq!(by_actor.len(), seeded.len());
    eprintln!(
        "against moto: a search over 181 days of {} entries took {} pages (queries per page {queries:?}, ms per page \
         {:?}); the same entries by actor one page ({:?} ms); GET /api/me {} ms",
        items.len(),
        queries.len(),
        times.iter().map(|t| t.as_millis()).collect::<Vec<_>>(),
        actor_times.iter().map(|t| t.as_millis()).collect::<Vec<_>>(),
        me.as_millis()
    );

    // A range inside the quiet stretch: one page per 32 days, all empty, ending.
    let (items, _) = all_pages(
        &stack,
        &admin,
        &format!("from={}&to={}", q(now - Duration::days(39)), q(now - Duration::days(4))),
    )
    .await;
    assert!(items.iter().all(|e| e["actorId"] != "seed-actor"));
}

#[tokio::test]
async fn another_tenants_entries_never_appear_and_its_cursors_are_refused() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let now = Utc::now();
    for i in 0..3 {
        seed(
            &stack,
            "globex",
            "globex-actor",
            "contact.create",
            ("contact", "g-1"),
            now - Duration::minutes(i),
        )
        .await;
    }
    let mine = seed(
        &stack,
        "wecare",
        "seed-actor",
        "contact.create",
        ("contact", "g-1"),
        now,
    )
    .await;

    for query in [
        "actor=globex-actor",
        "resourceType=contact&resourceId=g-1",
        "action=contact.create",
        "limit=100",
    ] {
        let (items, _) = all_pages(&stack, &admin, query).await;
        assert!(items.iter().all(|e| e["tenantId"] == "wecare"), "{query}: {items:?}");
    }
    let (_, p) = page(&stack, &admin, "resourceType=contact&resourceId=g-1").await;
    assert_eq!(ids(p["items"].as_array().unwrap()), vec![mine.audit_id]);

    // A cursor that points into globex's partitions is refused, whatever the search.
    use base64::Engine;
    let encode = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let day = now.format("%Y-%m-%d");
    let foreign = [
        encode(json!({ "pk": format!("globex#AUDIT#{day}") })),
        encode(json!({ "pk": format!("globex#AUDIT#{day}"), "sk": "x" })),
        encode(json!({ "pk": format!("wecare#AUDIT#{day}"), "sk": "x", "gsi2pk": "globex#ACTOR#globex-actor" })),
    ];
    for c in &foreign {
        for query in ["", "actor=globex-actor&", "resourceType=contact&resourceId=g-1&"] {
            let (status, e) = page(&stack, &admin, &format!("{query}cursor={c}")).await;
            assert_eq!(status, 400, "{query}{c}: {e}");
        }
    }
}

#[tokio::test]
async fn only_admins_search_the_trail_and_a_refused_search_is_itself_audited() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    for role in [Role::Viewer, Role::Operator] {
        let token = stack.token(role).await;
        let (status, body) = page(&stack, &token, "limit=5").await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("FORBIDDEN")),
            "{role:?}"
        );
    }
    let (_, p) = page(&stack, &admin, "action=audit.search&outcome=denied").await;
    let roles: HashSet<&str> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actorRole"].as_str().unwrap())
        .collect();
    assert_eq!(roles, HashSet::from(["Viewer", "Operator"]));
    assert_eq!(p["items"][0]["resourceType"], "audit");
}

#[tokio::test]
async fn entries_are_kept_180_days_and_older_ones_are_never_shown() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let now = Utc::now();
    let kept = seed(
        &stack,
        "wecare",
        "seed-actor",
        "contact.update",
        ("contact", "old"),
        now - Duration::days(179),
    )
    .await;
    // moto never deletes expired items; the search must not show them either.
    let expired = seed(
        &stack,
        "wecare",
        "seed-actor",
        "contact.update",
        ("contact", "old"),
        now - Duration::days(181),
    )
    .await;
    assert_eq!(
        kept.expires_at,
        (now - Duration::days(179) + Duration::days(180)).timestamp()
    );

    let item = stack
        .dynamo()
        .query()
        .table_name(stack.table(Table::AuditLogs))
        .index_name("gsi1")
        .key_condition_expression("gsi1pk = :p")
        .expression_attribute_values(
            ":p",
            aws_sdk_dynamodb::types::AttributeValue::S("wecare#contact#old".into()),
        )
        .send()
        .await
        .unwrap()
        .items
        .unwrap_or_default();
    assert_eq!(item.len(), 2);
    assert!(
        item.iter().all(|i| i["expiresAt"].as_n().is_ok()),
        "TTL attribute is a Number"
    );

    for query in [
        "resourceType=contact&resourceId=old",
        "actor=seed-actor",
        "action=contact.update",
    ] {
        let (items, _) = all_pages(&stack, &admin, query).await;
        let found = ids(&items);
        assert!(found.contains(&kept.audit_id), "{query}");
        assert!(!found.contains(&expired.audit_id), "{query}");
    }
}
