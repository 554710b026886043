//! Meta's template library, the provider side of ListWhatsAppTemplateLibrary
//! (`POST /v1/whatsapp/template/library?id=` `{"filters"?,"maxResults"?,"nextToken"?}` →
//! `{"metaLibraryTemplates":[…],"nextToken"?}`) and CreateWhatsAppMessageTemplateFromLibrary
//! (`POST /v1/whatsapp/template/create` `{"id","metaLibraryTemplate":{…}}` →
//! `{"metaTemplateId","templateStatus","category"}`).
//!
//! Meta offers pre-written utility templates that a business copies into its WABA under its own
//! name, filling in what only it knows: the URL behind a URL button, the number behind a call
//! button, optional body add-ons. The sandbox keeps a small catalogue of such templates, lists it
//! with the filters Meta's library API takes (`searchKey`, `topic`, `usecase`, `industry`,
//! `language`), and turns a library entry plus the caller's inputs into Meta's create-template JSON,
//! which then goes through the same validation and store as CreateWhatsAppMessageTemplate: the copy
//! is PENDING until `POST /templates/decide` plays Meta's review.

use std::collections::HashMap;

use axum::extract::{Query, State as AxState};
use axum::response::Response;
use serde_json::{json, Value};

use crate::templates::{paginate, require_waba, store_new, validate_definition, LibraryOrigin, Refusal};
use crate::whatsapp::{error, guarded};
use crate::State;

/// The filter keys the SDK documents for ListWhatsAppTemplateLibrary.
const FILTERS: [&str; 5] = ["searchKey", "topic", "usecase", "industry", "language"];

/// One template of Meta's library, in one language.
struct LibraryTemplate {
    /// Meta's library template id.
    id: &'static str,
    name: &'static str,
    language: &'static str,
    category: &'static str,
    topic: &'static str,
    use_case: &'static str,
    industries: &'static [&'static str],
    header: Option<&'static str>,
    body: &'static str,
    /// Sample values of the body's `{{1}}`, `{{2}}`, … in order.
    body_examples: &'static [&'static str],
    buttons: &'static [LibraryButton],
}

/// A button of a library template. URL and PHONE_NUMBER buttons show a sample target: the business
/// gives its own in `libraryTemplateButtonInputs`.
struct LibraryButton {
    kind: &'static str,
    text: &'static str,
    sample: Option<&'static str>,
}

const fn quick_reply(text: &'static str) -> LibraryButton {
    LibraryButton {
        kind: "QUICK_REPLY",
        text,
        sample: None,
    }
}

const fn url(text: &'static str) -> LibraryButton {
    LibraryButton {
        kind: "URL",
        text,
        sample: Some("https://www.example.com/{{1}}"),
    }
}

const fn phone(text: &'static str) -> LibraryButton {
    LibraryButton {
        kind: "PHONE_NUMBER",
        text,
        sample: Some("+15550051234"),
    }
}

