//! WhatsApp message templates, the provider side: the template management operations of
//! socialmessaging (restJson1) over an in-memory store per WhatsApp Business Account, validated as
//! Meta validates a new template:
//! - ListWhatsAppMessageTemplates, GetWhatsAppMessageTemplate, CreateWhatsAppMessageTemplate,
//!   UpdateWhatsAppMessageTemplate and DeleteWhatsAppMessageTemplate, here;
//! - ListWhatsAppTemplateLibrary and CreateWhatsAppMessageTemplateFromLibrary, in
//!   [`crate::template_library`]: Meta's pre-written templates, copied into a WABA through the
//!   same validation and store as a create ([`store_new`]);
//! - CreateWhatsAppMessageTemplateMedia, in [`crate::template_media`]: the header handles a media
//!   header's sample must be one of when it is a Meta handle.
//!
//! It exists so that template sends can be refused the way Meta refuses them (unknown template,
//! wrong language, not approved, wrong parameter count) without a Meta account, and so that the
//! review Meta does by hand can be played: a new template is `PENDING` until
//! `POST /templates/decide` approves or rejects it, or, when the sandbox is configured with a
//! review delay (the local stack's `make dev`), until that delay has passed. Each configured WABA starts with a few
//! templates (`hello_world`, `order_update`, `appointment_reminder`, `summer_sale`).

use std::collections::{BTreeSet, HashMap};

use axum::extract::{Query, State as AxState};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde_json::{json, Value};

use crate::whatsapp::{error, guarded};
use crate::State;

/// What the service would answer instead: status, AWS error code, message.
pub(crate) type Refusal = (u16, &'static str, String);

const CATEGORIES: [&str; 3] = ["MARKETING", "UTILITY", "AUTHENTICATION"];
const MEDIA_HEADERS: [&str; 3] = ["IMAGE", "VIDEO", "DOCUMENT"];

/// One template of one WABA, as Meta keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    /// The configured (bare, Meta) WABA id.
    pub waba_id: String,
    pub name: String,
    pub language: String,
    pub category: String,
    /// PENDING, APPROVED, REJECTED, PAUSED or DISABLED.
    pub status: String,
    pub meta_id: String,
    /// POSITIONAL (`{{1}}`) or NAMED (`{{first_name}}`).
    pub parameter_format: String,
    /// Meta's `components` array (HEADER, BODY, FOOTER, BUTTONS).
    pub components: Value,
    pub rejected_reason: Option<String>,
    /// Set when the template was made from Meta's template library.
    pub library: Option<LibraryOrigin>,
}

/// Where a template made by CreateWhatsAppMessageTemplateFromLibrary came from: Meta keeps the
/// library template's name and the body options chosen, and shows them with the template.
#[derive(Debug, Clone)]
pub(crate) struct LibraryOrigin {
    pub name: String,
    /// Meta's `library_template_body_inputs` (`add_contact_number`, …), `{}` when none were chosen.
    pub body_inputs: Value,
}

impl Template {
    fn summary(&self) -> Value {
        json!({
            "templateName": self.name,
            "metaTemplateId": self.meta_id,
            "templateStatus": self.status,
            "templateQualityScore": "UNKNOWN",
            "templateLanguage": self.language,
            "templateCategory": self.category,
        })
    }

    /// The template as Meta's Graph API returns it; GetWhatsAppMessageTemplate hands this out as a
    /// string.
    fn meta_json(&self) -> Value {
        let mut t = json!({
            "name": self.name,
            "language": self.language,
            "status": self.status,
            "category": self.category,
            "id": self.meta_id,
            "parameter_format": self.parameter_format,
            "components": self.components,
        });
        if let Some(r) = &self.rejected_reason {
            t["rejected_reason"] = json!(r);
        }
        if let Some(origin) = &self.library {
            t["library_template_name"] = json!(origin.name);
            t["library_template_body_inputs"] = origin.body_inputs.clone();
        }
        t
    }

    fn component(&self, kind: &str) -> Option<&Value> {
        component_of(&self.components, kind)
    }
}

fn component_of<'a>(components: &'a Value, kind: &str) -> Option<&'a Value> {
    components
        .as_array()?
        .iter()
        .find(|c| c["type"].as_str().is_some_and(|t| t.eq_ignore_ascii_case(kind)))
}

/// A fresh Meta template id: a 15-digit number, as Meta's are.
fn new_meta_id() -> String {
    let n = uuid::Uuid::new_v4().as_u128() % 900_000_000_000_000 + 100_000_000_000_000;
    n.to_string()
}

