//! The sandbox's WhatsApp message templates, through the real `aws_sdk_socialmessaging` client: the
//! template operations must answer in shapes the SDK parses, Meta's review is played by
//! `POST /templates/decide`, and with `strict_templates` a template send is refused as Meta refuses
//! it (not approved, wrong language, wrong parameter count).
//!
//! Each test serves its own sandbox, so the templates it creates or deletes are its own.

use aws_sdk_socialmessaging::error::ProvideErrorMetadata;
use aws_sdk_socialmessaging::primitives::Blob;
use aws_sdk_socialmessaging::Client;
use serde_json::{json, Value};
use wecare_local::seed::{GLOBEX_WABA, WECARE_WABA};

/// The `wecare` tenant's default WhatsApp number (WABA `WECARE_WABA`).
const WECARE_NUMBER: &str = "phone-number-id-0a1b2c3d4e5f60718293a4b5c6d7e8f9";

struct Sandbox {
    url: String,
    client: Client,
}

impl Sandbox {
    async fn start(strict_templates: bool) -> Sandbox {
        let sdk = wecare_local::aws::sdk_config(&wecare_tests::moto_endpoint());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind sandbox");
        let url = format!("http://{}", listener.local_addr().expect("sandbox addr"));
        let config = wecare_sandbox::SandboxConfig {
            sdk: sdk.clone(),
            events_topic_arn: "arn:aws:sns:us-east-1:123456789012:sandbox-templates-unused".into(),
            account_id: "123456789012".into(),
            phone_numbers: wecare_local::seed::whatsapp_numbers()
                .into_iter()
                .map(|n| n.setting)
                .collect(),
            strict_templates,
        };
        tokio::spawn(async move {
            if let Err(e) = wecare_sandbox::serve(listener, config).await {
                panic!("sandbox stopped: {e}");
            }
        });
        let client = Client::from_conf(
            aws_sdk_socialmessaging::config::Builder::from(&sdk)
                .endpoint_url(&url)
                .build(),
        );
        Sandbox { url, client }
    }

    async fn decide(&self, body: Value) -> (u16, Value) {
        let resp = reqwest::Client::new()
            .post(format!("{}/templates/decide", self.url))
            .json(&body)
            .send()
            .await
            .expect("decide");
        let status = resp.status().as_u16();
        (status, resp.json().await.expect("decide JSON"))
    }

    async fn ledger(&self) -> Vec<Value> {
        reqwest::get(format!("{}/ledger", self.url))
            .await
            .expect("ledger")
            .json()
            .await
            .expect("ledger JSON")
    }

