//! The WhatsApp template catalogue through the API, against the provider sandbox: listing fills
//! it on the first look, an Admin creates a template that Meta's review (played by the sandbox)
//! approves and whose status event updates the catalogue (a media header with its sample file), refusals of Meta's rules reach no provider, template sends are
//! checked against the catalogue before any provider call, their category is recorded and counted,
//! the library (with the targets of its URL and call buttons), deletion, the scheduled refresh of
//! catalogues older than the configured age, and who may do what.

use std::time::Duration;

use serde_json::{json, Value};
use wecare_core::Role;
use wecare_local::seed;
use wecare_tests::{eventually, Method, TestStack};

const GLOBEX_SENDER: &str = "phone-number-id-7c0b1e5a9d2f4c3b8a6e0d1f2a3b4c5d";

async fn list(stack: &TestStack, token: &str) -> Value {
    let (status, v) = stack
        .call(Method::GET, "/api/whatsapp/templates", Some(token), None)
        .await;
    assert_eq!(status, 200, "{v}");
    v
}

fn find<'a>(catalogue: &'a Value, name: &str) -> Option<&'a Value> {
    catalogue["items"]
        .as_array()
        .and_then(|items| items.iter().find(|t| t["name"] == name))
}

/// Provider calls of one operation in the sandbox's ledger.
async fn calls(stack: &TestStack, operation: &str) -> usize {
    stack
        .ledger()
        .await
        .iter()
        .filter(|e| e["operation"] == operation)
        .count()
}

async fn decide(stack: &TestStack, name: &str, status: &str) {
    let resp = reqwest::Client::new()
        .post(format!("{}/templates/decide", stack.sandbox))
        .json(&json!({ "wabaId": seed::WECARE_WABA, "name": name, "language": "en_US", "status": status, "reason": "INVALID_FORMAT" }))
        .send()
        .await
        .expect("decide");
    assert!(resp.status().is_success(), "{}", resp.text().await.unwrap_or_default());
}

/// A customer opted in to WhatsApp, outside her window.
async fn asha(stack: &TestStack, token: &str) -> String {
    stack
        .create_contact(
            token,
            json!({ "phone": "9876543210", "name": "Asha Rao", "optInWhatsApp": true }),
        )
        .await
}

fn welcome() -> Value {
    json!({
        "name": "welcome_offer",
        "language": "en_US",
        "category": "MARKETING",
        "header": { "format": "TEXT", "text": "Welcome {{1}}" },
        "body": "Hi {{1}}, enjoy {{2}} off your first order.",
        "footer": "Reply STOP to opt out",
        "buttons": [{ "type": "QUICK_REPLY", "text": "Show me" }],
        "samples": { "1": "Asha", "2": "10%" },
    })
}

#[tokio::test]
async fn the_first_look_fills_the_catalogue_and_every_role_reads_it_but_only_its_own_accounts() {
    let stack = TestStack::start().await;
    let viewer = stack.token(Role::Viewer).await;
    let v = list(&stack, &viewer).await;
    assert_eq!(v["wabaId"], seed::WECARE_WABA);
    assert!(v["syncedAt"].is_string(), "{v}");
    let order = find(&v, "order_update").expect("the seeded order update");
    assert_eq!(order["status"], "APPROVED");
    assert_eq!(order["category"], "UTILITY");
    assert_eq!(order["variables"].as_array().map(Vec::len), Some(2));
    assert_eq!(order["variables"][0]["sample"], "Asha");
    let reminder = find(&v, "appointment_reminder").expect("the seeded reminder");
    assert_eq!(reminder["header"]["format"], "IMAGE");
    assert!(find(&v, "summer_sale").is_some_and(|t| t["status"] == "REJECTED"));

    // Lists answer from storage afterwards: no second provider listing.
    let listed = calls(&stack, "ListWhatsAppMessageTemplates").await;
    list(&stack, &viewer).await;
    assert_eq!(calls(&stack, "ListWhatsAppMessageTemplates").await, listed);

    let (status, e) = stack
        .call(
            Method::GET,
            &format!("/api/whatsapp/templates?sender={GLOBEX_SENDER}"),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (403, Some("NOT_ALLOWLISTED")),
        "{e}"
    );
}