/// The variables of a template text, in order of appearance: `{{1}}` or `{{name}}`.
fn variables(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err("a variable is opened with {{ and never closed with }}".into());
        };
        let inner = &after[..end];
        let positional = !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit());
        let named = inner.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && inner
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !positional && !named {
            return Err(format!(
                "{{{{{inner}}}}} is not a valid variable: use {{{{1}}}}, {{{{2}}}}, … or lowercase names"
            ));
        }
        out.push(inner.to_string());
        rest = &after[end + 2..];
    }
    Ok(out)
}

/// The distinct variables of a text, checked against the template's parameter format: positional
/// ones numbered from 1 without gaps, named ones lowercase. Returns how many there are.
fn check_variables(text: &str, format: &str, part: &str) -> Result<Vec<String>, String> {
    let vars = variables(text).map_err(|e| format!("{part}: {e}"))?;
    let mut distinct = Vec::new();
    for v in vars {
        if !distinct.contains(&v) {
            distinct.push(v);
        }
    }
    let positional = distinct
        .iter()
        .filter(|v| v.chars().all(|c| c.is_ascii_digit()))
        .count();
    if format == "POSITIONAL" {
        if positional != distinct.len() {
            return Err(format!(
                "{part}: named variables need parameter_format NAMED; this template is POSITIONAL"
            ));
        }
        let numbers: BTreeSet<u32> = distinct.iter().filter_map(|v| v.parse().ok()).collect();
        if numbers.contains(&0) {
            return Err(format!("{part}: variables are numbered from {{{{1}}}}, not {{{{0}}}}"));
        }
        if let Some(missing) = (1..=numbers.len() as u32).find(|n| !numbers.contains(n)) {
            return Err(format!(
                "{part}: variables must be numbered from {{{{1}}}} without gaps; {{{{{missing}}}}} is missing"
            ));
        }
        return Ok(numbers.iter().map(u32::to_string).collect());
    }
    if positional > 0 {
        return Err(format!("{part}: numbered variables need parameter_format POSITIONAL"));
    }
    Ok(distinct)
}

/// Checks that a component's `example` gives a sample for each variable: positional ones in
/// `example.<key>` (`[[…]]` for the body, `[…]` for a header), named ones in
/// `example.<key>_named_params` as `{param_name, example}`.
fn check_examples(component: &Value, vars: &[String], format: &str, key: &str, part: &str) -> Result<(), String> {
    if vars.is_empty() {
        return Ok(());
    }
    let example = &component["example"];
    if format == "NAMED" {
        let named = example[format!("{key}_named_params")].as_array();
        for v in vars {
            let given = named.is_some_and(|n| {
                n.iter().any(|p| {
                    p["param_name"].as_str() == Some(v.as_str()) && p["example"].as_str().is_some_and(|e| !e.is_empty())
                })
            });
            if !given {
                return Err(format!(
                    "{part}: variable {{{{{v}}}}} has no sample value in example.{key}_named_params"
                ));
            }
        }
        return Ok(());
    }
    let samples = match &example[key] {
        Value::Array(rows) if rows.first().is_some_and(Value::is_array) => rows[0].as_array().cloned(),
        Value::Array(flat) => Some(flat.clone()),
        _ => None,
    }
    .unwrap_or_default();
    let given = samples
        .iter()
        .filter(|s| s.as_str().is_some_and(|s| !s.is_empty()))
        .count();
    if given != vars.len() {
        return Err(format!(
            "{part}: {} variable(s) need {} sample value(s) in example.{key}, got {given}",
            vars.len(),
            vars.len()
        ));
    }
    Ok(())
}

