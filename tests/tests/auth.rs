//! The authorizer and the permission checks, end to end through the local API gateway.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use wecare_core::routes::ROUTES;
use wecare_core::{Email, Principal, Role, TenantId, UserId};
use wecare_store::users::Admission;
use wecare_store::{AuditContext, UsersRepo};
use wecare_tests::{moto_signing_key_pem, Method, TestStack};

fn method(m: &str) -> Method {
    Method::from_bytes(m.as_bytes()).expect("method")
}

async fn new_contact(stack: &TestStack, admin: &str, phone: &str) -> String {
    let body = json!({
        "name": "Fixture",
        "phone": phone,
        "email": format!("f{phone}@example.com"),
        "optInWhatsApp": true,
        "optInSms": true,
        "optInEmail": true,
    });
    let (status, body) = stack
        .call(Method::POST, "/api/contacts", Some(admin), Some(&body))
        .await;
    assert_eq!(status, 201, "{body}");
    body["contactId"].as_str().expect("contactId").to_string()
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_permission_matrix_says() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let mut tokens = HashMap::new();
    for role in Role::ALL {
        tokens.insert(role, stack.token(role).await);
    }
    let mut checked = 0;
    for route in ROUTES {
        for role in [None, Some(Role::Viewer), Some(Role::Operator), Some(Role::Admin)] {
            // Each mutation gets its own contact so one role's delete cannot hide another's.
            let id = new_contact(&stack, &admin, &format!("98765{:05}", checked)).await;
            let path = route.path.replace("{contactId}", &id);
            // A seeded template version, deleted by the one caller allowed to.
            let path = path.replace("{name}", "summer_sale?language=en_US");
            let path = path.replace("{queue}", "inbound-dlq");
            // No such member: allowed callers get 404.
            let path = path.replace("{userId}", "no-such-user");
            // No such suggestion: allowed callers get 404.
            let path = path.replace("{suggestionId}", "no-such-suggestion");
            let path = if path.ends_with("/search") {
                format!("{path}?q=fix")
            } else if route.method == "GET" && path == "/api/ai/suggestions" {
                format!("{path}?contactId={id}")
            } else {
                path
            };
            let body = match (route.method, route.path) {
                ("POST", "/api/messages/whatsapp") => {
                    Some(json!({ "contactId": id, "template": { "name": "hello_world", "language": "en_US" } }))
                }
                ("POST", "/api/messages/sms") => Some(json!({ "contactId": id, "text": "hello" })),
                ("POST", "/api/messages/email") => Some(json!({ "contactId": id, "subject": "Hi", "text": "hello" })),
                ("POST", "/api/media/uploads") => Some(json!({ "mimeType": "image/png", "size": 100 })),
                ("POST", "/api/conversations/{contactId}/read") => None,
                ("POST", "/api/bulk-jobs/uploads") => Some(json!({ "fileName": "list.csv" })),
                ("POST", "/api/bulk-jobs/preview" | "/api/bulk-jobs") => Some(json!({
                    "channel": "sms",
                    "content": { "type": "text", "body": "hello" },
                    "recipients": { "type": "contacts", "contactIds": [id] },
                })),
                ("POST", p) if p.starts_with("/api/bulk-jobs/") => None,
                ("POST", "/api/whatsapp/templates/sync") => Some(json!({})),
                ("POST", "/api/dlq/{queue}/replay") => Some(json!({ "all": true })),
                ("POST", "/api/users") => {
                    Some(json!({ "email": format!("matrix{checked}@example.com"), "role": "Viewer" }))
                }
                ("PATCH", "/api/users/{userId}") => Some(json!({ "role": "Viewer" })),
                ("POST", "/api/ai/query") => Some(json!({ "question": "When are you open?" })),
                // The contact has written nothing: allowed callers are told there is nothing to answer.
                ("POST", "/api/ai/suggestions") => Some(json!({ "contactId": id })),
                ("POST", "/api/ai/suggestions/{suggestionId}/approve") => Some(json!({})),
                ("POST", "/api/ai/suggestions/{suggestionId}/reject") => Some(json!({ "reason": "wrong" })),
                ("POST", "/api/ai/suggestions/{suggestionId}/feedback") => Some(json!({ "rating": "up" })),
                // Only the Admin's save gets through, once: version 0 is then the stored one.
                ("PUT", "/api/settings") => Some(json!({ "version": 0, "config": { "aiAutomation": false } })),
                ("POST", "/api/whatsapp/templates") => Some(json!({
                    "name": format!("matrix_{checked}"), "language": "en_US", "category": "UTILITY",
                    "body": "Your code is {{1}}, valid today.", "samples": { "1": "4821" },
                })),
                ("POST", "/api/whatsapp/templates/from-library") => Some(json!({
                    "libraryName": "payment_confirmation", "name": format!("library_{checked}"),
                    "language": "en_US", "category": "UTILITY",
                })),
                ("POST", _) => Some(json!({ "phone": format!("98764{:05}", checked) })),
                ("PATCH", _) => Some(json!({ "name": "Renamed" })),
                _ => None,
            };
            let token = role.map(|r| tokens[&r].as_str());
            let (status, resp) = stack.call(method(route.method), &path, token, body.as_ref()).await;
            checked += 1;

            // Marking a conversation read is reading it: Viewers may.
            let marks_read = route.path.ends_with("/read");
            let writes = matches!(route.method, "POST" | "PUT" | "PATCH" | "DELETE") && !marks_read;
            // A job path names no job here ({jobId} is left as is): allowed callers get 404.
            let names_a_job = route.path.contains("{jobId}")
                || route.path.contains("{userId}")
                || route.path.contains("{suggestionId}");
            // Managing the template catalogue is an Admin's (syncing it is anyone's who sends), and so are
            // the dead-letter queues.
            let admin_only = matches!(
                (route.method, route.path),
                ("POST", "/api/whatsapp/templates")
                    | ("DELETE", "/api/whatsapp/templates/{name}")
                    | ("GET", "/api/whatsapp/template-library")
                    | ("POST", "/api/whatsapp/templates/from-library")
                    | ("GET", "/api/dlq/{queue}")
                    | ("POST", "/api/dlq/{queue}/replay")
                    | ("GET", "/api/users")
                    | ("POST", "/api/users")
                    | ("PATCH", "/api/users/{userId}")
                    | ("GET", "/api/audit")
                    | ("GET", "/api/settings")
                    | ("PUT", "/api/settings")
                    | ("GET", "/api/settings/time-zones")
                    | ("GET", "/api/ai/interactions")
                    | ("GET", "/api/ai/stats")
            );
            let expected = match role {
                None if route.authorized => 401,
                Some(Role::Viewer) if writes => 403,
                Some(Role::Viewer | Role::Operator) if admin_only => 403,
                _ if names_a_job => 404,
                _ => match route.method {
                    "POST" if route.path == "/api/bulk-jobs" => 202,
                    "POST" if route.path == "/api/bulk-jobs/preview" => 200,
                    "POST" if route.path.starts_with("/api/messages/") => 202,
                    "POST" if marks_read => 200,
                    "POST" if route.path.ends_with("/sync") => 200,
                    "POST" if route.path.ends_with("/replay") => 200,
                    "POST" if route.path == "/api/ai/query" => 200,
                    "POST" if route.path == "/api/ai/suggestions" => 409,
                    "POST" => 201,
                    "DELETE" => 204,
                    _ => 200,
                },
            };
            assert_eq!(status, expected, "{} {} as {role:?}: {resp}", route.method, route.path);
            if expected == 403 {
                assert_eq!(resp["error"]["code"], "FORBIDDEN");
            }
        }
    }
    assert_eq!(checked, ROUTES.len() * 4);
}

