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

#[cfg(test)]
use crate::command::WhatsAppContent;
use crate::command::{Actor, Content, SendCommand, SystemPurpose};

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
    /// What to send, as the send had it (its channel follows from it).
    pub content: Content,
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

impl OutboundDeadLetter {
    /// The dead letter of `cmd`, which failed with `error` at `now`.
    pub fn of(cmd: &SendCommand, error: &(dyn std::error::Error + 'static), now: DateTime<Utc>) -> Self {
        OutboundDeadLetter {
            message_id: cmd.key.message_id(&cmd.tenant),
            tenant: cmd.tenant.clone(),
            contact_id: cmd.contact_id,
            content: cmd.content.clone(),
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

    pub fn channel(&self) -> Channel {
        self.content.channel()
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
    pub fn into_command(self, replayed_by: AuditContext, now: DateTime<Utc>) -> SendCommand {
        SendCommand {
            tenant: self.tenant,
            actor: match self.purpose {
                Some(Purpose::OptOutConfirmation) => Actor::System(SystemPurpose::OptOutConfirmation),
                None => Actor::Replay { by: replayed_by },
            },
            contact_id: self.contact_id,
            content: self.content,
            from: self.from,
            key: self.key,
            now,
            pacer: None,
        }
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
        let again = read.into_command(by, cmd.now);
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
    fn a_body_that_is_not_a_whole_dead_letter_is_refused() {
        assert!(OutboundDeadLetter::parse(r#"{"messageId":"x"}"#).is_err());
        let cmd = confirmation();
        let mut body: serde_json::Value =
            serde_json::from_str(&OutboundDeadLetter::of(&cmd, &Down, cmd.now).body().unwrap()).unwrap();
        body["content"] = serde_json::json!({ "fax": { "text": "bye" } });
        assert!(OutboundDeadLetter::parse(&body.to_string()).is_err());
    }
}
