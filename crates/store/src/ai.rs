//! AIInteractions: every question to the knowledge base and every suggestion the agent drafted,
//! with the operator's decision and feedback, and the daily counts the Admins' statistics read.
//!
//! An interaction is one item, `{tenant}#AI#{id}` / `AI`, carrying a version. A change (begin or
//! finish an approval, reject, rate) reads the item, decides in plain code what it becomes, and
//! writes it back in one transaction conditioned on the version it read, together with the daily
//! counters the change moves (`ADD`) and its audit entry, if any. DynamoDB checks the condition
//! and applies the whole transaction atomically, so of two operators deciding at once exactly one
//! wins and the counters count each decision once, under any concurrency; the loser is told the
//! suggestion changed ([`ChangeError::Changed`]) and re-reads it.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use wecare_core::ai::{Origin, Rating, SuggestionStatus};
use wecare_core::{ContactId, TenantId};

use crate::audit::AuditEntry;
use crate::cursor::{query_index, IndexPartition, ListError, Page};
use crate::error::{first_condition_failed, StoreError};

const AI_SK: &str = "AI";

fn interaction_pk(t: &TenantId, id: &str) -> String {
    format!("{t}#AI#{id}")
}

fn contact_partition(t: &TenantId, contact: &str) -> String {
    format!("{t}#CONTACT#{contact}")
}

fn kind_partition(t: &TenantId, kind: InteractionKind) -> String {
    format!("{t}#AI#{}", kind.as_str())
}

fn stats_pk(t: &TenantId) -> String {
    format!("{t}#AI-STATS")
}

/// A question to the knowledge base, or a drafted reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InteractionKind {
    Query,
    Suggestion,
}

impl InteractionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InteractionKind::Query => "query",
            InteractionKind::Suggestion => "suggestion",
        }
    }
}

/// One source an answer or draft rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Citation {
    /// 1-based, in order of first appearance.
    pub id: u32,
    /// The document's location, e.g. `s3://…/returns-policy.md`.
    pub source: String,
    pub title: String,
    /// The retrieved passage.
    pub excerpt: String,
    /// Relevance 0–1, when the retrieval said.
    pub score: Option<f64>,
    /// The part of the answer this source supports.
    pub answer_part: String,
}

/// An operator's rating of a suggestion; a later one replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Feedback {
    pub rating: Rating,
    pub comment: Option<String>,
    pub by: String,
    pub at: String,
}

/// An interaction as stored and, for the most part, as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Interaction {
    pub id: String,
    pub kind: InteractionKind,
    /// When it was asked or drafted (RFC 3339, UTC).
    pub at: String,
    /// The user who asked; `None` for automation.
    pub by: Option<String>,
    pub contact_id: Option<String>,
    /// A query's question.
    pub question: Option<String>,
    /// A query's answer, or the draft as the agent wrote it.
    pub answer: String,
    pub citations: Vec<Citation>,
    pub latency_ms: u64,
    pub knowledge_base_id: Option<String>,
    pub agent_id: Option<String>,
    pub agent_alias_id: Option<String>,
    pub model_id: Option<String>,
    /// Suggestions only, from here on.
    pub status: Option<SuggestionStatus>,
    pub origin: Option<Origin>,
    /// What the approval sends: the draft, or the operator's edit of it.
    pub sent_text: Option<String>,
    #[serde(default)]
    pub opt_out_intent: bool,
    /// The inbound message the draft answers.
    pub in_reply_to: Option<String>,
    /// The sender the customer wrote to (a WhatsApp phone-number id): the reply goes from it.
    #[serde(default)]
    pub reply_from: Option<String>,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub reject_reason: Option<String>,
    /// The outbound message an approval sent.
    pub message_id: Option<String>,
    pub send_status: Option<String>,
    pub feedback: Option<Feedback>,
    /// Actions the agent asked the platform to carry out (return of control), all ignored: a
    /// draft is text, and only an operator's approval sends it.
    #[serde(default)]
    pub ignored_actions: u32,
    #[serde(default)]
    pub version: u64,
}