#[tokio::test]
async fn a_denied_write_is_audited_and_changes_nothing() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let viewer = stack.token(Role::Viewer).await;
    let id = new_contact(&stack, &admin, "9876511111").await;

    let (status, _) = stack
        .call(
            Method::PATCH,
            &format!("/api/contacts/{id}"),
            Some(&viewer),
            Some(&json!({ "optInSms": false })),
        )
        .await;
    assert_eq!(status, 403);

    let history = wecare_store::audit::history(
        &stack.dynamo(),
        &stack.table(wecare_core::tables::Table::AuditLogs),
        &TenantId::parse("wecare").unwrap(),
        "contact",
        &id,
        Utc::now(),
    )
    .await
    .unwrap();
    let denied: Vec<_> = history.iter().filter(|e| e.outcome == "denied").collect();
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].action, "contact.update");
    assert_eq!(denied[0].actor_role, "Viewer");
    assert_eq!(denied[0].source_ip.as_deref(), Some("127.0.0.1"));

    let (_, contact) = stack
        .call(Method::GET, &format!("/api/contacts/{id}"), Some(&viewer), None)
        .await;
    assert_eq!(contact["optInSms"], true, "the denied opt-out changed nothing");
}

fn claims_of(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

fn forge(claims: &Value, kid: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_string());
    let key = EncodingKey::from_rsa_pem(moto_signing_key_pem().as_bytes()).unwrap();
    encode(&header, claims, &key).unwrap()
}