/// The catalogue, in the order Meta lists it.
const LIBRARY: &[LibraryTemplate] = &[
    LibraryTemplate {
        id: "7221063471548901",
        name: "order_confirmation",
        language: "en_US",
        category: "UTILITY",
        topic: "ORDER_MANAGEMENT",
        use_case: "ORDER_CONFIRMATION",
        industries: &["E_COMMERCE"],
        header: Some("Order confirmed"),
        body: "Hi {{1}}, thank you for your order! Your order {{2}} is confirmed and should arrive by {{3}}. \
               We will let you know when it ships.",
        body_examples: &["Asha", "#1234", "12 March"],
        buttons: &[url("View order")],
    },
    LibraryTemplate {
        id: "7221063471548902",
        name: "order_confirmation",
        language: "hi",
        category: "UTILITY",
        topic: "ORDER_MANAGEMENT",
        use_case: "ORDER_CONFIRMATION",
        industries: &["E_COMMERCE"],
        header: Some("ऑर्डर कन्फ़र्म हो गया"),
        body: "नमस्ते {{1}}, आपके ऑर्डर के लिए धन्यवाद! आपका ऑर्डर {{2}} कन्फ़र्म हो गया है और {{3}} तक पहुँच जाएगा।",
        body_examples: &["आशा", "#1234", "12 मार्च"],
        buttons: &[url("ऑर्डर देखें")],
    },
    LibraryTemplate {
        id: "7221063471548903",
        name: "shipment_confirmation",
        language: "en_US",
        category: "UTILITY",
        topic: "ORDER_MANAGEMENT",
        use_case: "SHIPMENT_CONFIRMATION",
        industries: &["E_COMMERCE"],
        header: None,
        body: "Good news {{1}}! Your order {{2}} has shipped with {{3}} and should arrive by {{4}}.",
        body_examples: &["Asha", "#1234", "BlueDart", "12 March"],
        buttons: &[url("Track shipment")],
    },
    LibraryTemplate {
        id: "7221063471548904",
        name: "delivery_update",
        language: "en_US",
        category: "UTILITY",
        topic: "ORDER_MANAGEMENT",
        use_case: "DELIVERY_UPDATE",
        industries: &["E_COMMERCE"],
        header: Some("Out for delivery"),
        body: "Hi {{1}}, your order {{2}} is out for delivery and should reach you today between {{3}}.",
        body_examples: &["Asha", "#1234", "2 and 5 PM"],
        buttons: &[url("Track package")],
    },
    LibraryTemplate {
        id: "7221063471548905",
        name: "appointment_reminder_library",
        language: "en_US",
        category: "UTILITY",
        topic: "EVENT_REMINDER",
        use_case: "APPOINTMENT_REMINDER",
        industries: &["HEALTH", "PROFESSIONAL_SERVICES"],
        header: Some("Appointment reminder"),
        body: "Hi {{1}}, this is a reminder of your appointment with {{2}} on {{3}} at {{4}}. \
               Tap a button to confirm or call us to reschedule.",
        body_examples: &["Asha", "Dr. Rao", "12 March", "10:30 AM"],
        buttons: &[quick_reply("Confirm"), phone("Call us")],
    },
    LibraryTemplate {
        id: "7221063471548906",
        name: "payment_reminder",
        language: "en_US",
        category: "UTILITY",
        topic: "PAYMENTS",
        use_case: "PAYMENT_REMINDER",
        industries: &["FINANCIAL_SERVICES", "E_COMMERCE"],
        header: None,
        body: "Hi {{1}}, this is a reminder that your payment of {{2}} for {{3}} is due on {{4}}.",
        body_examples: &["Asha", "₹1,499", "your WeCare plan", "15 March"],
        buttons: &[url("Pay now")],
    },
    LibraryTemplate {
        id: "7221063471548907",
        name: "payment_confirmation",
        language: "en_US",
        category: "UTILITY",
        topic: "PAYMENTS",
        use_case: "PAYMENT_CONFIRMATION",
        industries: &["FINANCIAL_SERVICES", "E_COMMERCE"],
        header: Some("Payment received"),
        body: "Hi {{1}}, we received your payment of {{2}} for {{3}}. Thank you!",
        body_examples: &["Asha", "₹1,499", "your WeCare plan"],
        buttons: &[],
    },
    LibraryTemplate {
        id: "7221063471548908",
        name: "feedback_request",
        language: "en_US",
        category: "UTILITY",
        topic: "CUSTOMER_FEEDBACK",
        use_case: "FEEDBACK_SURVEY",
        industries: &["E_COMMERCE", "HEALTH"],
        header: None,
        body: "Hi {{1}}, thank you for choosing {{2}}. How was your experience?",
        body_examples: &["Asha", "WeCare"],
        buttons: &[quick_reply("Great"), quick_reply("Could be better")],
    },
];

impl LibraryTemplate {
    /// The entry as ListWhatsAppTemplateLibrary answers it (`MetaLibraryTemplateDefinition`).
    fn wire(&self) -> Value {
        let mut out = json!({
            "templateName": self.name,
            "templateLanguage": self.language,
            "templateCategory": self.category,
            "templateTopic": self.topic,
            "templateUseCase": self.use_case,
            "templateIndustry": self.industries,
            "templateBody": self.body,
            "templateId": self.id,
            "templateBodyExampleParams": self.body_examples,
        });
        if let Some(h) = self.header {
            out["templateHeader"] = json!(h);
        }
        if !self.buttons.is_empty() {
            let buttons: Vec<Value> = self
                .buttons
                .iter()
                .map(|b| {
                    let mut button = json!({ "type": b.kind, "text": b.text });
                    match (b.kind, b.sample) {
                        ("URL", Some(s)) => button["url"] = json!(s),
                        ("PHONE_NUMBER", Some(s)) => button["phoneNumber"] = json!(s),
                        _ => {}
                    }
                    button
                })
                .collect();
            out["templateButtons"] = json!(buttons);
        }
        out
    }