impl Interaction {
    /// A new interaction of `kind` asked or drafted `at`, with nothing else said yet (no
    /// decision, no feedback, version 0): callers fill in what they know.
    pub fn new(id: String, kind: InteractionKind, at: String) -> Self {
        Interaction {
            id,
            kind,
            at,
            by: None,
            contact_id: None,
            question: None,
            answer: String::new(),
            citations: Vec::new(),
            latency_ms: 0,
            knowledge_base_id: None,
            agent_id: None,
            agent_alias_id: None,
            model_id: None,
            status: None,
            origin: None,
            sent_text: None,
            opt_out_intent: false,
            in_reply_to: None,
            reply_from: None,
            decided_at: None,
            decided_by: None,
            reject_reason: None,
            message_id: None,
            send_status: None,
            feedback: None,
            ignored_actions: 0,
            version: 0,
        }
    }

    fn item(&self, tenant: &TenantId) -> Result<HashMap<String, AttributeValue>, StoreError> {
        let mut item: HashMap<String, AttributeValue> = serde_dynamo::to_item(self).map_err(StoreError::Serialize)?;
        let s = AttributeValue::S;
        item.insert("pk".into(), s(interaction_pk(tenant, &self.id)));
        item.insert("sk".into(), s(AI_SK.into()));
        let order = format!("{}#{}", self.at, self.id);
        item.insert("gsi2pk".into(), s(kind_partition(tenant, self.kind)));
        item.insert("gsi2sk".into(), s(order.clone()));
        if let (InteractionKind::Suggestion, Some(contact)) = (self.kind, &self.contact_id) {
            item.insert("gsi1pk".into(), s(contact_partition(tenant, contact)));
            item.insert("gsi1sk".into(), s(order));
        }
        Ok(item)
    }
}

/// How a change moves one day's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DayCounts {
    #[serde(default)]
    pub queries: i64,
    #[serde(default)]
    pub suggested: i64,
    #[serde(default)]
    pub approved: i64,
    #[serde(default)]
    pub edited: i64,
    #[serde(default)]
    pub rejected: i64,
    #[serde(default)]
    pub up: i64,
    #[serde(default)]
    pub down: i64,
}

impl DayCounts {
    fn fields(&self) -> [(&'static str, i64); 7] {
        [
            ("queries", self.queries),
            ("suggested", self.suggested),
            ("approved", self.approved),
            ("edited", self.edited),
            ("rejected", self.rejected),
            ("up", self.up),
            ("down", self.down),
        ]
    }

    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &DayCounts) {
        self.queries += other.queries;
        self.suggested += other.suggested;
        self.approved += other.approved;
        self.edited += other.edited;
        self.rejected += other.rejected;
        self.up += other.up;
        self.down += other.down;
    }
}

/// One day's counts, as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Day {
    pub date: NaiveDate,
    #[serde(flatten)]
    pub counts: DayCounts,
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// Someone changed the interaction since it was read.
    #[error("the interaction changed since it was read")]
    Changed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum InsertError {
    /// An interaction with this id exists (a redelivered request for a draft already made).
    #[error("the interaction already exists")]
    Exists,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Clone, Debug)]
pub struct AiRepo {
    client: Client,
    table: String,
    audit: String,
}

impl AiRepo {
    pub fn new(client: Client, table: impl Into<String>, audit_table: impl Into<String>) -> Self {
        AiRepo {
            client,
            table: table.into(),
            audit: audit_table.into(),
        }
    }