fn valid_name(name: &str) -> bool {
    (1..=512).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Checks a components array as Meta does: one BODY with text, samples for every variable, a
/// well-formed HEADER, FOOTER and BUTTONS when present.
fn check_components(components: &Value, format: &str) -> Result<(), String> {
    let Some(list) = components.as_array() else {
        return Err("components must be an array".into());
    };
    for c in list {
        match c["type"].as_str().map(str::to_ascii_uppercase).as_deref() {
            Some("HEADER" | "BODY" | "FOOTER" | "BUTTONS") => {}
            other => {
                return Err(format!(
                    "component type {other:?} is not HEADER, BODY, FOOTER or BUTTONS"
                ))
            }
        }
    }
    let Some(body) = component_of(components, "BODY") else {
        return Err("a BODY component is required".into());
    };
    let text = body["text"].as_str().unwrap_or("");
    if text.trim().is_empty() {
        return Err("the BODY component needs a text".into());
    }
    if text.chars().count() > 1024 {
        return Err("the BODY text is longer than 1024 characters".into());
    }
    let vars = check_variables(text, format, "BODY")?;
    check_examples(body, &vars, format, "body_text", "BODY")?;
    if let Some(header) = component_of(components, "HEADER") {
        let kind = header["format"].as_str().unwrap_or("").to_ascii_uppercase();
        if kind == "TEXT" {
            let text = header["text"].as_str().unwrap_or("");
            if text.is_empty() {
                return Err("a TEXT HEADER needs a text".into());
            }
            let vars = check_variables(text, format, "HEADER")?;
            if vars.len() > 1 {
                return Err("a TEXT HEADER takes at most one variable".into());
            }
            check_examples(header, &vars, format, "header_text", "HEADER")?;
        } else if MEDIA_HEADERS.contains(&kind.as_str()) {
            let handles = header["example"]["header_handle"].as_array();
            if !handles.is_some_and(|h| h.iter().any(|x| x.as_str().is_some_and(|s| !s.is_empty()))) {
                return Err(format!("an {kind} HEADER needs a sample in example.header_handle"));
            }
        } else if kind != "LOCATION" {
            return Err(format!(
                "HEADER format {kind:?} is not TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION"
            ));
        }
    }
    if let Some(footer) = component_of(components, "FOOTER") {
        let text = footer["text"].as_str().unwrap_or("");
        if text.is_empty() || !variables(text).map(|v| v.is_empty()).unwrap_or(false) {
            return Err("a FOOTER needs a text without variables".into());
        }
    }
    if let Some(buttons) = component_of(components, "BUTTONS") {
        let Some(list) = buttons["buttons"].as_array().filter(|b| !b.is_empty()) else {
            return Err("a BUTTONS component needs a non-empty buttons array".into());
        };
        for b in list {
            let kind = b["type"].as_str().unwrap_or("");
            if !["QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE", "OTP", "FLOW"].contains(&kind) {
                return Err(format!("button type {kind:?} is not supported"));
            }
            if kind != "OTP" && kind != "COPY_CODE" && b["text"].as_str().is_none_or(str::is_empty) {
                return Err(format!("a {kind} button needs a text"));
            }
        }
    }
    Ok(())
}

/// Validates Meta's create-template JSON; returns the template it describes, not yet stored.
pub(crate) fn validate_definition(waba_id: &str, def: &Value) -> Result<Template, String> {
    let name = def["name"].as_str().unwrap_or("");
    if !valid_name(name) {
        return Err(format!(
            "template name {name:?} must match ^[a-z0-9_]{{1,512}}$ (lowercase letters, digits, underscores)"
        ));
    }
    let language = def["language"].as_str().unwrap_or("");
    if language.is_empty() {
        return Err("language is required (e.g. en_US)".into());
    }
    let category = def["category"].as_str().unwrap_or("").to_ascii_uppercase();
    if !CATEGORIES.contains(&category.as_str()) {
        return Err(format!(
            "category {:?} is not MARKETING, UTILITY or AUTHENTICATION",
            def["category"].as_str().unwrap_or("")
        ));
    }
    let format = def["parameter_format"]
        .as_str()
        .unwrap_or("POSITIONAL")
        .to_ascii_uppercase();
    if format != "POSITIONAL" && format != "NAMED" {
        return Err(format!("parameter_format {format:?} is not POSITIONAL or NAMED"));
    }
    check_components(&def["components"], &format)?;
    Ok(Template {
        waba_id: waba_id.into(),
        name: name.into(),
        language: language.into(),
        category,
        status: "PENDING".into(),
        meta_id: new_meta_id(),
        parameter_format: format,
        components: def["components"].clone(),
        rejected_reason: None,
        library: None,
    })
}

/// The templates every configured WABA starts with.
pub(crate) fn seed(wabas: &[String]) -> Vec<Template> {
    let mut out = Vec::new();
    for waba in wabas {
        let t = |name: &str, category: &str, status: &str, components: Value, reason: Option<&str>| Template {
            waba_id: waba.clone(),
            name: name.into(),
            language: "en_US".into(),
            category: category.into(),
            status: status.into(),
            meta_id: new_meta_id(),
            parameter_format: "POSITIONAL".into(),
            components,
            rejected_reason: reason.map(str::to_string),
            library: None,
        };
        out.push(t(
            "hello_world",
            "UTILITY",
            "APPROVED",
            json!([{ "type": "BODY", "text": "Hello World" }]),
            None,
        ));
        out.push(t(
            "order_update",
            "UTILITY",
            "APPROVED",
            json!([{
                "type": "BODY",
                "text": "Hi {{1}}, your order {{2}} has shipped.",
                "example": { "body_text": [["Asha", "#1234"]] },
            }]),
            None,
        ));
        out.push(t(
            "appointment_reminder",
            "UTILITY",
            "APPROVED",
            json!([
                {
                    "type": "HEADER",
                    "format": "IMAGE",
                    "example": { "header_handle": ["https://example.com/clinic.png"] },
                },
                {
                    "type": "BODY",
                    "text": "Hi {{1}}, this is a reminder of your appointment on {{2}}.",
                    "example": { "body_text": [["Asha", "12 March, 10:30"]] },
                },
                { "type": "FOOTER", "text": "Reply to confirm" },
                { "type": "BUTTONS", "buttons": [{ "type": "QUICK_REPLY", "text": "Confirm" }] },
            ]),
            None,
        ));
        out.push(t(
            "summer_sale",
            "MARKETING",
            "REJECTED",
            json!([{
                "type": "BODY",
                "text": "Summer sale! {{1}} off everything this week.",
                "example": { "body_text": [["30%"]] },
            }]),
            Some("INVALID_FORMAT"),
        ));
    }
    out
}

/// The configured WABA an `id` names: a bare Meta id, `waba-<id>`, or an ARN ending in either.
fn waba_of(state: &State, id: &str) -> Option<String> {
    let last = id.rsplit('/').next().unwrap_or(id);
    if id.contains('/') && !id.starts_with("arn:aws:social-messaging:") {
        return None;
    }
    let bare = last.strip_prefix("waba-").unwrap_or(last);
    state
        .config
        .phone_numbers
        .iter()
        .map(|p| &p.waba_id)
        .find(|w| w.as_str() == bare || w.as_str() == last)
        .cloned()
}

pub(crate) fn require_waba(state: &State, id: &str) -> Result<String, Refusal> {
    if id.is_empty() {
        return Err((
            400,
            "ValidationException",
            "id (the WhatsApp Business Account id) is required".into(),
        ));
    }
    waba_of(state, id).ok_or_else(|| {
        (
            404,
            "ResourceNotFoundException",
            format!("WhatsApp Business Account {id} not found"),
        )
    })
}

pub(crate) fn lock(state: &State) -> Result<std::sync::MutexGuard<'_, Vec<Template>>, Refusal> {
    state
        .templates
        .lock()
        .map_err(|_| (500, "InternalServiceException", "template store unavailable".into()))
}

