//! Messages and conversations.
//!
//! A message is addressed by its id (`{tenant}#MSG#{messageId}` / `MSG`), because that is what
//! every writer knows: the send pipeline claims the record there before calling a provider (the id
//! is derived from the send's idempotency key, so a repeat finds the first attempt), delivery
//! statuses name it in their callback data, and an inbound message's id is derived from its wamid
//! so the record is its own duplicate guard. A contact's timeline is `gsi1`
//! (`{tenant}#CONTACT#{contactId}` / `MSG#{at}#{messageId}`), newest first; it holds keys only, so
//! the settle and the delivery statuses that follow a message write nothing to it, and a page of
//! the timeline reads its messages from the table (one BatchGetItem). Each contact with
//! messages has one conversation row (`{tenant}#CONV#{contactId}`) in `gsi2` ordered by last
//! activity, carrying a trimmed copy of the last message and the unread inbound count, so the
//! inbox is one Query too.
//!
//! An outbound message is written in two steps, claim (`sending`) and settle, each one conditional
//! write on the record alone; its conversation row is updated separately and idempotently, so
//! inbound traffic on the same conversation can never cancel the record of a send. Messages expire
//! after 30 days (`expiresAt`); reads skip expired ones. Storing an inbound message and moving a
//! message's status also count it in the overview (`crate::overview`), by the write that did it.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wecare_core::message::{Direction, MessageStatus};
use wecare_core::overview::{milestones, Counted};
use wecare_core::time::{expires_at, is_expired, iso, MESSAGE_RETENTION};
use wecare_core::{Channel, ContactId, TenantId};

use crate::audit::AuditEntry;
use crate::bulk::RecipientStatus;
use crate::cursor::{query_index, query_index_then_items, IndexPartition};
pub use crate::cursor::{ListError, Page};
use crate::error::{condition_failed, StoreError};
use crate::keys;
use crate::overview::OverviewCounters;

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
    /// Values of the template's variables, the header's first.
    #[serde(default)]
    pub parameters: Vec<String>,
    /// How many of `parameters` fill the header (the rest fill the body), from the catalogue.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub header_parameters: usize,
    /// The variables' names of a template with named variables (`first_name`), in `parameters`'
    /// order; empty for numbered ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameter_names: Vec<String>,
    /// The uploaded file (media bucket key) of a media header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_media_key: Option<String>,
    /// The template's category, as the catalogue has it when sent (what Meta bills by).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<wecare_core::template::Category>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
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
    /// Who asked for an outbound message: `operator`, `system`, `bulk`, `ai`, `replay`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The send's idempotency key, and a digest of what was asked, so a reused key is recognised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the send was settled (the provider answered, or could not be said to have).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_at: Option<DateTime<Utc>>,
    pub expires_at: i64,
    /// The bulk job it was sent for: its record is then the job's ledger entry for the contact
    /// (see [`keys::message_key`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// It opened a business-initiated WhatsApp conversation (sent outside the customer's window).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub business_initiated: bool,
    /// For a bulk message, where its recipient stands in the job, fixed when the send is settled
    /// (`sent`, `failed`, `unknown`) and moved only from `unknown` by a later delivery status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<RecipientStatus>,
    /// An inbound text that reads like an opt-out request without being a keyword: a flag for
    /// the operator ("record it?"), never a consent change by itself.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub opt_out_intent: bool,
}

impl Message {
    pub fn expiry(now: DateTime<Utc>) -> i64 {
        expires_at(now, MESSAGE_RETENTION)
    }