    /// Whether the entry passes a ListWhatsAppTemplateLibrary filter (key already checked).
    fn matches(&self, key: &str, value: &str) -> bool {
        let eq = |s: &str| s.eq_ignore_ascii_case(value);
        match key {
            "searchKey" => {
                let needle = value.to_lowercase();
                [self.name, self.body, self.header.unwrap_or("")]
                    .iter()
                    .any(|s| s.to_lowercase().contains(&needle))
            }
            "topic" => eq(self.topic),
            "usecase" => eq(self.use_case),
            "industry" => self.industries.iter().any(|i| eq(i)),
            "language" => eq(self.language),
            _ => false,
        }
    }
}

/// A URL button's target from `url: {"base_url", "url_suffix_example"?}` as Meta takes it: an
/// http(s) URL whose only variable, if any, is a `{{1}}` at its end, with a full sample URL then.
fn url_button(text: &str, input: &Value) -> Result<Value, String> {
    let base = input["url"]["base_url"].as_str().unwrap_or("");
    if !(base.starts_with("https://") || base.starts_with("http://")) || base.len() > 2000 {
        return Err(format!(
            "the URL button {text:?} needs url.base_url, an http(s) URL of at most 2000 characters; got {base:?}"
        ));
    }
    let fixed = base.strip_suffix("{{1}}").unwrap_or(base);
    if fixed.contains("{{") || fixed.contains("}}") {
        return Err(format!(
            "the URL button {text:?}: the only variable a URL may have is {{{{1}}}}, at its end"
        ));
    }
    let mut button = json!({ "type": "URL", "text": text, "url": base });
    if fixed.len() != base.len() {
        let Some(example) = input["url"]["url_suffix_example"].as_str().filter(|e| !e.is_empty()) else {
            return Err(format!(
                "the URL button {text:?} has a {{{{1}}}} and needs a sample URL in url.url_suffix_example"
            ));
        };
        button["example"] = json!([example]);
    }
    Ok(button)
}

/// A call button's number: E.164 (`+` and 8 to 15 digits, no leading zero).
fn phone_button(text: &str, input: &Value) -> Result<Value, String> {
    let number = input["phoneNumber"].as_str().unwrap_or("");
    let digits = number.strip_prefix('+').unwrap_or("");
    if !(8..=15).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) || digits.starts_with('0') {
        return Err(format!(
            "the call button {text:?} needs phoneNumber in E.164 form (+<country code><number>); got {number:?}"
        ));
    }
    Ok(json!({ "type": "PHONE_NUMBER", "text": text, "phone_number": number }))
}

/// The BUTTONS of the copy: each URL or call button of the library template takes the next
/// `libraryTemplateButtonInputs` entry of its type (CALL is the SDK's name for PHONE_NUMBER); quick
/// replies are copied as they are. An input no button takes is refused rather than dropped, so a
/// caller learns that its customisation went nowhere.
fn buttons(entry: &LibraryTemplate, inputs: &[Value]) -> Result<Vec<Value>, String> {
    let kind_of = |input: &Value| match input["type"].as_str().unwrap_or("").to_ascii_uppercase().as_str() {
        "CALL" | "PHONE_NUMBER" => "PHONE_NUMBER".to_string(),
        other => other.to_string(),
    };
    let mut taken = vec![false; inputs.len()];
    let mut out = Vec::new();
    for b in entry.buttons {
        let next = (0..inputs.len()).find(|&i| !taken[i] && kind_of(&inputs[i]) == b.kind);
        if let Some(i) = next {
            taken[i] = true;
        }
        let input = next.map(|i| &inputs[i]);
        let button = match (b.kind, input) {
            ("URL", Some(input)) => url_button(b.text, input)?,
            ("PHONE_NUMBER", Some(input)) => phone_button(b.text, input)?,
            ("URL" | "PHONE_NUMBER", None) => {
                return Err(format!(
                    "library template {} has a {} button ({:?}): libraryTemplateButtonInputs needs a {} entry \
                     with its {}",
                    entry.name,
                    b.kind,
                    b.text,
                    if b.kind == "URL" { "URL" } else { "CALL" },
                    if b.kind == "URL" { "url.base_url" } else { "phoneNumber" },
                ))
            }
            _ => json!({ "type": b.kind, "text": b.text }),
        };
        out.push(button);
    }
    if let Some(i) = (0..inputs.len()).find(|&i| !taken[i]) {
        return Err(format!(
            "libraryTemplateButtonInputs[{i}] (type {:?}) matches no button of library template {}",
            inputs[i]["type"].as_str().unwrap_or(""),
            entry.name
        ));
    }
    Ok(out)
}