fn decode_blob(v: &Value, field: &str) -> Result<Value, Refusal> {
    v.as_str()
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .ok_or_else(|| {
            (
                400,
                "ValidationException",
                format!("{field} must be base64 of a JSON document"),
            )
        })
}

/// One page of `all` for a `maxResults` (1 to 100, 50 when absent) and a `nextToken`, with the token
/// of the next page when there is one. The token is the offset of the next item: the SDK only hands
/// it back, so an offset is as good as the service's opaque tokens for a list that does not change
/// between pages.
pub(crate) fn paginate(
    all: Vec<Value>,
    max_results: Option<&str>,
    next_token: Option<&str>,
) -> Result<(Vec<Value>, Option<String>), Refusal> {
    let max = match max_results {
        None => 50,
        Some(m) => match m.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => return Err((400, "ValidationException", format!("maxResults {m:?} is not 1 to 100"))),
        },
    };
    let start = match next_token {
        None => 0,
        Some(t) => t.parse::<usize>().map_err(|_| {
            (
                400,
                "InvalidParametersException",
                format!("nextToken {t:?} is not valid"),
            )
        })?,
    };
    // Saturating: the token comes from the caller, and a huge one must answer an empty page, not
    // overflow.
    let end = start.saturating_add(max);
    let page = all.iter().skip(start).take(max).cloned().collect();
    Ok((page, (end < all.len()).then(|| end.to_string())))
}

/// `GET /v1/whatsapp/template/list?id=&nextToken=&maxResults=`
pub(crate) async fn list(AxState(state): AxState<State>, Query(q): Query<HashMap<String, String>>) -> Response {
    let st = state.clone();
    let request = json!(q);
    guarded(&state, "ListWhatsAppMessageTemplates", request, async move {
        let waba = require_waba(&st, q.get("id").map(String::as_str).unwrap_or(""))?;
        let all: Vec<Value> = lock(&st)?
            .iter()
            .filter(|t| t.waba_id == waba)
            .map(Template::summary)
            .collect();
        let (page, next) = paginate(
            all,
            q.get("maxResults").map(String::as_str),
            q.get("nextToken").map(String::as_str),
        )?;
        let mut out = json!({ "templates": page });
        if let Some(next) = next {
            out["nextToken"] = json!(next);
        }
        Ok((out.clone(), out))
    })
    .await
}

