//! Inbound WhatsApp: EUM Social events from SNS.
//!
//! Each event belongs to the tenant that owns the WhatsApp number it was sent to (the deployment's
//! `SENDERS`); an event for a number no tenant owns, or one that is not an EUM envelope at all, is
//! stored nowhere: it is sent to `inbound-dlq` with the reason, and not retried.
//!
//! Each message is stored exactly once (its record's id is derived from the WhatsApp message id
//! and written conditionally), however often SNS redelivers it. Its contact is found by phone (or
//! by the business-scoped user id when the sender shows no number) or created opted out of
//! everything; its time opens the 24 h window, never moving it backwards. Media is copied to the
//! media bucket first, so a failed copy retries the whole message. STOP-like keywords turn
//! WhatsApp consent off and START-like ones back on, but only when the message is later than
//! consent's last change (`wecare_core::consent::apply_keyword`): a keyword delivered late is
//! recorded, not applied. The STOP that turned consent off is confirmed through the send pipeline
//! with a key derived from the STOP's id, so a redelivery cannot confirm twice and a crash before
//! the confirmation is made good by the redelivery. A confirmation the platform fails to send (a
//! store error, not a provider's refusal) is put on `outbound-dlq` with that key, for the DLQ
//! replay to send, and the event is not retried for it: the message and the consent change are
//! already recorded. Statuses move outbound messages forward only, correlated through the
//! callback data the pipeline attaches. Every step is idempotent, so a record that fails part-way
//! is simply retried; a record that cannot be processed fails the invocation (and lands in
//! `inbound-dlq` after SNS's retries, where `dlq-replay` can run it again), the others are
//! processed regardless.

pub mod event;

use aws_lambda_events::event::sns::{SnsEvent, SnsMessage};
use chrono::{DateTime, Utc};
use tracing::Instrument;
use wecare_core::ai::{opt_out_intent, DraftRequest};
use wecare_core::consent::{apply_keyword, KeywordEvent, KeywordOutcome};
use wecare_core::message::{Direction, MessageStatus};
use wecare_core::sender::Senders;
use wecare_core::whatsapp::{keyword, Keyword};
use wecare_core::{Channel, ContactId, ContactName, IdempotencyKey, PhoneNumber, Region, TenantId};
use wecare_http::config::{ConfigError, Env};
use wecare_messaging::catalogue::CatalogueError;
use wecare_messaging::dead_letter::OutboundDeadLetter;
use wecare_messaging::{system_context, Actor, Content, SendCommand, SendOutcome, SystemPurpose, WhatsAppContent};
use wecare_store::contacts::WriteError;
use wecare_store::keys;
use wecare_store::messages::{Message, ProviderError, StatusOutcome};
use wecare_store::{Contact, MediaFile, MediaRepo, StoreError};

pub use event::parse;

#[derive(Debug, Clone)]
pub struct Config {
    pub messaging: wecare_messaging::Config,
    pub media_bucket: String,
    pub media_files_table: String,
    pub default_region: Region,
    /// Where events stored under no tenant go, with their reason.
    pub inbound_dlq_url: String,
    /// Where a STOP confirmation the platform failed to send goes, to be replayed.
    pub outbound_dlq_url: String,
    /// Where a new text asks `ai-generate-response` for a draft, when the tenant automates.
    pub ai_queue_url: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from(std::env::vars().collect())
    }

    pub fn from(vars: std::collections::BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let messaging = wecare_messaging::Config::from(Env::from_map(vars.clone()))?;
        let mut env = Env::from_map(vars);
        let media_bucket = env.required("MEDIA_BUCKET");
        let media_files_table = env.required("MEDIA_FILES_TABLE");
        let region = env.parsed("DEFAULT_PHONE_REGION", Region::parse);
        let inbound_dlq_url = env.required("INBOUND_DLQ_URL");
        let outbound_dlq_url = env.required("OUTBOUND_DLQ_URL");
        let ai_queue_url = env.required("AI_QUEUE_URL");
        env.finish(|| {
            Some(Config {
                messaging,
                media_bucket,
                media_files_table,
                default_region: region?,
                inbound_dlq_url,
                outbound_dlq_url,
                ai_queue_url,
            })
        })
    }
}

