//! WhatsApp message templates as Meta defines them: what a template is made of, the rules Meta
//! checks before it accepts one for review, how a stored template reads from Meta's JSON, and the
//! check a template send must pass against the catalogue before any provider call.
//!
//! Outside the 24-hour window (and for every campaign) WhatsApp delivers only approved templates,
//! and Meta refuses a send whose template is unknown, not approved, in another language or given
//! the wrong number of parameters. Checking these here, against the catalogue we keep, turns a
//! provider error after the fact into a 400 that names what is wrong, and lets a bulk job refuse a
//! bad template before it reaches thousands of people.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Meta's limits on a template's parts.
pub const MAX_NAME_CHARS: usize = 512;
pub const MAX_BODY_CHARS: usize = 1024;
pub const MAX_HEADER_CHARS: usize = 60;
pub const MAX_FOOTER_CHARS: usize = 60;
pub const MAX_BUTTONS: usize = 10;
pub const MAX_BUTTON_TEXT_CHARS: usize = 25;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Category {
    Marketing,
    Utility,
    Authentication,
}

impl Category {
    pub const ALL: [Category; 3] = [Category::Marketing, Category::Utility, Category::Authentication];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Marketing => "MARKETING",
            Category::Utility => "UTILITY",
            Category::Authentication => "AUTHENTICATION",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str().eq_ignore_ascii_case(s))
    }
}

/// Where a template stands with Meta. Only `Approved` can be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TemplateStatus {
    Pending,
    Approved,
    Rejected,
    Paused,
    Disabled,
    InAppeal,
    PendingDeletion,
    LimitExceeded,
}

impl TemplateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateStatus::Pending => "PENDING",
            TemplateStatus::Approved => "APPROVED",
            TemplateStatus::Rejected => "REJECTED",
            TemplateStatus::Paused => "PAUSED",
            TemplateStatus::Disabled => "DISABLED",
            TemplateStatus::InAppeal => "IN_APPEAL",
            TemplateStatus::PendingDeletion => "PENDING_DELETION",
            TemplateStatus::LimitExceeded => "LIMIT_EXCEEDED",
        }
    }

    /// Meta's status names, and the event names of its status updates (`APPROVED`, `REJECTED`,
    /// `FLAGGED`, …) folded into them.
    pub fn parse(s: &str) -> Option<TemplateStatus> {
        Some(match s.to_ascii_uppercase().as_str() {
            "PENDING" => TemplateStatus::Pending,
            "APPROVED" | "REINSTATED" | "UNPAUSED" => TemplateStatus::Approved,
            "REJECTED" => TemplateStatus::Rejected,
            "PAUSED" | "FLAGGED" => TemplateStatus::Paused,
            "DISABLED" => TemplateStatus::Disabled,
            "IN_APPEAL" => TemplateStatus::InAppeal,
            "PENDING_DELETION" | "DELETED" => TemplateStatus::PendingDeletion,
            "LIMIT_EXCEEDED" => TemplateStatus::LimitExceeded,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ParameterFormat {
    /// `{{1}}`, `{{2}}`, … numbered from 1 without gaps.
    Positional,
    /// `{{first_name}}`: lowercase letters, digits and underscores.
    Named,
}

impl ParameterFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterFormat::Positional => "POSITIONAL",
            ParameterFormat::Named => "NAMED",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MediaFormat {
    Image,
    Video,
    Document,
}

impl MediaFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaFormat::Image => "IMAGE",
            MediaFormat::Video => "VIDEO",
            MediaFormat::Document => "DOCUMENT",
        }
    }

    fn parse(s: &str) -> Option<MediaFormat> {
        [MediaFormat::Image, MediaFormat::Video, MediaFormat::Document]
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Header {
    Text { text: String },
    Image,
    Video,
    Document,
}

impl Header {
    pub fn media(&self) -> Option<MediaFormat> {
        match self {
            Header::Text { .. } => None,
            Header::Image => Some(MediaFormat::Image),
            Header::Video => Some(MediaFormat::Video),
            Header::Document => Some(MediaFormat::Document),
        }
    }

    fn of_media(m: MediaFormat) -> Header {
        match m {
            MediaFormat::Image => Header::Image,
            MediaFormat::Video => Header::Video,
            MediaFormat::Document => Header::Document,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ButtonKind {
    QuickReply,
    Url,
    PhoneNumber,
    CopyCode,
    Otp,
}

impl ButtonKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ButtonKind::QuickReply => "QUICK_REPLY",
            ButtonKind::Url => "URL",
            ButtonKind::PhoneNumber => "PHONE_NUMBER",
            ButtonKind::CopyCode => "COPY_CODE",
            ButtonKind::Otp => "OTP",
        }
    }

    fn parse(s: &str) -> Option<ButtonKind> {
        [
            ButtonKind::QuickReply,
            ButtonKind::Url,
            ButtonKind::PhoneNumber,
            ButtonKind::CopyCode,
            ButtonKind::Otp,
        ]
        .into_iter()
        .find(|k| k.as_str().eq_ignore_ascii_case(s))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Button {
    #[serde(rename = "type")]
    pub kind: ButtonKind,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// The part of a template a variable sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Part {
    Header,
    Body,
}

/// One variable of a template, in the order its value is sent (the header's, then the body's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Variable {
    pub name: String,
    pub component: Part,
    pub sample: Option<String>,
}

/// What a template says: its parts, without its standing with Meta.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Definition {
    pub name: String,
    pub language: String,
    pub category: Category,
    pub parameter_format: ParameterFormat,
    pub header: Option<Header>,
    pub body: String,
    pub footer: Option<String>,
    #[serde(default)]
    pub buttons: Vec<Button>,
}

/// A template of the catalogue: its definition, its standing with Meta and its variables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    #[serde(flatten)]
    pub definition: Definition,
    pub status: TemplateStatus,
    pub meta_template_id: Option<String>,
    pub rejected_reason: Option<String>,
    pub variables: Vec<Variable>,
}

/// Why a template definition would be refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DefinitionError(pub String);

/// Why a template send does not match the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("template {name} is not in the business account's catalogue")]
    Unknown { name: String },
    #[error("template {name} has no {language} version (it exists in {available})")]
    WrongLanguage {
        name: String,
        language: String,
        available: String,
    },
    #[error("template {name} ({language}) is {status}, and only approved templates can be sent")]
    NotApproved {
        name: String,
        language: String,
        status: &'static str,
    },
    #[error("template {name} ({language}) takes {expected} parameter(s) ({variables}), got {given}")]
    ParameterCount {
        name: String,
        language: String,
        expected: usize,
        variables: String,
        given: usize,
    },
    #[error("parameter {index} of template {name} ({variable}) is empty")]
    EmptyParameter {
        name: String,
        index: usize,
        variable: String,
    },
    #[error("template {name} has a {media} header: attach one (headerMediaId)")]
    MissingHeaderMedia { name: String, media: &'static str },
    #[error("template {name} has no media header, so headerMediaId does not apply")]
    UnexpectedHeaderMedia { name: String },
}

/// The variables of `text` in order of appearance (`{{1}}` → "1", `{{first_name}}` → "first_name").
pub fn variables_in(text: &str) -> Result<Vec<String>, DefinitionError> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(DefinitionError(
                "a variable is opened with {{ and never closed with }}".into(),
            ));
        };
        let inner = after[..end].trim();
        let positional = !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit());
        let named = inner.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && inner
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !positional && !named {
            return Err(DefinitionError(format!(
                "{{{{{inner}}}}} is not a valid variable: use {{{{1}}}}, {{{{2}}}}, … or lowercase names like {{{{first_name}}}}"
            )));
        }
        out.push(inner.to_string());
        rest = &after[end + 2..];
    }
    Ok(out)
}