/// `GET /v1/whatsapp/template?id=&metaTemplateId=` or `&templateName=&templateLanguageCode=`
pub(crate) async fn get(AxState(state): AxState<State>, Query(q): Query<HashMap<String, String>>) -> Response {
    let st = state.clone();
    let request = json!(q);
    guarded(&state, "GetWhatsAppMessageTemplate", request, async move {
        let waba = require_waba(&st, q.get("id").map(String::as_str).unwrap_or(""))?;
        let store = lock(&st)?;
        let mine = store.iter().filter(|t| t.waba_id == waba);
        let found = if let Some(meta_id) = q.get("metaTemplateId") {
            mine.clone().find(|t| &t.meta_id == meta_id)
        } else if let Some(name) = q.get("templateName") {
            let lang = q.get("templateLanguageCode");
            mine.clone()
                .find(|t| &t.name == name && lang.is_none_or(|l| &t.language == l))
        } else {
            return Err((
                400,
                "ValidationException",
                "metaTemplateId or templateName is required".into(),
            ));
        };
        let Some(t) = found else {
            return Err((404, "ResourceNotFoundException", "template not found".into()));
        };
        let out = json!({ "template": t.meta_json().to_string() });
        Ok((json!({ "template": t.meta_json() }), out))
    })
    .await
}

/// `POST /v1/whatsapp/template/put` `{"id","templateDefinition":<base64 of Meta's create JSON>}`
pub(crate) async fn create(AxState(state): AxState<State>, body: String) -> Response {
    let Ok(req) = serde_json::from_str::<Value>(&body) else {
        return error(400, "ValidationException", "request body is not JSON");
    };
    let definition = decode_blob(&req["templateDefinition"], "templateDefinition");
    let mut logged = req.clone();
    logged["templateDefinition"] = definition.clone().unwrap_or(Value::Null);
    let st = state.clone();
    guarded(&state, "CreateWhatsAppMessageTemplate", logged, async move {
        let waba = require_waba(&st, req["id"].as_str().unwrap_or(""))?;
        let def = definition?;
        let template = validate_definition(&waba, &def).map_err(|m| (400, "ValidationException", m))?;
        let out = store_new(&st, template)?;
        Ok((out.clone(), out))
    })
    .await
}

/// Stores a validated new template (PENDING, for Meta's review) in its WABA, as every create path
/// ends: its media header samples must be handles issued to that WABA, and a name and language the
/// WABA already has is refused. Answers the create operations' output.
pub(crate) fn store_new(state: &State, template: Template) -> Result<Value, Refusal> {
    crate::template_media::check_handles(state, &template.waba_id, &template.components)?;
    let mut store = lock(state)?;
    if store
        .iter()
        .any(|t| t.waba_id == template.waba_id && t.name == template.name && t.language == template.language)
    {
        // The SDK has no ConflictException for these operations; Meta answers 400 too.
        return Err((
            400,
            "ValidationException",
            format!(
                "template {} ({}) already exists in this WhatsApp Business Account",
                template.name, template.language
            ),
        ));
    }
    let out = json!({
        "metaTemplateId": template.meta_id,
        "templateStatus": template.status,
        "category": template.category,
    });
    if let Some(after) = state.config.template_review {
        let verdict = if template.name.starts_with("reject_") {
            "REJECTED"
        } else {
            "APPROVED"
        };
        let request = json!({
            "wabaId": template.waba_id, "name": template.name, "language": template.language, "status": verdict,
        });
        let state = state.clone();
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            // Decided on request in the meantime (or deleted): the review has nothing left to do.
            let pending = lock(&state).is_ok_and(|store| {
                store.iter().any(|t| {
                    t.waba_id == request["wabaId"]
                        && t.name == request["name"]
                        && t.language == request["language"]
                        && t.status == "PENDING"
                })
            });
            if pending {
                let _ = decide_and_publish(&state, request).await;
            }
        });
    }
    store.push(template);
    Ok(out)
}