/// Checks `libraryTemplateBodyInputs` and answers them as Meta keeps them (snake_case). The
/// security recommendation and code expiry are options of authentication templates only; the
/// library here has utility templates, which take the contact, learn-more and tracking add-ons.
fn body_inputs(entry: &LibraryTemplate, inputs: &Value) -> Result<Value, String> {
    if inputs.is_null() {
        return Ok(json!({}));
    }
    let Some(given) = inputs.as_object() else {
        return Err("libraryTemplateBodyInputs must be an object".into());
    };
    let mut out = serde_json::Map::new();
    for (key, value) in given {
        let meta_key = match key.as_str() {
            "addContactNumber" => "add_contact_number",
            "addLearnMoreLink" => "add_learn_more_link",
            "addTrackPackageLink" => "add_track_package_link",
            "addSecurityRecommendation" => "add_security_recommendation",
            "codeExpirationMinutes" => "code_expiration_minutes",
            other => return Err(format!("libraryTemplateBodyInputs.{other} is not a body input")),
        };
        let authentication_only = matches!(key.as_str(), "addSecurityRecommendation" | "codeExpirationMinutes");
        if authentication_only && entry.category != "AUTHENTICATION" && value != &json!(false) {
            return Err(format!(
                "libraryTemplateBodyInputs.{key} applies to AUTHENTICATION templates; {} is {}",
                entry.name, entry.category
            ));
        }
        if key == "codeExpirationMinutes" && !value.as_i64().is_some_and(|m| (1..=90).contains(&m)) {
            return Err(format!("codeExpirationMinutes {value} is not 1 to 90"));
        }
        if key != "codeExpirationMinutes" && !value.is_boolean() {
            return Err(format!("libraryTemplateBodyInputs.{key} must be true or false"));
        }
        out.insert(meta_key.into(), value.clone());
    }
    Ok(Value::Object(out))
}

/// Meta's create-template JSON for a copy of `entry` named `name`: the library's header, body with
/// its samples, and buttons filled in from the caller's inputs.
fn definition(entry: &LibraryTemplate, name: &str, button_inputs: &[Value]) -> Result<Value, String> {
    let mut components = Vec::new();
    if let Some(h) = entry.header {
        components.push(json!({ "type": "HEADER", "format": "TEXT", "text": h }));
    }
    components.push(json!({
        "type": "BODY",
        "text": entry.body,
        "example": { "body_text": [entry.body_examples] },
    }));
    let buttons = buttons(entry, button_inputs)?;
    if !buttons.is_empty() {
        components.push(json!({ "type": "BUTTONS", "buttons": buttons }));
    }
    Ok(json!({
        "name": name,
        "language": entry.language,
        "category": entry.category,
        "library_template_name": entry.name,
        "components": components,
    }))
}

