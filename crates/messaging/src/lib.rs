//! The one send path of the platform, used by the three outbound functions and (later) bulk.
//!
//! In order, each step failing closed with its own error code and a log line carrying the
//! contact, channel and reason: validate the content; the contact exists and is live; it opted in
//! on this channel; a WhatsApp sender is in the allowlist; free-form WhatsApp is inside the 24 h
//! window (else `TEMPLATE_REQUIRED`); a business-initiated conversation (a template outside the
//! window) fits the tenant's messaging tier (else `TIER_LIMIT_EXCEEDED`, with one alert at 80 %);
//! the sender's rate limit has tokens (an SMS costs one per segment). Then `DRY_RUN` records the message without calling a provider, and `LIVE` calls it
//! (the SDK retries throttling and 5xx with exponential backoff, at most 3 attempts). The message,
//! its conversation row and its audit entry are written in one transaction.

pub mod config;
pub mod media;
pub mod providers;

use aws_config::SdkConfig;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use wecare_core::message::{Direction, MessageStatus};
use wecare_core::rate::Rate;
use wecare_core::sms::SmsSegments;
use wecare_core::whatsapp::{check_media, check_text, MediaKind};
use wecare_core::window::Window;
use wecare_core::{Channel, ContactId, Email, ErrorCode};
use wecare_http::ApiError;
use wecare_store::audit::{AuditContext, AuditEntry};
use wecare_store::messages::{Message, ProviderError, Template};
use wecare_store::ratelimit::Limited;
use wecare_store::{ContactsRepo, MessagesRepo, RateLimiter, StoreError, TierOutcome, TierTracker};

use crate::media::MediaBucket;
use crate::providers::{Content, WhatsAppRecipient};

pub use config::{Config, SendMode};

/// What a WhatsApp send needs of the contact: a number, or the business-scoped user id of a user
/// who writes without showing one.
const WHATSAPP_ADDRESS: &str = "phone or WhatsApp user id";

/// The longest a send waits for its rate-limit slot before the API answers 429.
pub const MAX_RATE_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// What to send; the channel follows from the variant.
#[derive(Debug, Clone)]
pub enum Outbound {
    WhatsApp {
        text: Option<String>,
        template: Option<Template>,
        media: Option<MediaRequest>,
        from: Option<String>,
    },
    Sms {
        text: String,
    },
    Email {
        subject: String,
        text: Option<String>,
        html: Option<String>,
    },
}

impl Outbound {
    pub fn channel(&self) -> Channel {
        match self {
            Outbound::WhatsApp { .. } => Channel::WhatsApp,
            Outbound::Sms { .. } => Channel::Sms,
            Outbound::Email { .. } => Channel::Email,
        }
    }
}

/// A template request as the API takes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TemplateRequest {
    pub name: String,
    pub language: String,
    #[serde(default)]
    pub parameters: Vec<String>,
}