pub struct Deps {
    /// The send path, for the opt-out confirmation; its repositories serve the handler too.
    pub send: wecare_messaging::Deps,
    pub media: MediaRepo,
    pub media_bucket: String,
    pub default_region: Region,
    pub sqs: aws_sdk_sqs::Client,
    pub inbound_dlq_url: String,
    pub outbound_dlq_url: String,
    pub ai_queue_url: String,
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
            media_bucket: config.media_bucket,
            default_region: config.default_region,
            sqs: aws_sdk_sqs::Client::new(sdk),
            inbound_dlq_url: config.inbound_dlq_url,
            outbound_dlq_url: config.outbound_dlq_url,
            ai_queue_url: config.ai_queue_url,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InboundError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("media {0} could not be copied: {1:?}")]
    Media(String, ProviderError),
    #[error("contact could not be recorded: {0}")]
    Contact(String),
    #[error("the opt-out confirmation could not be sent, nor put on outbound-dlq: {1}")]
    Confirmation(#[source] wecare_messaging::SendError, String),
    #[error("an event stored under no tenant could not be sent to inbound-dlq: {0}")]
    DeadLetter(String),
    /// The first failure's cause chain rides along, so the invocation's error says what broke.
    #[error("{failed} of {total} records failed; the first: {first}")]
    Records { failed: usize, total: usize, first: String },
}

/// The field of Meta's template review decisions.
const TEMPLATE_STATUS: &str = "message_template_status_update";

/// Meta's decisions on templates update the catalogue of every tenant whose senders use the
/// account (a template unknown to a catalogue brings a sync, so a template created elsewhere
/// shows up too). An account no tenant uses is dead-lettered like an unowned number.
async fn template_statuses(
    deps: &Deps,
    sns: &SnsMessage,
    envelope: &event::Envelope,
    entry: event::Entry,
    now: DateTime<Utc>,
) -> Result<(), InboundError> {
    let waba = account_of(envelope, &entry);
    let tenants = account_tenants(&deps.send.config.senders, &waba);
    if tenants.is_empty() {
        return dead_letter(deps, sns, Unroutable::UnownedAccount(waba)).await;
    }
    for change in entry.changes.iter().filter(|c| c.field == TEMPLATE_STATUS) {
        let v = &change.value;
        let (Some(name), Some(language), Some(status)) = (
            v.message_template_name.as_deref(),
            v.message_template_language.as_deref(),
            v.event
                .as_deref()
                .and_then(wecare_core::template::TemplateStatus::parse),
        ) else {
            tracing::warn!(event = ?v.event, "a template status event without a template or a known status; ignored");
            continue;
        };
        for tenant in &tenants {
            let reason = v.reason.as_deref().filter(|r| !r.is_empty() && *r != "NONE");
            match deps
                .send
                .catalogue
                .apply_status(tenant, &waba, name, language, status, reason, now)
                .await
            {
                Ok(()) => {}
                Err(CatalogueError::Store(e)) => return Err(e.into()),
                // The status is kept when the template is known; an unknown one waits for a sync.
                Err(e) => {
                    tracing::warn!(error = %e, template = name, "template catalogue not synced after a status event")
                }
            }
            tracing::info!(tenant = %tenant, waba_id = %waba, template = name, language, status = status.as_str(), "template status updated");
        }
    }
    Ok(())
}

/// The WhatsApp Business Account an event is about: the entry's id, else the envelope's.
fn account_of(envelope: &event::Envelope, entry: &event::Entry) -> String {
    entry
        .id
        .clone()
        .or_else(|| envelope.context.meta_waba_ids.first().map(|w| w.waba_id.clone()))
        .unwrap_or_default()
}

