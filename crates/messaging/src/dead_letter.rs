//! What `outbound-dlq` holds: an asynchronous send that failed on the platform's side (a store or
//! media-bucket error, never a provider's refusal, which the pipeline records as the message's
//! outcome), described completely enough to be sent again later.
//!
//! The caller that gave up on such a send (today the inbound handler's STOP confirmation) enqueues
//! an [`OutboundDeadLetter`]; the DLQ replay decodes the very same type and runs it through the
//! send pipeline again with the original idempotency key, so a send that did get as far as a
//! provider is never made twice. This module is the one definition of that body.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wecare_core::{Channel, ContactId, IdempotencyKey, TenantId};
use wecare_store::audit::AuditContext;
use wecare_store::messages::Template;

use crate::command::{Actor, Content, MediaRequest, SendCommand, SystemPurpose, WhatsAppContent};

/// The content of a dead-lettered send, one variant per kind of message (the channel follows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum DeadContent {
    WhatsappText {
        text: String,
    },
    WhatsappTemplate {
        template: Template,
    },
    #[serde(rename_all = "camelCase")]
    WhatsappMedia {
        s3_key: String,
        #[serde(default)]
        caption: Option<String>,
        #[serde(default)]
        filename: Option<String>,
    },
    Sms {
        text: String,
    },
    Email {
        subject: String,
        #[serde(default)]
        text: Option<String>,
        #[serde(default)]
        html: Option<String>,
    },
}

impl From<&Content> for DeadContent {
    fn from(c: &Content) -> Self {
        match c {
            Content::WhatsApp(WhatsAppContent::Text(text)) => DeadContent::WhatsappText { text: text.clone() },
            Content::WhatsApp(WhatsAppContent::Template(t)) => DeadContent::WhatsappTemplate { template: t.clone() },
            Content::WhatsApp(WhatsAppContent::Media(m)) => DeadContent::WhatsappMedia {
                s3_key: m.s3_key.clone(),
                caption: m.caption.clone(),
                filename: m.filename.clone(),
            },
            Content::Sms { text } => DeadContent::Sms { text: text.clone() },
            Content::Email { subject, text, html } => DeadContent::Email {
                subject: subject.clone(),
                text: text.clone(),
                html: html.clone(),
            },
        }
    }
}

impl From<DeadContent> for Content {
    fn from(c: DeadContent) -> Self {
        match c {
            DeadContent::WhatsappText { text } => Content::WhatsApp(WhatsAppContent::Text(text)),
            DeadContent::WhatsappTemplate { template } => Content::WhatsApp(WhatsAppContent::Template(template)),
            DeadContent::WhatsappMedia {
                s3_key,
                caption,
                filename,
            } => Content::WhatsApp(WhatsAppContent::Media(MediaRequest {
                s3_key,
                caption,
                filename,
            })),
            DeadContent::Sms { text } => Content::Sms { text },
            DeadContent::Email { subject, text, html } => Content::Email { subject, text, html },
        }
    }
}

/// On whose behalf the send is made again: the platform's own sends keep their purpose (the STOP
/// confirmation is the one message consent lets through to a contact who just opted out); any
/// other send is made as a replay by whoever replays it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    OptOutConfirmation,
}

/// One dead-lettered send: the body of an `outbound-dlq` message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OutboundDeadLetter {
    /// The id of the message the send names (derived from the tenant and the key): the same for
    /// every dead letter of the same send, so a replay can dedupe them.
    pub message_id: String,
    pub tenant: TenantId,
    pub contact_id: ContactId,
    pub channel: Channel,
    pub content: DeadContent,
    /// The sender asked for; `None` is the tenant's default for the channel.
    #[serde(default)]
    pub from: Option<String>,
    pub key: IdempotencyKey,
    #[serde(default)]
    pub purpose: Option<Purpose>,
    /// Why the send failed (the platform's error, its causes joined).
    pub error: String,
    pub failed_at: DateTime<Utc>,
}