    fn key(tenant: &TenantId, message_id: &str) -> [(&'static str, AttributeValue); 2] {
        let (pk, sk) = keys::message_key(tenant, message_id);
        [("pk", s(pk)), ("sk", s(sk))]
    }

    fn is_bulk(&self) -> bool {
        self.job_id.is_some()
    }

    fn item(&self) -> Result<HashMap<String, AttributeValue>, StoreError> {
        let mut item: HashMap<String, AttributeValue> = serde_dynamo::to_item(self).map_err(StoreError::Serialize)?;
        for (k, v) in Self::key(&self.tenant_id, &self.message_id) {
            item.insert(k.into(), v);
        }
        // A bulk message is not in the timeline index: a campaign of a hundred thousand would
        // pay an index write per recipient. The timeline finds it in its job's ledger instead
        // (`list_for_contact`).
        if !self.is_bulk() {
            item.insert("gsi1pk".into(), s(keys::timeline_pk(&self.tenant_id, &self.contact_id)));
            item.insert("gsi1sk".into(), s(keys::timeline_sk(self.created_at, &self.message_id)));
        }
        Ok(item)
    }

    /// The copy the inbox row carries: enough to draw the row, kept well under 1 KB.
    fn preview(&self) -> Message {
        const PREVIEW_CHARS: usize = 280;
        let mut m = self.clone();
        m.text = m.text.map(|t| t.chars().take(PREVIEW_CHARS).collect());
        m.html = None;
        m.idempotency_key = None;
        m.fingerprint = None;
        m
    }
}

/// A delivery status that arrived for a message not recorded yet, kept on a placeholder at the
/// message's key until the send claims it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingStatus {
    pub status: MessageStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ProviderError>,
    pub at: DateTime<Utc>,
}

/// What claiming a message record found.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// This call owns the send; statuses that arrived before it are handed over.
    Claimed { pending: Vec<PendingStatus> },
    /// The key was claimed before: the record as it stands.
    Existing(Box<Message>),
    /// A bulk recipient settled without a message (skipped or cancelled): nothing may be sent
    /// to it for its job any more.
    Closed(RecipientStatus),
}

/// How a send ended, to be written onto its claimed record.
#[derive(Debug, Clone, PartialEq)]
pub struct Settlement {
    /// `sent`, `failed`, `unknown` or `dry_run`.
    pub status: MessageStatus,
    pub provider_message_id: Option<String>,
    pub error: Option<ProviderError>,
    pub at: DateTime<Utc>,
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
    /// BulkRecipients: the jobs' ledgers, where bulk messages are recorded.
    ledger: String,
    audit: String,
    /// The overview's counters (in the messages table), moved by the writes here that move a
    /// message: an inbound message stored, a status that advanced one.
    overview: OverviewCounters,
}

type UpdateItemRequest = aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;

fn message_of(item: HashMap<String, AttributeValue>) -> Result<Message, StoreError> {
    serde_dynamo::from_item(item).map_err(StoreError::Corrupt)
}

/// What a bulk message's settle adds: its recipient's outcome in the job (written with the
/// settle itself, so the ledger costs no write of its own), and for the rare outcomes an operator
/// looks for, its entry in the job's by-outcome index.
fn settle_outcome(m: &Message, how: &Settlement, req: UpdateItemRequest) -> (Vec<&'static str>, UpdateItemRequest) {
    let (Some(job), Some(outcome)) = (&m.job_id, outcome_of(how.status)) else {
        return (vec![], req);
    };
    let mut set = vec!["outcome = :outcome"];
    let mut req = req.expression_attribute_values(":outcome", s(outcome.as_str()));
    if crate::bulk::indexed(outcome) {
        set.extend(["gsi1pk = :g", "gsi1sk = :gc"]);
        req = req
            .expression_attribute_values(
                ":g",
                s(keys::recipients_by_status_pk(&m.tenant_id, job, outcome.as_str())),
            )
            .expression_attribute_values(":gc", s(m.contact_id.to_string()));
    }
    (set, req)
}

/// The claim `m` as its settle by `how` leaves it (see [`MessagesRepo::settle_moved`]).
fn settled_claim(m: &Message, how: &Settlement) -> Message {
    let mut settled = m.clone();
    settled.status = how.status;
    settled.updated_at = how.at;
    settled.settled_at = Some(how.at);
    if let Some(id) = &how.provider_message_id {
        settled.provider_message_id = Some(id.clone());
    }
    if let Some(err) = &how.error {
        settled.error = Some(err.clone());
    }
    if m.job_id.is_some() {
        if let Some(outcome) = outcome_of(how.status) {
            settled.outcome = Some(outcome);
        }
    }
    settled
}

