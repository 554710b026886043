//! Inbound WhatsApp: EUM Social events from SNS.
//!
//! Each message is stored exactly once (a guard on the WhatsApp message id is claimed in the same
//! transaction), however often SNS redelivers it. Its contact is found by phone (or by the
//! business-scoped user id when the sender shows no number) or created opted out of everything;
//! its time opens the 24 h window, never moving it backwards. Media is copied to the media bucket
//! first, so a failed copy retries the whole message. STOP-like keywords turn WhatsApp consent off
//! (provenance `inbound_keyword`) and send one confirmation; START-like ones turn it back on.
//! Statuses move outbound messages forward only, correlated through the callback data the send
//! path attaches. Every step is idempotent, so a record that fails part-way is simply retried;
//! a record that cannot be processed fails the invocation (and lands in `inbound-dlq`), the
//! others are processed regardless.

mod event;

use std::collections::BTreeMap;

use aws_lambda_events::event::sns::SnsEvent;
use chrono::{DateTime, Utc};
use tracing::Instrument;
use wecare_core::consent::ConsentSource;
use wecare_core::message::{Direction, MessageStatus};
use wecare_core::whatsapp::{keyword, Keyword};
use wecare_core::{Channel, ContactId, ContactName, PhoneNumber, Principal, Region, Role, TenantId, UserId};
use wecare_http::config::{ConfigError, Env};
use wecare_store::audit::AuditContext;
use wecare_store::contacts::WriteError;
use wecare_store::keys;
use wecare_store::messages::{Message, ProviderError, StatusOutcome};
use wecare_store::{Contact, MediaFile, MediaRepo, StoreError};

pub use event::parse;

#[derive(Debug, Clone)]
pub struct Config {
    pub messaging: wecare_messaging::Config,
    pub default_tenant: TenantId,
    /// Which tenant each WhatsApp number belongs to (`WHATSAPP_NUMBER_TENANTS`,
    /// `phone-number-id-…=tenant,…`); numbers not listed belong to the default tenant.
    pub number_tenants: BTreeMap<String, TenantId>,
    pub media_bucket: String,
    pub media_files_table: String,
    pub default_region: Region,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from(std::env::vars().collect())
    }

    pub fn from(vars: BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let messaging = wecare_messaging::Config::from(Env::from_map(vars.clone()))?;
        let mut env = Env::from_map(vars);
        let default_tenant = env.parsed("DEFAULT_TENANT_ID", TenantId::parse);
        let number_tenants = parse_number_tenants(&env.list("WHATSAPP_NUMBER_TENANTS"));
        let number_tenants = match number_tenants {
            Ok(m) => Some(m),
            Err(e) => {
                env.problem(format!("WHATSAPP_NUMBER_TENANTS is invalid: {e}"));
                None
            }
        };
        let media_bucket = env.required("MEDIA_BUCKET");
        let media_files_table = env.required("MEDIA_FILES_TABLE");
        let region = env.parsed("DEFAULT_PHONE_REGION", Region::parse);
        env.finish(|| {
            Some(Config {
                messaging,
                default_tenant: default_tenant?,
                number_tenants: number_tenants?,
                media_bucket,
                media_files_table,
                default_region: region?,
            })
        })
    }
}

/// The pairs of `phone-number-id-a=wecare,phone-number-id-b=globex`.
pub fn parse_number_tenants(pairs: &[String]) -> Result<BTreeMap<String, TenantId>, String> {
    pairs
        .iter()
        .map(|pair| {
            let (number, tenant) = pair
                .split_once('=')
                .ok_or_else(|| format!("{pair:?} is not number=tenant"))?;
            let tenant = TenantId::parse(tenant.trim()).map_err(|e| format!("{tenant:?}: {e}"))?;
            Ok((number.trim().to_string(), tenant))
        })
        .collect()
}

pub struct Deps {
    /// The send path, for the opt-out confirmation; its repositories serve the handler too.
    pub send: wecare_messaging::Deps,
    pub media: MediaRepo,
    pub default_tenant: TenantId,
    pub number_tenants: BTreeMap<String, TenantId>,
    pub media_bucket: String,
    pub default_region: Region,
}

