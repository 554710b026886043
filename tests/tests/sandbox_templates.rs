//! The sandbox's WhatsApp message templates, through the real `aws_sdk_socialmessaging` client: the
//! template operations must answer in shapes the SDK parses, Meta's review is played by
//! `POST /templates/decide`, and with `strict_templates` a template send is refused as Meta refuses
//! it (not approved, wrong language, wrong parameter count).
//!
//! Each test serves its own sandbox, so the templates it creates or deletes are its own. Meta's
//! template library (ListWhatsAppTemplateLibrary, CreateWhatsAppMessageTemplateFromLibrary) and
//! header media uploads (CreateWhatsAppMessageTemplateMedia, reading the file from moto's S3) are
//! driven the same way.

use aws_sdk_socialmessaging::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_socialmessaging::primitives::Blob;
use aws_sdk_socialmessaging::types::{
    LibraryTemplateBodyInputs, LibraryTemplateButtonInput, MetaLibraryTemplate, S3File,
};
use aws_sdk_socialmessaging::Client;
use serde_json::{json, Value};
use wecare_local::seed::{GLOBEX_WABA, WECARE_WABA};

/// The `wecare` tenant's default WhatsApp number (WABA `WECARE_WABA`).
const WECARE_NUMBER: &str = "phone-number-id-0a1b2c3d4e5f60718293a4b5c6d7e8f9";

struct Sandbox {
    url: String,
    client: Client,
    /// The SDK configuration pointing at moto, for the S3 objects a media upload reads.
    sdk: aws_config::SdkConfig,
}

impl Sandbox {
    async fn start(strict_templates: bool) -> Sandbox {
        Self::start_reviewing(strict_templates, None).await
    }

    async fn start_reviewing(strict_templates: bool, template_review: Option<std::time::Duration>) -> Sandbox {
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
            template_review,
            knowledge_base_id: wecare_local::seed::KNOWLEDGE_BASE_ID.into(),
            agent_id: wecare_local::seed::AGENT_ID.into(),
            agent_alias_id: wecare_local::seed::AGENT_ALIAS_ID.into(),
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
        Sandbox { url, client, sdk }
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
        self.create_in(&format!("waba-{WECARE_WABA}"), definition).await
    }

    async fn create_in(&self, waba: &str, definition: &Value) -> Result<(String, String), (u16, String, String)> {
        self.client
            .create_whats_app_message_template()
            .id(waba)
            .template_definition(Blob::new(definition.to_string().into_bytes()))
            .send()
            .await
            .map(|o| {
                (
                    o.meta_template_id().unwrap_or_default().to_string(),
                    o.template_status().unwrap_or_default().to_string(),
                )
            })
            .map_err(|e| refusal(&e))
    }

    /// `(name, language)` of the library templates a ListWhatsAppTemplateLibrary call with
    /// `filters` answers (one page of up to 100), and its next token.
    async fn library(&self, filters: &[(&str, &str)]) -> (Vec<(String, String)>, Option<String>) {
        let mut call = self
            .client
            .list_whats_app_template_library()
            .id(format!("waba-{WECARE_WABA}"))
            .max_results(100);
        for (k, v) in filters {
            call = call.filters(*k, *v);
        }
        let out = call.send().await.expect("list the library");
        (
            library_names(out.meta_library_templates()),
            out.next_token().map(str::to_string),
        )
    }

    /// CreateWhatsAppMessageTemplateFromLibrary in the `wecare` WABA: answers `(metaTemplateId,
    /// templateStatus, category)`.
    async fn create_from_library(
        &self,
        template: MetaLibraryTemplate,
    ) -> Result<(String, String, String), (u16, String, String)> {
        self.client
            .create_whats_app_message_template_from_library()
            .id(format!("waba-{WECARE_WABA}"))
            .meta_library_template(template)
            .send()
            .await
            .map(|o| {
                (
                    o.meta_template_id().unwrap_or_default().to_string(),
                    o.template_status().unwrap_or_default().to_string(),
                    o.category().unwrap_or_default().to_string(),
                )
            })
            .map_err(|e| refusal(&e))
    }