/// `POST /v1/whatsapp/template` `{"id","metaTemplateId","templateCategory"?,"templateComponents"?:
/// <base64 of a components array>,"parameterFormat"?}`: an edit goes back to review (PENDING).
pub(crate) async fn update(AxState(state): AxState<State>, body: String) -> Response {
    let Ok(req) = serde_json::from_str::<Value>(&body) else {
        return error(400, "ValidationException", "request body is not JSON");
    };
    let components =
        (!req["templateComponents"].is_null()).then(|| decode_blob(&req["templateComponents"], "templateComponents"));
    let mut logged = req.clone();
    if let Some(c) = &components {
        logged["templateComponents"] = c.clone().unwrap_or(Value::Null);
    }
    let st = state.clone();
    guarded(&state, "UpdateWhatsAppMessageTemplate", logged, async move {
        let waba = require_waba(&st, req["id"].as_str().unwrap_or(""))?;
        let meta_id = req["metaTemplateId"].as_str().unwrap_or("");
        let mut store = lock(&st)?;
        let Some(t) = store.iter_mut().find(|t| t.waba_id == waba && t.meta_id == meta_id) else {
            return Err((
                404,
                "ResourceNotFoundException",
                format!("template {meta_id} not found"),
            ));
        };
        if !["APPROVED", "REJECTED", "PAUSED"].contains(&t.status.as_str()) {
            return Err((
                400,
                "ValidationException",
                format!(
                    "template {} ({}) is {} and cannot be edited",
                    t.name, t.language, t.status
                ),
            ));
        }
        let category = match req["templateCategory"].as_str() {
            Some(c) if CATEGORIES.contains(&c.to_ascii_uppercase().as_str()) => c.to_ascii_uppercase(),
            Some(c) => {
                return Err((
                    400,
                    "ValidationException",
                    format!("templateCategory {c:?} is not MARKETING, UTILITY or AUTHENTICATION"),
                ))
            }
            None => t.category.clone(),
        };
        let format = req["parameterFormat"]
            .as_str()
            .map(str::to_ascii_uppercase)
            .unwrap_or_else(|| t.parameter_format.clone());
        if format != "POSITIONAL" && format != "NAMED" {
            return Err((
                400,
                "ValidationException",
                format!("parameterFormat {format:?} is not POSITIONAL or NAMED"),
            ));
        }
        let components = match components {
            Some(c) => c?,
            None => t.components.clone(),
        };
        check_components(&components, &format).map_err(|m| (400, "ValidationException", m))?;
        crate::template_media::check_handles(&st, &waba, &components)?;
        t.category = category;
        t.parameter_format = format;
        t.components = components;
        t.status = "PENDING".into();
        t.rejected_reason = None;
        Ok((
            json!({ "metaTemplateId": t.meta_id, "templateStatus": t.status }),
            json!({}),
        ))
    })
    .await
}

/// `DELETE /v1/whatsapp/template?id=&templateName=&metaTemplateId=&deleteAllTemplates=`: by
/// `metaTemplateId` one language; otherwise (as Meta deletes by name) every language of the name.
pub(crate) async fn delete(AxState(state): AxState<State>, Query(q): Query<HashMap<String, String>>) -> Response {
    let st = state.clone();
    let request = json!(q);
    guarded(&state, "DeleteWhatsAppMessageTemplate", request, async move {
        let waba = require_waba(&st, q.get("id").map(String::as_str).unwrap_or(""))?;
        let Some(name) = q.get("templateName").filter(|n| !n.is_empty()) else {
            return Err((400, "ValidationException", "templateName is required".into()));
        };
        let all = q.get("deleteAllTemplates").is_some_and(|v| v == "true");
        let meta_id = q.get("metaTemplateId").filter(|_| !all);
        let mut store = lock(&st)?;
        let before = store.len();
        store.retain(|t| !(t.waba_id == waba && &t.name == name && meta_id.is_none_or(|m| &t.meta_id == m)));
        let deleted = before - store.len();
        if deleted == 0 {
            return Err((404, "ResourceNotFoundException", format!("template {name} not found")));
        }
        Ok((json!({ "deleted": deleted }), json!({})))
    })
    .await
}

/// `POST /templates/decide` `{"wabaId","name","language","status","reason"?}`: plays Meta's review
/// (sandbox only). Answers the template's summary.
pub(crate) async fn decide(AxState(state): AxState<State>, body: String) -> Response {
    let Ok(req) = serde_json::from_str::<Value>(&body) else {
        return error(400, "ValidationException", "request body is not JSON");
    };
    match decide_and_publish(&state, req).await {
        Ok(summary) => Json(summary).into_response(),
        Err((s, code, message)) => error(s, code, &message),
    }
}