#[tokio::test]
async fn an_admin_creates_a_template_that_is_pending_until_meta_approves_it_and_a_sync_brings_that_in() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let operator = stack.token(Role::Operator).await;

    let (status, e) = stack
        .call(
            Method::POST,
            "/api/whatsapp/templates",
            Some(&operator),
            Some(&welcome()),
        )
        .await;
    assert_eq!((status, e["error"]["code"].as_str()), (403, Some("FORBIDDEN")), "{e}");

    // Meta's rules, checked before anything reaches the provider.
    let refused = [
        (json!({ "body": "Hi {{1}}, enjoy {{3}} off." }), "{{2}} is missing"),
        (json!({ "name": "Welcome Offer" }), "lowercase letters"),
        (json!({ "samples": { "1": "Asha" } }), "sample value for {{2}}"),
        (json!({ "body": "{{1}}, enjoy {{2}} off" }), "cannot start or end"),
    ];
    for (change, why) in refused {
        let mut body = welcome();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, e) = stack
            .call(Method::POST, "/api/whatsapp/templates", Some(&admin), Some(&body))
            .await;
        assert_eq!(status, 400, "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains(why), "{why}: {e}");
    }
    assert_eq!(
        calls(&stack, "CreateWhatsAppMessageTemplate").await,
        0,
        "no refusal reached the provider"
    );

    let (status, created) = stack
        .call(Method::POST, "/api/whatsapp/templates", Some(&admin), Some(&welcome()))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["template"]["status"], "PENDING");
    let (status, e) = stack
        .call(Method::POST, "/api/whatsapp/templates", Some(&admin), Some(&welcome()))
        .await;
    assert_eq!((status, e["error"]["code"].as_str()), (409, Some("CONFLICT")), "{e}");

    let v = list(&stack, &operator).await;
    assert_eq!(find(&v, "welcome_offer").unwrap()["status"], "PENDING");
    // Meta's decision arrives as a status event and updates the catalogue without a sync.
    let listed = calls(&stack, "ListWhatsAppMessageTemplates").await;
    decide(&stack, "welcome_offer", "APPROVED").await;
    let t = eventually(
        "the approval to reach the catalogue",
        Duration::from_secs(20),
        || async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            find(&list(&stack, &operator).await, "welcome_offer")
                .filter(|t| t["status"] == "APPROVED")
                .cloned()
        },
    )
    .await;
    assert_eq!(
        calls(&stack, "ListWhatsAppMessageTemplates").await,
        listed,
        "no sync was needed"
    );
    let (status, synced) = stack
        .call(
            Method::POST,
            "/api/whatsapp/templates/sync",
            Some(&operator),
            Some(&json!({})),
        )
        .await;
    assert_eq!(status, 200, "{synced}");
    assert!(synced["count"].as_u64().unwrap() >= 5, "{synced}");
    assert_eq!(t["variables"][0]["component"], "HEADER");

    // Deleting it (Admins only) removes it from the provider and the catalogue.
    let path = "/api/whatsapp/templates/welcome_offer?language=en_US";
    let (status, _) = stack.call(Method::DELETE, path, Some(&operator), None).await;
    assert_eq!(status, 403);
    let (status, body) = stack.call(Method::DELETE, path, Some(&admin), None).await;
    assert_eq!(status, 204, "{body}");
    assert!(find(&list(&stack, &admin).await, "welcome_offer").is_none());
    let (status, _) = stack.call(Method::DELETE, path, Some(&admin), None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn template_sends_are_checked_against_the_catalogue_before_any_provider_call_and_counted_by_category() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let id = asha(&stack, &op).await;
    let send = |template: Value| {
        let (stack, op, id) = (&stack, &op, &id);
        async move {
            stack
                .send_message(op, "whatsapp", json!({ "contactId": id, "template": template }))
                .await
        }
    };
    let refusals = [
        (
            json!({ "name": "no_such_template", "language": "en_US" }),
            "not in the business account's catalogue",
        ),
        (json!({ "name": "order_update", "language": "fr" }), "no fr version"),
        (
            json!({ "name": "order_update", "language": "en_US", "parameters": ["Asha"] }),
            "takes 2 parameter(s)",
        ),
        (
            json!({ "name": "order_update", "language": "en_US", "parameters": ["Asha", " "] }),
            "is empty",
        ),
        (
            json!({ "name": "summer_sale", "language": "en_US", "parameters": ["30%"] }),
            "REJECTED",
        ),
        (
            json!({ "name": "appointment_reminder", "language": "en_US", "parameters": ["Asha", "12 May"] }),
            "IMAGE header",
        ),
    ];
    for (template, why) in refusals {
        let (status, e) = send(template).await;
        assert_eq!(
            (status, e["error"]["code"].as_str()),
            (400, Some("VALIDATION_FAILED")),
            "{e}"
        );
        assert!(e["error"]["message"].as_str().unwrap().contains(why), "{why}: {e}");
    }
    assert_eq!(
        calls(&stack, "SendWhatsAppMessage").await,
        0,
        "no refused template reached the provider"
    );

    let (status, m) = send(json!({ "name": "order_update", "language": "en_US", "parameters": ["Asha", "#42"] })).await;
    assert_eq!(status, 202, "{m}");
    assert_eq!(m["template"]["category"], "UTILITY", "{m}");
    let (status, m) = send(json!({ "name": "hello_world", "language": "en_US" })).await;
    assert_eq!(status, 202, "{m}");

    let (status, usage) = stack
        .call(Method::GET, "/api/whatsapp/template-usage?days=7", Some(&op), None)
        .await;
    assert_eq!(status, 200, "{usage}");
    let days = usage["days"].as_array().unwrap();
    let count = |category: &str| {
        days.iter()
            .filter(|d| d["category"] == category)
            .map(|d| d["count"].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!((count("UTILITY"), count("MARKETING")), (2, 0), "{usage}");
}

#[tokio::test]
async fn an_admin_starts_from_metas_library() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let viewer = stack.token(Role::Viewer).await;
    let (status, _) = stack
        .call(Method::GET, "/api/whatsapp/template-library", Some(&viewer), None)
        .await;
    assert_eq!(status, 403);
    let (status, lib) = stack
        .call(
            Method::GET,
            "/api/whatsapp/template-library?q=payment",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 200, "{lib}");
    let items = lib["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{lib}");
    assert!(items
        .iter()
        .all(|t| t["libraryName"].as_str().unwrap().contains("payment")
            || t["body"].as_str().unwrap_or("").to_lowercase().contains("payment")));
    let chosen = items
        .iter()
        .find(|t| {
            t["buttons"]
                .as_array()
                .is_none_or(|b| b.iter().all(|b| b["type"] == "QUICK_REPLY"))
        })
        .expect("a library template without button inputs");
    let body = json!({
        "libraryName": chosen["libraryName"], "name": "our_payment_note", "language": chosen["language"],
        "category": "UTILITY",
    });
    let (status, created) = stack
        .call(
            Method::POST,
            "/api/whatsapp/templates/from-library",
            Some(&admin),
            Some(&body),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["template"]["name"], "our_payment_note");
    assert_eq!(created["template"]["status"], "PENDING");
    assert!(find(&list(&stack, &admin).await, "our_payment_note").is_some());
}

#[tokio::test]
async fn a_library_template_with_a_url_button_is_copied_with_the_businesss_own_link() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let (status, lib) = stack
        .call(Method::GET, "/api/whatsapp/template-library", Some(&admin), None)
        .await;
    assert_eq!(status, 200, "{lib}");
    let with_url = lib["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| {
            let buttons = t["buttons"].as_array().cloned().unwrap_or_default();
            buttons.len() == 1 && buttons[0]["type"] == "URL"
        })
        .expect("a library template with one URL button")
        .clone();
    let copy = |buttons: Value| {
        json!({
            "libraryName": with_url["libraryName"], "name": "our_order_link", "language": with_url["language"],
            "category": "UTILITY", "buttons": buttons,
        })
    };
    let post = |body: Value| {
        let (stack, admin) = (&stack, &admin);
        async move {
            stack
                .call(
                    Method::POST,
                    "/api/whatsapp/templates/from-library",
                    Some(admin),
                    Some(&body),
                )
                .await
        }
    };
    // A link that is not one, or a variable without its sample, never reaches the provider.
    for bad in [
        json!([{ "type": "URL", "url": "shop.example/orders" }]),
        json!([{ "type": "URL", "url": "https://shop.example/orders/{{1}}" }]),
        json!([{ "type": "PHONE_NUMBER", "phoneNumber": "0800 123" }]),
        json!([{ "type": "QUICK_REPLY", "text": "Yes" }]),
    ] {
        let (status, v) = post(copy(bad.clone())).await;
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (400, Some("VALIDATION_FAILED")),
            "{bad}: {v}"
        );
    }
    assert_eq!(calls(&stack, "CreateWhatsAppMessageTemplateFromLibrary").await, 0);
    // Without the link, the provider says which button needs one.
    let (status, v) = post(copy(json!([]))).await;
    assert_eq!(status, 400, "{v}");
    assert!(v["error"]["message"].as_str().unwrap_or("").contains("URL"), "{v}");
    // With it, the copy is submitted and its button opens the business's page.
    let (status, created) = post(copy(json!([{
        "type": "URL", "url": "https://shop.example/orders/{{1}}", "urlExample": "https://shop.example/orders/A-1042",
    }])))
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["template"]["status"], "PENDING");
    let stored = list(&stack, &admin).await;
    let button = &find(&stored, "our_order_link").expect("the copy is in the catalogue")["buttons"][0];
    assert_eq!(
        (button["type"].as_str(), button["url"].as_str()),
        (Some("URL"), Some("https://shop.example/orders/{{1}}"))
    );
}

