//! The WhatsApp template catalogue over HTTP:
//! - `GET /api/whatsapp/templates?sender=` (every role): the sender's business account's
//!   catalogue as stored, with when it was last synced — never waiting on the provider, except to
//!   fill a catalogue that was never synced;
//! - `POST /api/whatsapp/templates/sync` (Operators, Admins): brings it up to date now;
//! - `POST /api/whatsapp/templates` (Admins): checks a new template against Meta's rules, then
//!   submits it for review (PENDING);
//! - `DELETE /api/whatsapp/templates/{name}?language=&sender=` (Admins);
//! - `GET /api/whatsapp/template-library?sender=&q=` and `POST /api/whatsapp/templates/from-library`
//!   (Admins): Meta's pre-approved templates;
//! - `GET /api/whatsapp/template-usage?days=` (every role): template messages per day, sender and
//!   category.
//!
//! The sender is one of the caller's tenant's WhatsApp numbers (its default when not named); its
//! business account is the catalogue's. Another tenant's number is refused as not allowed.
//!
//! A schedule (EventBridge) also invokes it: every business account of the deployment whose
//! catalogue is older than the configured age is synced then, so lists stay fresh without anyone
//! waiting on the provider ([`refresh`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use tracing::Instrument;
use wecare_core::sender::Sender;
use wecare_core::template::{Button, Category, Definition, Header, LibraryButtonInput, ParameterFormat, Template};
use wecare_core::{Channel, ErrorCode, Permission, TenantId};
use wecare_http::guard::{authorize, Attempt};
use wecare_http::{
    error_response, json_response, parse_json_body, path_param, query_param, route_key, ApiError, Request, Response,
};
use wecare_messaging::catalogue::CatalogueError;
use wecare_messaging::Deps;
use wecare_store::AuditContext;

/// Days of usage shown by default, and at most.
const USAGE_DAYS: i64 = 30;
const MAX_USAGE_DAYS: i64 = 400;

/// The one mapping of this use case's errors to the API's codes.
fn api_error(e: CatalogueError) -> ApiError {
    match e {
        // Meta's own verdict on a template (a duplicate name, a policy problem): the user's to fix.
        CatalogueError::Refused { code, message, .. } if code.contains("Conflict") => {
            ApiError::new(ErrorCode::Conflict, message)
        }
        CatalogueError::Refused { message, .. } => ApiError::new(ErrorCode::ValidationFailed, message),
        e @ CatalogueError::NotLinked(_) => ApiError::new(ErrorCode::NotAllowlisted, e.to_string()),
        CatalogueError::Store(e) => ApiError::internal(&e),
        e @ CatalogueError::Unavailable { .. } => ApiError::internal(&e),
    }
}

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span =
        tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "whatsapp-templates");
    async {
        let result = match route_key(&req) {
            "GET /api/whatsapp/templates" => list(deps, &req, now).await.map(|v| (200, v)),
            "POST /api/whatsapp/templates/sync" => sync(deps, &req, now).await.map(|v| (200, v)),
            "POST /api/whatsapp/templates" => create(deps, &req, now).await.map(|v| (201, v)),
            "DELETE /api/whatsapp/templates/{name}" => delete(deps, &req, now).await.map(|v| (204, v)),
            "GET /api/whatsapp/template-library" => library(deps, &req, now).await.map(|v| (200, v)),
            "POST /api/whatsapp/templates/from-library" => from_library(deps, &req, now).await.map(|v| (201, v)),
            _ => usage(deps, &req, now).await.map(|v| (200, v)),
        };
        match result {
            Ok((204, _)) => wecare_http::empty_response(204),
            Ok((status, v)) => json_response(status, &v),
            Err(e) => error_response(&e),
        }
    }
    .instrument(span)
    .await
}

/// Why an invocation that is not an API request failed (Lambda retries it; its errors alarm).
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("the event is neither an API request nor the schedule's: {0}")]
    Unreadable(#[source] serde_json::Error),
    #[error("{failed} of {accounts} template catalogues could not be refreshed")]
    Incomplete { failed: usize, accounts: usize },
}

/// What Lambda invokes this function with: an API Gateway request, or the schedule's event
/// (EventBridge's `source: "aws.events"`), which refreshes the catalogues older than the
/// configured age.
pub async fn handle_event(deps: &Deps, event: Value, now: DateTime<Utc>) -> Result<Value, EventError> {
    if event.get("source").and_then(Value::as_str) == Some("aws.events") {
        return refresh(deps, now).await.map(|r| json!(r));
    }
    let req: Request = serde_json::from_value(event).map_err(EventError::Unreadable)?;
    serde_json::to_value(handle(deps, req, now).await).map_err(EventError::Unreadable)
}

