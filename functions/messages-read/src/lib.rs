//! `GET /api/contacts/{contactId}/messages` (a conversation's timeline, newest first, cursor) and
//! `GET /api/conversations` (the inbox: one row per contact with the last message, the unread
//! inbound count and the WhatsApp window's expiry). Both are single Queries; Viewers may read.
//! A message's file comes with a presigned download URL valid for a few minutes.
//! `GET /api/senders?channel=` lists the signed-in tenant's senders (the composer's choice of
//! number or address), the default of each channel first. `GET /api/overview` is the console's
//! home: counts of messages, rates, the tier, the dead-letter queues and running jobs
//! ([`overview`]). `GET`/`PUT /api/settings` are what an Admin sees of the deployment and
//! changes of the tenant ([`settings`]).

pub mod overview;
pub mod settings;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use tracing::Instrument;
use wecare_core::dlq::DeadLetterQueues;
use wecare_core::message::MessageStatus;
use wecare_core::window::Window;
use wecare_core::{Channel, ContactId, Permission};
use wecare_http::config::{ConfigError, Env};
use wecare_http::guard::{authorize, Attempt};
use wecare_http::{error_response, json_response, path_param, query_param, route_key, ApiError, Request, Response};
use wecare_messaging::Deps as Messaging;
use wecare_store::{AuditContext, AuditEntry, BulkRepo};

#[derive(Debug, Clone)]
pub struct Config {
    /// The messaging config: tables, senders (the tenant's numbers and their accounts), tier limit.
    pub messaging: wecare_messaging::Config,
    /// Where running jobs are listed from.
    pub bulk_jobs_table: String,
    pub queues: DeadLetterQueues,
    /// The deployment's environment (`production`, `staging`, `preview`; `local` here), shown on
    /// the settings page.
    pub environment: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from(std::env::vars().collect())
    }

    /// Every missing or malformed variable, this function's and the messaging config's, is named
    /// in one error.
    pub fn from(vars: BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let messaging = wecare_messaging::Config::from(Env::from_map(vars.clone()));
        let mut env = Env::from_map(vars);
        let bulk_jobs_table = env.required("BULK_JOBS_TABLE");
        let environment = env.required("ENVIRONMENT");
        let queues = DeadLetterQueues {
            inbound: env.required("INBOUND_DLQ_URL"),
            bulk: env.required("BULK_DLQ_URL"),
            outbound: env.required("OUTBOUND_DLQ_URL"),
        };
        let messaging = match messaging {
            Ok(c) => Some(c),
            Err(e) => {
                e.problems.into_iter().for_each(|p| env.problem(p));
                None
            }
        };
        env.finish(|| {
            Some(Config {
                messaging: messaging?,
                bulk_jobs_table,
                queues,
                environment,
            })
        })
    }
}

/// Clients and repositories, built once per cold start.
pub struct Deps {
    pub messaging: Messaging,
    pub jobs: BulkRepo,
    pub sqs: aws_sdk_sqs::Client,
    pub queues: DeadLetterQueues,
    pub environment: String,
}

impl Deps {
    /// `dynamo` is passed in so callers can attach interceptors.
    pub fn new(
        config: Config,
        sdk: &aws_config::SdkConfig,
        dynamo: aws_sdk_dynamodb::Client,
        providers: &wecare_messaging::ProviderEndpoints,
    ) -> Self {
        Deps {
            jobs: BulkRepo::new(
                dynamo.clone(),
                &config.bulk_jobs_table,
                &config.messaging.bulk_recipients_table,
            ),
            messaging: Messaging::new(config.messaging, sdk, dynamo, providers),
            sqs: aws_sdk_sqs::Client::new(sdk),
            queues: config.queues,
            environment: config.environment,
        }
    }

    /// The same dependencies with another SQS client (the local stack's, with an operation log).
    pub fn with_sqs(mut self, sqs: aws_sdk_sqs::Client) -> Self {
        self.sqs = sqs;
        self
    }
}

fn limit(req: &Request) -> Result<i32, ApiError> {
    wecare_http::page_limit(req, 50)
}

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span = tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "messages-read");
    async {
        let m = &deps.messaging;
        let result = match route_key(&req) {
            "GET /api/conversations" => conversations(m, &req, now).await,
            "POST /api/conversations/{contactId}/read" => mark_read(m, &req, now).await,
            "GET /api/senders" => senders(m, &req, now).await,
            "GET /api/overview" => overview::overview(deps, &req, now).await,
            "GET /api/settings" => settings::read(deps, &req, now).await,
            "PUT /api/settings" => settings::save(deps, &req, now).await,
            "GET /api/settings/time-zones" => settings::time_zones(deps, &req, now).await,
            _ => timeline(m, &req, now).await,
        };
        match result {
            Ok(v) => json_response(200, &v),
            Err(e) => error_response(&e),
        }
    }
    .instrument(span)
    .await
}

/// The caller, allowed to read messages, and the contact the path names (404 if it is no id).
async fn reader_of_contact(
    deps: &Messaging,
    req: &Request,
    action: &str,
    now: DateTime<Utc>,
) -> Result<(AuditContext, ContactId), ApiError> {
    let attempt = Attempt {
        permission: Permission::ReadMessages,
        action,
        resource_type: "contact",
        resource_id: "*",
    };
    let ctx = authorize(deps.contacts.client(), deps.contacts.audit_table(), req, attempt, now).await?;
    let id = path_param(req, "contactId")
        .and_then(ContactId::parse)
        .ok_or_else(|| ApiError::not_found("contact"))?;
    Ok((ctx, id))
}