impl Deps {
    /// `dynamo` is passed in so callers can attach interceptors; providers use `sdk`.
    pub fn new(
        config: Config,
        sdk: &aws_config::SdkConfig,
        dynamo: aws_sdk_dynamodb::Client,
        providers: &wecare_messaging::ProviderEndpoints,
    ) -> Self {
        Deps {
            media: MediaRepo::new(dynamo.clone(), &config.media_files_table),
            send: wecare_messaging::Deps::new(config.messaging, sdk, dynamo, providers),
            default_tenant: config.default_tenant,
            number_tenants: config.number_tenants,
            media_bucket: config.media_bucket,
            default_region: config.default_region,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InboundError {
    #[error("the event is not an EUM Social envelope")]
    Malformed(#[source] serde_json::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("media {0} could not be copied: {1:?}")]
    Media(String, ProviderError),
    #[error("contact could not be recorded: {0}")]
    Contact(String),
    /// The first failure's cause chain rides along, so the invocation's error says what broke.
    #[error("{failed} of {total} records failed; the first: {first}")]
    Records { failed: usize, total: usize, first: String },
}

/// The actor of changes the platform makes on its own (contacts created from inbound messages,
/// keyword consent): audited as the system, never as a person.
fn system(tenant: &TenantId) -> AuditContext {
    AuditContext {
        principal: Principal {
            user_id: UserId::parse("system-inbound-whatsapp").expect("a literal, valid user id"),
            email: None,
            role: Role::Admin,
            tenant_id: tenant.clone(),
        },
        request_id: String::new(),
        source_ip: None,
        user_agent: None,
    }
}

/// Handles an SNS event; fails (for a retry) if any record failed after trying them all.
pub async fn handle(deps: &Deps, event: SnsEvent, now: DateTime<Utc>) -> Result<(), InboundError> {
    let total = event.records.len();
    let (mut failed, mut first) = (0, None);
    for record in event.records {
        let span = tracing::info_span!("record", sns_message_id = %record.sns.message_id, function = "inbound-whatsapp-handler");
        if let Err(e) = Box::pin(process(deps, &record.sns.message, now))
            .instrument(span.clone())
            .await
        {
            let chain = cause_chain(&e);
            span.in_scope(|| tracing::error!(error = %chain, "record failed; it will be retried"));
            failed += 1;
            first.get_or_insert(chain);
        }
    }
    match first {
        Some(first) => Err(InboundError::Records { failed, total, first }),
        None => Ok(()),
    }
}

/// `error: cause: cause …`, the whole chain on one line.
fn cause_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

async fn process(deps: &Deps, sns_message: &str, now: DateTime<Utc>) -> Result<(), InboundError> {
    let (envelope, entry) = parse(sns_message).map_err(InboundError::Malformed)?;
    let number = envelope.context.meta_phone_number_ids.first();
    let phone_number_id = number.and_then(|n| n.phone_number_id()).unwrap_or_default();
    let tenant = deps
        .number_tenants
        .get(&phone_number_id)
        .cloned()
        .unwrap_or_else(|| deps.default_tenant.clone());
    for change in entry.changes.into_iter().filter(|c| c.field == "messages") {
        for m in &change.value.messages {
            let profile =
                change.value.contacts.iter().find(|c| {
                    c.wa_id.as_deref() == m.from.as_deref() || c.user_id.as_deref() == m.from_user_id.as_deref()
                });
            let name = profile.and_then(|p| p.profile.as_ref()).and_then(|p| p.name.as_deref());
            inbound_message(deps, &tenant, &phone_number_id, m, name, now).await?;
        }
        for s in &change.value.statuses {
            status(deps, &tenant, s, now).await?;
        }
    }
    Ok(())
}

async fn find_or_create_contact(
    deps: &Deps,
    tenant: &TenantId,
    phone: Option<PhoneNumber>,
    user_id: Option<&str>,
    name: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Contact, InboundError> {
    let repo = &deps.send.contacts;
    for attempt in 0..3 {
        if let Some(p) = &phone {
            if let Some(c) = repo.find_by_guard(tenant, &keys::phone_guard_pk(tenant, p)).await? {
                return Ok(c);
            }
        }
        if let Some(u) = user_id {
            if let Some(c) = repo
                .find_by_guard(tenant, &keys::whatsapp_user_guard_pk(tenant, u))
                .await?
            {
                return Ok(c);
            }
        }
        let contact = Contact {
            contact_id: ContactId::new(),
            tenant_id: tenant.clone(),
            name: name.and_then(|n| ContactName::parse(n).ok()),
            phone: phone.clone(),
            email: None,
            whatsapp_user_id: user_id.map(str::to_string),
            opt_ins: Default::default(),
            consent_history: vec![],
            last_inbound_message_at: None,
            created_at: now,
            created_by: "inbound".into(),
            updated_at: now,
            deleted_at: None,
            deleted_by: None,
            version: 1,
        };
        match repo.create(&contact, &system(tenant), now).await {
            Ok(()) => {
                tracing::info!(contact_id = %contact.contact_id, tenant_id = %tenant, "contact created from an inbound message");
                return Ok(contact);
            }
            // Another delivery created it a moment ago: look it up again.
            Err(WriteError::Duplicate { .. }) if attempt < 2 => continue,
            Err(e) => return Err(InboundError::Contact(e.to_string())),
        }
    }
    Err(InboundError::Contact("kept colliding with concurrent creations".into()))
}

async fn inbound_message(
    deps: &Deps,
    tenant: &TenantId,
    phone_number_id: &str,
    m: &event::InboundMessage,
    name: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), InboundError> {
    let phone = m
        .from
        .as_deref()
        .and_then(|f| PhoneNumber::parse(&format!("+{}", f.trim_start_matches('+')), deps.default_region).ok());
    let contact = find_or_create_contact(deps, tenant, phone.clone(), m.from_user_id.as_deref(), name, now).await?;
    let sent_at = m
        .timestamp
        .parse::<i64>()
        .ok()
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .unwrap_or(now);
    // Derived from the wamid, so every redelivery builds the very same message.
    let message_id = format!(
        "in-{}",
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, m.id.as_bytes()).simple()
    );

    // Media first: if the copy fails nothing is stored and the redelivery tries again.
    let mut details = serde_json::json!({ "type": m.kind });
    if let Some((media_id, mime)) = m.media() {
        let key = format!(
            "{}{message_id}/{media_id}",
            wecare_messaging::media::incoming_prefix(tenant)
        );
        let (mime_type, size) =
            deps.send
                .providers
                .fetch_media(media_id, phone_number_id, &deps.media_bucket, &key)
                .await
                .map_err(|f| match f {
                    wecare_messaging::providers::Failure::Rejected(p)
                    | wecare_messaging::providers::Failure::Failed(p) => InboundError::Media(media_id.to_string(), p),
                })?;
        let file = MediaFile {
            media_id: media_id.to_string(),
            tenant_id: tenant.clone(),
            message_id: message_id.clone(),
            direction: Direction::Inbound,
            mime_type: if mime_type.is_empty() {
                mime.to_string()
            } else {
                mime_type
            },
            size,
            bucket: deps.media_bucket.clone(),
            s3_key: key,
            created_at: now,
        };
        deps.media.put(&file).await?;
        details["media"] = serde_json::json!({
            "mediaId": file.media_id, "mimeType": file.mime_type, "size": file.size, "bucket": file.bucket, "s3Key": file.s3_key,
        });
    }
    let known = [
        "text",
        "image",
        "video",
        "audio",
        "document",
        "sticker",
        "location",
        "interactive",
        "button",
        "contacts",
        "reaction",
    ];
    if !known.contains(&m.kind.as_str()) {
        details["unsupported"] = serde_json::json!(true);
    }
    for k in ["location", "interactive", "button", "contacts", "reaction"] {
        if let Some(v) = m.rest.get(k) {
            details[k] = v.clone();
        }
    }
    let message = Message {
        message_id,
        tenant_id: tenant.clone(),
        contact_id: contact.contact_id,
        channel: Channel::WhatsApp,
        direction: Direction::Inbound,
        status: MessageStatus::Received,
        to: phone_number_id.to_string(),
        from: phone
            .as_ref()
            .map(|p| p.to_string())
            .or_else(|| m.from_user_id.clone())
            .unwrap_or_default(),
        text: m.text().map(str::to_string),
        subject: None,
        html: None,
        template: None,
        is_template: false,
        segments: None,
        encoding: None,
        provider_message_id: Some(m.id.clone()),
        error: None,
        details: Some(details),
        created_by: "inbound".into(),
        created_at: sent_at,
        updated_at: now,
        expires_at: Message::expiry(now),
    };
    let stored = deps.send.messages.record_inbound(&message, &m.id, now).await?;
    // Idempotent follow-ups run on redeliveries too, so a crash after the store loses nothing.
    deps.send
        .contacts
        .touch_inbound(tenant, &contact.contact_id, sent_at)
        .await?;
    if stored {
        tracing::info!(contact_id = %contact.contact_id, message_type = %m.kind, "inbound message stored");
        wecare_http::metrics::count("InboundReceived", &[("Channel", "whatsapp")]);
    }
    if let Some(k) = m.text().filter(|_| m.kind == "text").and_then(keyword) {
        apply_keyword(deps, tenant, &contact, k, phone_number_id, now).await?;
    }
    Ok(())
}

async fn apply_keyword(
    deps: &Deps,
    tenant: &TenantId,
    contact: &Contact,
    k: Keyword,
    phone_number_id: &str,
    now: DateTime<Utc>,
) -> Result<(), InboundError> {
    let opted_in = k == Keyword::OptIn;
    let ctx = system(tenant);
    // Set by the last (successful) run of the change: the repository retries it on conflicts.
    let mut changed = false;
    let updated = deps
        .send
        .contacts
        .update(tenant, &contact.contact_id, &ctx, now, |c| {
            let changes = c.opt_ins.apply(
                &[(Channel::WhatsApp, opted_in)],
                "contact",
                now,
                ConsentSource::InboundKeyword,
            );
            changed = !changes.is_empty();
            c.record_consent(changes);
            changed.then_some(if opted_in { "consent.opt_in" } else { "consent.opt_out" })
        })
        .await
        .map_err(|e| InboundError::Contact(e.to_string()))?;
    tracing::info!(contact_id = %contact.contact_id, keyword = ?k, changed, "consent keyword received");
    // Only the STOP that turned consent off is confirmed: a second STOP from someone already
    // opted out gets nothing. Concurrent redeliveries of that STOP race on the contact's version,
    // so exactly one of them sees the change and confirms it.
    if !opted_in && changed {
        let from = if deps.send.config.whatsapp_senders.iter().any(|s| s == phone_number_id) {
            phone_number_id.to_string()
        } else {
            deps.send.config.whatsapp_senders.first().cloned().unwrap_or_default()
        };
        if let Err(e) = wecare_messaging::send_opt_out_confirmation(&deps.send, &ctx, &updated, &from, now).await {
            tracing::error!(contact_id = %contact.contact_id, error = %e, "opt-out confirmation not sent");
        }
    }
    Ok(())
}

async fn status(deps: &Deps, tenant: &TenantId, s: &event::Status, now: DateTime<Utc>) -> Result<(), InboundError> {
    let Some(next) = MessageStatus::parse(&s.status).filter(|st| st.rank().is_some()) else {
        tracing::warn!(status = %s.status, "unknown status ignored");
        return Ok(());
    };
    let Some((callback_tenant, message_id)) = s.biz_opaque_callback_data.as_deref().and_then(|d| d.split_once(':'))
    else {
        tracing::warn!(wamid = %s.id, "status without our callback data ignored");
        return Ok(());
    };
    if callback_tenant != tenant.as_str() {
        tracing::warn!(wamid = %s.id, "status for another tenant's number ignored");
        return Ok(());
    }
    let error = s.errors.first().map(|e| ProviderError {
        code: e.code.map(|c| c.to_string()).unwrap_or_else(|| "unknown".into()),
        message: e.message.clone().or_else(|| e.title.clone()).unwrap_or_default(),
    });
    let outcome = deps
        .send
        .messages
        .apply_status(tenant, message_id, next, error.as_ref(), now)
        .await?;
    tracing::info!(message_id, status = next.as_str(), outcome = ?outcome, "status applied");
    if outcome == StatusOutcome::Advanced && next == MessageStatus::Failed {
        wecare_http::metrics::count("DeliveryFailed", &[("Channel", "whatsapp")]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_tenants_are_read_as_pairs() {
        let m =
            parse_number_tenants(&["phone-number-id-a=wecare".into(), " phone-number-id-b = globex".into()]).unwrap();
        assert_eq!(m["phone-number-id-b"].as_str(), "globex");
        assert!(parse_number_tenants(&["phone-number-id-a".into()]).is_err());
        assert!(parse_number_tenants(&["phone-number-id-a=bad#tenant".into()]).is_err());
    }

    #[test]
    fn the_inner_entry_is_parsed_from_its_json_string() {
        let entry = serde_json::json!({ "id": "1", "changes": [{ "field": "messages", "value": {
            "messages": [{ "from_user_id": "IN.1", "id": "wamid.1", "timestamp": "1700000000", "type": "text", "text": { "body": "STOP" } }]
        }}]});
        let envelope = serde_json::json!({ "context": {}, "whatsAppWebhookEntry": entry.to_string() });
        let (_, e) = parse(&envelope.to_string()).unwrap();
        let m = &e.changes[0].value.messages[0];
        assert_eq!((m.from.as_deref(), m.text()), (None, Some("STOP")));
    }
}