/// What a scheduled refresh did.
#[derive(Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refreshed {
    /// Business accounts (per tenant) of the deployment's WhatsApp senders.
    pub accounts: usize,
    /// Those synced now, having been older than the configured age (or never synced).
    pub synced: usize,
}

/// Syncs the catalogue of every tenant's business account that is older than the configured age.
/// One account failing does not stop the others; the invocation then fails so that Lambda retries
/// it (an account synced in the meantime is skipped as recent) and the errors alarm sees it.
pub async fn refresh(deps: &Deps, now: DateTime<Utc>) -> Result<Refreshed, EventError> {
    let span = tracing::info_span!("refresh", function = "whatsapp-templates");
    async {
        let accounts: BTreeSet<(&TenantId, &str)> = deps
            .config
            .senders
            .all()
            .iter()
            .filter(|s| s.channel == Channel::WhatsApp)
            .filter_map(|s| s.waba_id.as_deref().map(|w| (&s.tenant, w)))
            .collect();
        let mut out = Refreshed {
            accounts: accounts.len(),
            ..Refreshed::default()
        };
        let mut failed = 0;
        for (tenant, waba) in accounts {
            match deps.catalogue.refresh(tenant, waba, deps.config.catalogue_max_age, now).await {
                Ok(Some(count)) => {
                    out.synced += 1;
                    tracing::info!(%tenant, waba_id = waba, count, "template catalogue refreshed");
                }
                Ok(None) => {}
                Err(e) => {
                    failed += 1;
                    tracing::error!(%tenant, waba_id = waba, error.chain = ?wecare_http::error::cause_chain(&e), "template catalogue refresh failed");
                }
            }
        }
        if failed > 0 {
            return Err(EventError::Incomplete {
                failed,
                accounts: out.accounts,
            });
        }
        Ok(out)
    }
    .instrument(span)
    .await
}

async fn allowed(
    deps: &Deps,
    req: &Request,
    permission: Permission,
    action: &str,
    now: DateTime<Utc>,
) -> Result<AuditContext, ApiError> {
    let attempt = Attempt {
        permission,
        action,
        resource_type: "whatsapp-template",
        resource_id: path_param(req, "name").unwrap_or("*"),
    };
    let contacts = &deps.contacts;
    authorize(contacts.client(), contacts.audit_table(), req, attempt, now).await
}

/// The caller's WhatsApp sender (named, or the tenant's default) and its business account.
fn sender<'a>(deps: &'a Deps, tenant: &TenantId, named: Option<&str>) -> Result<(&'a Sender, &'a str), ApiError> {
    let sender = deps
        .config
        .senders
        .resolve(tenant, Channel::WhatsApp, named.filter(|s| !s.is_empty()))
        .map_err(|e| ApiError::new(ErrorCode::NotAllowlisted, e.to_string()))?;
    let waba = sender.waba_id.as_deref().ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotAllowlisted,
            "this WhatsApp number has no business account",
        )
    })?;
    Ok((sender, waba))
}

/// A template as the console reads it.
fn entry(t: &Template, updated_at: Option<DateTime<Utc>>) -> Value {
    let d = &t.definition;
    json!({
        "name": d.name,
        "language": d.language,
        "category": d.category,
        "status": t.status,
        "parameterFormat": d.parameter_format,
        "header": d.header,
        "body": d.body,
        "footer": d.footer,
        "buttons": d.buttons,
        "variables": t.variables,
        "rejectedReason": t.rejected_reason,
        "updatedAt": updated_at,
    })
}