    /// `(name, status)` of every template of `waba`, through ListWhatsAppMessageTemplates.
    async fn templates(&self, waba: &str) -> Vec<(String, String)> {
        let out = self
            .client
            .list_whats_app_message_templates()
            .id(waba)
            .send()
            .await
            .expect("list templates");
        out.templates()
            .iter()
            .map(|t| {
                (
                    t.template_name().unwrap_or_default().to_string(),
                    t.template_status().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    async fn create(&self, definition: &Value) -> Result<(String, String), (u16, String, String)> {
        self.client
            .create_whats_app_message_template()
            .id(format!("waba-{WECARE_WABA}"))
            .template_definition(Blob::new(definition.to_string().into_bytes()))
            .send()
            .await
            .map(|o| {
                (
                    o.meta_template_id().unwrap_or_default().to_string(),
                    o.template_status().unwrap_or_default().to_string(),
                )
            })
            .map_err(|e| {
                let status = e.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
                let e = e.into_service_error();
                (
                    status,
                    e.code().unwrap_or_default().to_string(),
                    e.message().unwrap_or_default().to_string(),
                )
            })
    }

    /// Sends a template message from the `wecare` number as the messaging providers do: Meta's
    /// message object as the blob. Answers the HTTP status, error code and message.
    async fn send_template(&self, template: Value) -> (u16, String, String) {
        let message = json!({
            "messaging_product": "whatsapp",
            "to": "+919876543210",
            "type": "template",
            "template": template,
        });
        let sent = self
            .client
            .send_whats_app_message()
            .origination_phone_number_id(WECARE_NUMBER)
            .meta_api_version("v20.0")
            .message(Blob::new(message.to_string().into_bytes()))
            .send()
            .await;
        match sent {
            Ok(out) => {
                assert!(out.message_id().is_some_and(|m| !m.is_empty()));
                (200, String::new(), String::new())
            }
            Err(e) => {
                let status = e.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
                let e = e.into_service_error();
                (
                    status,
                    e.code().unwrap_or_default().to_string(),
                    e.message().unwrap_or_default().to_string(),
                )
            }
        }
    }
}

fn body_parameters(values: &[&str]) -> Value {
    let parameters: Vec<Value> = values.iter().map(|v| json!({ "type": "text", "text": v })).collect();
    json!([{ "type": "body", "parameters": parameters }])
}

fn welcome_definition() -> Value {
    json!({
        "name": "welcome_back",
        "language": "en_US",
        "category": "UTILITY",
        "components": [{
            "type": "BODY",
            "text": "Hi {{1}}, welcome back to {{2}}.",
            "example": { "body_text": [["Asha", "WeCare"]] },
        }],
    })
}

#[tokio::test]
async fn listing_shows_the_seeded_templates_with_their_statuses_for_every_form_of_waba_id() {
    let sandbox = Sandbox::start(true).await;
    let expected: Vec<(String, String)> = [
        ("hello_world", "APPROVED"),
        ("order_update", "APPROVED"),
        ("appointment_reminder", "APPROVED"),
        ("summer_sale", "REJECTED"),
    ]
    .iter()
    .map(|(n, s)| (n.to_string(), s.to_string()))
    .collect();
    let arn = format!("arn:aws:social-messaging:us-east-1:123456789012:waba/waba-{GLOBEX_WABA}");
    for id in [format!("waba-{WECARE_WABA}"), WECARE_WABA.to_string(), arn] {
        assert_eq!(sandbox.templates(&id).await, expected, "{id}");
    }

    let full = sandbox
        .client
        .list_whats_app_message_templates()
        .id(WECARE_WABA)
        .send()
        .await
        .expect("list");
    let order = full
        .templates()
        .iter()
        .find(|t| t.template_name() == Some("order_update"))
        .expect("order_update");
    assert_eq!(order.template_language(), Some("en_US"));
    assert_eq!(order.template_category(), Some("UTILITY"));
    assert!(order.meta_template_id().is_some_and(|id| id.len() == 15));

    let page = sandbox
        .client
        .list_whats_app_message_templates()
        .id(WECARE_WABA)
        .max_results(3)
        .send()
        .await
        .expect("first page");
    assert_eq!(page.templates().len(), 3);
    let rest = sandbox
        .client
        .list_whats_app_message_templates()
        .id(WECARE_WABA)
        .set_next_token(page.next_token().map(str::to_string))
        .send()
        .await
        .expect("second page");
    assert_eq!(rest.templates().len(), 1);
    assert_eq!(rest.next_token(), None);

    let unknown = sandbox
        .client
        .list_whats_app_message_templates()
        .id("waba-999")
        .send()
        .await
        .expect_err("unknown WABA");
    assert!(unknown.into_service_error().is_resource_not_found_exception());
}

#[tokio::test]
async fn a_created_template_is_pending_until_decided_and_get_then_shows_it_approved() {
    let sandbox = Sandbox::start(true).await;
    let (meta_id, status) = sandbox.create(&welcome_definition()).await.expect("create");
    assert_eq!(status, "PENDING");
    assert!(sandbox
        .templates(WECARE_WABA)
        .await
        .contains(&("welcome_back".into(), "PENDING".into())));

    let (s, decided) = sandbox
        .decide(json!({ "wabaId": WECARE_WABA, "name": "welcome_back", "language": "en_US", "status": "APPROVED" }))
        .await;
    assert_eq!(s, 200, "{decided}");
    assert_eq!(decided["templateStatus"], "APPROVED");

    let got = sandbox
        .client
        .get_whats_app_message_template()
        .id(format!("waba-{WECARE_WABA}"))
        .meta_template_id(&meta_id)
        .send()
        .await
        .expect("get by meta id");
    let template: Value = serde_json::from_str(got.template().unwrap_or_default()).expect("template JSON");
    assert_eq!(template["status"], "APPROVED");
    assert_eq!(template["id"], meta_id.as_str());
    assert_eq!(template["components"][0]["text"], "Hi {{1}}, welcome back to {{2}}.");

    let by_name = sandbox
        .client
        .get_whats_app_message_template()
        .id(WECARE_WABA)
        .template_name("welcome_back")
        .template_language_code("en_US")
        .send()
        .await
        .expect("get by name");
    assert!(by_name.template().is_some_and(|t| t.contains(&meta_id)));

    let (s, _) = sandbox
        .decide(json!({ "wabaId": WECARE_WABA, "name": "welcome_back", "language": "en_US", "status": "PENDING" }))
        .await;
    assert_eq!(s, 400, "PENDING is not a decision");

    let ledger = sandbox.ledger().await;
    let ops: Vec<&str> = ledger.iter().filter_map(|e| e["operation"].as_str()).collect();
    for op in [
        "CreateWhatsAppMessageTemplate",
        "ListWhatsAppMessageTemplates",
        "GetWhatsAppMessageTemplate",
    ] {
        assert!(ops.contains(&op), "{op} missing from the ledger: {ops:?}");
    }
    let created = ledger
        .iter()
        .find(|e| e["operation"] == "CreateWhatsAppMessageTemplate")
        .expect("create in the ledger");
    assert_eq!(
        created["request"]["templateDefinition"]["name"], "welcome_back",
        "{created}"
    );
}

#[tokio::test]
async fn invalid_or_duplicate_templates_are_refused_with_a_validation_exception_naming_the_problem() {
    let sandbox = Sandbox::start(true).await;
    let mut gap = welcome_definition();
    gap["components"][0]["text"] = json!("Hi {{1}}, see you at {{3}}.");
    let (status, code, message) = sandbox.create(&gap).await.expect_err("gap in variables");
    assert_eq!((status, code.as_str()), (400, "ValidationException"));
    assert!(
        message.contains("without gaps") && message.contains("{{2}}"),
        "{message}"
    );

    let mut no_samples = welcome_definition();
    no_samples["components"][0]["example"] = json!({});
    let (_, code, message) = sandbox.create(&no_samples).await.expect_err("no samples");
    assert_eq!(code, "ValidationException");
    assert!(message.contains("sample"), "{message}");

    let mut bad_name = welcome_definition();
    bad_name["name"] = json!("Welcome-Back");
    let (_, code, message) = sandbox.create(&bad_name).await.expect_err("bad name");
    assert_eq!(code, "ValidationException");
    assert!(message.contains("Welcome-Back"), "{message}");

    let (_, code, message) = sandbox
        .create(
            &json!({ "name": "order_update", "language": "en_US", "category": "UTILITY",
            "components": [{ "type": "BODY", "text": "Again" }] }),
        )
        .await
        .expect_err("duplicate");
    assert_eq!(code, "ValidationException");
    assert!(message.contains("already exists"), "{message}");

    let mut other_language = welcome_definition();
    other_language["name"] = json!("order_update");
    other_language["language"] = json!("hi");
    assert!(
        sandbox.create(&other_language).await.is_ok(),
        "same name, another language"
    );
}

#[tokio::test]
async fn deleting_a_template_removes_it_from_the_list_and_get() {
    let sandbox = Sandbox::start(true).await;
    sandbox
        .client
        .delete_whats_app_message_template()
        .id(format!("waba-{WECARE_WABA}"))
        .template_name("summer_sale")
        .send()
        .await
        .expect("delete");
    let names: Vec<String> = sandbox
        .templates(WECARE_WABA)
        .await
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert!(!names.contains(&"summer_sale".to_string()), "{names:?}");
    assert!(sandbox
        .templates(GLOBEX_WABA)
        .await
        .iter()
        .any(|(n, _)| n == "summer_sale"));

    let gone = sandbox
        .client
        .get_whats_app_message_template()
        .id(WECARE_WABA)
        .template_name("summer_sale")
        .send()
        .await
        .expect_err("deleted");
    assert!(gone.into_service_error().is_resource_not_found_exception());
    let again = sandbox
        .client
        .delete_whats_app_message_template()
        .id(WECARE_WABA)
        .template_name("summer_sale")
        .send()
        .await
        .expect_err("already deleted");
    assert!(again.into_service_error().is_resource_not_found_exception());
}

#[tokio::test]
async fn updating_a_template_sends_it_back_to_review() {
    let sandbox = Sandbox::start(true).await;
    let meta_id = sandbox
        .client
        .get_whats_app_message_template()
        .id(WECARE_WABA)
        .template_name("hello_world")
        .template_language_code("en_US")
        .send()
        .await
        .ok()
        .and_then(|o| o.template().map(str::to_string))
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|t| t["id"].as_str().map(str::to_string))
        .expect("hello_world's meta id");
    let components = json!([{ "type": "BODY", "text": "Hello {{1}}", "example": { "body_text": [["World"]] } }]);
    sandbox
        .client
        .update_whats_app_message_template()
        .id(WECARE_WABA)
        .meta_template_id(&meta_id)
        .template_components(Blob::new(components.to_string().into_bytes()))
        .send()
        .await
        .expect("update");
    assert!(sandbox
        .templates(WECARE_WABA)
        .await
        .contains(&("hello_world".into(), "PENDING".into())));

    let gap = json!([{ "type": "BODY", "text": "Hello {{2}}", "example": { "body_text": [["World"]] } }]);
    let refused = sandbox
        .client
        .update_whats_app_message_template()
        .id(WECARE_WABA)
        .meta_template_id(&meta_id)
        .template_components(Blob::new(gap.to_string().into_bytes()))
        .send()
        .await
        .expect_err("gap");
    assert!(refused.into_service_error().is_validation_exception());
}

#[tokio::test]
async fn template_sends_are_refused_when_rejected_in_another_language_or_with_the_wrong_parameter_count() {
    let sandbox = Sandbox::start(true).await;
    let cases = [
        (
            json!({ "name": "summer_sale", "language": { "code": "en_US" }, "components": body_parameters(&["30%"]) }),
            "summer_sale (en_US) is REJECTED",
        ),
        (
            json!({ "name": "order_update", "language": { "code": "en" },
                "components": body_parameters(&["Asha", "#7"]) }),
            "does not exist in the translation en",
        ),
        (
            json!({ "name": "order_update", "language": { "code": "en_US" },
            "components": body_parameters(&["#1234"]) }),
            "template order_update (en_US) expects 2 body parameters, got 1",
        ),
        (
            json!({ "name": "hello", "language": { "code": "en" } }),
            "template name hello does not exist",
        ),
        (
            json!({ "name": "appointment_reminder", "language": { "code": "en_US" },
                "components": body_parameters(&["Asha", "12 March"]) }),
            "IMAGE header and expects 1 header parameters, got 0",
        ),
    ];
    for (template, expected) in cases {
        let (status, code, message) = sandbox.send_template(template.clone()).await;
        assert_eq!(
            (status, code.as_str()),
            (400, "ValidationException"),
            "{template}: {message}"
        );
        assert!(message.contains(expected), "{template}: {message:?} lacks {expected:?}");
    }
    let refused = sandbox
        .ledger()
        .await
        .iter()
        .filter(|e| e["operation"] == "SendWhatsAppMessage" && e["status"] == 400)
        .count();
    assert_eq!(refused, 5, "every refused send is in the ledger");
}

#[tokio::test]
async fn template_sends_with_an_approved_template_its_language_and_its_parameters_are_accepted() {
    let sandbox = Sandbox::start(true).await;
    let mut image = body_parameters(&["Asha", "12 March, 10:30"]);
    if let Some(list) = image.as_array_mut() {
        list.insert(
            0,
            json!({ "type": "header", "parameters": [{ "type": "image", "image": { "id": "1234567890" } }] }),
        );
    }
    for template in [
        json!({ "name": "hello_world", "language": { "code": "en_US" } }),
        json!({ "name": "order_update", "language": { "code": "en_US" },
            "components": body_parameters(&["Asha", "#1234"]) }),
        json!({ "name": "appointment_reminder", "language": { "code": "en_US" }, "components": image }),
    ] {
        let (status, code, message) = sandbox.send_template(template.clone()).await;
        assert_eq!(status, 200, "{template}: {code} {message}");
    }
}

#[tokio::test]
async fn without_strict_templates_any_template_send_is_accepted_as_before() {
    let sandbox = Sandbox::start(false).await;
    for template in [
        json!({ "name": "order_update", "language": { "code": "en_US" },
            "components": body_parameters(&["#1234"]) }),
        json!({ "name": "hello", "language": { "code": "en" } }),
    ] {
        let (status, code, message) = sandbox.send_template(template.clone()).await;
        assert_eq!(status, 200, "{template}: {code} {message}");
    }
}