    /// Uploads `s3://bucket/key` as a template header sample for `waba`: answers the handle.
    async fn upload_header(&self, waba: &str, bucket: &str, key: &str) -> Result<String, (u16, String, String)> {
        self.client
            .create_whats_app_message_template_media()
            .id(waba)
            .source_s3_file(S3File::builder().bucket_name(bucket).key(key).build().expect("S3 file"))
            .send()
            .await
            .map(|o| o.meta_header_handle().unwrap_or_default().to_string())
            .map_err(|e| refusal(&e))
    }

    fn s3(&self) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&self.sdk)
                .force_path_style(true)
                .build(),
        )
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

/// The HTTP status, error code and message of a refused call.
fn refusal<E: ProvideErrorMetadata>(e: &SdkError<E>) -> (u16, String, String) {
    (
        e.raw_response().map(|r| r.status().as_u16()).unwrap_or(0),
        e.code().unwrap_or_default().to_string(),
        e.message().unwrap_or_default().to_string(),
    )
}

fn library_names(list: &[aws_sdk_socialmessaging::types::MetaLibraryTemplateDefinition]) -> Vec<(String, String)> {
    list.iter()
        .map(|t| {
            (
                t.template_name().unwrap_or_default().to_string(),
                t.template_language().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// A copy of library template `library` named `name`, in en_US, as UTILITY.
fn from_library(library: &str, name: &str) -> aws_sdk_socialmessaging::types::builders::MetaLibraryTemplateBuilder {
    MetaLibraryTemplate::builder()
        .library_template_name(library)
        .template_name(name)
        .template_language("en_US")
        .template_category("UTILITY")
}

/// The URL button input Meta's library takes: a base URL ending in `{{1}}` and a full sample.
fn url_input(base: &str, example: &str) -> LibraryTemplateButtonInput {
    LibraryTemplateButtonInput::builder()
        .r#type("URL")
        .url("base_url", base)
        .url("url_suffix_example", example)
        .build()
}

fn body_parameters(values: &[&str]) -> Value {
    let parameters: Vec<Value> = values.iter().map(|v| json!({ "type": "text", "text": v })).collect();
    json!([{ "type": "body", "parameters": parameters }])
}

#[tokio::test]
async fn with_a_review_delay_a_new_template_is_decided_by_itself_unless_decided_first() {
    let sandbox = Sandbox::start_reviewing(false, Some(std::time::Duration::from_millis(300))).await;
    let waba = format!("waba-{WECARE_WABA}");
    let named = |name: &str| {
        let mut d = welcome_definition();
        d["name"] = json!(name);
        d
    };
    for name in ["welcome_back", "reject_welcome", "decided_first"] {
        sandbox.create(&named(name)).await.expect("created");
    }
    let (status, _) = sandbox
        .decide(json!({ "wabaId": WECARE_WABA, "name": "decided_first", "language": "en_US", "status": "PAUSED" }))
        .await;
    assert_eq!(status, 200);
    let status_of = |all: &[(String, String)], name: &str| {
        all.iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    };
    assert_eq!(status_of(&sandbox.templates(&waba).await, "welcome_back"), "PENDING");
    tokio::time::sleep(std::time::Duration::from_millis(900)).await;
    let all = sandbox.templates(&waba).await;
    assert_eq!(
        [
            status_of(&all, "welcome_back"),
            status_of(&all, "reject_welcome"),
            status_of(&all, "decided_first")
        ],
        ["APPROVED", "REJECTED", "PAUSED"].map(String::from),
        "approved, rejected by its name, and a decision made first is kept"
    );
    let reviews = sandbox
        .ledger()
        .await
        .iter()
        .filter(|e| e["operation"] == "DecideTemplate")
        .count();
    assert_eq!(reviews, 3, "one decision on request, two by the review");
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

#[tokio::test]
async fn the_template_library_lists_metas_utility_templates_by_filter_and_page_by_page() {
    let sandbox = Sandbox::start(true).await;
    let all = sandbox
        .client
        .list_whats_app_template_library()
        .id(format!("waba-{WECARE_WABA}"))
        .send()
        .await
        .expect("library");
    assert_eq!(all.next_token(), None, "the whole library fits the default page");
    let names = library_names(all.meta_library_templates());
    for expected in [
        "order_confirmation",
        "delivery_update",
        "appointment_reminder_library",
        "payment_reminder",
    ] {
        assert!(
            names.contains(&(expected.into(), "en_US".into())),
            "{expected} missing: {names:?}"
        );
    }

    let order = all
        .meta_library_templates()
        .iter()
        .find(|t| t.template_name() == Some("order_confirmation") && t.template_language() == Some("en_US"))
        .expect("order_confirmation");
    assert_eq!(order.template_category(), Some("UTILITY"));
    assert_eq!(order.template_use_case(), Some("ORDER_CONFIRMATION"));
    assert_eq!(order.template_industry(), ["E_COMMERCE"]);
    assert!(order
        .template_body()
        .is_some_and(|b| b.contains("{{1}}") && b.contains("{{3}}")));
    assert_eq!(order.template_body_example_params().len(), 3);
    assert!(order.template_id().is_some_and(|id| !id.is_empty()));
    assert_eq!(order.template_buttons()[0].r#type(), Some("URL"));
    assert_eq!(order.template_buttons()[0].text(), Some("View order"));
    let appointment = all
        .meta_library_templates()
        .iter()
        .find(|t| t.template_name() == Some("appointment_reminder_library"))
        .expect("appointment_reminder_library");
    let kinds: Vec<&str> = appointment
        .template_buttons()
        .iter()
        .filter_map(|b| b.r#type())
        .collect();
    assert_eq!(kinds, ["QUICK_REPLY", "PHONE_NUMBER"]);
    assert!(appointment.template_buttons()[1].phone_number().is_some());

    let (delivery, _) = sandbox.library(&[("usecase", "DELIVERY_UPDATE")]).await;
    assert_eq!(delivery, [("delivery_update".to_string(), "en_US".to_string())]);
    let (reminders, _) = sandbox
        .library(&[("topic", "PAYMENTS"), ("searchKey", "reminder")])
        .await;
    assert_eq!(reminders, [("payment_reminder".to_string(), "en_US".to_string())]);
    let (hindi, _) = sandbox.library(&[("language", "hi")]).await;
    assert_eq!(hindi, [("order_confirmation".to_string(), "hi".to_string())]);
    let (health, _) = sandbox.library(&[("industry", "HEALTH")]).await;
    assert!(
        health.contains(&("appointment_reminder_library".into(), "en_US".into())),
        "{health:?}"
    );
    assert!(sandbox.library(&[("searchKey", "no such words")]).await.0.is_empty());

    let mut paged = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = sandbox
            .client
            .list_whats_app_template_library()
            .id(WECARE_WABA)
            .max_results(3)
            .set_next_token(token.clone())
            .send()
            .await
            .expect("a page");
        assert!(page.meta_library_templates().len() <= 3);
        paged.extend(library_names(page.meta_library_templates()));
        pages += 1;
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(paged, names, "the pages together are the whole library, in order");
    assert_eq!(pages, names.len().div_ceil(3));
    let items: Vec<_> = sandbox
        .client
        .list_whats_app_template_library()
        .id(WECARE_WABA)
        .max_results(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("the SDK paginator");
    assert_eq!(items.len(), names.len());

    let typo = sandbox
        .client
        .list_whats_app_template_library()
        .id(WECARE_WABA)
        .filters("useCase", "DELIVERY_UPDATE")
        .send()
        .await
        .expect_err("unknown filter");
    let (status, code, message) = refusal(&typo);
    assert_eq!((status, code.as_str()), (400, "ValidationException"));
    assert!(message.contains("useCase") && message.contains("usecase"), "{message}");
    let too_many = sandbox
        .client
        .list_whats_app_template_library()
        .id(WECARE_WABA)
        .max_results(101)
        .send()
        .await
        .expect_err("maxResults 101");
    assert!(too_many.into_service_error().is_validation_exception());
    let unknown = sandbox
        .client
        .list_whats_app_template_library()
        .id("waba-999")
        .send()
        .await
        .expect_err("unknown WABA");
    assert!(unknown.into_service_error().is_resource_not_found_exception());

    let ledger = sandbox.ledger().await;
    let filtered = ledger
        .iter()
        .find(|e| e["operation"] == "ListWhatsAppTemplateLibrary" && e["request"]["filters"]["usecase"].is_string())
        .expect("a filtered listing in the ledger");
    assert_eq!(filtered["request"]["id"], format!("waba-{WECARE_WABA}"), "{filtered}");
    assert_eq!(
        filtered["response"]["metaLibraryTemplates"][0]["templateName"],
        "delivery_update"
    );
}

#[tokio::test]
async fn a_template_created_from_the_library_is_pending_until_decided_then_listed_approved_and_sendable() {
    let sandbox = Sandbox::start(true).await;
    let copy = from_library("payment_reminder", "wecare_payment_due")
        .library_template_button_inputs(url_input(
            "https://wecare.example/pay/{{1}}",
            "https://wecare.example/pay/INV-1042",
        ))
        .library_template_body_inputs(LibraryTemplateBodyInputs::builder().add_contact_number(true).build())
        .build()
        .expect("library template");
    let (meta_id, status, category) = sandbox.create_from_library(copy).await.expect("create from library");
    assert_eq!((status.as_str(), category.as_str()), ("PENDING", "UTILITY"));
    assert_eq!(meta_id.len(), 15, "{meta_id}");
    assert!(sandbox
        .templates(WECARE_WABA)
        .await
        .contains(&("wecare_payment_due".into(), "PENDING".into())));
    assert!(
        !sandbox
            .templates(GLOBEX_WABA)
            .await
            .iter()
            .any(|(n, _)| n == "wecare_payment_due"),
        "the copy is in its own WABA only"
    );
    let pending = json!({ "name": "wecare_payment_due", "language": { "code": "en_US" },
        "components": body_parameters(&["Asha", "₹1,499", "your plan", "15 March"]) });
    let (status, _, message) = sandbox.send_template(pending.clone()).await;
    assert_eq!(status, 400, "a PENDING copy cannot be sent yet");
    assert!(message.contains("PENDING"), "{message}");

    let (s, decided) = sandbox
        .decide(
            json!({ "wabaId": WECARE_WABA, "name": "wecare_payment_due", "language": "en_US", "status": "APPROVED" }),
        )
        .await;
    assert_eq!(s, 200, "{decided}");
    assert!(sandbox
        .templates(WECARE_WABA)
        .await
        .contains(&("wecare_payment_due".into(), "APPROVED".into())));

    let got = sandbox
        .client
        .get_whats_app_message_template()
        .id(WECARE_WABA)
        .meta_template_id(&meta_id)
        .send()
        .await
        .expect("get the copy");
    let template: Value = serde_json::from_str(got.template().unwrap_or_default()).expect("template JSON");
    assert_eq!(template["library_template_name"], "payment_reminder");
    assert_eq!(template["library_template_body_inputs"]["add_contact_number"], true);
    let body = template["components"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["type"] == "BODY"))
        .expect("a body");
    assert_eq!(
        body["text"],
        "Hi {{1}}, this is a reminder that your payment of {{2}} for {{3}} is due on {{4}}."
    );
    let buttons = template["components"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["type"] == "BUTTONS"))
        .expect("buttons");
    assert_eq!(
        buttons["buttons"][0]["url"], "https://wecare.example/pay/{{1}}",
        "{buttons}"
    );
    assert_eq!(buttons["buttons"][0]["text"], "Pay now");

    let (status, code, message) = sandbox.send_template(pending).await;
    assert_eq!(status, 200, "{code} {message}");

    let ledger = sandbox.ledger().await;
    let created = ledger
        .iter()
        .find(|e| e["operation"] == "CreateWhatsAppMessageTemplateFromLibrary")
        .expect("the create in the ledger");
    assert_eq!(created["status"], 200);
    assert_eq!(
        created["request"]["metaLibraryTemplate"]["libraryTemplateName"], "payment_reminder",
        "{created}"
    );
    assert_eq!(created["response"]["metaTemplateId"], meta_id.as_str());
}

#[tokio::test]
async fn creating_from_the_library_refuses_unknown_library_templates_missing_inputs_bad_names_and_duplicates() {
    let sandbox = Sandbox::start(true).await;
    let build = |b: aws_sdk_socialmessaging::types::builders::MetaLibraryTemplateBuilder| b.build().expect("build");
    let cases = [
        (
            build(from_library("no_such_library_template", "wecare_x")),
            "\"no_such_library_template\" does not exist in Meta's template library",
        ),
        (
            build(from_library("delivery_update", "wecare_delivery")),
            "has a URL button (\"Track package\")",
        ),
        (
            build(from_library("payment_confirmation", "Wecare-Paid")),
            "\"Wecare-Paid\" must match ^[a-z0-9_]{1,512}$",
        ),
        (
            build(from_library("payment_confirmation", "wecare_paid").template_language("fr")),
            "not available in \"fr\"; it is in en_US",
        ),
        (
            build(from_library("payment_confirmation", "wecare_paid").template_category("MARKETING")),
            "templateCategory \"MARKETING\" does not match",
        ),
        (
            build(
                from_library("payment_confirmation", "wecare_paid").library_template_body_inputs(
                    LibraryTemplateBodyInputs::builder().code_expiration_minutes(10).build(),
                ),
            ),
            "applies to AUTHENTICATION templates",
        ),
        (
            build(from_library("feedback_request", "order_update")),
            "order_update (en_US) already exists",
        ),
    ];
    for (template, expected) in cases {
        let (status, code, message) = sandbox.create_from_library(template.clone()).await.expect_err(expected);
        assert_eq!(
            (status, code.as_str()),
            (400, "ValidationException"),
            "{template:?}: {message}"
        );
        assert!(message.contains(expected), "{message:?} lacks {expected:?}");
    }

    sandbox
        .create_from_library(build(from_library("feedback_request", "wecare_feedback")))
        .await
        .expect("first copy");
    let (_, code, message) = sandbox
        .create_from_library(build(from_library("feedback_request", "wecare_feedback")))
        .await
        .expect_err("second copy under the same name");
    assert_eq!(code, "ValidationException");
    assert!(message.contains("already exists"), "{message}");

    let unknown = sandbox
        .client
        .create_whats_app_message_template_from_library()
        .id("waba-999")
        .meta_library_template(build(from_library("feedback_request", "wecare_feedback_2")))
        .send()
        .await
        .expect_err("unknown WABA");
    assert!(unknown.into_service_error().is_resource_not_found_exception());

    let names: Vec<String> = sandbox
        .templates(WECARE_WABA)
        .await
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    for refused in ["wecare_x", "wecare_delivery", "wecare_paid"] {
        assert!(!names.contains(&refused.to_string()), "{refused} was stored: {names:?}");
    }
    let refusals = sandbox
        .ledger()
        .await
        .iter()
        .filter(|e| e["operation"] == "CreateWhatsAppMessageTemplateFromLibrary" && e["status"] != 200)
        .count();
    assert_eq!(refusals, 9, "every refused create is in the ledger");
}

#[tokio::test]
async fn an_uploaded_header_sample_answers_a_meta_handle_that_only_its_waba_may_use_for_that_kind_of_header() {
    let sandbox = Sandbox::start(true).await;
    let s3 = sandbox.s3();
    let bucket = format!("sandbox-templates-{}", uuid::Uuid::new_v4().simple());
    s3.create_bucket().bucket(&bucket).send().await.expect("bucket");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    for (key, content_type, bytes) in [
        ("headers/clinic.png", "image/png", png),
        ("headers/jingle.ogg", "audio/ogg", b"OggS".to_vec()),
    ] {
        s3.put_object()
            .bucket(&bucket)
            .key(key)
            .content_type(content_type)
            .body(bytes.into())
            .send()
            .await
            .expect(key);
    }

    let wecare = format!("waba-{WECARE_WABA}");
    let handle = sandbox
        .upload_header(&wecare, &bucket, "headers/clinic.png")
        .await
        .expect("upload");
    // Meta's handles carry the MIME type in base64: aW1hZ2UvcG5n is image/png.
    assert!(handle.starts_with("4::aW1hZ2UvcG5n:"), "{handle}");
    let again = sandbox
        .upload_header(&wecare, &bucket, "headers/clinic.png")
        .await
        .expect("second upload");
    assert_ne!(again, handle, "each upload gets its own handle");

    let with_header = |name: &str, format: &str, handle: &str| {
        json!({
            "name": name,
            "language": "en_US",
            "category": "UTILITY",
            "components": [
                { "type": "HEADER", "format": format, "example": { "header_handle": [handle] } },
                { "type": "BODY", "text": "Hi {{1}}, your visit is confirmed.", "example": { "body_text": [["Asha"]] } },
            ],
        })
    };
    let (_, status) = sandbox
        .create(&with_header("clinic_visit", "IMAGE", &handle))
        .await
        .expect("an IMAGE header with its handle");
    assert_eq!(status, "PENDING");

    let (_, code, message) = sandbox
        .create_in(
            &format!("waba-{GLOBEX_WABA}"),
            &with_header("clinic_visit", "IMAGE", &handle),
        )
        .await
        .expect_err("another WABA's handle");
    assert_eq!(code, "ValidationException");
    assert!(
        message.contains("was not issued to this WhatsApp Business Account"),
        "{message}"
    );
    let (_, code, message) = sandbox
        .create(&with_header("clinic_video", "VIDEO", &again))
        .await
        .expect_err("an image handle for a video header");
    assert_eq!(code, "ValidationException");
    assert!(
        message.contains("VIDEO HEADER cannot use") && message.contains("issued for an IMAGE sample (image/png)"),
        "{message}"
    );
    let (_, code, _) = sandbox
        .create(&with_header("clinic_fake", "IMAGE", "4::aW1hZ2UvcG5n:ARmadeup:e:1:1"))
        .await
        .expect_err("a handle nobody issued");
    assert_eq!(code, "ValidationException");

    for (key, expected) in [
        ("headers/missing.png", "cannot be read"),
        ("headers/jingle.ogg", "not audio/ogg"),
    ] {
        let (status, code, message) = sandbox.upload_header(&wecare, &bucket, key).await.expect_err(key);
        assert_eq!(
            (status, code.as_str()),
            (400, "ValidationException"),
            "{key}: {message}"
        );
        assert!(message.contains(expected), "{key}: {message:?} lacks {expected:?}");
    }
    let unknown = sandbox
        .upload_header("waba-999", &bucket, "headers/clinic.png")
        .await
        .expect_err("unknown WABA");
    assert_eq!((unknown.0, unknown.1.as_str()), (404, "ResourceNotFoundException"));

    let uploads: Vec<Value> = sandbox
        .ledger()
        .await
        .into_iter()
        .filter(|e| e["operation"] == "CreateWhatsAppMessageTemplateMedia")
        .collect();
    assert_eq!(uploads.len(), 5, "every upload is in the ledger");
    assert_eq!(uploads[0]["response"]["metaHeaderHandle"], handle.as_str());
    assert_eq!(uploads[0]["response"]["headerFormat"], "IMAGE");
    assert_eq!(uploads[0]["request"]["sourceS3File"]["key"], "headers/clinic.png");
}