/// Where a bulk recipient stands once its message is in `status`; `None` while it is not settled.
pub fn outcome_of(status: MessageStatus) -> Option<RecipientStatus> {
    match status {
        MessageStatus::Sending | MessageStatus::Received => None,
        MessageStatus::Failed => Some(RecipientStatus::Failed),
        MessageStatus::Unknown => Some(RecipientStatus::Unknown),
        MessageStatus::Queued
        | MessageStatus::DryRun
        | MessageStatus::Sent
        | MessageStatus::Delivered
        | MessageStatus::Read => Some(RecipientStatus::Sent),
    }
}

impl MessagesRepo {
    pub fn new(
        client: Client,
        messages_table: impl Into<String>,
        ledger_table: impl Into<String>,
        audit_table: impl Into<String>,
    ) -> Self {
        let table = messages_table.into();
        MessagesRepo {
            overview: OverviewCounters::new(client.clone(), &table),
            client,
            table,
            ledger: ledger_table.into(),
            audit: audit_table.into(),
        }
    }

    /// The overview's counters, for the writers that count outside this repository (a send's
    /// settle, a bulk run's flush) and the overview's reader.
    pub fn overview(&self) -> &OverviewCounters {
        &self.overview
    }

    /// The table that holds `message_id`: a bulk message is its job's ledger entry.
    fn table_for(&self, message_id: &str) -> &str {
        if wecare_core::bulk::parse_bulk_message_id(message_id).is_some() {
            &self.ledger
        } else {
            &self.table
        }
    }

