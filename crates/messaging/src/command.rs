//! What the send pipeline takes and what it answers, in the caller's terms and nobody's protocol.
//!
//! Every caller — the three outbound API functions, the STOP confirmation of the inbound handler,
//! and the bulk worker, DLQ replay and AI approvals to come — builds a [`SendCommand`] and gets a
//! [`SendOutcome`]. The HTTP status of an outcome is decided at the API's edge, not here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wecare_core::message::MessageStatus;
use wecare_core::sender::SenderRefusal;
use wecare_core::{Channel, ContactId, ErrorCode, IdempotencyKey, Principal, Role, TenantId, UserId};
use wecare_store::audit::AuditContext;
use wecare_store::messages::{Message, Template};

/// Who is sending.
#[derive(Debug, Clone)]
pub enum Actor {
    /// An operator, through the API.
    Operator(AuditContext),
    /// The platform itself.
    System(SystemPurpose),
    /// One recipient of a bulk job, on behalf of whoever started it.
    BulkJob { job_id: String, started_by: AuditContext },
    /// An AI suggestion, once an operator approved it.
    AiSuggestion {
        suggestion_id: String,
        approved_by: AuditContext,
    },
    /// A replay of a failed send from a dead-letter queue.
    Replay { by: AuditContext },
}

/// Why the platform sends on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemPurpose {
    /// The one reply to a STOP: the only message that may go to a contact without consent, and
    /// only right after their keyword opted them out.
    OptOutConfirmation,
}

impl Actor {
    /// `operator`, `system`, `bulk`, `ai` or `replay`, stored on the message.
    pub fn origin(&self) -> &'static str {
        match self {
            Actor::Operator(_) => "operator",
            Actor::System(_) => "system",
            Actor::BulkJob { .. } => "bulk",
            Actor::AiSuggestion { .. } => "ai",
            Actor::Replay { .. } => "replay",
        }
    }

    /// Whom the audit trail names.
    pub fn audit_context(&self, tenant: &TenantId) -> AuditContext {
        match self {
            Actor::Operator(ctx)
            | Actor::BulkJob { started_by: ctx, .. }
            | Actor::AiSuggestion { approved_by: ctx, .. }
            | Actor::Replay { by: ctx } => ctx.clone(),
            Actor::System(_) => system_context(tenant),
        }
    }
}

/// The actor of changes the platform makes on its own: audited as the system, never as a person.
pub fn system_context(tenant: &TenantId) -> AuditContext {
    AuditContext {
        principal: Principal {
            user_id: UserId::parse("system").expect("a literal, valid user id"),
            email: None,
            role: Role::Admin,
            tenant_id: tenant.clone(),
        },
        request_id: String::new(),
        source_ip: None,
        user_agent: None,
    }
}

/// A template as the API takes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TemplateRequest {
    pub name: String,
    pub language: String,
    /// Values of the template's variables in the catalogue's order (the header's first).
    #[serde(default)]
    pub parameters: Vec<String>,
    /// The file of a media header (IMAGE, VIDEO or DOCUMENT), uploaded as for a media message.
    #[serde(default)]
    pub header_media: Option<HeaderMediaRequest>,
}

/// An uploaded file for a template's media header.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HeaderMediaRequest {
    pub s3_key: String,
}

impl From<TemplateRequest> for Template {
    fn from(t: TemplateRequest) -> Template {
        Template {
            name: t.name,
            language: t.language,
            parameters: t.parameters,
            header_parameters: 0,
            parameter_names: Vec::new(),
            header_media_key: t.header_media.map(|m| m.s3_key),
            category: None,
        }
    }
}

/// A file to send on WhatsApp: uploaded first through `POST /api/media/uploads`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MediaRequest {
    pub s3_key: String,
    pub caption: Option<String>,
    pub filename: Option<String>,
}

/// A WhatsApp message is text, a template or a file, never a mix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum WhatsAppContent {
    Text(String),
    Template(Template),
    Media(MediaRequest),
}

/// What to send; the channel follows from it. Serialisable for a send kept to be made again later
/// (`crate::dead_letter`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Content {
    WhatsApp(WhatsAppContent),
    Sms {
        text: String,
    },
    Email {
        subject: String,
        text: Option<String>,
        html: Option<String>,
    },
}

impl Content {
    pub fn channel(&self) -> Channel {
        match self {
            Content::WhatsApp(_) => Channel::WhatsApp,
            Content::Sms { .. } => Channel::Sms,
            Content::Email { .. } => Channel::Email,
        }
    }

    /// A digest of what was asked, stored with the message so that the same idempotency key
    /// arriving with a different message is recognised as a reused key, not a repeat.
    pub fn fingerprint(&self, contact: &ContactId, from: Option<&str>) -> String {
        let described = match self {
            Content::WhatsApp(WhatsAppContent::Text(t)) => format!("wa-text\n{t}"),
            Content::WhatsApp(WhatsAppContent::Template(t)) => {
                let mut d = format!(
                    "wa-template\n{}\n{}\n{}",
                    t.name,
                    t.language,
                    t.parameters.join("\u{1f}")
                );
                if let Some(k) = &t.header_media_key {
                    d.push_str(&format!("\nheader\n{k}"));
                }
                d
            }
            Content::WhatsApp(WhatsAppContent::Media(m)) => format!(
                "wa-media\n{}\n{}\n{}",
                m.s3_key,
                m.caption.as_deref().unwrap_or(""),
                m.filename.as_deref().unwrap_or("")
            ),
            Content::Sms { text } => format!("sms\n{text}"),
            Content::Email { subject, text, html } => format!(
                "email\n{subject}\n{}\n{}",
                text.as_deref().unwrap_or(""),
                html.as_deref().unwrap_or("")
            ),
        };
        let whole = format!("{contact}\n{}\n{described}", from.unwrap_or(""));
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, whole.as_bytes()).to_string()
    }
}