async fn list(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = allowed(deps, req, Permission::ReadMessages, "template.list", now).await?;
    let tenant = &ctx.principal.tenant_id;
    let (_, waba) = sender(deps, tenant, query_param(req, "sender"))?;
    let mut catalogue = deps.catalogue.stored(tenant, waba).await.map_err(api_error)?;
    if catalogue.synced_at.is_none() {
        // Never synced: the first look fills it (afterwards lists answer from storage).
        deps.catalogue.sync(tenant, waba, now).await.map_err(api_error)?;
        catalogue = deps.catalogue.stored(tenant, waba).await.map_err(api_error)?;
    }
    // In (name, language) order: the store's sort key is `T#{name}#{language}`, and names are
    // lowercase letters, digits and underscores, all after `#`.
    let templates = catalogue.templates;
    Ok(json!({
        "wabaId": waba,
        "syncedAt": catalogue.synced_at,
        "items": templates
            .iter()
            .map(|t| entry(t, catalogue.updated_at.get(&(t.name().to_string(), t.language().to_string())).copied()))
            .collect::<Vec<_>>(),
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SyncBody {
    sender: Option<String>,
}

async fn sync(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = allowed(deps, req, Permission::SendMessages, "template.sync", now).await?;
    let body: SyncBody = if req.body.as_deref().is_none_or(|b| b.trim().is_empty()) {
        SyncBody::default()
    } else {
        parse_json_body(req)?
    };
    let (_, waba) = sender(deps, &ctx.principal.tenant_id, body.sender.as_deref())?;
    let count = deps
        .catalogue
        .sync(&ctx.principal.tenant_id, waba, now)
        .await
        .map_err(api_error)?;
    tracing::info!(waba_id = waba, count, "template catalogue synced");
    Ok(json!({ "syncedAt": now, "count": count }))
}

/// A new template as the console submits it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateBody {
    sender: Option<String>,
    name: String,
    language: String,
    category: Category,
    #[serde(default = "positional")]
    parameter_format: ParameterFormat,
    header: Option<HeaderRequest>,
    body: String,
    footer: Option<String>,
    #[serde(default)]
    buttons: Vec<Button>,
    /// A sample value for each variable, by its name ("1", "first_name").
    #[serde(default)]
    samples: BTreeMap<String, String>,
}

/// A template's header as the console submits it: text, or a media format with the uploaded
/// sample file Meta reviews it by (`mediaId`: the upload's key in the media bucket).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct HeaderRequest {
    format: String,
    text: Option<String>,
    media_id: Option<String>,
}

impl HeaderRequest {
    fn header(&self) -> Result<Header, ApiError> {
        match self.format.to_ascii_uppercase().as_str() {
            "TEXT" => Ok(Header::Text {
                text: self.text.clone().unwrap_or_default(),
            }),
            "IMAGE" => Ok(Header::Image),
            "VIDEO" => Ok(Header::Video),
            "DOCUMENT" => Ok(Header::Document),
            other => Err(ApiError::validation(
                "header.format",
                format!("{other:?} is not TEXT, IMAGE, VIDEO or DOCUMENT"),
            )),
        }
    }
}

fn positional() -> ParameterFormat {
    ParameterFormat::Positional
}

async fn create(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = allowed(deps, req, Permission::ManageConfig, "template.create", now).await?;
    let body: CreateBody = parse_json_body(req)?;
    let tenant = &ctx.principal.tenant_id;
    let (_, waba) = sender(deps, tenant, body.sender.as_deref())?;
    let header = body.header.as_ref().map(HeaderRequest::header).transpose()?;
    let sample_key = match (&header, body.header.as_ref().and_then(|h| h.media_id.clone())) {
        (Some(h), Some(key)) if h.media().is_some() => {
            if !wecare_messaging::media::is_upload_of(&key, tenant) {
                return Err(ApiError::validation(
                    "header.mediaId",
                    "is not an upload of this tenant (POST /api/media/uploads first)",
                ));
            }
            Some(key)
        }
        (Some(h), None) if h.media().is_some() => {
            return Err(ApiError::validation(
                "header.mediaId",
                "a media header needs a sample file for Meta's review: upload one first",
            ))
        }
        (_, Some(_)) => {
            return Err(ApiError::validation(
                "header.mediaId",
                "only a media header takes a file",
            ))
        }
        _ => None,
    };
    let definition = Definition {
        name: body.name,
        language: body.language,
        category: body.category,
        parameter_format: body.parameter_format,
        header,
        body: body.body,
        footer: body.footer.filter(|f| !f.trim().is_empty()),
        buttons: body.buttons,
    };
    // Meta's rules first: a template Meta would refuse never reaches it.
    let variables = definition
        .validate(&body.samples)
        .map_err(|e| ApiError::new(ErrorCode::ValidationFailed, e.to_string()))?;
    let versions = deps
        .catalogue
        .repo
        .versions(tenant, waba, &definition.name)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    if versions.templates.iter().any(|t| t.language() == definition.language) {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "template {} already exists in {}; choose another name or delete it first",
                definition.name, definition.language
            ),
        ));
    }
    let template = deps
        .catalogue
        .create(
            tenant,
            waba,
            &definition,
            &variables,
            sample_key.as_deref().map(|k| (deps.media.bucket(), k)),
            now,
        )
        .await
        .map_err(api_error)?;
    audit(deps, &ctx, "template.create", &template, now).await?;
    Ok(json!({ "template": entry(&template, Some(now)) }))
}