    /// Writes the audit entry of a send on its own (the send's record is already settled, and an
    /// audit entry must not be able to cancel it), unless an entry with its key exists: the first
    /// one written for a send stands.
    pub async fn audit_once(&self, entry: &AuditEntry, now: DateTime<Utc>) -> Result<(), StoreError> {
        let out = self
            .client
            .put_item()
            .table_name(&self.audit)
            .set_item(Some(entry.item(now)?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Ok(()),
            Err(e) => Err(StoreError::dynamo("PutItem", e)),
        }
    }

    /// An UpdateItem on the record of `message_id`.
    fn update_message(&self, tenant: &TenantId, message_id: &str) -> UpdateItemRequest {
        let [(pk, pv), (sk, sv)] = Message::key(tenant, message_id);
        self.client
            .update_item()
            .table_name(self.table_for(message_id))
            .key(pk, pv)
            .key(sk, sv)
    }

    /// Claims the record of an outbound message (`m`, in state `sending`) under its id: one
    /// conditional write that succeeds for exactly one caller however many race with the same
    /// key. A placeholder left by an early delivery status is taken over, and its statuses handed
    /// back; an existing record is returned as it stands.
    pub async fn claim(&self, m: &Message) -> Result<Claim, StoreError> {
        // A put, not an update: a placeholder holds only its key, its statuses and its expiry, so
        // replacing it whole is taking it over, and ALL_OLD hands its statuses back.
        let out = self
            .client
            .put_item()
            .table_name(self.table_for(&m.message_id))
            .set_item(Some(m.item()?))
            // A bulk recipient's ledger entry without a message (skipped, cancelled) closes it.
            .condition_expression("attribute_not_exists(messageId) AND attribute_not_exists(outcome)")
            .return_values(ReturnValue::AllOld)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match out {
            Ok(o) => {
                let pending = o
                    .attributes
                    .and_then(|mut a| a.remove("pendingStatuses"))
                    .map(serde_dynamo::from_attribute_value::<_, Vec<PendingStatus>>)
                    .transpose()
                    .map_err(StoreError::Corrupt)?
                    .unwrap_or_default();
                Ok(Claim::Claimed { pending })
            }
            Err(e) => match e.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(c)) => match c.item.clone() {
                    Some(item) if item.contains_key("messageId") => Ok(Claim::Existing(Box::new(message_of(item)?))),
                    Some(mut item) => {
                        let outcome = item.remove("outcome").ok_or_else(|| StoreError::dynamo("PutItem", e))?;
                        let outcome = serde_dynamo::from_attribute_value(outcome).map_err(StoreError::Corrupt)?;
                        Ok(Claim::Closed(outcome))
                    }
                    None => Err(StoreError::dynamo("PutItem", e)),
                },
                _ => Err(StoreError::dynamo("PutItem", e)),
            },
        }
    }

    /// Gives back a claim that never reached a provider (the send was refused after claiming:
    /// rate limit, tier), so the same key may be tried again. Only the claim made at `claimed_at`
    /// and still `sending` is removed.
    pub async fn release(&self, m: &Message) -> Result<(), StoreError> {
        let mut req = self.client.delete_item().table_name(self.table_for(&m.message_id));
        for (k, v) in Message::key(&m.tenant_id, &m.message_id) {
            req = req.key(k, v);
        }
        let out = req
            .condition_expression("#st = :sending AND createdAt = :at")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":sending", s(MessageStatus::Sending.as_str()))
            .expression_attribute_values(":at", s(iso(m.created_at)))
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Ok(()),
            Err(e) => Err(StoreError::dynamo("DeleteItem", e)),
        }
    }

    /// Settles a claimed send: one conditional update from `sending`. If a delivery status got
    /// there first (it can overtake the provider's answer), the status stays and only the
    /// provider's id is added. Returns the record as it now stands.
    pub async fn settle(&self, m: &Message, how: &Settlement) -> Result<Message, StoreError> {
        self.settle_reporting(m, how).await.map(|(message, _)| message)
    }

    /// [`MessagesRepo::settle`], also telling whether this call gave the send its outcome: always
    /// for a send of its own; for a bulk send, unless another call had settled its recipient
    /// first (a repeat that took the claim for a dead one's and called it unknown), so the
    /// recipient is counted once.
    pub async fn settle_reporting(&self, m: &Message, how: &Settlement) -> Result<(Message, bool), StoreError> {
        self.settle_moved(m, how)
            .await
            .map(|(message, first, _)| (message, first))
    }

    /// [`MessagesRepo::settle_reporting`], also telling whether this call's write moved the message
    /// out of `sending` (to `how.status`): false when a status or a repeat had moved it first. The
    /// overview counts what a move reaches, so only the write that made the move counts it.
    pub async fn settle_moved(&self, m: &Message, how: &Settlement) -> Result<(Message, bool, bool), StoreError> {
        let mut req = self.update_message(&m.tenant_id, &m.message_id);
        let mut set = vec!["#st = :to", "updatedAt = :now", "settledAt = :now"];
        req = req
            .condition_expression("#st = :sending")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":to", s(how.status.as_str()))
            .expression_attribute_values(":sending", s(MessageStatus::Sending.as_str()))
            .expression_attribute_values(":now", s(iso(how.at)));
        if let Some(id) = &how.provider_message_id {
            set.push("providerMessageId = :pid");
            req = req.expression_attribute_values(":pid", s(id.clone()));
        }
        if let Some(err) = &how.error {
            set.push("#err = :err");
            let e: HashMap<String, AttributeValue> = serde_dynamo::to_item(err).map_err(StoreError::Serialize)?;
            req = req
                .expression_attribute_names("#err", "error")
                .expression_attribute_values(":err", AttributeValue::M(e));
        }
        let (outcome_set, req) = settle_outcome(m, how, req);
        set.extend(outcome_set);
        // Conditioned on the claim still being `sending`, which only this settle moves it from, so
        // the record is now the claim with this settle's changes: built here rather than asked
        // back whole (ALL_NEW), which would have DynamoDB read out and serialise every message
        // once more — on the local stack, moto's largest cost per campaign send.
        let out = req.update_expression(format!("SET {}", set.join(", "))).send().await;
        match out {
            Ok(_) => Ok((settled_claim(m, how), true, true)),
            Err(e) if condition_failed(&e) => {
                // Overtaken: by a delivery status (kept; the provider's id is recorded, and a bulk
                // recipient gets its outcome), or by a repeat that settled it (its outcome stands).
                if m.is_bulk() {
                    if let Some(settled) = self.settle_overtaken(m, how, true).await? {
                        return Ok((settled, true, false));
                    }
                }
                let settled = self
                    .settle_overtaken(m, how, false)
                    .await?
                    .ok_or_else(|| StoreError::Dynamo {
                        operation: "UpdateItem",
                        source: "the claimed message disappeared before its settle".into(),
                    })?;
                Ok((settled, !m.is_bulk(), false))
            }
            Err(e) => Err(StoreError::dynamo("UpdateItem", e)),
        }
    }

    /// Records the provider's id on a message whose status moved on before its settle, and with
    /// `outcome` its recipient's outcome, only if it has none yet. `None` if the condition failed.
    async fn settle_overtaken(
        &self,
        m: &Message,
        how: &Settlement,
        outcome: bool,
    ) -> Result<Option<Message>, StoreError> {
        let mut req = self.update_message(&m.tenant_id, &m.message_id);
        let mut set = vec!["settledAt = :now"];
        req = req.expression_attribute_values(":now", s(iso(how.at)));
        if let Some(id) = &how.provider_message_id {
            set.push("providerMessageId = :pid");
            req = req.expression_attribute_values(":pid", s(id.clone()));
        }
        let condition = if outcome {
            let (outcome_set, with) = settle_outcome(m, how, req);
            set.extend(outcome_set);
            req = with;
            "attribute_exists(messageId) AND attribute_not_exists(outcome)"
        } else {
            "attribute_exists(messageId)"
        };
        let out = req
            .update_expression(format!("SET {}", set.join(", ")))
            .condition_expression(condition)
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match out {
            Ok(o) => Ok(Some(message_of(o.attributes.unwrap_or_default())?)),
            Err(e) if condition_failed(&e) => Ok(None),
            Err(e) => Err(StoreError::dynamo("UpdateItem", e)),
        }
    }

    /// Puts an outbound message on its conversation row, unless a later message is already
    /// there. Idempotent, and on its own: a conflict with inbound traffic costs nothing but a
    /// retry of this row.
    pub async fn touch_conversation(&self, m: &Message, now: DateTime<Utc>) -> Result<(), StoreError> {
        let update = self.conversation_row(m, now)?;
        let mut req = self
            .client
            .update_item()
            .table_name(update.table_name())
            .set_key(Some(update.key().clone()))
            .update_expression(update.update_expression())
            .set_expression_attribute_values(update.expression_attribute_values().cloned())
            .set_expression_attribute_names(update.expression_attribute_names().cloned());
        req = req
            .condition_expression("attribute_not_exists(lastAt) OR lastAt <= :at")
            .expression_attribute_values(":at", s(iso(m.created_at)));
        match req.send().await {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Ok(()),
            Err(e) => Err(StoreError::dynamo("UpdateItem", e)),
        }
    }

    /// The conversation row's update for a new message: it becomes the last message and moves the
    /// row to the top of the inbox; an inbound one also counts as unread and records its time.
    fn conversation_row(&self, m: &Message, now: DateTime<Utc>) -> Result<Update, StoreError> {
        let last: HashMap<String, AttributeValue> =
            serde_dynamo::to_item(m.preview()).map_err(StoreError::Serialize)?;
        let update = Update::builder()
            .table_name(&self.table)
            .key("pk", s(keys::conversation_pk(&m.tenant_id, &m.contact_id)))
            .key("sk", s(keys::CONVERSATION_SK))
            .expression_attribute_values(":m", AttributeValue::M(last))
            .expression_attribute_values(":c", s(m.contact_id.to_string()))
            .expression_attribute_values(":now", s(iso(now)))
            .expression_attribute_values(":last", s(iso(m.created_at)))
            .expression_attribute_values(":g", s(keys::conversations_pk(&m.tenant_id)))
            .expression_attribute_values(":gs", s(keys::conversations_sk(m.created_at.max(now), &m.contact_id)));
        const LAST: &str =
            "SET lastMessage = :m, contactId = :c, updatedAt = :now, lastAt = :last, gsi2pk = :g, gsi2sk = :gs";
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

    /// A contact's messages, newest first, without expired ones.
    pub async fn list_for_contact(
        &self,
        tenant: &TenantId,
        contact: &ContactId,
        limit: i32,
        after: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Page<Message>, ListError> {
        let at = IndexPartition {
            table: &self.table,
            index: "gsi1",
            partition: keys::timeline_pk(tenant, contact),
        };
        // The index holds keys only (see the module): the page's keys, then its messages.
        let keys = query_index_then_items(&self.client, at, limit, after, |q| {
            q.key_condition_expression("#ipk = :ipk AND begins_with(gsi1sk, :m)")
                .expression_attribute_values(":m", s("MSG#"))
                .scan_index_forward(false)
        })
        .await?;
        // Newest first, as the index ordered them; one that expired since is left out.
        let mut items: Vec<Message> = keys
            .items
            .into_iter()
            .map(message_of)
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|m| !is_expired(m.expires_at, now))
            .collect();
        // The page covers the times after its last message (everything older, on the last page)
        // up to where the page before it ended; the contact's campaign messages in that span
        // join it, so every page holds each of them exactly once.
        let newest = after.map(cursor_time).transpose()?;
        let oldest = match &keys.next_cursor {
            Some(_) => items.last().map(|m| m.created_at),
            None => None,
        };
        let campaign = self.campaign_messages(tenant, contact, oldest, newest, now).await?;
        if !campaign.is_empty() {
            items.extend(campaign);
            items.sort_by(|a, b| (b.created_at, &b.message_id).cmp(&(a.created_at, &a.message_id)));
        }
        Ok(Page {
            items,
            next_cursor: keys.next_cursor,
        })
    }

    /// Records that a bulk job sends from now on (in BulkRecipients, by the ledgers), so contacts'
    /// timelines look in its ledger.
    /// Idempotent: a job has one entry, at its creation time.
    pub async fn register_campaign(
        &self,
        tenant: &TenantId,
        job_id: &str,
        created_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.ledger)
            .item("pk", s(keys::campaigns_pk(tenant)))
            .item("sk", s(keys::campaigns_sk(created_at, job_id)))
            .item("jobId", s(job_id))
            // Kept as long as the job's messages can be (a job runs for hours, not days).
            .item(
                "expiresAt",
                AttributeValue::N((Message::expiry(created_at) + 86_400 * 7).to_string()),
            )
            .send()
            .await
            .map_err(|e| StoreError::dynamo("PutItem", e))?;
        Ok(())
    }

    /// A contact's messages from the tenant's campaigns created at or before `newest`, sent after
    /// `oldest` and at or before `newest` (either open when `None`): one Query of the campaigns,
    /// then one key per campaign read from the campaigns' ledgers.
    async fn campaign_messages(
        &self,
        tenant: &TenantId,
        contact: &ContactId,
        oldest: Option<DateTime<Utc>>,
        newest: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Message>, StoreError> {
        /// The most recent campaigns looked in: a tenant's campaigns of a month, and more.
        const CAMPAIGNS: i32 = 500;
        let mut query = self
            .client
            .query()
            .table_name(&self.ledger)
            .expression_attribute_values(":p", s(keys::campaigns_pk(tenant)))
            .scan_index_forward(false)
            .limit(CAMPAIGNS);
        query = match newest {
            // A campaign sends only after it is created.
            Some(at) => query
                .key_condition_expression("pk = :p AND sk <= :newest")
                .expression_attribute_values(":newest", s(format!("{}#~", iso(at)))),
            None => query.key_condition_expression("pk = :p"),
        };
        let out = query.send().await.map_err(|e| StoreError::dynamo("Query", e))?;
        let wanted: Vec<crate::batch::Item> = out
            .items
            .unwrap_or_default()
            .iter()
            .filter(|i| {
                i.get("expiresAt")
                    .and_then(|v| v.as_n().ok())
                    .and_then(|n| n.parse().ok())
                    .is_none_or(|e| !is_expired(e, now))
            })
            .filter_map(|i| i.get("jobId").and_then(|v| v.as_s().ok()))
            .map(|job| {
                HashMap::from([
                    ("pk".to_string(), s(keys::job_pk(tenant, job))),
                    ("sk".to_string(), s(keys::recipient_sk(contact))),
                ])
            })
            .collect();
        if wanted.is_empty() {
            return Ok(vec![]);
        }
        let mut found = Vec::new();
        for item in crate::batch::batch_get(&self.client, &self.ledger, wanted).await? {
            // A recipient skipped or cancelled has a ledger entry but no message.
            if !item.contains_key("messageId") {
                continue;
            }
            let m = message_of(item)?;
            let in_span = oldest.is_none_or(|o| m.created_at > o) && newest.is_none_or(|n| m.created_at <= n);
            if in_span && !is_expired(m.expires_at, now) {
                found.push(m);
            }
        }
        Ok(found)
    }

    /// The inbox: conversations by latest activity.
    pub async fn conversations(
        &self,
        tenant: &TenantId,
        limit: i32,
        after: Option<&str>,
    ) -> Result<Page<Conversation>, ListError> {
        let at = IndexPartition {
            table: &self.table,
            index: "gsi2",
            partition: keys::conversations_pk(tenant),
        };
        query_index(&self.client, at, limit, after, |q| q.scan_index_forward(false)).await
    }
}