fn distinct(vars: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in vars {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// Checks a part's variables against the format: positional ones numbered from 1 without gaps (in
/// numeric order), named ones lowercase. Returns them in the order their values are sent.
fn checked_variables(text: &str, format: ParameterFormat, part: &str) -> Result<Vec<String>, DefinitionError> {
    let vars = distinct(variables_in(text).map_err(|e| DefinitionError(format!("{part}: {e}")))?);
    let numeric = |v: &String| v.chars().all(|c| c.is_ascii_digit());
    match format {
        ParameterFormat::Positional => {
            if let Some(v) = vars.iter().find(|v| !numeric(v)) {
                return Err(DefinitionError(format!(
                    "{part}: {{{{{v}}}}} is a named variable, but this template numbers its variables ({{{{1}}}}, {{{{2}}}}, …)"
                )));
            }
            let mut numbers: Vec<u32> = vars.iter().filter_map(|v| v.parse().ok()).collect();
            numbers.sort_unstable();
            for (i, n) in numbers.iter().enumerate() {
                let want = i as u32 + 1;
                if *n != want {
                    return Err(DefinitionError(format!(
                        "{part}: variables are numbered from {{{{1}}}} without gaps; {{{{{want}}}}} is missing"
                    )));
                }
            }
            Ok(numbers.iter().map(u32::to_string).collect())
        }
        ParameterFormat::Named => {
            if let Some(v) = vars.iter().find(|v| numeric(v)) {
                return Err(DefinitionError(format!(
                    "{part}: {{{{{v}}}}} is numbered, but this template names its variables"
                )));
            }
            Ok(vars)
        }
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

impl Definition {
    /// The template's variables in the order their values are sent, each with its sample from
    /// `samples` if given.
    pub fn variables(&self, samples: &BTreeMap<String, String>) -> Result<Vec<Variable>, DefinitionError> {
        let mut out = Vec::new();
        if let Some(Header::Text { text }) = &self.header {
            for name in checked_variables(text, self.parameter_format, "header")? {
                out.push(Variable {
                    sample: samples.get(&name).cloned(),
                    name,
                    component: Part::Header,
                });
            }
        }
        for name in checked_variables(&self.body, self.parameter_format, "body")? {
            out.push(Variable {
                sample: samples.get(&name).cloned(),
                name,
                component: Part::Body,
            });
        }
        Ok(out)
    }

    /// Meta's rules for a new template, checked before it is submitted: the name, the lengths,
    /// the variables (numbered without gaps, not at either end of the body) and a sample for each.
    pub fn validate(&self, samples: &BTreeMap<String, String>) -> Result<Vec<Variable>, DefinitionError> {
        let fail = |m: String| Err(DefinitionError(m));
        check_name_and_language(&self.name, &self.language)?;
        let body = self.body.trim();
        if body.is_empty() {
            return fail("body: a template needs a body".into());
        }
        if chars(&self.body) > MAX_BODY_CHARS {
            return fail(format!(
                "body: {} characters, at most {MAX_BODY_CHARS}",
                chars(&self.body)
            ));
        }
        if body.starts_with("{{") || body.ends_with("}}") {
            return fail("body: a variable cannot start or end the body; add words around it".into());
        }
        match &self.header {
            Some(Header::Text { text }) if text.trim().is_empty() => return fail("header: the text is empty".into()),
            Some(Header::Text { text }) if chars(text) > MAX_HEADER_CHARS => {
                return fail(format!(
                    "header: {} characters, at most {MAX_HEADER_CHARS}",
                    chars(text)
                ))
            }
            _ => {}
        }
        if let Some(f) = &self.footer {
            if chars(f) > MAX_FOOTER_CHARS {
                return fail(format!("footer: {} characters, at most {MAX_FOOTER_CHARS}", chars(f)));
            }
            if !variables_in(f).map(|v| v.is_empty()).unwrap_or(false) {
                return fail("footer: a footer cannot have variables".into());
            }
        }
        if self.buttons.len() > MAX_BUTTONS {
            return fail(format!(
                "buttons: {} buttons, at most {MAX_BUTTONS}",
                self.buttons.len()
            ));
        }
        for (i, b) in self.buttons.iter().enumerate() {
            let n = i + 1;
            if b.text.trim().is_empty() || chars(&b.text) > MAX_BUTTON_TEXT_CHARS {
                return fail(format!(
                    "button {n}: its text needs 1 to {MAX_BUTTON_TEXT_CHARS} characters"
                ));
            }
            match b.kind {
                ButtonKind::Url if b.url.as_deref().is_none_or(|u| !u.starts_with("https://")) => {
                    return fail(format!("button {n}: a URL button needs an https:// address"))
                }
                ButtonKind::PhoneNumber if b.phone_number.as_deref().is_none_or(|p| !p.starts_with('+')) => {
                    return fail(format!(
                        "button {n}: a phone button needs a number in international form (+…)"
                    ))
                }
                _ => {}
            }
        }
        if self.category == Category::Authentication && self.header.is_some() {
            return fail("header: authentication templates have no header".into());
        }
        let variables = self.variables(samples)?;
        if let Some(v) = variables
            .iter()
            .find(|v| v.sample.as_deref().is_none_or(|s| s.trim().is_empty()))
        {
            return fail(format!(
                "samples: Meta needs a sample value for {{{{{}}}}} to review the template",
                v.name
            ));
        }
        Ok(variables)
    }

    /// Meta's create-template JSON (what CreateWhatsAppMessageTemplate submits), with the samples
    /// Meta requires as each component's `example`.
    pub fn to_meta(&self, variables: &[Variable], header_handle: Option<&str>) -> Value {
        let sample = |v: &Variable| v.sample.clone().unwrap_or_default();
        let of = |part: Part| variables.iter().filter(move |v| v.component == part);
        let named = self.parameter_format == ParameterFormat::Named;
        let mut components = Vec::new();
        match &self.header {
            Some(Header::Text { text }) => {
                let mut c = json!({ "type": "HEADER", "format": "TEXT", "text": text });
                let vars: Vec<&Variable> = of(Part::Header).collect();
                if !vars.is_empty() {
                    c["example"] = if named {
                        json!({ "header_text_named_params": vars.iter().map(|v| json!({ "param_name": v.name, "example": sample(v) })).collect::<Vec<_>>() })
                    } else {
                        json!({ "header_text": vars.iter().map(|v| sample(v)).collect::<Vec<_>>() })
                    };
                }
                components.push(c);
            }
            Some(h) => {
                if let Some(m) = h.media() {
                    let mut c = json!({ "type": "HEADER", "format": m.as_str() });
                    // Meta reviews a media header by its sample file, uploaded beforehand.
                    if let Some(handle) = header_handle {
                        c["example"] = json!({ "header_handle": [handle] });
                    }
                    components.push(c);
                }
            }
            None => {}
        }
        let mut body = json!({ "type": "BODY", "text": self.body });
        let vars: Vec<&Variable> = of(Part::Body).collect();
        if !vars.is_empty() {
            body["example"] = if named {
                json!({ "body_text_named_params": vars.iter().map(|v| json!({ "param_name": v.name, "example": sample(v) })).collect::<Vec<_>>() })
            } else {
                json!({ "body_text": [vars.iter().map(|v| sample(v)).collect::<Vec<_>>()] })
            };
        }
        components.push(body);
        if let Some(f) = &self.footer {
            components.push(json!({ "type": "FOOTER", "text": f }));
        }
        if !self.buttons.is_empty() {
            let buttons: Vec<Value> = self
                .buttons
                .iter()
                .map(|b| {
                    let mut v = json!({ "type": b.kind.as_str(), "text": b.text });
                    if let Some(u) = &b.url {
                        v["url"] = json!(u);
                    }
                    if let Some(p) = &b.phone_number {
                        v["phone_number"] = json!(p);
                    }
                    v
                })
                .collect();
            components.push(json!({ "type": "BUTTONS", "buttons": buttons }));
        }
        json!({
            "name": self.name,
            "language": self.language,
            "category": self.category.as_str(),
            "parameter_format": self.parameter_format.as_str(),
            "components": components,
        })
    }
}

/// Meta's rules for a template's name (1 to 512 lowercase letters, digits and underscores) and
/// language code, which any new template meets, written or copied from the library.
pub fn check_name_and_language(name: &str, language: &str) -> Result<(), DefinitionError> {
    if name.is_empty()
        || chars(name) > MAX_NAME_CHARS
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(DefinitionError(format!(
            "name {name:?}: use 1 to {MAX_NAME_CHARS} lowercase letters, digits and underscores"
        )));
    }
    if !valid_language(language) {
        return Err(DefinitionError(format!(
            "language {language:?}: use a code such as en, en_US or pt_BR"
        )));
    }
    Ok(())
}

/// `en`, `en_US`, `pt_BR`, `zh_HK`: Meta's language codes.
fn valid_language(code: &str) -> bool {
    let mut parts = code.split('_');
    let lang = parts.next().unwrap_or_default();
    let region = parts.next();
    parts.next().is_none()
        && (2..=3).contains(&lang.len())
        && lang.chars().all(|c| c.is_ascii_lowercase())
        && region.is_none_or(|r| (2..=4).contains(&r.len()) && r.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The longest URL a URL button may open (Meta's limit).
pub const MAX_BUTTON_URL_CHARS: usize = 2000;

/// What a business gives a library template's URL or call button when it copies the template:
/// the page the button opens (which may end with the one variable `{{1}}`, filled per message,
/// and then needs a full sample URL for review) or the number it calls. Meta's
/// `library_template_button_inputs`; only valid inputs can be held.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawLibraryButtonInput")]
pub enum LibraryButtonInput {
    Url { url: String, example: Option<String> },
    PhoneNumber { phone_number: String },
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
enum RawLibraryButtonInput {
    #[serde(rename_all = "camelCase")]
    Url { url: String, url_example: Option<String> },
    #[serde(rename_all = "camelCase")]
    PhoneNumber { phone_number: String },
}

impl TryFrom<RawLibraryButtonInput> for LibraryButtonInput {
    type Error = DefinitionError;

    fn try_from(raw: RawLibraryButtonInput) -> Result<Self, DefinitionError> {
        match raw {
            RawLibraryButtonInput::Url { url, url_example } => LibraryButtonInput::url(&url, url_example.as_deref()),
            RawLibraryButtonInput::PhoneNumber { phone_number } => LibraryButtonInput::phone_number(&phone_number),
        }
    }
}

fn http_url(u: &str) -> bool {
    (u.starts_with("https://") || u.starts_with("http://")) && chars(u) <= MAX_BUTTON_URL_CHARS && !u.contains(' ')
}

impl LibraryButtonInput {
    /// A URL button's page: http(s), whose only variable is a `{{1}}` at its end, with a full
    /// sample URL when it has one (Meta reviews the button by it) and none otherwise.
    pub fn url(url: &str, example: Option<&str>) -> Result<Self, DefinitionError> {
        let url = url.trim();
        if !http_url(url) {
            return Err(DefinitionError(format!(
                "button url {url:?}: use an http(s) address of at most {MAX_BUTTON_URL_CHARS} characters"
            )));
        }
        let fixed = url.strip_suffix("{{1}}").unwrap_or(url);
        if fixed.contains("{{") || fixed.contains("}}") {
            return Err(DefinitionError(format!(
                "button url {url:?}: the only variable a URL may have is {{{{1}}}}, at its end"
            )));
        }
        let example = example.map(str::trim).filter(|e| !e.is_empty());
        match (fixed.len() != url.len(), example) {
            (true, None) => Err(DefinitionError(format!(
                "button url {url:?} ends with {{{{1}}}}: give a full sample address for review (urlExample)"
            ))),
            (true, Some(e)) if !http_url(e) || e.contains("{{") => Err(DefinitionError(format!(
                "button urlExample {e:?}: use a full http(s) address, without variables"
            ))),
            (false, Some(_)) => Err(DefinitionError(format!(
                "button url {url:?} has no {{{{1}}}}: a sample address (urlExample) is only for one that has"
            ))),
            (_, example) => Ok(LibraryButtonInput::Url {
                url: url.to_string(),
                example: example.map(str::to_string),
            }),
        }
    }

    /// A call button's number, written in international form (`+` and the country code) and
    /// valid for its country; kept in E.164.
    pub fn phone_number(number: &str) -> Result<Self, DefinitionError> {
        let number = number.trim();
        // With its `+`, the number names its own country: the region only reads numbers without.
        let parsed = number
            .starts_with('+')
            .then(|| crate::phone::PhoneNumber::parse(number, crate::phone::Region::INDIA).ok())
            .flatten()
            .ok_or_else(|| {
                DefinitionError(format!(
                    "button phoneNumber {number:?}: use international form, + and the country code (e.g. +14155550100)"
                ))
            })?;
        Ok(LibraryButtonInput::PhoneNumber {
            phone_number: parsed.as_str().to_string(),
        })
    }

    /// The button kind this input is for.
    pub fn kind(&self) -> ButtonKind {
        match self {
            LibraryButtonInput::Url { .. } => ButtonKind::Url,
            LibraryButtonInput::PhoneNumber { .. } => ButtonKind::PhoneNumber,
        }
    }
}

impl Template {
    /// A template as Meta's Graph API describes it (what GetWhatsAppMessageTemplate returns as a
    /// string): name, language, status, category, id, parameter_format and components.
    pub fn from_meta(meta: &Value) -> Result<Template, DefinitionError> {
        let text = |v: &Value, field: &str| v[field].as_str().map(str::to_string);
        let name = text(meta, "name").ok_or_else(|| DefinitionError("a template without a name".into()))?;
        let language = text(meta, "language").ok_or_else(|| DefinitionError(format!("{name}: no language")))?;
        let category = meta["category"]
            .as_str()
            .and_then(Category::parse)
            .ok_or_else(|| DefinitionError(format!("{name}: unknown category {}", meta["category"])))?;
        let status = meta["status"]
            .as_str()
            .and_then(TemplateStatus::parse)
            .ok_or_else(|| DefinitionError(format!("{name}: unknown status {}", meta["status"])))?;
        let parameter_format = match meta["parameter_format"].as_str() {
            Some(f) if f.eq_ignore_ascii_case("NAMED") => ParameterFormat::Named,
            _ => ParameterFormat::Positional,
        };
        let components = meta["components"].as_array().cloned().unwrap_or_default();
        let component = |kind: &str| {
            components
                .iter()
                .find(|c| c["type"].as_str().is_some_and(|t| t.eq_ignore_ascii_case(kind)))
        };
        let header = match component("HEADER") {
            None => None,
            Some(h) => match h["format"].as_str() {
                Some(f) if f.eq_ignore_ascii_case("TEXT") => Some(Header::Text {
                    text: text(h, "text").unwrap_or_default(),
                }),
                Some(f) => MediaFormat::parse(f).map(Header::of_media),
                None => None,
            },
        };
        let body = component("BODY").and_then(|b| text(b, "text")).unwrap_or_default();
        let footer = component("FOOTER").and_then(|f| text(f, "text"));
        let buttons = component("BUTTONS")
            .and_then(|b| b["buttons"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|b| {
                Some(Button {
                    kind: b["type"].as_str().and_then(ButtonKind::parse)?,
                    text: text(b, "text").unwrap_or_default(),
                    url: text(b, "url"),
                    phone_number: text(b, "phone_number"),
                })
            })
            .collect();
        let definition = Definition {
            name,
            language,
            category,
            parameter_format,
            header,
            body,
            footer,
            buttons,
        };
        let mut samples = BTreeMap::new();
        let named = parameter_format == ParameterFormat::Named;
        for (kind, key) in [("HEADER", "header_text"), ("BODY", "body_text")] {
            let Some(c) = component(kind) else { continue };
            let vars = distinct(variables_in(&text(c, "text").unwrap_or_default()).unwrap_or_default());
            if named {
                for p in c["example"][format!("{key}_named_params")]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    if let (Some(n), Some(e)) = (p["param_name"].as_str(), p["example"].as_str()) {
                        samples.insert(n.to_string(), e.to_string());
                    }
                }
            } else {
                let given = match &c["example"][key] {
                    Value::Array(rows) if rows.first().is_some_and(Value::is_array) => {
                        rows[0].as_array().cloned().unwrap_or_default()
                    }
                    Value::Array(flat) => flat.clone(),
                    _ => vec![],
                };
                let mut numbered: Vec<u32> = vars.iter().filter_map(|v| v.parse().ok()).collect();
                numbered.sort_unstable();
                for (n, s) in numbered.iter().zip(given.iter()) {
                    if let Some(s) = s.as_str() {
                        samples.insert(n.to_string(), s.to_string());
                    }
                }
            }
        }
        // A template Meta holds is taken as it is, even if its variables break today's rules.
        let variables = definition.variables(&samples).unwrap_or_default();
        Ok(Template {
            definition,
            status,
            meta_template_id: text(meta, "id"),
            rejected_reason: text(meta, "rejected_reason").filter(|r| !r.is_empty() && r != "NONE"),
            variables,
        })
    }

    pub fn name(&self) -> &str {
        &self.definition.name
    }

    pub fn language(&self) -> &str {
        &self.definition.language
    }

    /// How many of the parameters belong to the header (they are sent first).
    pub fn header_parameters(&self) -> usize {
        self.variables.iter().filter(|v| v.component == Part::Header).count()
    }
}

/// Checks a template send against the catalogue: `versions` are the catalogue's templates of that
/// name (one per language). The template must exist in `language`, be approved, get exactly one
/// non-empty value per variable, and get header media exactly when its header is media.
pub fn check_send<'a>(
    name: &str,
    language: &str,
    versions: &'a [Template],
    parameters: &[String],
    header_media: bool,
) -> Result<&'a Template, SendError> {
    if versions.is_empty() {
        return Err(SendError::Unknown { name: name.to_string() });
    }
    let Some(t) = versions.iter().find(|t| t.language() == language) else {
        let mut available: Vec<&str> = versions.iter().map(Template::language).collect();
        available.sort_unstable();
        return Err(SendError::WrongLanguage {
            name: name.to_string(),
            language: language.to_string(),
            available: available.join(", "),
        });
    };
    if t.status != TemplateStatus::Approved {
        return Err(SendError::NotApproved {
            name: name.to_string(),
            language: language.to_string(),
            status: t.status.as_str(),
        });
    }
    if parameters.len() != t.variables.len() {
        return Err(SendError::ParameterCount {
            name: name.to_string(),
            language: language.to_string(),
            expected: t.variables.len(),
            variables: if t.variables.is_empty() {
                "none".into()
            } else {
                t.variables
                    .iter()
                    .map(|v| format!("{{{{{}}}}}", v.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            given: parameters.len(),
        });
    }
    if let Some((i, v)) = parameters
        .iter()
        .zip(&t.variables)
        .enumerate()
        .find(|(_, (p, _))| p.trim().is_empty())
        .map(|(i, (_, v))| (i, v))
    {
        return Err(SendError::EmptyParameter {
            name: name.to_string(),
            index: i + 1,
            variable: format!("{{{{{}}}}}", v.name),
        });
    }
    match (t.definition.header.as_ref().and_then(Header::media), header_media) {
        (Some(m), false) => Err(SendError::MissingHeaderMedia {
            name: name.to_string(),
            media: m.as_str(),
        }),
        (None, true) => Err(SendError::UnexpectedHeaderMedia { name: name.to_string() }),
        _ => Ok(t),
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_library_url_button_takes_an_http_address_with_at_most_a_trailing_variable_and_its_sample() {
        assert!(LibraryButtonInput::url("https://shop.example/orders", None).is_ok());
        assert_eq!(
            LibraryButtonInput::url("https://shop.example/o/{{1}}", Some("https://shop.example/o/42")),
            Ok(LibraryButtonInput::Url {
                url: "https://shop.example/o/{{1}}".into(),
                example: Some("https://shop.example/o/42".into())
            })
        );
        for (url, example) in [
            ("shop.example/orders", None),
            ("ftp://shop.example", None),
            ("https://shop.example/{{1}}/x", Some("https://shop.example/1/x")),
            ("https://shop.example/{{2}}", Some("https://shop.example/2")),
            ("https://shop.example/o/{{1}}", None),
            ("https://shop.example/o/{{1}}", Some("https://shop.example/o/{{1}}")),
            ("https://shop.example/o", Some("https://shop.example/o")),
        ] {
            assert!(LibraryButtonInput::url(url, example).is_err(), "{url} {example:?}");
        }
    }

    #[test]
    fn a_library_call_button_takes_an_e164_number() {
        assert!(LibraryButtonInput::phone_number("+14155550100").is_ok());
        for n in ["14155550100", "+0415555010", "+1415", "+1415555010000000", "+1 415 555"] {
            assert!(LibraryButtonInput::phone_number(n).is_err(), "{n}");
        }
    }

    #[test]
    fn library_button_inputs_are_read_from_the_console_shape_and_checked() {
        let read = |v: serde_json::Value| serde_json::from_value::<LibraryButtonInput>(v);
        assert_eq!(
            read(json!({"type": "PHONE_NUMBER", "phoneNumber": "+14155550100"}))
                .ok()
                .map(|b| b.kind()),
            Some(ButtonKind::PhoneNumber)
        );
        assert!(
            read(json!({"type": "URL", "url": "https://a.example/{{1}}", "urlExample": "https://a.example/1"})).is_ok()
        );
        assert!(read(json!({"type": "URL", "url": "https://a.example/{{1}}"})).is_err());
        assert!(read(json!({"type": "QUICK_REPLY", "text": "Yes"})).is_err());
        assert!(read(json!({"type": "URL", "url": "https://a.example", "extra": 1})).is_err());
    }

    fn order_update() -> Definition {
        Definition {
            name: "order_update".into(),
            language: "en_US".into(),
            category: Category::Utility,
            parameter_format: ParameterFormat::Positional,
            header: Some(Header::Text {
                text: "Order {{1}}".into(),
            }),
            body: "Hi {{1}}, your order {{2}} is on its way.".into(),
            footer: Some("Reply STOP to opt out".into()),
            buttons: vec![],
        }
    }

    fn samples(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn approved(d: Definition, s: &BTreeMap<String, String>) -> Template {
        Template {
            variables: d.variables(s).unwrap(),
            definition: d,
            status: TemplateStatus::Approved,
            meta_template_id: Some("1".into()),
            rejected_reason: None,
        }
    }

    #[test]
    fn variables_are_listed_header_first_each_once_in_numeric_order() {
        let d = Definition {
            body: "Hi {{2}} and {{1}}, again {{2}}.".into(),
            ..order_update()
        };
        let v = d.validate(&samples(&[("1", "Asha"), ("2", "#42")])).unwrap();
        let names: Vec<(&str, Part)> = v.iter().map(|v| (v.name.as_str(), v.component)).collect();
        assert_eq!(names, [("1", Part::Header), ("1", Part::Body), ("2", Part::Body)]);
    }

    #[test]
    fn meta_rules_refuse_gaps_missing_samples_edges_and_bad_names_naming_the_problem() {
        let s = samples(&[("1", "Asha"), ("2", "#42")]);
        let cases = [
            (
                Definition {
                    body: "Hi {{1}}, order {{3}} ships.".into(),
                    ..order_update()
                },
                "{{2}} is missing",
            ),
            (
                Definition {
                    body: "{{1}}, your order ships.".into(),
                    ..order_update()
                },
                "cannot start or end",
            ),
            (
                Definition {
                    name: "Order-Update".into(),
                    ..order_update()
                },
                "lowercase letters",
            ),
            (
                Definition {
                    body: "Hi {{first}}, ok.".into(),
                    ..order_update()
                },
                "named variable",
            ),
            (
                Definition {
                    footer: Some("x".repeat(61)),
                    ..order_update()
                },
                "at most 60",
            ),
            (
                Definition {
                    language: "english".into(),
                    ..order_update()
                },
                "language",
            ),
        ];
        for (d, want) in cases {
            let e = d.validate(&s).unwrap_err();
            assert!(e.0.contains(want), "{want:?} not in {e}");
        }
        let e = order_update().validate(&samples(&[("1", "Asha")])).unwrap_err();
        assert!(e.0.contains("sample value for {{2}}"), "{e}");
    }

    #[test]
    fn a_definition_goes_to_meta_with_its_samples_and_reads_back_the_same() {
        let s = samples(&[("1", "Asha"), ("2", "#42")]);
        let d = Definition {
            buttons: vec![Button {
                kind: ButtonKind::Url,
                text: "Track".into(),
                url: Some("https://example.com/t".into()),
                phone_number: None,
            }],
            ..order_update()
        };
        let vars = d.validate(&s).unwrap();
        let mut meta = d.to_meta(&vars, None);
        assert_eq!(meta["components"][1]["example"]["body_text"], json!([["Asha", "#42"]]));
        meta["status"] = json!("APPROVED");
        meta["id"] = json!("123");
        let t = Template::from_meta(&meta).unwrap();
        assert_eq!(t.definition, d);
        assert_eq!(t.variables, vars);
        assert_eq!(t.status, TemplateStatus::Approved);
    }

    #[test]
    fn named_variables_round_trip_with_their_samples() {
        let d = Definition {
            parameter_format: ParameterFormat::Named,
            header: None,
            body: "Hello {{first_name}}, your visit is on {{date}}.".into(),
            ..order_update()
        };
        let s = samples(&[("first_name", "Asha"), ("date", "5 May")]);
        let vars = d.validate(&s).unwrap();
        let mut meta = d.to_meta(&vars, None);
        meta["status"] = json!("PENDING");
        let t = Template::from_meta(&meta).unwrap();
        assert_eq!(t.variables, vars);
    }

    #[test]
    fn a_send_is_checked_for_language_approval_count_emptiness_and_header_media() {
        let s = samples(&[("1", "Asha"), ("2", "#42")]);
        let en = approved(order_update(), &s);
        let mut pending = approved(
            Definition {
                language: "hi".into(),
                ..order_update()
            },
            &s,
        );
        pending.status = TemplateStatus::Pending;
        let versions = vec![en.clone(), pending];
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(check_send("order_update", "en_US", &versions, &p(&["A1", "Asha", "#42"]), false).is_ok());
        assert!(matches!(
            check_send("order_update", "fr", &versions, &p(&["A1", "Asha", "#42"]), false),
            Err(SendError::WrongLanguage { .. })
        ));
        assert!(matches!(
            check_send("order_update", "hi", &versions, &p(&["A1", "Asha", "#42"]), false),
            Err(SendError::NotApproved { .. })
        ));
        let e = check_send("order_update", "en_US", &versions, &p(&["Asha"]), false).unwrap_err();
        assert!(
            e.to_string()
                .contains("takes 3 parameter(s) ({{1}}, {{1}}, {{2}}), got 1"),
            "{e}"
        );
        assert!(matches!(
            check_send("order_update", "en_US", &versions, &p(&["A1", " ", "#42"]), false),
            Err(SendError::EmptyParameter { index: 2, .. })
        ));
        assert!(matches!(
            check_send("order_update", "en_US", &versions, &p(&["A1", "Asha", "#42"]), true),
            Err(SendError::UnexpectedHeaderMedia { .. })
        ));
        assert!(matches!(
            check_send("nope", "en_US", &[], &[], false),
            Err(SendError::Unknown { .. })
        ));
        let media = approved(
            Definition {
                header: Some(Header::Image),
                ..order_update()
            },
            &s,
        );
        assert!(matches!(
            check_send("order_update", "en_US", &[media], &p(&["Asha", "#42"]), false),
            Err(SendError::MissingHeaderMedia { media: "IMAGE", .. })
        ));
    }

    #[test]
    fn template_statuses_and_status_events_fold_into_the_known_states() {
        assert_eq!(TemplateStatus::parse("approved"), Some(TemplateStatus::Approved));
        assert_eq!(TemplateStatus::parse("FLAGGED"), Some(TemplateStatus::Paused));
        assert_eq!(TemplateStatus::parse("REINSTATED"), Some(TemplateStatus::Approved));
        assert_eq!(TemplateStatus::parse("nonsense"), None);
    }

    proptest! {
        /// Any body numbered 1..=n without gaps, in any order, is accepted with n samples, and its
        /// variables come back as 1..=n (the order their values are sent in).
        #[test]
        fn positional_bodies_numbered_without_gaps_are_accepted(
            perm in (1u32..=6).prop_flat_map(|n| Just((1..=n).collect::<Vec<u32>>()).prop_shuffle())
        ) {
            let n = perm.len() as u32;
            let body = format!("Dear customer, {} thanks.", perm.iter().map(|i| format!("{{{{{i}}}}}")).collect::<Vec<_>>().join(" and "));
            let s: BTreeMap<String, String> = (1..=n).map(|i| (i.to_string(), format!("s{i}"))).collect();
            let d = Definition { header: None, body, ..order_update() };
            let vars = d.validate(&s).unwrap();
            let names: Vec<String> = vars.iter().map(|v| v.name.clone()).collect();
            prop_assert_eq!(names, (1..=n).map(|i| i.to_string()).collect::<Vec<_>>());
        }

        /// Leaving out any one number below the highest is refused, naming the missing one.
        #[test]
        fn a_gap_in_the_numbering_is_refused_naming_the_missing_variable(n in 2u32..8, gap_at in 0u32..7) {
            let gap = gap_at % (n - 1) + 1;
            let body = format!("Dear customer, {} thanks.", (1..=n).filter(|i| *i != gap).map(|i| format!("{{{{{i}}}}}")).collect::<Vec<_>>().join(" "));
            let s: BTreeMap<String, String> = (1..=n).map(|i| (i.to_string(), "x".into())).collect();
            let d = Definition { header: None, body, ..order_update() };
            let e = d.validate(&s).unwrap_err();
            let missing = format!("{{{{{gap}}}}} is missing");
            prop_assert!(e.0.contains(&missing), "{}", e);
        }

        /// A send is accepted exactly when it gives one non-empty value per variable.
        #[test]
        fn a_send_is_accepted_only_with_one_value_per_variable(given in proptest::collection::vec("[a-z ]{0,4}", 0..6)) {
            let s = samples(&[("1", "Asha"), ("2", "#42")]);
            let t = approved(Definition { header: None, ..order_update() }, &s);
            let ok = check_send("order_update", "en_US", std::slice::from_ref(&t), &given, false).is_ok();
            prop_assert_eq!(ok, given.len() == 2 && given.iter().all(|g| !g.trim().is_empty()));
        }
    }
}