/// One send, as every caller asks for it.
#[derive(Debug, Clone)]
pub struct SendCommand {
    pub tenant: TenantId,
    pub actor: Actor,
    pub contact_id: ContactId,
    pub content: Content,
    /// The sender to use (one of the tenant's); `None` is the tenant's default for the channel.
    pub from: Option<String>,
    /// Names this send: a repeat with the same key is the same send.
    pub key: IdempotencyKey,
    /// The time the rules (window, tier) are judged at.
    pub now: DateTime<Utc>,
    /// A bulk run's pacing: its slots replace the interactive rate limit, a business-initiated
    /// conversation is opened against the job's tier reservation, and a stop is honoured just
    /// before the provider call. `None` for every other send.
    pub pacer: Option<std::sync::Arc<crate::pace::Pacer>>,
}

/// Why a send was refused. Nothing of a refused send reaches a provider, and nothing stays written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("{field}: {why}")]
    Invalid { field: &'static str, why: String },
    #[error("contact not found")]
    ContactNotFound,
    #[error("contactId: the contact has no {0}")]
    NoAddress(&'static str),
    #[error("the contact has not opted in to {}", .0.as_str())]
    NotOptedIn(Channel),
    #[error("{0}")]
    NotAllowlisted(SenderRefusal),
    #[error("the 24-hour window is closed: send an approved template instead of free-form text")]
    TemplateRequired,
    #[error(
        "the WhatsApp messaging tier allows {limit} business-initiated conversations in 24 hours and they are used up; \
         send inside a customer's 24-hour window or wait"
    )]
    TierLimitExceeded { limit: u64 },
    #[error("sending too fast from this sender; retry shortly")]
    RateLimited { retry_after_ms: u64 },
    #[error("this Idempotency-Key was already used for a different message; use a new key for a new message")]
    KeyReused,
    /// A paced run was stopped (paused, cancelled, out of time) before this send reached the
    /// provider: nothing was sent, and the claim was given back.
    #[error("the run was stopped before this message was sent")]
    Stopped,
    /// A bulk recipient was settled without a message (skipped or cancelled) before this send
    /// could claim it: its job sends it nothing any more.
    #[error("this recipient was already settled for its job without a message")]
    Closed,
}

impl Refusal {
    /// The stable code of the refusal.
    pub fn code(&self) -> ErrorCode {
        match self {
            Refusal::Invalid { .. } | Refusal::NoAddress(_) => ErrorCode::ValidationFailed,
            Refusal::ContactNotFound => ErrorCode::NotFound,
            Refusal::NotOptedIn(_) => ErrorCode::NotOptedIn,
            Refusal::NotAllowlisted(_) => ErrorCode::NotAllowlisted,
            Refusal::TemplateRequired => ErrorCode::TemplateRequired,
            Refusal::TierLimitExceeded { .. } => ErrorCode::TierLimitExceeded,
            Refusal::RateLimited { .. } => ErrorCode::RateLimited,
            Refusal::KeyReused => ErrorCode::IdempotencyKeyReused,
            Refusal::Stopped | Refusal::Closed => ErrorCode::Conflict,
        }
    }
}

/// How a send ended.
#[derive(Debug, Clone, PartialEq)]
pub enum SendOutcome {
    /// The provider accepted it (`providerMessageId` is set).
    Sent(Message),
    /// Every check passed and the message is recorded; no provider was called (`DRY_RUN`).
    DryRun(Message),
    /// Refused before anything was sent or kept.
    Refused(Refusal),
    /// The provider refused it definitively, or kept throttling it: recorded as failed with the
    /// provider's code.
    Failed(Message),
    /// It may or may not have reached the provider: recorded as unknown, never sent again
    /// automatically, settled by a later delivery status.
    Unknown(Message),
    /// Another call with the same key is still working on it.
    InProgress(Message),
}

impl SendOutcome {
    /// The outcome a recorded message stands for, when a repeat of its key finds it.
    pub fn of_record(m: Message) -> SendOutcome {
        match m.status {
            MessageStatus::Sending => SendOutcome::InProgress(m),
            MessageStatus::DryRun => SendOutcome::DryRun(m),
            MessageStatus::Failed => SendOutcome::Failed(m),
            MessageStatus::Unknown => SendOutcome::Unknown(m),
            _ => SendOutcome::Sent(m),
        }
    }

    /// The message the outcome is about, unless it was refused.
    pub fn message(&self) -> Option<&Message> {
        match self {
            SendOutcome::Sent(m)
            | SendOutcome::DryRun(m)
            | SendOutcome::Failed(m)
            | SendOutcome::Unknown(m)
            | SendOutcome::InProgress(m) => Some(m),
            SendOutcome::Refused(_) => None,
        }
    }
}