    /// Adds an interaction and its counts, once: a second insert of the same id is `Exists`.
    pub async fn insert(
        &self,
        tenant: &TenantId,
        interaction: &Interaction,
        counts: (NaiveDate, DayCounts),
    ) -> Result<(), InsertError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(interaction.item(tenant)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_error)?;
        let mut items = vec![TransactWriteItem::builder().put(put).build()];
        items.extend(self.count(tenant, &[counts])?);
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if first_condition_failed(&e) => Err(InsertError::Exists),
            Err(e) => Err(StoreError::dynamo("TransactWriteItems", e).into()),
        }
    }

    /// The interaction `id` of the tenant, read strongly (a change follows).
    pub async fn get(&self, tenant: &TenantId, id: &str) -> Result<Option<Interaction>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(interaction_pk(tenant, id)))
            .key("sk", AttributeValue::S(AI_SK.into()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;
        out.item
            .map(|item| serde_dynamo::from_item(item).map_err(StoreError::Corrupt))
            .transpose()
    }

    /// Writes `next` over the version `read` had, with the counts it moves and its audit entry,
    /// in one transaction (see the module). Returns what is now stored.
    pub async fn change(
        &self,
        tenant: &TenantId,
        read: &Interaction,
        mut next: Interaction,
        counts: &[(NaiveDate, DayCounts)],
        audit: Option<&AuditEntry>,
        now: DateTime<Utc>,
    ) -> Result<Interaction, ChangeError> {
        next.version = read.version + 1;
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(next.item(tenant)?))
            .condition_expression("version = :v")
            .expression_attribute_values(":v", AttributeValue::N(read.version.to_string()))
            .build()
            .map_err(build_error)?;
        let mut items = vec![TransactWriteItem::builder().put(put).build()];
        items.extend(self.count(tenant, counts)?);
        if let Some(audit) = audit {
            items.push(TransactWriteItem::builder().put(audit.put(&self.audit, now)?).build());
        }
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(next),
            Err(e) if first_condition_failed(&e) => Err(ChangeError::Changed),
            Err(e) => Err(StoreError::dynamo("TransactWriteItems", e).into()),
        }
    }

    /// The `ADD`s of `counts`, one update per day (a transaction may touch an item only once).
    fn count(
        &self,
        tenant: &TenantId,
        counts: &[(NaiveDate, DayCounts)],
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut by_day: BTreeMap<NaiveDate, DayCounts> = BTreeMap::new();
        for (day, c) in counts {
            by_day.entry(*day).or_default().add(c);
        }
        let mut items = Vec::new();
        for (day, c) in by_day {
            let moved: Vec<(&str, i64)> = c.fields().into_iter().filter(|(_, n)| *n != 0).collect();
            if moved.is_empty() {
                continue;
            }
            let expr = moved
                .iter()
                .map(|(f, _)| format!("#{f} :{f}"))
                .collect::<Vec<_>>()
                .join(", ");
            let mut update = Update::builder()
                .table_name(&self.table)
                .key("pk", AttributeValue::S(stats_pk(tenant)))
                .key("sk", AttributeValue::S(day.to_string()))
                .update_expression(format!("ADD {expr}"));
            for (f, n) in moved {
                update = update
                    .expression_attribute_names(format!("#{f}"), f)
                    .expression_attribute_values(format!(":{f}"), AttributeValue::N(n.to_string()));
            }
            items.push(
                TransactWriteItem::builder()
                    .update(update.build().map_err(build_error)?)
                    .build(),
            );
        }
        Ok(items)
    }

    /// A contact's suggestions, newest first.
    pub async fn for_contact(
        &self,
        tenant: &TenantId,
        contact: &ContactId,
        limit: i32,
        after: Option<&str>,
    ) -> Result<Page<Interaction>, ListError> {
        let at = IndexPartition {
            table: &self.table,
            index: "gsi1",
            partition: contact_partition(tenant, &contact.to_string()),
        };
        query_index(&self.client, at, limit, after, |q| q.scan_index_forward(false)).await
    }

    /// The tenant's interactions of one kind, newest first.
    pub async fn of_kind(
        &self,
        tenant: &TenantId,
        kind: InteractionKind,
        limit: i32,
        after: Option<&str>,
    ) -> Result<Page<Interaction>, ListError> {
        let at = IndexPartition {
            table: &self.table,
            index: "gsi2",
            partition: kind_partition(tenant, kind),
        };
        query_index(&self.client, at, limit, after, |q| q.scan_index_forward(false)).await
    }

    /// Every day from `from` to `to` inclusive, oldest first, with zeros where nothing happened.
    pub async fn days(&self, tenant: &TenantId, from: NaiveDate, to: NaiveDate) -> Result<Vec<Day>, StoreError> {
        let mut found: BTreeMap<NaiveDate, DayCounts> = BTreeMap::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
                .expression_attribute_values(":pk", AttributeValue::S(stats_pk(tenant)))
                .expression_attribute_values(":from", AttributeValue::S(from.to_string()))
                .expression_attribute_values(":to", AttributeValue::S(to.to_string()))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| StoreError::dynamo("Query", e))?;
            for item in out.items.unwrap_or_default() {
                let Some(day) = item
                    .get("sk")
                    .and_then(|v| v.as_s().ok())
                    .and_then(|s| s.parse::<NaiveDate>().ok())
                else {
                    continue;
                };
                let counts: DayCounts = serde_dynamo::from_item(item).map_err(StoreError::Corrupt)?;
                found.insert(day, counts);
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        Ok(from
            .iter_days()
            .take_while(|d| *d <= to)
            .map(|date| Day {
                date,
                counts: found.get(&date).copied().unwrap_or_default(),
            })
            .collect())
    }
}

fn build_error(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Dynamo {
        operation: "TransactWriteItem(build)",
        source: Box::new(e),
    }
}