/// Applies a review decision to a template, records it in the ledger and publishes it as Meta
/// would (on request, or by the automatic review).
async fn decide_and_publish(state: &State, req: Value) -> Result<Value, Refusal> {
    let outcome = (|| {
        let waba = require_waba(state, req["wabaId"].as_str().unwrap_or(""))?;
        let (name, language) = (
            req["name"].as_str().unwrap_or(""),
            req["language"].as_str().unwrap_or(""),
        );
        let status = req["status"].as_str().unwrap_or("");
        if !["APPROVED", "REJECTED", "PAUSED", "DISABLED"].contains(&status) {
            return Err((
                400,
                "ValidationException",
                format!("status {status:?} is not APPROVED, REJECTED, PAUSED or DISABLED"),
            ));
        }
        let mut store = lock(state)?;
        let Some(t) = store
            .iter_mut()
            .find(|t| t.waba_id == waba && t.name == name && t.language == language)
        else {
            return Err((
                404,
                "ResourceNotFoundException",
                format!("template {name} ({language}) not found"),
            ));
        };
        t.status = status.into();
        t.rejected_reason =
            (status == "REJECTED").then(|| req["reason"].as_str().unwrap_or("INVALID_FORMAT").to_string());
        Ok(t.summary())
    })();
    let (status, answer) = match &outcome {
        Ok(summary) => (200, summary.clone()),
        Err((s, code, message)) => (*s, json!({ "error": code, "message": message })),
    };
    crate::ledger::record(state, "sandbox", "DecideTemplate", req.clone(), status, answer);
    let summary = outcome?;
    // Meta tells the business of its decision through the account's event destination.
    let waba = require_waba(state, req["wabaId"].as_str().unwrap_or("")).unwrap_or_default();
    let decision = crate::customer::TemplateDecision {
        waba: &waba,
        meta_id: summary["metaTemplateId"].as_str().unwrap_or_default(),
        name: summary["templateName"].as_str().unwrap_or_default(),
        language: req["language"].as_str().unwrap_or_default(),
        event: summary["templateStatus"].as_str().unwrap_or_default(),
        reason: req["reason"].as_str(),
    };
    let published = crate::customer::publish_template_status(state, decision).await;
    // A sandbox started without the events topic (provider-only tests) keeps the decision and
    // says so in the ledger; the local stack always has the topic.
    if let Err(e) = published {
        crate::ledger::record(
            state,
            "sandbox",
            "PublishTemplateStatus",
            req,
            502,
            json!({ "error": e }),
        );
    }
    Ok(summary)
}