/// The tenants whose WhatsApp numbers belong to the business account `waba`, each once.
fn account_tenants<'a>(senders: &'a Senders, waba: &str) -> Vec<&'a TenantId> {
    let mut tenants: Vec<&TenantId> = senders
        .all()
        .iter()
        .filter(|s| s.waba_id.as_deref() == Some(waba))
        .map(|s| &s.tenant)
        .collect();
    tenants.sort_unstable_by_key(|t| t.to_string());
    tenants.dedup();
    tenants
}

/// The WhatsApp number (`phone-number-id-…`) an event arrived on, from its envelope.
fn number_of(envelope: &event::Envelope) -> String {
    let number = envelope.context.meta_phone_number_ids.first();
    number.and_then(|n| n.phone_number_id()).unwrap_or_default()
}

/// The one tenant an SNS message (an EUM Social envelope) belongs to, by the rules [`handle`]
/// stores it by: the owner of the number it arrived on, or for Meta's template decisions the
/// tenant whose numbers use the business account. `None` for an event that is no envelope, for
/// a number no tenant owns, and for a template decision about an account several tenants share
/// (it is every one of theirs, so no single tenant may decide about it alone).
pub fn owner(senders: &Senders, sns_message: &str) -> Option<TenantId> {
    let (envelope, entry) = parse(sns_message).ok()?;
    if entry.changes.iter().any(|c| c.field == TEMPLATE_STATUS) {
        return match account_tenants(senders, &account_of(&envelope, &entry)).as_slice() {
            [one] => Some((*one).clone()),
            _ => None,
        };
    }
    senders.whatsapp_number(&number_of(&envelope)).map(|s| s.tenant.clone())
}

/// Why an event is stored nowhere.
#[derive(Debug)]
enum Unroutable {
    Malformed(serde_json::Error),
    UnownedNumber(String),
    UnownedAccount(String),
}

impl Unroutable {
    fn reason(&self) -> String {
        match self {
            Unroutable::Malformed(e) => format!("MALFORMED: the event is not an EUM Social envelope: {e}"),
            Unroutable::UnownedNumber(n) => format!("UNOWNED_NUMBER: no tenant owns the WhatsApp number {n:?}"),
            Unroutable::UnownedAccount(w) => {
                format!("UNOWNED_ACCOUNT: no tenant sends from the WhatsApp Business Account {w:?}")
            }
        }
    }
}

