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
use crate::error::{condition_failed, StoreError};

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

    /// The conversation row's update for a new message: it becomes the last message and moves the
    /// row to the top of the inbox; an inbound one also counts as unread and records its time.
    fn conversation_row(&self, m: &Message, now: DateTime<Utc>) -> Result<Update, StoreError> {
        let last: HashMap<String, AttributeValue> = serde_dynamo::to_item(m).map_err(StoreError::Serialize)?;
        let update = Update::builder()
            .table_name(&self.table)
            .key("pk", s(Self::conversation_pk(&m.tenant_id, &m.contact_id)))
            .key("sk", s("CONV"))
            .expression_attribute_values(":m", AttributeValue::M(last))
            .expression_attribute_values(":c", s(m.contact_id.to_string()))
            .expression_attribute_values(":now", s(iso(now)))
            .expression_attribute_values(":g", s(format!("{}#CONVERSATIONS", m.tenant_id)))
            .expression_attribute_values(":gs", s(format!("{}#{}", iso(now), m.contact_id)));
        const LAST: &str = "SET lastMessage = :m, contactId = :c, updatedAt = :now, gsi2pk = :g, gsi2sk = :gs";
        let update = match m.direction {
            Direction::Inbound => update
                .update_expression(format!("{LAST}, lastInboundAt = :at ADD unreadCount :one"))
                .expression_attribute_values(":at", s(iso(m.created_at)))
                .expression_attribute_values(":one", AttributeValue::N("1".into())),
            Direction::Outbound => update
                .update_expression(format!("{LAST}, unreadCount = if_not_exists(unreadCount, :zero)"))
                .expression_attribute_values(":zero", AttributeValue::N("0".into())),
        };
        built(update.build())
    }

    /// Records an outbound message with its conversation row and audit entry, atomically.
    pub async fn record_outbound(&self, m: &Message, audit: &AuditEntry, now: DateTime<Utc>) -> Result<(), StoreError> {
        let put = built(Put::builder().table_name(&self.table).set_item(Some(m.item()?)).build())?;
        let conversation = self.conversation_row(m, now)?;
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

/// What applying a provider status did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusOutcome {
    Advanced,
    /// A duplicate, or older than what is stored: statuses never move a message backwards.
    Ignored,
    /// No such message (another deployment's, or expired).
    Unknown,
}

impl MessagesRepo {
    /// Stores an inbound message once: a guard keyed on the provider's message id is claimed in
    /// the same transaction, so any number of redeliveries store it exactly once. Returns whether
    /// this call stored it.
    pub async fn record_inbound(&self, m: &Message, provider_id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let guard = HashMap::from([
            ("pk".to_string(), s(format!("{}#INBOUND#{provider_id}", m.tenant_id))),
            ("sk".to_string(), s("GUARD")),
            ("messageId".to_string(), s(m.message_id.clone())),
            ("expiresAt".to_string(), AttributeValue::N(m.expires_at.to_string())),
        ]);
        let guard = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(guard))
                .condition_expression("attribute_not_exists(pk)")
                .build(),
        )?;
        let put = built(Put::builder().table_name(&self.table).set_item(Some(m.item()?)).build())?;
        let conversation = self.conversation_row(m, now)?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(guard).build())
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().update(conversation).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if is_condition_cancelled(&e) => Ok(false),
            Err(e) => Err(StoreError::dynamo("TransactWriteItems", e)),
        }
    }

    /// A message by id (gsi1).
    pub async fn find(&self, tenant: &TenantId, message_id: &str) -> Result<Option<Message>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi1")
            .key_condition_expression("gsi1pk = :p")
            .expression_attribute_values(":p", s(format!("{tenant}#MSG#{message_id}")))
            .limit(1)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("Query", e))?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(|i| serde_dynamo::from_item(i).map_err(StoreError::Corrupt))
            .transpose()
    }

    /// Moves a message to `status` if that is forward from where it is; one conditional write,
    /// so duplicates and late statuses are no-ops whatever order they arrive in.
    pub async fn apply_status(
        &self,
        tenant: &TenantId,
        message_id: &str,
        status: MessageStatus,
        error: Option<&ProviderError>,
        now: DateTime<Utc>,
    ) -> Result<StatusOutcome, StoreError> {
        let Some(m) = self.find(tenant, message_id).await? else {
            return Ok(StatusOutcome::Unknown);
        };
        let allowed = MessageStatus::may_follow(status);
        if allowed.is_empty() {
            return Ok(StatusOutcome::Ignored);
        }
        let names: Vec<String> = (0..allowed.len()).map(|i| format!(":from{i}")).collect();
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(m.pk()))
            .key("sk", s(m.sk()))
            .condition_expression(format!("#st IN ({})", names.join(", ")))
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":to", s(status.as_str()))
            .expression_attribute_values(":now", s(iso(now)));
        for (name, from) in names.iter().zip(&allowed) {
            req = req.expression_attribute_values(name.as_str(), s(from.as_str()));
        }
        req = match error {
            Some(err) => {
                let e: HashMap<String, AttributeValue> = serde_dynamo::to_item(err).map_err(StoreError::Serialize)?;
                req.update_expression("SET #st = :to, updatedAt = :now, #err = :err")
                    .expression_attribute_names("#err", "error")
                    .expression_attribute_values(":err", AttributeValue::M(e))
            }
            None => req.update_expression("SET #st = :to, updatedAt = :now"),
        };
        match req.send().await {
            Ok(_) => {}
            Err(e) if condition_failed(&e) => return Ok(StatusOutcome::Ignored),
            Err(e) => return Err(StoreError::dynamo("UpdateItem", e)),
        }
        // The inbox row shows the same ticks while this is still the conversation's last message.
        let row = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(Self::conversation_pk(tenant, &m.contact_id)))
            .key("sk", s("CONV"))
            .update_expression("SET lastMessage.#st = :to")
            .condition_expression("lastMessage.messageId = :id")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":to", s(status.as_str()))
            .expression_attribute_values(":id", s(message_id))
            .send()
            .await;
        match row {
            Ok(_) => {}
            Err(e) if condition_failed(&e) => {}
            Err(e) => return Err(StoreError::dynamo("UpdateItem", e)),
        }
        Ok(StatusOutcome::Advanced)
    }

    /// Marks a contact's conversation read (unread count back to 0), with its audit entry; false
    /// when nothing was unread, in which case nothing is written.
    pub async fn mark_read(
        &self,
        tenant: &TenantId,
        contact: &ContactId,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let update = built(
            Update::builder()
                .table_name(&self.table)
                .key("pk", s(Self::conversation_pk(tenant, contact)))
                .key("sk", s("CONV"))
                .update_expression("SET unreadCount = :zero, readAt = :now")
                .condition_expression("attribute_exists(pk) AND unreadCount > :zero")
                .expression_attribute_values(":zero", AttributeValue::N("0".into()))
                .expression_attribute_values(":now", s(iso(now)))
                .build(),
        )?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(update).build())
            .transact_items(TransactWriteItem::builder().put(audit.put(&self.audit, now)?).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if is_condition_cancelled(&e) => Ok(false),
            Err(e) => Err(StoreError::dynamo("TransactWriteItems", e)),
        }
    }
}

/// Whether a transaction was cancelled because its first item's condition failed.
fn is_condition_cancelled<R>(
    e: &aws_sdk_dynamodb::error::SdkError<
        aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
        R,
    >,
) -> bool {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    match e.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(c)) => {
            c.cancellation_reasons().first().and_then(|r| r.code()) == Some("ConditionalCheckFailed")
        }
        _ => false,
    }
}