#[tokio::test]
async fn tokens_that_are_not_valid_id_tokens_of_this_pool_are_refused() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let stack = TestStack::start().await;
    let tokens = stack.sign_in(Role::Operator, "wecare").await;
    let good = claims_of(&tokens.id);
    let now = Utc::now().timestamp();

    let with = |k: &str, v: Value| {
        let mut c = good.clone();
        c[k] = v;
        c
    };
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let without_tenant = {
        let mut c = good.clone();
        c.as_object_mut().unwrap().remove("custom:tenant_id");
        c
    };
    let parts: Vec<&str> = tokens.id.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64(&with("cognito:groups", json!(["Admin"]))),
        parts[2]
    );
    let alg_none = format!(
        "{}.{}.",
        b64(&json!({ "alg": "none", "typ": "JWT", "kid": "dummy" })),
        parts[1]
    );
    let public_pem = {
        use rsa::pkcs8::EncodePublicKey;
        let key =
            <rsa::RsaPrivateKey as rsa::pkcs1::DecodeRsaPrivateKey>::from_pkcs1_pem(&moto_signing_key_pem()).unwrap();
        rsa::RsaPublicKey::from(&key)
            .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
            .unwrap()
    };
    let hs256_with_public_key = {
        let mut h = Header::new(Algorithm::HS256);
        h.kid = Some("dummy".into());
        encode(&h, &good, &EncodingKey::from_secret(public_pem.as_bytes())).unwrap()
    };

    let cases: Vec<(&str, String)> = vec![
        ("alg none", alg_none),
        ("HS256 signed with the public key", hs256_with_public_key),
        ("unknown kid", forge(&good, "not-a-key-of-this-pool")),
        ("tampered payload", tampered),
        ("expired", forge(&with("exp", json!(now - 60)), "dummy")),
        ("not yet valid", forge(&with("nbf", json!(now + 3600)), "dummy")),
        (
            "wrong issuer",
            forge(
                &with(
                    "iss",
                    json!("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"),
                ),
                "dummy",
            ),
        ),
        ("wrong audience", forge(&with("aud", json!("another-client")), "dummy")),
        ("access token where an ID token is required", tokens.access.clone()),
        (
            "id token claiming access use",
            forge(&with("token_use", json!("access")), "dummy"),
        ),
        ("no role group", forge(&with("cognito:groups", json!(["Ops"])), "dummy")),
        (
            "no tenant in a multi-tenant deployment",
            forge(&without_tenant, "dummy"),
        ),
        ("garbage", "not.a.jwt".to_string()),
    ];
    for (what, token) in &cases {
        let (status, body) = stack.call(Method::GET, "/api/me", Some(token), None).await;
        assert_eq!(status, 403, "{what} must be refused: {body}");
        assert_eq!(body, json!({ "message": "Forbidden" }), "{what}");
    }

    // The same forged-but-valid token is accepted, so the refusals above are about their defects.
    let (status, me) = stack
        .call(Method::GET, "/api/me", Some(&forge(&good, "dummy")), None)
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["role"], "Operator");

    let (status, body) = stack.call(Method::GET, "/api/me", None, None).await;
    assert_eq!((status, body), (401, json!({ "message": "Unauthorized" })));
}