#[tokio::test]
async fn the_schedule_syncs_exactly_the_catalogues_older_than_the_configured_age() {
    let stack = TestStack::start_with(&[("TEMPLATE_CATALOGUE_MAX_AGE_MINUTES", "30")]).await;
    let admin = stack.token(Role::Admin).await;
    let start = chrono::Utc::now();
    // The first run fills every account's catalogue (one per tenant here), never synced before.
    let first = stack.functions.refresh_templates(start).await.expect("refresh");
    assert!(first.accounts >= 2 && first.synced == first.accounts, "{first:?}");
    let listed = calls(&stack, "ListWhatsAppMessageTemplates").await;
    assert_eq!(listed, first.accounts);
    // A template submitted behind the catalogue's back (in WhatsApp Manager; no event reached us).
    let provider = aws_sdk_socialmessaging::Client::from_conf(
        aws_sdk_socialmessaging::config::Builder::from(&wecare_local::aws::sdk_config(&wecare_tests::moto_endpoint()))
            .endpoint_url(&stack.sandbox)
            .build(),
    );
    let definition = json!({
        "name": "made_elsewhere", "language": "en_US", "category": "UTILITY",
        "components": [{ "type": "BODY", "text": "Your table is ready." }],
    });
    provider
        .create_whats_app_message_template()
        .id(format!("waba-{}", seed::WECARE_WABA))
        .template_definition(aws_sdk_socialmessaging::primitives::Blob::new(definition.to_string()))
        .send()
        .await
        .expect("created at the provider");
    // Younger than the age: nothing is synced, and the catalogue does not know it yet.
    let soon = stack
        .functions
        .refresh_templates(start + chrono::Duration::minutes(29))
        .await
        .expect("refresh");
    assert_eq!(soon.synced, 0, "{soon:?}");
    assert_eq!(calls(&stack, "ListWhatsAppMessageTemplates").await, listed);
    assert!(find(&list(&stack, &admin).await, "made_elsewhere").is_none());
    // As old as the age: every catalogue is synced once, and the new template is in.
    let later = stack
        .functions
        .refresh_templates(start + chrono::Duration::minutes(30))
        .await
        .expect("refresh");
    assert_eq!(later.synced, first.accounts, "{later:?}");
    assert_eq!(
        calls(&stack, "ListWhatsAppMessageTemplates").await,
        listed + first.accounts
    );
    assert!(find(&list(&stack, &admin).await, "made_elsewhere").is_some());
}