/// A dead letter whose parts contradict each other.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the dead letter says channel {said} but carries {carried} content")]
pub struct ChannelMismatch {
    said: &'static str,
    carried: &'static str,
}

impl OutboundDeadLetter {
    /// The dead letter of `cmd`, which failed with `error` at `now`.
    pub fn of(cmd: &SendCommand, error: &(dyn std::error::Error + 'static), now: DateTime<Utc>) -> Self {
        OutboundDeadLetter {
            message_id: cmd.key.message_id(&cmd.tenant),
            tenant: cmd.tenant.clone(),
            contact_id: cmd.contact_id,
            channel: cmd.content.channel(),
            content: DeadContent::from(&cmd.content),
            from: cmd.from.clone(),
            key: cmd.key.clone(),
            purpose: match cmd.actor {
                Actor::System(SystemPurpose::OptOutConfirmation) => Some(Purpose::OptOutConfirmation),
                _ => None,
            },
            error: wecare_http::error::cause_chain(error).join(": "),
            failed_at: now,
        }
    }

    /// The JSON body to enqueue.
    pub fn body(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    /// Reads an `outbound-dlq` body.
    pub fn parse(body: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(body)
    }

    /// The send again, as `replayed_by` asks for it at `now`, with the original key.
    pub fn into_command(self, replayed_by: AuditContext, now: DateTime<Utc>) -> Result<SendCommand, ChannelMismatch> {
        let content = Content::from(self.content);
        if content.channel() != self.channel {
            return Err(ChannelMismatch {
                said: self.channel.as_str(),
                carried: content.channel().as_str(),
            });
        }
        Ok(SendCommand {
            tenant: self.tenant,
            actor: match self.purpose {
                Some(Purpose::OptOutConfirmation) => Actor::System(SystemPurpose::OptOutConfirmation),
                None => Actor::Replay { by: replayed_by },
            },
            contact_id: self.contact_id,
            content,
            from: self.from,
            key: self.key,
            now,
            pacer: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn confirmation() -> SendCommand {
        let tenant = TenantId::parse("wecare").unwrap();
        SendCommand {
            tenant: tenant.clone(),
            actor: Actor::System(SystemPurpose::OptOutConfirmation),
            contact_id: ContactId::new(),
            content: Content::WhatsApp(WhatsAppContent::Text("bye".into())),
            from: Some("phone-number-id-1".into()),
            key: IdempotencyKey::derived(&["stop-confirmation", "wamid.1"]),
            now: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            pacer: None,
        }
    }

    #[derive(Debug, thiserror::Error)]
    #[error("DynamoDB PutItem failed")]
    struct Down;

    #[test]
    fn a_dead_letter_reads_back_as_the_same_send_with_the_same_key() {
        let cmd = confirmation();
        let letter = OutboundDeadLetter::of(&cmd, &Down, cmd.now);
        let body = letter.body().unwrap();
        let read = OutboundDeadLetter::parse(&body).unwrap();
        assert_eq!(read, letter);
        assert_eq!(read.message_id, cmd.key.message_id(&cmd.tenant));
        assert_eq!(read.error, "DynamoDB PutItem failed");
        let by = crate::system_context(&cmd.tenant);
        let again = read.into_command(by, cmd.now).unwrap();
        assert_eq!(
            (&again.key, &again.content, &again.from, again.contact_id),
            (&cmd.key, &cmd.content, &cmd.from, cmd.contact_id)
        );
        assert!(
            matches!(again.actor, Actor::System(SystemPurpose::OptOutConfirmation)),
            "the confirmation keeps its purpose, which consent lets through"
        );
    }

    #[test]
    fn a_dead_letter_whose_channel_contradicts_its_content_is_refused() {
        let cmd = confirmation();
        let mut letter = OutboundDeadLetter::of(&cmd, &Down, cmd.now);
        letter.channel = Channel::Sms;
        let ctx = crate::system_context(&cmd.tenant);
        assert!(letter.into_command(ctx, cmd.now).is_err());
        assert!(OutboundDeadLetter::parse(r#"{"messageId":"x"}"#).is_err());
    }
}
