//! Messages and conversations.
//!
//! A message lives under its contact (`{tenant}#CONTACT#{contactId}` / `MSG#{at}#{messageId}`), so a
//! conversation's timeline is one Query, newest first; `gsi1` finds a message by id. Each contact
//! with messages has one conversation row (`{tenant}#CONV#{contactId}`) in `gsi2` ordered by last
//! activity, carrying the last message and the unread inbound count, so the inbox is one Query
//! too. A message, its conversation row and its audit entry are written in one transaction.
//! Messages expire after 30 days (`expiresAt`); reads skip expired ones.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wecare_core::message::{Direction, MessageStatus};
use wecare_core::time::{expires_at, is_expired, iso, MESSAGE_RETENTION};
use wecare_core::{Channel, ContactId, TenantId};

use crate::audit::AuditEntry;
use crate::cursor::{self, InvalidCursor};
use crate::error::StoreError;

/// A provider's error, kept on a failed message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderError {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    pub name: String,
    pub language: String,
    #[serde(default)]
    pub parameters: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub message_id: String,
    pub tenant_id: TenantId,
    pub contact_id: ContactId,
    pub channel: Channel,
    pub direction: Direction,
    pub status: MessageStatus,
    /// The address it went to or came from (E.164 phone or email).
    pub to: String,
    /// The sender: WhatsApp phone-number id, SMS origination identity or email sender.
    pub from: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<Template>,
    /// Whether it was a template (business-initiated pricing) rather than free-form.
    pub is_template: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segments: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ProviderError>,
    /// Anything else channel-specific (media, location, button reply…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub expires_at: i64,
}

impl Message {
    pub fn expiry(now: DateTime<Utc>) -> i64 {
        expires_at(now, MESSAGE_RETENTION)
    }

    fn pk(&self) -> String {
        format!("{}#CONTACT#{}", self.tenant_id, self.contact_id)
    }

    fn sk(&self) -> String {
        format!("MSG#{}#{}", iso(self.created_at), self.message_id)
    }

    fn item(&self) -> Result<HashMap<String, AttributeValue>, StoreError> {
        let mut item: HashMap<String, AttributeValue> = serde_dynamo::to_item(self).map_err(StoreError::Serialize)?;
        item.insert("pk".into(), s(self.pk()));
        item.insert("sk".into(), s(self.sk()));
        item.insert(
            "gsi1pk".into(),
            s(format!("{}#MSG#{}", self.tenant_id, self.message_id)),
        );
        item.insert("gsi1sk".into(), s("MSG"));
        Ok(item)
    }
}

/// One inbox row: a contact's latest message and what is unread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    pub contact_id: ContactId,
    pub last_message: Message,
    pub unread_count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_inbound_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn built<T, E: std::error::Error + Send + Sync + 'static>(r: Result<T, E>) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Dynamo {
        operation: "build",
        source: Box::new(e),
    })
}

#[derive(Clone)]
pub struct MessagesRepo {
    client: Client,
    table: String,
    audit: String,
}

impl MessagesRepo {
    pub fn new(client: Client, messages_table: impl Into<String>, audit_table: impl Into<String>) -> Self {
        MessagesRepo {
            client,
            table: messages_table.into(),
            audit: audit_table.into(),
        }
    }

    fn conversation_pk(tenant: &TenantId, contact: &ContactId) -> String {
        format!("{tenant}#CONV#{contact}")
    }

    /// Records an outbound message with its conversation row and audit entry, atomically.
    pub async fn record_outbound(&self, m: &Message, audit: &AuditEntry, now: DateTime<Utc>) -> Result<(), StoreError> {
        let put = built(Put::builder().table_name(&self.table).set_item(Some(m.item()?)).build())?;
        let last: HashMap<String, AttributeValue> = serde_dynamo::to_item(m).map_err(StoreError::Serialize)?;
        let conversation = built(
            Update::builder()
                .table_name(&self.table)
                .key("pk", s(Self::conversation_pk(&m.tenant_id, &m.contact_id)))
                .key("sk", s("CONV"))
                .update_expression(
                    "SET lastMessage = :m, contactId = :c, updatedAt = :now, gsi2pk = :g, gsi2sk = :gs, \
                     unreadCount = if_not_exists(unreadCount, :zero)",
                )
                .expression_attribute_values(":m", AttributeValue::M(last))
                .expression_attribute_values(":c", s(m.contact_id.to_string()))
                .expression_attribute_values(":now", s(iso(now)))
                .expression_attribute_values(":g", s(format!("{}#CONVERSATIONS", m.tenant_id)))
                .expression_attribute_values(":gs", s(format!("{}#{}", iso(now), m.contact_id)))
                .expression_attribute_values(":zero", AttributeValue::N("0".into()))
                .build(),
        )?;
        self.client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().update(conversation).build())
            .transact_items(TransactWriteItem::builder().put(audit.put(&self.audit, now)?).build())
            .send()
            .await
            .map_err(|e| StoreError::dynamo("TransactWriteItems", e))?;
        Ok(())
    }

    /// A contact's messages, newest first, without expired ones.
    pub async fn list_for_contact(
        &self,
        tenant: &TenantId,
        contact: &ContactId,
        limit: i32,
        after: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Page<Message>, ListError> {
        let pk = format!("{tenant}#CONTACT#{contact}");
        let start = after.map(|c| cursor::decode(c, "pk", &pk)).transpose()?;
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :p AND begins_with(sk, :m)")
            .expression_attribute_values(":p", s(pk))
            .expression_attribute_values(":m", s("MSG#"))
            .scan_index_forward(false)
            .limit(limit)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("Query", e))?;
        let mut items = Vec::new();
        for item in out.items.unwrap_or_default() {
            let m: Message = serde_dynamo::from_item(item).map_err(StoreError::Corrupt)?;
            if !is_expired(m.expires_at, now) {
                items.push(m);
            }
        }
        Ok(Page {
            items,
            next_cursor: out.last_evaluated_key.as_ref().map(cursor::encode),
        })
    }

    /// The inbox: conversations by latest activity.
    pub async fn conversations(
        &self,
        tenant: &TenantId,
        limit: i32,
        after: Option<&str>,
    ) -> Result<Page<Conversation>, ListError> {
        let gpk = format!("{tenant}#CONVERSATIONS");
        let start = after.map(|c| cursor::decode(c, "gsi2pk", &gpk)).transpose()?;
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi2")
            .key_condition_expression("gsi2pk = :p")
            .expression_attribute_values(":p", s(gpk))
            .scan_index_forward(false)
            .limit(limit)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("Query", e))?;
        let items = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|i| serde_dynamo::from_item(i).map_err(StoreError::Corrupt))
            .collect::<Result<Vec<Conversation>, _>>()?;
        Ok(Page {
            items,
            next_cursor: out.last_evaluated_key.as_ref().map(cursor::encode),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error(transparent)]
    Cursor(#[from] InvalidCursor),
    #[error(transparent)]
    Store(#[from] StoreError),
}