#[tokio::test]
async fn a_campaign_with_a_template_the_catalogue_refuses_is_refused_before_it_starts() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let id = asha(&stack, &op).await;
    let job = |template: Value| {
        let mut content = template;
        content["type"] = json!("template");
        json!({ "channel": "whatsapp", "content": content, "recipients": { "type": "contacts", "contactIds": [id] } })
    };
    for path in ["/api/bulk-jobs/preview", "/api/bulk-jobs"] {
        let body = job(json!({ "name": "order_update", "language": "en_US", "parameters": ["{{name}}"] }));
        let (status, e) = stack.call(Method::POST, path, Some(&op), Some(&body)).await;
        assert_eq!(status, 400, "{path}: {e}");
        assert!(
            e["error"]["message"].as_str().unwrap().contains("takes 2 parameter(s)"),
            "{e}"
        );
    }
    let body = job(json!({ "name": "order_update", "language": "en_US", "parameters": ["{{name}}", "#42"] }));
    let (status, p) = stack
        .call(Method::POST, "/api/bulk-jobs/preview", Some(&op), Some(&body))
        .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["eligible"], 1, "{p}");
}

#[tokio::test]
async fn a_media_header_is_submitted_with_its_sample_file_and_sent_with_the_file_given() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let mut body = json!({
        "name": "new_arrivals", "language": "en_US", "category": "MARKETING",
        "header": { "format": "IMAGE" },
        "body": "Hi {{1}}, our new collection is in.", "samples": { "1": "Asha" },
    });
    let (status, e) = stack
        .call(Method::POST, "/api/whatsapp/templates", Some(&admin), Some(&body))
        .await;
    assert_eq!(status, 400, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("sample file"), "{e}");

    // A tiny JPEG (its magic number is what is checked).
    let jpeg = [
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0xFF, 0xD9,
    ];
    let key = stack.upload_media(&admin, "image/jpeg", &jpeg, "sample.jpg").await;
    body["header"]["mediaId"] = json!(key);
    let (status, created) = stack
        .call(Method::POST, "/api/whatsapp/templates", Some(&admin), Some(&body))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["template"]["header"]["format"], "IMAGE");
    assert_eq!(calls(&stack, "CreateWhatsAppMessageTemplateMedia").await, 1);
    decide(&stack, "new_arrivals", "APPROVED").await;

    let op = stack.token(Role::Operator).await;
    let id = asha(&stack, &op).await;
    let photo = stack.upload_media(&op, "image/jpeg", &jpeg, "photo.jpg").await;
    let template = json!({ "name": "new_arrivals", "language": "en_US", "parameters": ["Asha"], "headerMedia": { "s3Key": photo } });
    let sent = eventually(
        "the approval to reach the catalogue",
        Duration::from_secs(20),
        || async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let (status, m) = stack
                .send_message(&op, "whatsapp", json!({ "contactId": id, "template": template }))
                .await;
            (status == 202).then_some(m)
        },
    )
    .await;
    assert_eq!(sent["template"]["headerMediaKey"], photo.as_str(), "{sent}");
    let ledger = stack.ledger().await;
    let send = ledger
        .iter()
        .find(|e| e["operation"] == "SendWhatsAppMessage")
        .expect("the send");
    let header = &send["request"]["message"]["template"]["components"][0];
    assert_eq!(header["type"], "header", "{send}");
    assert!(header["parameters"][0]["image"]["id"].is_string(), "{send}");
    assert_eq!(calls(&stack, "PostWhatsAppMessageMedia").await, 1);

    // The same file to another customer goes by the media id it already has (a campaign's header
    // is handed to WhatsApp once, not once per recipient); a new upload is handed over anew.
    let ravi = stack
        .create_contact(
            &op,
            json!({ "phone": "9876500001", "name": "Ravi", "optInWhatsApp": true }),
        )
        .await;
    let (status, again) = stack
        .send_message(&op, "whatsapp", json!({ "contactId": ravi, "template": template }))
        .await;
    assert_eq!(status, 202, "{again}");
    let media_ids = |ledger: &[Value]| -> Vec<String> {
        ledger
            .iter()
            .filter(|e| e["operation"] == "SendWhatsAppMessage")
            .filter_map(|e| {
                e["request"]["message"]["template"]["components"][0]["parameters"][0]["image"]["id"].as_str()
            })
            .map(str::to_string)
            .collect()
    };
    let ids = media_ids(&stack.ledger().await);
    assert_eq!((ids.len(), ids.first() == ids.last()), (2, true), "{ids:?}");
    assert_eq!(calls(&stack, "PostWhatsAppMessageMedia").await, 1);
    let other = stack.upload_media(&op, "image/jpeg", &jpeg, "other.jpg").await;
    let (status, third) = stack
        .send_message(
            &op,
            "whatsapp",
            json!({ "contactId": ravi, "template": { "name": "new_arrivals", "language": "en_US", "parameters": ["Ravi"], "headerMedia": { "s3Key": other } } }),
        )
        .await;
    assert_eq!(status, 202, "{third}");
    assert_eq!(calls(&stack, "PostWhatsAppMessageMedia").await, 2);
}