async fn timeline(deps: &Messaging, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let (ctx, id) = reader_of_contact(deps, req, "message.list", now).await?;
    let tenant = &ctx.principal.tenant_id;
    let contact = deps
        .contacts
        .get(tenant, &id)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(|| ApiError::not_found("contact"))?;
    let page = deps
        .messages
        .list_for_contact(tenant, &id, limit(req)?, query_param(req, "cursor"), now)
        .await
        .map_err(ApiError::from)?;
    let mut items = Vec::with_capacity(page.items.len());
    for mut m in page.items {
        // A claim its request never settled (it died between claim and settle) is, for anyone
        // reading, of unknown fate; a repeat of its key records that.
        if m.status == MessageStatus::Sending && now - m.created_at > deps.config.stale_claim {
            m.status = MessageStatus::Unknown;
        }
        let mut v = serde_json::to_value(&m).map_err(|e| ApiError::internal(&e))?;
        attach_download_url(deps, tenant, &mut v, now).await?;
        items.push(v);
    }
    let window = Window::at(contact.last_inbound_message_at, now);
    Ok(json!({ "items": items, "nextCursor": page.next_cursor, "window": window }))
}

/// `POST /api/conversations/{contactId}/read`: the operator has seen the conversation, so its
/// unread count goes back to 0. Anyone who may read messages may mark them read.
async fn mark_read(deps: &Messaging, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let (ctx, id) = reader_of_contact(deps, req, "conversation.read", now).await?;
    let audit = AuditEntry::new(
        &ctx,
        "conversation.read",
        "contact",
        &id.to_string(),
        "success",
        None,
        None,
        now,
    );
    let changed = deps
        .messages
        .mark_read(&ctx.principal.tenant_id, &id, &audit, now)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    Ok(json!({ "contactId": id, "unreadCount": 0, "changed": changed }))
}

/// Gives a message's file a short-lived download URL (`details.media.url`), presigned here
/// without a request, so the console can show images inline and offer other files.
async fn attach_download_url(
    deps: &Messaging,
    tenant: &wecare_core::TenantId,
    message: &mut Value,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(media) = message.pointer_mut("/details/media").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    let Some(key) = media.get("s3Key").and_then(Value::as_str).map(str::to_string) else {
        return Ok(());
    };
    if !wecare_messaging::media::belongs_to(&key, tenant) {
        return Ok(());
    }
    let url = deps
        .media
        .download_url(&key, now)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    media.insert("url".into(), Value::String(url));
    media.insert(
        "urlExpiresAt".into(),
        json!(wecare_core::time::iso(
            now + chrono::Duration::from_std(wecare_messaging::media::URL_TTL).unwrap_or_default()
        )),
    );
    Ok(())
}

async fn senders(deps: &Messaging, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let attempt = Attempt {
        permission: Permission::ReadMessages,
        action: "sender.list",
        resource_type: "sender",
        resource_id: "*",
    };
    let ctx = authorize(deps.contacts.client(), deps.contacts.audit_table(), req, attempt, now).await?;
    let channel = match query_param(req, "channel") {
        None => None,
        Some(raw) => Some(
            Channel::ALL
                .into_iter()
                .find(|c| c.as_str() == raw)
                .ok_or_else(|| ApiError::validation("channel", "must be whatsapp, sms or email"))?,
        ),
    };
    let items: Vec<Value> = deps
        .config
        .senders
        .of_tenant(&ctx.principal.tenant_id, channel)
        .into_iter()
        .map(|s| {
            json!({
                "senderId": s.id, "channel": s.channel, "label": s.label, "default": s.is_default,
                "ratePerSecond": s.rate.per_second,
            })
        })
        .collect();
    Ok(json!({ "items": items }))
}

async fn conversations(deps: &Messaging, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let attempt = Attempt {
        permission: Permission::ReadMessages,
        action: "conversation.list",
        resource_type: "conversation",
        resource_id: "*",
    };
    let ctx = authorize(deps.contacts.client(), deps.contacts.audit_table(), req, attempt, now).await?;
    let page = deps
        .messages
        .conversations(&ctx.principal.tenant_id, limit(req)?, query_param(req, "cursor"))
        .await
        .map_err(ApiError::from)?;
    let items: Vec<Value> = page
        .items
        .into_iter()
        .map(|c| {
            let window = Window::at(c.last_inbound_at, now);
            json!({
                "contactId": c.contact_id,
                "lastMessage": c.last_message,
                "unreadCount": c.unread_count,
                "lastInboundAt": c.last_inbound_at,
                "windowExpiresAt": window.expires_at(),
                "updatedAt": c.updated_at,
            })
        })
        .collect();
    Ok(json!({ "items": items, "nextCursor": page.next_cursor }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_variable_of_either_config_is_named() {
        let err = Config::from(BTreeMap::new()).unwrap_err().to_string();
        for var in [
            "BULK_JOBS_TABLE",
            "INBOUND_DLQ_URL",
            "BULK_DLQ_URL",
            "OUTBOUND_DLQ_URL",
            "SENDERS",
            "MESSAGES_TABLE",
        ] {
            assert!(err.contains(&format!("{var} is not set")), "{var}: {err}");
        }
    }
}