/// A file to send on WhatsApp: uploaded first through `POST /api/media/uploads`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MediaRequest {
    pub s3_key: String,
    pub caption: Option<String>,
    pub filename: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("{field}: {why}")]
    Invalid { field: &'static str, why: String },
    #[error("contact not found")]
    ContactNotFound,
    #[error("the contact has no {0}")]
    NoAddress(&'static str),
    #[error("the contact has not opted in to {0:?}")]
    NotOptedIn(Channel),
    #[error("sender {0} is not an allowed WhatsApp number")]
    NotAllowlisted(String),
    #[error("outside the 24-hour window only a template may be sent")]
    TemplateRequired,
    #[error("the messaging tier of {0} business-initiated conversations per 24 h is used up")]
    TierLimitExceeded(u64),
    #[error("rate limited")]
    RateLimited(Limited),
    #[error("the provider refused the message: {0:?}")]
    ProviderRejected(ProviderError),
    #[error("the provider failed: {0:?}")]
    ProviderFailed(ProviderError, Box<Message>),
    #[error("the media bucket could not be read")]
    Media(#[source] Box<media::MediaError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The one mapping of send failures to API errors.
impl From<SendError> for ApiError {
    fn from(e: SendError) -> ApiError {
        match e {
            SendError::Invalid { field, why } => ApiError::validation(field, why),
            SendError::ContactNotFound => ApiError::not_found("contact"),
            SendError::NoAddress(what) => ApiError::validation("contactId", format!("the contact has no {what}")),
            SendError::NotOptedIn(c) => ApiError::new(
                ErrorCode::NotOptedIn,
                format!("the contact has not opted in to {}", c.as_str()),
            ),
            SendError::NotAllowlisted(from) => ApiError::new(
                ErrorCode::NotAllowlisted,
                format!("{from} is not an allowed WhatsApp sender"),
            ),
            SendError::TemplateRequired => ApiError::new(
                ErrorCode::TemplateRequired,
                "the 24-hour window is closed: send an approved template instead of free-form text",
            ),
            SendError::TierLimitExceeded(limit) => ApiError::new(
                ErrorCode::TierLimitExceeded,
                format!(
                    "the WhatsApp messaging tier allows {limit} business-initiated conversations in 24 hours and \
                     they are used up; send inside a customer's 24-hour window or wait"
                ),
            ),
            SendError::RateLimited(l) => {
                let mut e = ApiError::new(
                    ErrorCode::RateLimited,
                    "sending too fast on this channel; retry shortly",
                );
                e.retry_after = Some(l.retry_after_ms.div_ceil(1000).max(1));
                e
            }
            SendError::ProviderRejected(p) => ApiError::validation(
                "message",
                format!("the provider refused it: {} ({})", p.message, p.code),
            ),
            SendError::ProviderFailed(p, _) => ApiError::new(
                ErrorCode::ProviderError,
                format!(
                    "the provider failed to send it after retries: {} ({})",
                    p.message, p.code
                ),
            ),
            SendError::Media(e) => ApiError::internal(&*e),
            SendError::Store(e) => ApiError::internal(&e),
        }
    }
}

/// Built once per cold start.
#[derive(Clone)]
pub struct Deps {
    pub config: Config,
    pub contacts: ContactsRepo,
    pub messages: MessagesRepo,
    pub limiter: RateLimiter,
    pub tier: TierTracker,
    pub media: MediaBucket,
    pub alerts: aws_sdk_sns::Client,
    pub providers: providers::Providers,
}

impl Deps {
    /// `dynamo` is passed in so callers can attach interceptors; providers use `sdk`, where the
    /// sandbox endpoints are configured locally.
    pub fn new(
        config: Config,
        sdk: &SdkConfig,
        dynamo: aws_sdk_dynamodb::Client,
        provider_sdk: &ProviderEndpoints,
    ) -> Self {
        Deps {
            contacts: ContactsRepo::new(dynamo.clone(), &config.contacts_table, &config.audit_logs_table),
            messages: MessagesRepo::new(dynamo.clone(), &config.messages_table, &config.audit_logs_table),
            limiter: RateLimiter::new(dynamo.clone(), &config.rate_limit_table),
            tier: TierTracker::new(dynamo, &config.rate_limit_table),
            media: MediaBucket::new(sdk, &config.media_bucket),
            alerts: aws_sdk_sns::Client::new(sdk),
            providers: providers::Providers::new(sdk, provider_sdk),
            config,
        }
    }
}

/// Where the providers are reached: the real endpoints in AWS, the sandbox locally.
#[derive(Debug, Clone, Default)]
pub struct ProviderEndpoints {
    pub social_messaging: Option<String>,
    pub sms_voice: Option<String>,
}

fn invalid(field: &'static str, why: impl ToString) -> SendError {
    SendError::Invalid {
        field,
        why: why.to_string(),
    }
}

fn refuse(contact: &ContactId, channel: Channel, err: SendError) -> SendError {
    tracing::info!(contact_id = %contact, channel = channel.as_str(), reason = %err, "send refused");
    err
}

/// Validates, checks, rate-limits, sends (or dry-runs) and records one message.
pub async fn send(
    deps: &Deps,
    ctx: &AuditContext,
    contact_id: &ContactId,
    outbound: Outbound,
    now: DateTime<Utc>,
) -> Result<Message, SendError> {
    let channel = outbound.channel();
    // 1. Content.
    let (segments, is_template) = match &outbound {
        Outbound::WhatsApp {
            text, template, media, ..
        } => match (text, template, media) {
            (None, None, None) => return Err(invalid("text", "is required (or a template, or media)")),
            (Some(_), None, None) => {
                check_text(text.as_deref().unwrap_or_default()).map_err(|e| invalid("text", e))?;
                (None, false)
            }
            (None, None, Some(m)) => {
                if let Some(c) = &m.caption {
                    check_text(c).map_err(|e| invalid("media.caption", e))?;
                }
                if m.filename
                    .as_deref()
                    .is_some_and(|f| f.trim().is_empty() || f.chars().count() > 240)
                {
                    return Err(invalid("media.filename", "must be 1-240 characters"));
                }
                (None, false)
            }
            (None, Some(tpl), None) => {
                if tpl.name.trim().is_empty() || tpl.name.len() > 512 {
                    return Err(invalid("template.name", "must be 1-512 characters"));
                }
                if tpl.language.trim().is_empty() {
                    return Err(invalid("template.language", "is required (e.g. en_US)"));
                }
                (None, true)
            }
            _ => return Err(invalid("text", "send one of text, a template or media, not several")),
        },
        Outbound::Sms { text } => {
            let n = text.chars().count();
            if !(1..=1600).contains(&n) || text.trim().is_empty() {
                return Err(invalid("text", format!("must be 1-1600 characters, got {n}")));
            }
            (Some(SmsSegments::of(text)), false)
        }
        Outbound::Email { subject, text, html } => {
            if subject.trim().is_empty() || subject.chars().count() > 998 {
                return Err(invalid("subject", "must be 1-998 characters"));
            }
            if text.as_deref().is_none_or(|t| t.trim().is_empty())
                && html.as_deref().is_none_or(|h| h.trim().is_empty())
            {
                return Err(invalid("text", "text or html is required"));
            }
            (None, false)
        }
    };

    // 2. The contact, its consent and its address.
    let tenant = &ctx.principal.tenant_id;
    let contact = deps
        .contacts
        .get(tenant, contact_id)
        .await?
        .ok_or(SendError::ContactNotFound)?;
    if !contact.opt_ins.get(channel) {
        return Err(refuse(contact_id, channel, SendError::NotOptedIn(channel)));
    }
    let whatsapp_to = WhatsAppRecipient::of(&contact);
    let to = match channel {
        Channel::WhatsApp => whatsapp_to
            .as_ref()
            .map(|r| r.as_str().to_string())
            .ok_or(SendError::NoAddress(WHATSAPP_ADDRESS))?,
        Channel::Sms => contact
            .phone
            .as_ref()
            .map(|p| p.to_string())
            .ok_or(SendError::NoAddress("phone"))?,
        Channel::Email => contact
            .email
            .as_ref()
            .map(Email::to_string)
            .ok_or(SendError::NoAddress("email"))?,
    };

    // 3. Sender and WhatsApp rules.
    let from = match &outbound {
        Outbound::WhatsApp { from, .. } => {
            let from = from
                .clone()
                .or_else(|| deps.config.whatsapp_senders.first().cloned())
                .unwrap_or_default();
            if !deps.config.whatsapp_senders.contains(&from) {
                return Err(refuse(contact_id, channel, SendError::NotAllowlisted(from)));
            }
            let window_open = Window::at(contact.last_inbound_message_at, now).is_open();
            if !is_template && !window_open {
                return Err(refuse(contact_id, channel, SendError::TemplateRequired));
            }
            if is_template && !window_open {
                open_tier_conversation(deps, tenant, contact_id, now).await?;
            }
            from
        }
        Outbound::Sms { .. } => deps.config.sms_origination.clone(),
        Outbound::Email { .. } => deps.config.email_sender.clone(),
    };

    // The file must be the tenant's, exist, and be a type and size WhatsApp takes.
    let media = match &outbound {
        Outbound::WhatsApp { media: Some(m), .. } => Some(resolve_media(deps, tenant, m).await?),
        _ => None,
    };

    // 4. Rate limit: one token per message, one per SMS segment.
    let (rate, cost): (Rate, f64) = match channel {
        Channel::WhatsApp => (deps.config.rates.whatsapp, 1.0),
        Channel::Sms => (
            deps.config.rates.sms,
            segments.map(|s| s.segments.max(1)).unwrap_or(1) as f64,
        ),
        Channel::Email => (deps.config.rates.email, 1.0),
    };
    match deps
        .limiter
        .reserve(tenant, channel, &from, rate, cost, MAX_RATE_WAIT, now)
        .await?
    {
        Err(limited) => return Err(refuse(contact_id, channel, SendError::RateLimited(limited))),
        // A slot shortly ahead is waited for here rather than refused: the limit stays exact
        // and a burst of sends is smoothed instead of bounced back to the caller.
        Ok(slot) => {
            if let Ok(wait) = (slot - now).to_std() {
                tokio::time::sleep(wait).await;
            }
        }
    }

    // 5. Send, or record what would have been sent.
    let message_id = uuid::Uuid::now_v7().to_string();
    let mut message = Message {
        message_id: message_id.clone(),
        tenant_id: tenant.clone(),
        contact_id: *contact_id,
        channel,
        direction: Direction::Outbound,
        status: MessageStatus::DryRun,
        to: to.clone(),
        from: from.clone(),
        text: None,
        subject: None,
        html: None,
        template: None,
        is_template,
        segments: segments.map(|s| s.segments),
        encoding: segments.map(|s| s.encoding.as_str().to_string()),
        provider_message_id: None,
        error: None,
        details: None,
        created_by: ctx.principal.user_id.to_string(),
        created_at: now,
        updated_at: now,
        expires_at: Message::expiry(now),
    };
    match &outbound {
        Outbound::WhatsApp {
            text,
            template,
            media: requested,
            ..
        } => {
            message.text = text
                .clone()
                .or_else(|| requested.as_ref().and_then(|m| m.caption.clone()));
            message.template = template.clone();
            if let (Some(m), Some((kind, info))) = (requested, &media) {
                let mut file =
                    serde_json::json!({ "s3Key": m.s3_key, "mimeType": info.content_type, "size": info.size });
                if let Some(name) = &m.filename {
                    file["filename"] = serde_json::json!(name);
                }
                message.details = Some(serde_json::json!({ "type": kind.as_str(), "media": file }));
            }
        }
        Outbound::Sms { text } => message.text = Some(text.clone()),
        Outbound::Email { subject, text, html } => {
            message.subject = Some(subject.clone());
            message.text = text.clone();
            message.html = html.clone();
        }
    }

    let mut failure = None;
    if deps.config.send_mode == SendMode::Live {
        let callback = format!("{tenant}:{message_id}");
        let result = match &outbound {
            Outbound::WhatsApp {
                text,
                template,
                media: requested,
                ..
            } => {
                let Some(recipient) = &whatsapp_to else {
                    unreachable!("step 2 refused a WhatsApp send to a contact without a WhatsApp address")
                };
                send_whatsapp(
                    deps,
                    &from,
                    recipient,
                    text.as_deref(),
                    template.as_ref(),
                    requested.as_ref(),
                    media,
                    &callback,
                )
                .await
            }
            Outbound::Sms { text } => deps.providers.sms(&from, &to, text, &message_id).await,
            Outbound::Email { subject, text, html } => {
                deps.providers
                    .email(&from, &to, subject, text.as_deref(), html.as_deref())
                    .await
            }
        };
        match result {
            Ok(provider_id) => {
                message.status = if channel == Channel::Email {
                    MessageStatus::Sent
                } else {
                    MessageStatus::Queued
                };
                message.provider_message_id = Some(provider_id);
            }
            Err(providers::Failure::Rejected(p)) => {
                tracing::warn!(contact_id = %contact_id, channel = channel.as_str(), code = %p.code, "provider refused the message");
                return Err(SendError::ProviderRejected(p));
            }
            Err(providers::Failure::Failed(p)) => {
                tracing::error!(contact_id = %contact_id, channel = channel.as_str(), code = %p.code, "provider failed after retries");
                message.status = MessageStatus::Failed;
                message.error = Some(p.clone());
                failure = Some(p);
            }
        }
    }

    // 6. Record message, conversation and audit entry together.
    let outcome = if failure.is_some() { "failed" } else { "success" };
    let summary = serde_json::json!({
        "channel": channel.as_str(), "status": message.status, "isTemplate": is_template, "segments": message.segments,
    });
    let audit = AuditEntry::new(
        ctx,
        "message.send",
        "contact",
        &contact_id.to_string(),
        outcome,
        None,
        Some(summary),
        now,
    );
    deps.messages.record_outbound(&message, &audit, now).await?;
    tracing::info!(contact_id = %contact_id, channel = channel.as_str(), message_id = %message_id, status = message.status.as_str(), "message recorded");
    let metric = if failure.is_some() {
        "DeliveryFailed"
    } else {
        "DeliverySucceeded"
    };
    wecare_http::metrics::count(metric, &[("Channel", channel.as_str())]);
    match failure {
        Some(p) => Err(SendError::ProviderFailed(p, Box::new(message))),
        None => Ok(message),
    }
}

/// What every outbound function does around `send`: check the permission (denials audited),
/// parse the body, send, answer 202 with the message.
pub async fn handle_send(
    deps: &Deps,
    req: &wecare_http::Request,
    now: DateTime<Utc>,
    action: &'static str,
    parse: impl FnOnce(&wecare_http::Request) -> Result<(ContactId, Outbound), ApiError>,
) -> wecare_http::Response {
    let attempt = wecare_http::guard::Attempt {
        permission: wecare_core::Permission::SendMessages,
        action,
        resource_type: "contact",
        resource_id: "*",
    };
    let result = async {
        let ctx = wecare_http::guard::authorize(deps.contacts.client(), deps.contacts.audit_table(), req, attempt, now)
            .await?;
        let (contact_id, outbound) = parse(req)?;
        send(deps, &ctx, &contact_id, outbound, now)
            .await
            .map_err(ApiError::from)
    }
    .await;
    wecare_http::respond(202, result)
}

/// `contactId` of a send request.
pub fn contact_id(raw: &str) -> Result<ContactId, ApiError> {
    ContactId::parse(raw).ok_or_else(|| ApiError::validation("contactId", "is not a contact id"))
}

/// Sends the opt-out confirmation: the only message that may go to a contact without consent,
/// sent once per opt-out (the caller claims it), inside the window the STOP itself opened, and
/// recorded as such.
pub async fn send_opt_out_confirmation(
    deps: &Deps,
    ctx: &AuditContext,
    contact: &wecare_store::Contact,
    from: &str,
    now: DateTime<Utc>,
) -> Result<Message, SendError> {
    const TEXT: &str = "You will no longer receive WhatsApp messages from us. Reply START to subscribe again.";
    let recipient = WhatsAppRecipient::of(contact).ok_or(SendError::NoAddress(WHATSAPP_ADDRESS))?;
    let to = recipient.as_str().to_string();
    let message_id = uuid::Uuid::now_v7().to_string();
    let mut message = Message {
        message_id: message_id.clone(),
        tenant_id: contact.tenant_id.clone(),
        contact_id: contact.contact_id,
        channel: Channel::WhatsApp,
        direction: Direction::Outbound,
        status: MessageStatus::DryRun,
        to: to.clone(),
        from: from.to_string(),
        text: Some(TEXT.to_string()),
        subject: None,
        html: None,
        template: None,
        is_template: false,
        segments: None,
        encoding: None,
        provider_message_id: None,
        error: None,
        details: Some(serde_json::json!({ "kind": "opt_out_confirmation" })),
        created_by: ctx.principal.user_id.to_string(),
        created_at: now,
        updated_at: now,
        expires_at: Message::expiry(now),
    };
    if deps.config.send_mode == SendMode::Live {
        let callback = format!("{}:{message_id}", contact.tenant_id);
        match deps
            .providers
            .whatsapp(
                from,
                &deps.config.meta_api_version,
                &recipient,
                Content::Text(TEXT),
                &callback,
            )
            .await
        {
            Ok(id) => {
                message.status = MessageStatus::Queued;
                message.provider_message_id = Some(id);
            }
            Err(providers::Failure::Rejected(p)) | Err(providers::Failure::Failed(p)) => {
                message.status = MessageStatus::Failed;
                message.error = Some(p);
            }
        }
    }
    let summary =
        serde_json::json!({ "channel": "whatsapp", "status": message.status, "kind": "opt_out_confirmation" });
    let audit = AuditEntry::new(
        ctx,
        "message.send.opt_out_confirmation",
        "contact",
        &contact.contact_id.to_string(),
        "success",
        None,
        Some(summary),
        now,
    );
    deps.messages.record_outbound(&message, &audit, now).await?;
    Ok(message)
}

/// Counts a business-initiated conversation against the tenant's tier; warns once per 24 h at 80 %.
async fn open_tier_conversation(
    deps: &Deps,
    tenant: &wecare_core::TenantId,
    contact_id: &ContactId,
    now: DateTime<Utc>,
) -> Result<(), SendError> {
    let limit = deps.config.whatsapp_tier_limit;
    let count = match deps.tier.open(tenant, contact_id, limit, now).await? {
        TierOutcome::AlreadyOpen => return Ok(()),
        TierOutcome::Exceeded { .. } => {
            return Err(refuse(
                contact_id,
                Channel::WhatsApp,
                SendError::TierLimitExceeded(limit),
            ))
        }
        TierOutcome::Opened { count } => count,
    };
    if count * 5 >= limit * 4 && deps.tier.claim_warning(tenant, now).await? {
        let alert = serde_json::json!({
            "alert": "WHATSAPP_TIER_80_PERCENT",
            "tenantId": tenant,
            "openConversations": count,
            "tierLimit": limit,
            "at": wecare_core::time::iso(now),
        });
        let published = deps
            .alerts
            .publish()
            .topic_arn(&deps.config.alerts_topic_arn)
            .subject("WhatsApp messaging tier at 80 %")
            .message(alert.to_string())
            .send()
            .await;
        match published {
            Ok(_) => tracing::warn!(tenant_id = %tenant, count, limit, "messaging tier at 80 %: alert published"),
            // The send itself is fine; an alert that could not go out is logged for the alarm.
            Err(e) => tracing::error!(
                tenant_id = %tenant,
                error = %aws_sdk_sns::error::DisplayErrorContext(&e),
                "tier alert not published"
            ),
        }
    }
    Ok(())
}

/// The uploaded object a WhatsApp media send refers to: the tenant's, present, and acceptable.
async fn resolve_media(
    deps: &Deps,
    tenant: &wecare_core::TenantId,
    m: &MediaRequest,
) -> Result<(MediaKind, media::ObjectInfo), SendError> {
    if !media::is_upload_of(&m.s3_key, tenant) {
        return Err(invalid(
            "media.s3Key",
            "is not an upload of this tenant (POST /api/media/uploads first)",
        ));
    }
    let info = deps
        .media
        .head(&m.s3_key)
        .await
        .map_err(|e| SendError::Media(Box::new(e)))?
        .ok_or_else(|| invalid("media.s3Key", "nothing has been uploaded there"))?;
    let kind = check_media(&info.content_type, info.size).map_err(|e| invalid("media", e))?;
    // WhatsApp shows a caption on images, videos and documents only, and a file name on documents:
    // anything else would be stored as said but never seen by the customer.
    if m.caption.is_some() && !matches!(kind, MediaKind::Image | MediaKind::Video | MediaKind::Document) {
        return Err(invalid(
            "media.caption",
            format!("a {} carries no caption", kind.as_str()),
        ));
    }
    if m.filename.is_some() && kind != MediaKind::Document {
        return Err(invalid("media.filename", "only documents carry a file name"));
    }
    Ok((kind, info))
}

/// LIVE WhatsApp: a file is handed to WhatsApp first, then sent by its media id.
#[allow(clippy::too_many_arguments)]
async fn send_whatsapp(
    deps: &Deps,
    from: &str,
    to: &WhatsAppRecipient,
    text: Option<&str>,
    template: Option<&Template>,
    requested: Option<&MediaRequest>,
    media: Option<(MediaKind, media::ObjectInfo)>,
    callback: &str,
) -> Result<String, providers::Failure> {
    let api = &deps.config.meta_api_version;
    match (text, template, requested.zip(media)) {
        (_, Some(tpl), _) => {
            deps.providers
                .whatsapp(from, api, to, Content::Template(tpl), callback)
                .await
        }
        (_, None, Some((m, (kind, _)))) => {
            let media_id = deps
                .providers
                .upload_media(from, deps.media.bucket(), &m.s3_key)
                .await?;
            let content = Content::Media {
                kind,
                media_id: &media_id,
                caption: m.caption.as_deref(),
                filename: m.filename.as_deref(),
            };
            deps.providers.whatsapp(from, api, to, content, callback).await
        }
        (t, None, None) => {
            deps.providers
                .whatsapp(from, api, to, Content::Text(t.unwrap_or_default()), callback)
                .await
        }
    }
}