/// What applying a provider status did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusOutcome {
    Advanced,
    /// A duplicate, or older than what is stored: statuses never move a message backwards.
    Ignored,
    /// No record yet: kept on a placeholder (7 days) for the send to take over when it claims.
    Pending,
}

/// The time a timeline cursor stands at: that of the last message of the page it follows.
fn cursor_time(cursor: &str) -> Result<DateTime<Utc>, crate::cursor::InvalidCursor> {
    use crate::cursor::InvalidCursor;
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, cursor.trim())
        .map_err(|_| InvalidCursor)?;
    let plain: HashMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| InvalidCursor)?;
    let at = plain
        .get("gsi1sk")
        .and_then(|sk| sk.strip_prefix("MSG#"))
        .and_then(|rest| rest.split('#').next())
        .ok_or(InvalidCursor)?;
    DateTime::parse_from_rfc3339(at)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| InvalidCursor)
}

/// How long a status for a message not recorded yet is kept.
const PENDING_STATUS_TTL: chrono::Duration = chrono::Duration::days(7);

impl MessagesRepo {
    /// Stores an inbound message once: its id is derived from the provider's message id, so the
    /// record is its own guard, written with its conversation row in one transaction (the unread
    /// count must move exactly once per message). Returns whether this call stored it.
    pub async fn record_inbound(&self, m: &Message, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let put = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(m.item()?))
                .condition_expression("attribute_not_exists(messageId)")
                .build(),
        )?;
        let conversation = self.conversation_row(m, now)?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().update(conversation).build())
            .send()
            .await;
        match result {
            Ok(_) => {
                // Counted by the one write that stored it; a redelivery stores and counts nothing.
                self.overview
                    .count_or_log(&m.tenant_id, m.channel, m.created_at, &[Counted::Received])
                    .await;
                Ok(true)
            }
            Err(e) if crate::error::first_condition_failed(&e) => Ok(false),
            Err(e) => Err(StoreError::dynamo("TransactWriteItems", e)),
        }
    }

    /// A message by id (a strongly consistent read of its record).
    pub async fn find(&self, tenant: &TenantId, message_id: &str) -> Result<Option<Message>, StoreError> {
        let mut req = self
            .client
            .get_item()
            .table_name(self.table_for(message_id))
            .consistent_read(true);
        for (k, v) in Message::key(tenant, message_id) {
            req = req.key(k, v);
        }
        let out = req.send().await.map_err(|e| StoreError::dynamo("GetItem", e))?;
        match out.item {
            Some(item) if item.contains_key("messageId") => Ok(Some(message_of(item)?)),
            _ => Ok(None),
        }
    }

    /// Moves a message to `status` if that is forward from where it is; one conditional write,
    /// so duplicates and late statuses are no-ops whatever order they arrive in. A status for a
    /// message with no record yet is kept for it (`Pending`).
    pub async fn apply_status(
        &self,
        tenant: &TenantId,
        message_id: &str,
        status: MessageStatus,
        error: Option<&ProviderError>,
        now: DateTime<Utc>,
    ) -> Result<StatusOutcome, StoreError> {
        let allowed = MessageStatus::may_follow(status);
        if allowed.is_empty() {
            return Ok(StatusOutcome::Ignored);
        }
        let names: Vec<String> = (0..allowed.len()).map(|i| format!(":from{i}")).collect();
        let mut req = self.update_message(tenant, message_id);
        req = req
            .condition_expression(format!("attribute_exists(messageId) AND #st IN ({})", names.join(", ")))
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":to", s(status.as_str()))
            .expression_attribute_values(":now", s(iso(now)))
            // The record as it was: the status it moved from says what the move reaches.
            .return_values(ReturnValue::AllOld)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
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
        let before = match req.send().await {
            Ok(o) => message_of(o.attributes.unwrap_or_default())?,
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(c)) => {
                    let recorded = c.item.as_ref().is_some_and(|i| i.contains_key("messageId"));
                    if recorded {
                        return Ok(StatusOutcome::Ignored);
                    }
                    return self.keep_pending(tenant, message_id, status, error, now).await;
                }
                _ => return Err(StoreError::dynamo("UpdateItem", e)),
            },
        };
        // Counted by this move only: a redelivered or older status moves nothing and counts nothing.
        self.overview
            .count_or_log(tenant, before.channel, now, &milestones(before.status, status))
            .await;
        let mut updated = before;
        updated.status = status;
        if updated.job_id.is_some() {
            // A campaign message is never a conversation's last message (it is not on the inbox
            // row); a status that tells what became of an unknown send settles its recipient.
            if updated.outcome == Some(RecipientStatus::Unknown) && outcome_of(status) == Some(RecipientStatus::Sent) {
                self.resolve_unknown(tenant, message_id).await?;
            }
            return Ok(StatusOutcome::Advanced);
        }
        let contact = updated.contact_id;
        // The inbox row shows the same ticks while this is still the conversation's last message.
        let row = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(keys::conversation_pk(tenant, &contact)))
            .key("sk", s(keys::CONVERSATION_SK))
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

    /// A bulk recipient whose send was unknown is sent after all (a delivery status said so): its
    /// outcome moves, once, and it leaves the job's index of unknown recipients.
    async fn resolve_unknown(&self, tenant: &TenantId, message_id: &str) -> Result<(), StoreError> {
        let out = self
            .update_message(tenant, message_id)
            .update_expression("SET outcome = :sent REMOVE gsi1pk, gsi1sk")
            .condition_expression("outcome = :unknown")
            .expression_attribute_values(":sent", s(RecipientStatus::Sent.as_str()))
            .expression_attribute_values(":unknown", s(RecipientStatus::Unknown.as_str()))
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Ok(()),
            Err(e) => Err(StoreError::dynamo("UpdateItem", e)),
        }
    }

    /// Keeps a status for a message not recorded yet on a placeholder at its key (no `messageId`
    /// attribute, 7-day expiry), which the send's claim takes over. If the claim got there in the
    /// meantime, the status is applied to it instead.
    async fn keep_pending(
        &self,
        tenant: &TenantId,
        message_id: &str,
        status: MessageStatus,
        error: Option<&ProviderError>,
        now: DateTime<Utc>,
    ) -> Result<StatusOutcome, StoreError> {
        let pending = PendingStatus {
            status,
            error: error.cloned(),
            at: now,
        };
        let entry = serde_dynamo::to_attribute_value(vec![pending]).map_err(StoreError::Serialize)?;
        let req = self.update_message(tenant, message_id);
        let out = req
            .update_expression(
                "SET pendingStatuses = list_append(if_not_exists(pendingStatuses, :none), :p), expiresAt = :exp",
            )
            .condition_expression("attribute_not_exists(messageId)")
            .expression_attribute_values(":none", AttributeValue::L(vec![]))
            .expression_attribute_values(":p", entry)
            .expression_attribute_values(
                ":exp",
                AttributeValue::N((now + PENDING_STATUS_TTL).timestamp().to_string()),
            )
            .send()
            .await;
        match out {
            Ok(_) => Ok(StatusOutcome::Pending),
            Err(e) if condition_failed(&e) => Box::pin(self.apply_status(tenant, message_id, status, error, now)).await,
            Err(e) => Err(StoreError::dynamo("UpdateItem", e)),
        }
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
                .key("pk", s(keys::conversation_pk(tenant, contact)))
                .key("sk", s(keys::CONVERSATION_SK))
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
            Err(e) if crate::error::first_condition_failed(&e) => Ok(false),
            Err(e) => Err(StoreError::dynamo("TransactWriteItems", e)),
        }
    }
}