#[tokio::test]
async fn the_authorizer_reports_the_role_tenant_and_email_from_the_id_token() {
    let stack = TestStack::start().await;
    let (status, me) = stack
        .call(Method::GET, "/api/me", Some(&stack.token(Role::Viewer).await), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(me["role"], "Viewer");
    assert_eq!(me["tenantId"], "wecare", "the tenant is the token's custom:tenant_id");
    assert_eq!(me["email"], "viewer@wecare.digital");
    assert_eq!(me["permissions"], json!(["readContacts", "readMessages"]));

    let globex = stack.sign_in(Role::Operator, "globex").await;
    let (_, me) = stack.call(Method::GET, "/api/me", Some(&globex.id), None).await;
    assert_eq!(me["tenantId"], "globex");
}

#[tokio::test]
async fn many_requests_write_the_users_record_once() {
    let stack = TestStack::start().await;
    let token = stack.token(Role::Operator).await;
    stack.dynamo_ops.clear();
    for _ in 0..8 {
        let (status, _) = stack.call(Method::GET, "/api/me", Some(&token), None).await;
        assert_eq!(status, 200);
    }
    // The first request adds the member the directory has not seen (with its audit entry, in one
    // transaction); the others only read it.
    let writes = stack
        .dynamo_ops
        .operations()
        .iter()
        .filter(|o| ["UpdateItem", "PutItem", "TransactWriteItems"].contains(&o.as_str()))
        .count();
    assert_eq!(writes, 1, "{:?}", stack.dynamo_ops.operations());

    let sub = claims_of(&token)["sub"].as_str().unwrap().to_string();
    let item = stack
        .dynamo()
        .get_item()
        .table_name(stack.table(wecare_core::tables::Table::Users))
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("wecare#USER#{sub}")),
        )
        .key("sk", aws_sdk_dynamodb::types::AttributeValue::S("PROFILE".into()))
        .send()
        .await
        .unwrap()
        .item
        .expect("users record");
    assert_eq!(item["role"].as_s().unwrap(), "Operator");
    assert_eq!(item["status"].as_s().unwrap(), "ENABLED");
    assert_eq!(item["email"].as_s().unwrap(), "operator@wecare.digital");
    assert!(item.contains_key("lastSignInAt"));
}

#[tokio::test]
async fn a_member_is_added_when_first_seen_and_each_new_sign_in_is_recorded_once() {
    let stack = TestStack::start().await;
    let repo = UsersRepo::new(
        stack.dynamo(),
        stack.table(wecare_core::tables::Table::Users),
        stack.table(wecare_core::tables::Table::AuditLogs),
    );
    let tenant = TenantId::parse("wecare").unwrap();
    let p = Principal {
        user_id: UserId::parse("u-1").unwrap(),
        email: Some(Email::parse("a@example.com").unwrap()),
        role: Role::Admin,
        tenant_id: tenant.clone(),
    };
    let ctx = AuditContext {
        principal: p.clone(),
        request_id: "r".into(),
        source_ip: None,
        user_agent: None,
    };
    let t0 = Utc::now();
    let admitted = repo.admit(&p, t0, &ctx, t0).await.unwrap();
    assert_eq!(admitted, Admission::Allowed { role: Role::Admin });
    assert_eq!(repo.admins(&tenant).await.unwrap(), 1, "a first-seen Admin is counted");

    // Another instance, the same session: nothing to record. A later session: recorded.
    let later = t0 + Duration::minutes(90);
    assert_eq!(repo.admit(&p, t0, &ctx, later).await.unwrap(), admitted);
    let member = repo.get(&tenant, &p.user_id).await.unwrap().unwrap();
    assert_eq!(
        member.last_sign_in_at.map(|t| t.timestamp_millis()),
        Some(t0.timestamp_millis())
    );
    assert_eq!(repo.admit(&p, later, &ctx, later).await.unwrap(), admitted);
    let member = repo.get(&tenant, &p.user_id).await.unwrap().unwrap();
    assert_eq!(
        member.last_sign_in_at.map(|t| t.timestamp_millis()),
        Some(later.timestamp_millis())
    );

    // Seen again with a token of another group: the directory's role stands, and is counted once.
    let demoted_token = Principal {
        role: Role::Viewer,
        ..p.clone()
    };
    assert_eq!(
        repo.admit(&demoted_token, later, &ctx, later).await.unwrap(),
        Admission::Allowed { role: Role::Admin }
    );
    assert_eq!(repo.admins(&tenant).await.unwrap(), 1);
}