/// Checks the `template` object of a SendWhatsAppMessage against the WABA of the sending number:
/// the template exists in that language, is APPROVED, and gets as many body parameters as its body
/// has variables (and a header parameter when its header is media or has a variable).
pub(crate) fn check_send(state: &State, waba: &str, template: &Value) -> Result<(), Refusal> {
    let refuse = |m: String| (400, "ValidationException", m);
    let name = template["name"].as_str().unwrap_or("");
    let language = template["language"]["code"].as_str().unwrap_or("");
    if name.is_empty() || language.is_empty() {
        return Err(refuse("template.name and template.language.code are required".into()));
    }
    let store = lock(state)?;
    let named: Vec<&Template> = store.iter().filter(|t| t.waba_id == waba && t.name == name).collect();
    if named.is_empty() {
        return Err(refuse(format!("template name {name} does not exist")));
    }
    let Some(t) = named.iter().find(|t| t.language == language) else {
        return Err(refuse(format!(
            "template name {name} does not exist in the translation {language}"
        )));
    };
    if t.status != "APPROVED" {
        return Err(refuse(format!(
            "template {name} ({language}) is {}, not APPROVED",
            t.status
        )));
    }
    let given = |kind: &str| {
        component_of(&template["components"], kind)
            .and_then(|c| c["parameters"].as_array())
            .map(Vec::len)
            .unwrap_or(0)
    };
    let body_vars = t
        .component("BODY")
        .and_then(|b| b["text"].as_str())
        .map(|text| {
            check_variables(text, &t.parameter_format, "BODY")
                .map(|v| v.len())
                .unwrap_or(0)
        })
        .unwrap_or(0);
    let body_given = given("body");
    if body_given != body_vars {
        return Err(refuse(format!(
            "template {name} ({language}) expects {body_vars} body parameters, got {body_given}"
        )));
    }
    if let Some(header) = t.component("HEADER") {
        let kind = header["format"].as_str().unwrap_or("").to_ascii_uppercase();
        let needed = if MEDIA_HEADERS.contains(&kind.as_str()) {
            1
        } else {
            header["text"]
                .as_str()
                .map(|text| variables(text).map(|v| v.len()).unwrap_or(0))
                .unwrap_or(0)
        };
        let header_given = given("header");
        if header_given != needed {
            return Err(refuse(format!(
                "template {name} ({language}) has a {kind} header and expects {needed} header parameters, \
                 got {header_given}"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(body: Value) -> Value {
        json!({ "name": "welcome_back", "language": "en_US", "category": "UTILITY", "components": [body] })
    }

    #[test]
    fn a_body_with_numbered_variables_and_samples_is_accepted_as_pending() {
        let t = validate_definition(
            "1",
            &definition(json!({
                "type": "BODY", "text": "Hi {{1}}, welcome back to {{2}}. {{1}}!",
                "example": { "body_text": [["Asha", "WeCare"]] },
            })),
        )
        .expect("valid");
        assert_eq!(t.status, "PENDING");
        assert_eq!(t.meta_id.len(), 15);
    }

    #[test]
    fn variables_with_a_gap_are_refused_naming_the_missing_one() {
        let e = validate_definition(
            "1",
            &definition(json!({
                "type": "BODY", "text": "Hi {{1}}, see {{3}}",
                "example": { "body_text": [["a", "b"]] },
            })),
        )
        .expect_err("gap");
        assert!(e.contains("without gaps") && e.contains("{{2}} is missing"), "{e}");
    }

    #[test]
    fn variables_numbered_from_zero_are_refused() {
        let e = check_variables("Hi {{0}}", "POSITIONAL", "BODY").expect_err("zero");
        assert!(e.contains("{{1}}"), "{e}");
    }

    #[test]
    fn each_variable_needs_a_sample_value() {
        let e = validate_definition(
            "1",
            &definition(json!({
                "type": "BODY", "text": "Hi {{1}}, your code is {{2}}",
                "example": { "body_text": [["Asha"]] },
            })),
        )
        .expect_err("one sample short");
        assert!(e.contains("2 sample value(s)") && e.contains("got 1"), "{e}");
        let e = validate_definition("1", &definition(json!({ "type": "BODY", "text": "Hi {{1}}" }))).expect_err("none");
        assert!(e.contains("example.body_text"), "{e}");
    }

    #[test]
    fn named_variables_need_named_samples_and_the_named_format() {
        let mut def = definition(json!({
            "type": "BODY", "text": "Hi {{first_name}}",
            "example": { "body_text_named_params": [{ "param_name": "first_name", "example": "Asha" }] },
        }));
        let e = validate_definition("1", &def).expect_err("positional format");
        assert!(e.contains("NAMED"), "{e}");
        def["parameter_format"] = json!("NAMED");
        assert!(validate_definition("1", &def).is_ok());
        def["components"][0]["example"] = json!({});
        let e = validate_definition("1", &def).expect_err("no sample");
        assert!(e.contains("{{first_name}}"), "{e}");
    }

    #[test]
    fn names_must_be_lowercase_letters_digits_and_underscores() {
        for bad in ["", "Hello", "order-update", "order update", &"a".repeat(513)] {
            let mut def = definition(json!({ "type": "BODY", "text": "Hi" }));
            def["name"] = json!(bad);
            let e = validate_definition("1", &def).expect_err(bad);
            assert!(e.contains("^[a-z0-9_]{1,512}$"), "{e}");
        }
        assert!(valid_name("order_update_2"));
    }

    #[test]
    fn a_body_is_required_and_media_headers_need_a_sample() {
        let mut def = definition(json!({ "type": "FOOTER", "text": "bye" }));
        assert!(validate_definition("1", &def).expect_err("no body").contains("BODY"));
        def["components"] = json!([
            { "type": "HEADER", "format": "IMAGE" },
            { "type": "BODY", "text": "Hi" },
        ]);
        assert!(validate_definition("1", &def)
            .expect_err("no handle")
            .contains("header_handle"));
    }

    #[test]
    fn unknown_categories_are_refused() {
        let mut def = definition(json!({ "type": "BODY", "text": "Hi" }));
        def["category"] = json!("TRANSACTIONAL");
        assert!(validate_definition("1", &def)
            .expect_err("category")
            .contains("TRANSACTIONAL"));
    }

    #[test]
    fn pages_follow_the_token_and_a_huge_token_answers_an_empty_page() {
        let all: Vec<Value> = (0..5).map(|i| json!(i)).collect();
        let (page, next) = paginate(all.clone(), Some("2"), None).expect("first page");
        assert_eq!((page, next.as_deref()), (vec![json!(0), json!(1)], Some("2")));
        let (page, next) = paginate(all.clone(), Some("2"), Some("4")).expect("last page");
        assert_eq!((page, next), (vec![json!(4)], None));
        let (page, next) = paginate(all.clone(), None, Some(&usize::MAX.to_string())).expect("past the end");
        assert_eq!((page.len(), next), (0, None));
        assert_eq!(
            paginate(all.clone(), Some("0"), None).expect_err("0").1,
            "ValidationException"
        );
        assert_eq!(
            paginate(all, None, Some("x")).expect_err("x").1,
            "InvalidParametersException"
        );
    }

    #[test]
    fn the_seeded_templates_pass_the_validation_they_would_have_met() {
        for t in seed(&["1".into()]) {
            check_components(&t.components, &t.parameter_format).unwrap_or_else(|e| panic!("{}: {e}", t.name));
        }
    }
}