/// `POST /v1/whatsapp/template/library?id=` `{"filters"?:{key:value},"maxResults"?,"nextToken"?}`
pub(crate) async fn list(
    AxState(state): AxState<State>,
    Query(q): Query<HashMap<String, String>>,
    body: String,
) -> Response {
    // The SDK always sends a JSON object; an empty body is read as one without fields.
    let req = if body.trim().is_empty() {
        Ok(json!({}))
    } else {
        serde_json::from_str::<Value>(&body)
    };
    let Ok(mut req) = req else {
        return error(400, "ValidationException", "request body is not JSON");
    };
    req["id"] = json!(q.get("id"));
    let st = state.clone();
    guarded(&state, "ListWhatsAppTemplateLibrary", req.clone(), async move {
        require_waba(&st, req["id"].as_str().unwrap_or(""))?;
        let filters: Vec<(&str, &str)> = match &req["filters"] {
            Value::Null => Vec::new(),
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or("")))
                .collect(),
            _ => return Err((400, "ValidationException", "filters must be a map of strings".into())),
        };
        if let Some((key, _)) = filters.iter().find(|(k, _)| !FILTERS.contains(k)) {
            return Err((
                400,
                "ValidationException",
                format!("filter {key:?} is not one of {}", FILTERS.join(", ")),
            ));
        }
        let all: Vec<Value> = LIBRARY
            .iter()
            .filter(|t| filters.iter().all(|(k, v)| t.matches(k, v)))
            .map(LibraryTemplate::wire)
            .collect();
        // maxResults is a JSON number on this operation; its text goes through the same check as
        // the query parameter of ListWhatsAppMessageTemplates.
        let max = (!req["maxResults"].is_null()).then(|| req["maxResults"].to_string());
        let (page, next) = paginate(all, max.as_deref(), req["nextToken"].as_str())?;
        let mut out = json!({ "metaLibraryTemplates": page });
        if let Some(next) = next {
            out["nextToken"] = json!(next);
        }
        Ok((out.clone(), out))
    })
    .await
}