/// Handles an SNS event; fails (for a retry) if any record failed after trying them all.
pub async fn handle(deps: &Deps, event: SnsEvent, now: DateTime<Utc>) -> Result<(), InboundError> {
    let total = event.records.len();
    let (mut failed, mut first) = (0, None);
    for record in event.records {
        let span = tracing::info_span!("record", sns_message_id = %record.sns.message_id, function = "inbound-whatsapp-handler");
        if let Err(e) = Box::pin(process(deps, &record.sns, now)).instrument(span.clone()).await {
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

async fn process(deps: &Deps, sns: &SnsMessage, now: DateTime<Utc>) -> Result<(), InboundError> {
    let (envelope, entry) = match parse(&sns.message) {
        Ok(parsed) => parsed,
        Err(e) => return dead_letter(deps, sns, Unroutable::Malformed(e)).await,
    };
    if entry.changes.iter().any(|c| c.field == TEMPLATE_STATUS) {
        return template_statuses(deps, sns, &envelope, entry, now).await;
    }
    let phone_number_id = number_of(&envelope);
    let Some(tenant) = deps
        .send
        .config
        .senders
        .whatsapp_number(&phone_number_id)
        .map(|s| s.tenant.clone())
    else {
        return dead_letter(deps, sns, Unroutable::UnownedNumber(phone_number_id)).await;
    };
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

/// Sends an event that belongs to no tenant to `inbound-dlq`, as the SNS notification it came
/// in, with the reason as a message attribute; it is not retried (nothing would change).
async fn dead_letter(deps: &Deps, sns: &SnsMessage, why: Unroutable) -> Result<(), InboundError> {
    let reason = why.reason();
    tracing::warn!(reason = %reason, "event stored under no tenant; sent to inbound-dlq");
    let notification = serde_json::json!({
        "Type": "Notification",
        "MessageId": sns.message_id,
        "TopicArn": sns.topic_arn,
        "Message": sns.message,
        "Timestamp": wecare_core::time::iso(sns.timestamp),
    });
    let attribute = |v: &str| {
        aws_sdk_sqs::types::MessageAttributeValue::builder()
            .data_type("String")
            .string_value(v)
            .build()
            .map_err(|e| InboundError::DeadLetter(e.to_string()))
    };
    deps.sqs
        .send_message()
        .queue_url(&deps.inbound_dlq_url)
        .message_body(notification.to_string())
        .message_attributes("reason", attribute(&reason)?)
        .message_attributes("source", attribute("inbound-whatsapp-handler")?)
        .send()
        .await
        .map_err(|e| InboundError::DeadLetter(aws_sdk_sqs::error::DisplayErrorContext(&e).to_string()))?;
    wecare_http::metrics::count("InboundUnroutable", &[("Channel", "whatsapp")]);
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
            last_consent_change: Default::default(),
            last_inbound_message_at: None,
            created_at: now,
            created_by: "inbound".into(),
            updated_at: now,
            deleted_at: None,
            deleted_by: None,
            version: 1,
        };
        match repo.create(&contact, &system_context(tenant), now).await {
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
        let (mime_type, size) = deps
            .send
            .providers
            .fetch_media(media_id, phone_number_id, &deps.media_bucket, &key)
            .await
            .map_err(|p| InboundError::Media(media_id.to_string(), p))?;
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
        origin: None,
        idempotency_key: None,
        fingerprint: None,
        created_by: "inbound".into(),
        created_at: sent_at,
        updated_at: now,
        settled_at: None,
        expires_at: Message::expiry(now),
        job_id: None,
        business_initiated: false,
        outcome: None,
        opt_out_intent: m.kind == "text" && m.text().is_some_and(opt_out_intent),
    };
    let stored = deps.send.messages.record_inbound(&message, now).await?;
    // Idempotent follow-ups run on redeliveries too, so a crash after the store loses nothing.
    deps.send
        .contacts
        .touch_inbound(tenant, &contact.contact_id, sent_at)
        .await?;
    if stored {
        tracing::info!(contact_id = %contact.contact_id, message_type = %m.kind, "inbound message stored");
        wecare_http::metrics::count("InboundReceived", &[("Channel", "whatsapp")]);
    }
    let text = m.text().filter(|_| m.kind == "text");
    match text.and_then(keyword) {
        Some(k) => consent_keyword(deps, tenant, &contact, k, &m.id, sent_at, phone_number_id, now).await?,
        // Redeliveries ask again: the draft is keyed by the message, so it is made once.
        None if text.is_some() => request_draft(deps, tenant, &contact.contact_id, &message.message_id).await,
        None => {}
    }
    Ok(())
}

/// With the tenant's AI automation on, asks for a draft in the background. Drafting is never
/// on the inbound path: the message is stored and acknowledged whatever happens here, and a
/// failure is logged and counted. With automation off nothing is asked, so no AI call is made.
async fn request_draft(deps: &Deps, tenant: &TenantId, contact: &ContactId, message_id: &str) {
    let automated = match deps.send.settings.get(tenant, false).await {
        Ok(s) => s.settings.ai_automation,
        Err(e) => {
            tracing::error!(error = %cause_chain(&e), "settings unreadable; no AI draft requested");
            wecare_http::metrics::count("AiDraftRequestFailed", &[("Reason", "settings")]);
            return;
        }
    };
    if !automated {
        return;
    }
    let request = DraftRequest {
        tenant_id: tenant.to_string(),
        contact_id: contact.to_string(),
        message_id: message_id.to_string(),
    };
    let body = serde_json::to_string(&request).unwrap_or_default();
    match deps
        .sqs
        .send_message()
        .queue_url(&deps.ai_queue_url)
        .message_body(body)
        .send()
        .await
    {
        Ok(_) => tracing::info!(message_id, "AI draft requested"),
        Err(e) => {
            tracing::error!(error = %aws_sdk_sqs::error::DisplayErrorContext(&e), "AI draft request not queued");
            wecare_http::metrics::count("AiDraftRequestFailed", &[("Reason", "queue")]);
        }
    }
}

/// Applies a STOP/START keyword if it is the customer's latest word, and confirms the STOP that
/// turned WhatsApp consent off.
#[allow(clippy::too_many_arguments)]
async fn consent_keyword(
    deps: &Deps,
    tenant: &TenantId,
    contact: &Contact,
    k: Keyword,
    wamid: &str,
    sent_at: DateTime<Utc>,
    phone_number_id: &str,
    now: DateTime<Utc>,
) -> Result<(), InboundError> {
    let opted_in = k == Keyword::OptIn;
    let ctx = system_context(tenant);
    let event = KeywordEvent {
        channel: Channel::WhatsApp,
        opted_in,
        sent_at,
        event: wamid,
    };
    // Set by the last (successful) run of the change: the repository retries it on conflicts.
    let mut outcome = KeywordOutcome::Repeated;
    let updated = deps
        .send
        .contacts
        .update(tenant, &contact.contact_id, &ctx, now, |c| {
            outcome = apply_keyword(
                &mut c.opt_ins,
                &mut c.last_consent_change,
                &c.consent_history,
                &event,
                "system",
                now,
            );
            match &outcome {
                KeywordOutcome::Applied(change) => {
                    c.consent_history.push(change.clone());
                    Some(if opted_in { "consent.opt_in" } else { "consent.opt_out" })
                }
                KeywordOutcome::Stale(change) => {
                    c.consent_history.push(change.clone());
                    Some("consent.keyword_not_applied")
                }
                KeywordOutcome::Restated => Some("consent.keyword_restated"),
                KeywordOutcome::Repeated => None,
            }
        })
        .await
        .map_err(|e| InboundError::Contact(e.to_string()))?;
    tracing::info!(contact_id = %contact.contact_id, keyword = ?k, outcome = ?std::mem::discriminant(&outcome), "consent keyword received");
    if let KeywordOutcome::Stale(change) = &outcome {
        tracing::warn!(contact_id = %contact.contact_id, reason = change.not_applied.as_deref().unwrap_or(""), "keyword delivered after a later consent change: recorded, not applied");
    }
    // The STOP that turned consent off is confirmed; so is its redelivery, in case the first
    // delivery died before confirming: the pipeline's key (the STOP's id) makes it one message.
    let this_stop_opted_out = !opted_in
        && !updated.opt_ins.get(Channel::WhatsApp)
        && updated
            .consent_history
            .iter()
            .any(|c| c.event.as_deref() == Some(wamid) && c.not_applied.is_none() && !c.opted_in);
    if this_stop_opted_out {
        confirm_opt_out(deps, tenant, &updated, wamid, phone_number_id, now).await?;
    }
    Ok(())
}

async fn confirm_opt_out(
    deps: &Deps,
    tenant: &TenantId,
    contact: &Contact,
    wamid: &str,
    phone_number_id: &str,
    now: DateTime<Utc>,
) -> Result<(), InboundError> {
    let cmd = SendCommand {
        tenant: tenant.clone(),
        actor: Actor::System(SystemPurpose::OptOutConfirmation),
        contact_id: contact.contact_id,
        content: Content::WhatsApp(WhatsAppContent::Text(
            wecare_messaging::pipeline::OPT_OUT_CONFIRMATION.to_string(),
        )),
        // From the number the STOP was sent to.
        from: Some(phone_number_id.to_string()),
        key: IdempotencyKey::derived(&["stop-confirmation", wamid]),
        now,
        pacer: None,
    };
    let outcome = match wecare_messaging::send(&deps.send, cmd.clone()).await {
        Ok(outcome) => outcome,
        Err(e) => {
            // The message and the consent change are recorded; only the confirmation is left to
            // do, and the DLQ replay does it with the same key. Retrying the whole event for it
            // would only fail again while the platform is down.
            let letter = OutboundDeadLetter::of(&cmd, &e, now);
            return match dead_letter_send(deps, &letter).await {
                Ok(()) => {
                    tracing::error!(contact_id = %contact.contact_id, error.chain = ?wecare_http::error::cause_chain(&e), "opt-out confirmation not sent; put on outbound-dlq");
                    wecare_http::metrics::count("SendDeadLettered", &[("Channel", "whatsapp")]);
                    Ok(())
                }
                Err(why) => Err(InboundError::Confirmation(e, why)),
            };
        }
    };
    match outcome {
        SendOutcome::Refused(r) => {
            tracing::warn!(contact_id = %contact.contact_id, code = r.code().as_str(), reason = %r, "opt-out confirmation not sent")
        }
        outcome => {
            let status = outcome.message().map(|m| m.status.as_str()).unwrap_or("");
            tracing::info!(contact_id = %contact.contact_id, status, "opt-out confirmation")
        }
    }
    Ok(())
}

/// Puts a send the platform failed to make on `outbound-dlq` (see `wecare_messaging::dead_letter`).
async fn dead_letter_send(deps: &Deps, letter: &OutboundDeadLetter) -> Result<(), String> {
    let body = letter.body().map_err(|e| e.to_string())?;
    deps.sqs
        .send_message()
        .queue_url(&deps.outbound_dlq_url)
        .message_body(body)
        .send()
        .await
        .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(&e).to_string())?;
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
    fn an_event_stored_under_no_tenant_says_why() {
        let why = Unroutable::UnownedNumber("phone-number-id-ff".into()).reason();
        assert!(
            why.starts_with("UNOWNED_NUMBER") && why.contains("phone-number-id-ff"),
            "{why}"
        );
    }

    fn senders(list: serde_json::Value) -> Senders {
        let rate = wecare_core::rate::Rate::steady(10.0);
        let rates = wecare_core::sender::DefaultRates {
            whatsapp: rate,
            sms: rate,
            email: rate,
        };
        Senders::parse(&list.to_string(), rates).unwrap()
    }

    fn number(tenant: &str, id: &str, waba: &str) -> serde_json::Value {
        serde_json::json!({ "tenant": tenant, "channel": "whatsapp", "id": id, "label": id, "wabaId": waba })
    }

    #[test]
    fn an_event_belongs_to_the_owner_of_its_number_and_a_shared_accounts_template_decision_to_nobody() {
        let entry = |field: &str| {
            serde_json::json!({ "id": "2001", "changes": [{ "field": field, "value": { "event": "APPROVED" } }] })
                .to_string()
        };
        let envelope = |field: &str, number: &str| {
            serde_json::json!({
                "context": { "MetaPhoneNumberIds": [{ "metaPhoneNumberId": "1", "arn": format!("arn:aws:social-messaging:us-east-1:1:phone-number-id/{number}") }] },
                "whatsAppWebhookEntry": entry(field),
            })
            .to_string()
        };
        let one = senders(serde_json::json!([number("acme", "phone-number-id-aa", "2001")]));
        let owner_of = |s: &Senders, m: String| owner(s, &m).map(|t| t.to_string());
        assert_eq!(owner_of(&one, envelope("messages", "aa")).as_deref(), Some("acme"));
        assert_eq!(owner_of(&one, envelope("messages", "bb")), None, "a number nobody owns");
        assert_eq!(owner_of(&one, envelope(TEMPLATE_STATUS, "")).as_deref(), Some("acme"));
        assert_eq!(owner_of(&one, "{ not an envelope".into()), None);
        let shared = senders(serde_json::json!([
            number("acme", "phone-number-id-aa", "2001"),
            number("globex", "phone-number-id-bb", "2001"),
        ]));
        assert_eq!(owner_of(&shared, envelope("messages", "bb")).as_deref(), Some("globex"));
        assert_eq!(
            owner_of(&shared, envelope(TEMPLATE_STATUS, "")),
            None,
            "no one tenant decides for both"
        );
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