async fn audit(
    deps: &Deps,
    ctx: &AuditContext,
    action: &str,
    t: &Template,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let mut entry = wecare_store::AuditEntry::new(
        ctx,
        action,
        "whatsapp-template",
        &format!("{}#{}", t.name(), t.language()),
        "success",
        None,
        Some(json!({ "category": t.definition.category, "status": t.status })),
        now,
    );
    entry.audit_id = format!("{action}-{}-{}-{}", t.name(), t.language(), now.timestamp_millis());
    deps.messages
        .audit_once(&entry, now)
        .await
        .map_err(|e| ApiError::internal(&e))
}

async fn delete(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = allowed(deps, req, Permission::ManageConfig, "template.delete", now).await?;
    let tenant = &ctx.principal.tenant_id;
    let name = path_param(req, "name").unwrap_or_default();
    let language = query_param(req, "language")
        .filter(|l| !l.is_empty())
        .ok_or_else(|| ApiError::validation("language", "name the version to delete (?language=en_US)"))?;
    let (_, waba) = sender(deps, tenant, query_param(req, "sender"))?;
    let versions = deps
        .catalogue
        .look_up(tenant, waba, name, now)
        .await
        .map_err(api_error)?;
    let Some(version) = versions.into_iter().find(|t| t.language() == language) else {
        return Err(ApiError::not_found("template"));
    };
    deps.catalogue.delete(tenant, waba, &version).await.map_err(api_error)?;
    audit(deps, &ctx, "template.delete", &version, now).await?;
    Ok(Value::Null)
}

async fn library(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = allowed(deps, req, Permission::ManageConfig, "template.library", now).await?;
    let (_, waba) = sender(deps, &ctx.principal.tenant_id, query_param(req, "sender"))?;
    let items = deps
        .catalogue
        .library(waba, query_param(req, "q"))
        .await
        .map_err(api_error)?;
    Ok(json!({ "items": items }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FromLibraryBody {
    sender: Option<String>,
    library_name: String,
    name: String,
    language: String,
    category: Option<Category>,
    /// The targets of the library template's URL and call buttons, in their order (checked here;
    /// which buttons need one is the library's to say).
    #[serde(default)]
    buttons: Vec<LibraryButtonInput>,
}

async fn from_library(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = allowed(deps, req, Permission::ManageConfig, "template.create", now).await?;
    let body: FromLibraryBody = parse_json_body(req)?;
    let tenant = &ctx.principal.tenant_id;
    let (_, waba) = sender(deps, tenant, body.sender.as_deref())?;
    // The new template's name and language follow the same rules as any other.
    wecare_core::template::check_name_and_language(&body.name, &body.language)
        .map_err(|e| ApiError::new(ErrorCode::ValidationFailed, e.to_string()))?;
    let category = body.category.unwrap_or(Category::Utility);
    let template = deps
        .catalogue
        .create_from_library(
            tenant,
            waba,
            wecare_messaging::catalogue::FromLibrary {
                library_name: &body.library_name,
                name: &body.name,
                language: &body.language,
                category: category.as_str(),
                buttons: &body.buttons,
            },
            now,
        )
        .await
        .map_err(api_error)?;
    audit(deps, &ctx, "template.create", &template, now).await?;
    Ok(json!({ "template": entry(&template, Some(now)) }))
}

async fn usage(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = allowed(deps, req, Permission::ReadMessages, "template.usage", now).await?;
    let days = match query_param(req, "days") {
        None | Some("") => USAGE_DAYS,
        Some(d) => d
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=MAX_USAGE_DAYS).contains(d))
            .ok_or_else(|| {
                ApiError::validation("days", format!("must be a whole number from 1 to {MAX_USAGE_DAYS}"))
            })?,
    };
    let named = query_param(req, "sender").filter(|s| !s.is_empty());
    let only = match named {
        Some(_) => Some(sender(deps, &ctx.principal.tenant_id, named)?.0.id.clone()),
        None => None,
    };
    let since = (now - Duration::days(days - 1)).date_naive();
    let rows = deps
        .catalogue
        .repo
        .usage(&ctx.principal.tenant_id, since)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    // Per day and category (over the senders asked for).
    let mut by: BTreeMap<(String, Category), u64> = BTreeMap::new();
    for u in rows.iter().filter(|u| only.as_deref().is_none_or(|s| s == u.sender)) {
        *by.entry((u.day.to_string(), u.category)).or_default() += u.count;
    }
    let days: Vec<Value> = by
        .into_iter()
        .map(|((day, category), count)| json!({ "day": day, "category": category, "count": count }))
        .collect();
    Ok(json!({ "days": days }))
}