/// `POST /v1/whatsapp/template/create` `{"id","metaLibraryTemplate":{"templateName",
/// "libraryTemplateName","templateCategory","templateLanguage","libraryTemplateButtonInputs"?,
/// "libraryTemplateBodyInputs"?}}`
pub(crate) async fn create(AxState(state): AxState<State>, body: String) -> Response {
    let Ok(req) = serde_json::from_str::<Value>(&body) else {
        return error(400, "ValidationException", "request body is not JSON");
    };
    let st = state.clone();
    guarded(
        &state,
        "CreateWhatsAppMessageTemplateFromLibrary",
        req.clone(),
        async move {
            let waba = require_waba(&st, req["id"].as_str().unwrap_or(""))?;
            let refuse = |m: String| -> Refusal { (400, "ValidationException", m) };
            let spec = &req["metaLibraryTemplate"];
            if !spec.is_object() {
                return Err(refuse("metaLibraryTemplate is required".into()));
            }
            let library_name = spec["libraryTemplateName"].as_str().unwrap_or("");
            let language = spec["templateLanguage"].as_str().unwrap_or("");
            let named: Vec<&LibraryTemplate> = LIBRARY.iter().filter(|t| t.name == library_name).collect();
            if named.is_empty() {
                return Err(refuse(format!(
                    "library template {library_name:?} does not exist in Meta's template library"
                )));
            }
            let Some(entry) = named.iter().find(|t| t.language == language) else {
                let offered: Vec<&str> = named.iter().map(|t| t.language).collect();
                return Err(refuse(format!(
                    "library template {library_name} is not available in {language:?}; it is in {}",
                    offered.join(", ")
                )));
            };
            let category = spec["templateCategory"].as_str().unwrap_or("");
            if !category.eq_ignore_ascii_case(entry.category) {
                return Err(refuse(format!(
                    "templateCategory {category:?} does not match library template {library_name}, which is {}",
                    entry.category
                )));
            }
            let button_inputs = match &spec["libraryTemplateButtonInputs"] {
                Value::Null => Vec::new(),
                Value::Array(list) => list.clone(),
                _ => return Err(refuse("libraryTemplateButtonInputs must be a list".into())),
            };
            let name = spec["templateName"].as_str().unwrap_or("");
            let def = definition(entry, name, &button_inputs).map_err(refuse)?;
            let chosen = body_inputs(entry, &spec["libraryTemplateBodyInputs"]).map_err(refuse)?;
            let mut template = validate_definition(&waba, &def).map_err(refuse)?;
            template.library = Some(LibraryOrigin {
                name: entry.name.into(),
                body_inputs: chosen,
            });
            let out = store_new(&st, template)?;
            Ok((out.clone(), out))
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The inputs a business would give for `entry`'s buttons.
    fn inputs_for(entry: &LibraryTemplate) -> Vec<Value> {
        entry
            .buttons
            .iter()
            .filter_map(|b| match b.kind {
                "URL" => Some(json!({ "type": "URL", "url": {
                    "base_url": "https://wecare.example/o/{{1}}",
                    "url_suffix_example": "https://wecare.example/o/1234" } })),
                "PHONE_NUMBER" => Some(json!({ "type": "CALL", "phoneNumber": "+919876543210" })),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_library_template_copied_with_its_inputs_passes_metas_validation() {
        for entry in LIBRARY {
            let def =
                definition(entry, "my_copy", &inputs_for(entry)).unwrap_or_else(|e| panic!("{}: {e}", entry.name));
            let t =
                validate_definition("1", &def).unwrap_or_else(|e| panic!("{} ({}): {e}", entry.name, entry.language));
            assert_eq!(t.status, "PENDING");
        }
    }

    #[test]
    fn library_entries_are_unique_by_name_and_language() {
        for (i, a) in LIBRARY.iter().enumerate() {
            assert!(
                !LIBRARY[i + 1..]
                    .iter()
                    .any(|b| b.name == a.name && b.language == a.language),
                "{} {}",
                a.name,
                a.language
            );
            assert!(!LIBRARY[i + 1..].iter().any(|b| b.id == a.id), "{}", a.id);
        }
    }

    #[test]
    fn a_url_or_call_button_without_its_input_is_refused_and_a_stray_input_too() {
        let payment = LIBRARY
            .iter()
            .find(|t| t.name == "payment_reminder")
            .expect("payment_reminder");
        let e = buttons(payment, &[]).expect_err("no URL input");
        assert!(e.contains("URL button") && e.contains("url.base_url"), "{e}");
        let e = buttons(payment, &[json!({ "type": "CALL", "phoneNumber": "+919876543210" })]).expect_err("stray");
        assert!(e.contains("URL button"), "{e}");
        let mut inputs = inputs_for(payment);
        inputs.push(json!({ "type": "CALL", "phoneNumber": "+919876543210" }));
        let e = buttons(payment, &inputs).expect_err("stray call input");
        assert!(e.contains("libraryTemplateButtonInputs[1]"), "{e}");
    }

    #[test]
    fn url_inputs_follow_metas_rules() {
        let ok = url_button("Pay", &json!({ "url": { "base_url": "https://a.example/" } })).expect("static URL");
        assert_eq!(ok["url"], "https://a.example/");
        assert!(ok.get("example").is_none());
        let e = url_button("Pay", &json!({ "url": { "base_url": "https://a.example/{{1}}" } })).expect_err("no sample");
        assert!(e.contains("url_suffix_example"), "{e}");
        let e = url_button("Pay", &json!({ "url": { "base_url": "https://a.example/{{1}}/x" } })).expect_err("middle");
        assert!(e.contains("at its end"), "{e}");
        assert!(url_button("Pay", &json!({ "url": { "base_url": "ftp://a" } })).is_err());
        assert!(phone_button("Call", &json!({ "phoneNumber": "9876543210" })).is_err());
        assert!(phone_button("Call", &json!({ "phoneNumber": "+919876543210" })).is_ok());
    }

    #[test]
    fn authentication_body_inputs_are_refused_for_utility_templates() {
        let delivery = LIBRARY
            .iter()
            .find(|t| t.name == "delivery_update")
            .expect("delivery_update");
        let kept = body_inputs(delivery, &json!({ "addTrackPackageLink": true })).expect("utility add-on");
        assert_eq!(kept, json!({ "add_track_package_link": true }));
        let e = body_inputs(delivery, &json!({ "codeExpirationMinutes": 5 })).expect_err("auth only");
        assert!(e.contains("AUTHENTICATION"), "{e}");
    }

    #[test]
    fn filters_match_topic_use_case_industry_language_and_text() {
        let names = |key: &str, value: &str| -> Vec<(&str, &str)> {
            LIBRARY
                .iter()
                .filter(|t| t.matches(key, value))
                .map(|t| (t.name, t.language))
                .collect()
        };
        assert_eq!(names("usecase", "delivery_update"), [("delivery_update", "en_US")]);
        assert_eq!(names("language", "hi"), [("order_confirmation", "hi")]);
        assert_eq!(names("industry", "HEALTH").len(), 2);
        assert_eq!(names("topic", "PAYMENTS").len(), 2);
        assert_eq!(names("searchKey", "OUT FOR DELIVERY"), [("delivery_update", "en_US")]);
    }
}
