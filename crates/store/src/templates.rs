//! The WhatsApp template catalogue of each business account, kept in SystemConfig so that lists
//! and send checks never wait on the provider, and the daily count of template messages by
//! sender and category (what Meta bills by).
//!
//! Keys (the tenant first, as everywhere; a business account belongs to one tenant):
//! - a template: `{tenant}#TEMPLATES#{wabaId}` / `T#{name}#{language}`, the template as JSON;
//! - the last sync: `{tenant}#TEMPLATES#{wabaId}` / `SYNC`, `syncedAt` and `count`;
//! - usage: `{tenant}#TEMPLATE-USAGE` / `{day}#{sender}#{category}`, `n`.
//!
//! A sync replaces the account's catalogue with what the provider holds: changed templates are
//! put, vanished ones deleted, then the marker is written. Template updates are whole-item puts,
//! so two syncs racing write the same provider state; the last marker wins, harmlessly.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, PutRequest, WriteRequest};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, NaiveDate, Utc};
use wecare_core::template::{Category, Template};
use wecare_core::time::iso;
use wecare_core::TenantId;

use crate::error::StoreError;

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn catalogue_pk(tenant: &TenantId, waba: &str) -> String {
    format!("{tenant}#TEMPLATES#{waba}")
}

fn template_sk(name: &str, language: &str) -> String {
    format!("T#{name}#{language}")
}

const SYNC_SK: &str = "SYNC";

fn usage_pk(tenant: &TenantId) -> String {
    format!("{tenant}#TEMPLATE-USAGE")
}

/// A business account's catalogue as stored.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Catalogue {
    pub templates: Vec<Template>,
    pub synced_at: Option<DateTime<Utc>>,
    /// When each template (name, language) last changed here.
    pub updated_at: HashMap<(String, String), DateTime<Utc>>,
}

/// Template messages of one day, sender and category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    pub day: NaiveDate,
    pub sender: String,
    pub category: Category,
    pub count: u64,
}

#[derive(Clone)]
pub struct TemplatesRepo {
    client: Client,
    table: String,
}

impl TemplatesRepo {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        TemplatesRepo {
            client,
            table: table.into(),
        }
    }

    fn item(
        tenant: &TenantId,
        waba: &str,
        t: &Template,
        now: DateTime<Utc>,
    ) -> Result<HashMap<String, AttributeValue>, StoreError> {
        let json = serde_json::to_string(t).map_err(|e| StoreError::Serialize(json_error(e)))?;
        Ok(HashMap::from([
            ("pk".to_string(), s(catalogue_pk(tenant, waba))),
            ("sk".to_string(), s(template_sk(t.name(), t.language()))),
            ("template".to_string(), s(json)),
            ("updatedAt".to_string(), s(iso(now))),
        ]))
    }

    fn template_of(item: &HashMap<String, AttributeValue>) -> Result<Template, StoreError> {
        let raw = item
            .get("template")
            .and_then(|v| v.as_s().ok())
            .ok_or_else(|| StoreError::Corrupt(json_error("a template item without its template")))?;
        serde_json::from_str(raw).map_err(|e| StoreError::Corrupt(json_error(e)))
    }

    /// The account's catalogue (every template and version) and when it was last synced.
    pub async fn catalogue(&self, tenant: &TenantId, waba: &str) -> Result<Catalogue, StoreError> {
        self.query(tenant, waba, None).await
    }

    /// The versions (one per language) of the template `name`.
    pub async fn versions(&self, tenant: &TenantId, waba: &str, name: &str) -> Result<Catalogue, StoreError> {
        self.query(tenant, waba, Some(format!("T#{name}#"))).await
    }

    async fn query(&self, tenant: &TenantId, waba: &str, prefix: Option<String>) -> Result<Catalogue, StoreError> {
        let mut out = Catalogue::default();
        let mut start = None;
        loop {
            let mut req = self
                .client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .expression_attribute_values(":p", s(catalogue_pk(tenant, waba)))
                .set_exclusive_start_key(start);
            req = match &prefix {
                Some(p) => req
                    .key_condition_expression("pk = :p AND begins_with(sk, :t)")
                    .expression_attribute_values(":t", s(p.clone())),
                None => req.key_condition_expression("pk = :p"),
            };
            let page = req.send().await.map_err(|e| StoreError::dynamo("Query", e))?;
            for item in page.items.unwrap_or_default() {
                match item.get("sk").and_then(|v| v.as_s().ok()).map(String::as_str) {
                    Some(SYNC_SK) => {
                        out.synced_at = item
                            .get("syncedAt")
                            .and_then(|v| v.as_s().ok())
                            .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
                            .map(|d| d.with_timezone(&Utc));
                    }
                    _ => {
                        let t = Self::template_of(&item)?;
                        if let Some(at) = item
                            .get("updatedAt")
                            .and_then(|v| v.as_s().ok())
                            .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
                        {
                            out.updated_at
                                .insert((t.name().to_string(), t.language().to_string()), at.with_timezone(&Utc));
                        }
                        out.templates.push(t);
                    }
                }
            }
            match page.last_evaluated_key {
                Some(k) => start = Some(k),
                None => break,
            }
        }
        // A lookup that found its template needs no sync time (it decides only what to do on a miss).
        if prefix.is_some() && out.templates.is_empty() {
            out.synced_at = self.synced_at(tenant, waba).await?;
        }
        Ok(out)
    }

    /// When the account's catalogue was last synced; `None` if never.
    pub async fn synced_at(&self, tenant: &TenantId, waba: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(catalogue_pk(tenant, waba)))
            .key("sk", s(SYNC_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;
        Ok(out
            .item
            .and_then(|i| i.get("syncedAt").and_then(|v| v.as_s().ok()).cloned())
            .and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
            .map(|d| d.with_timezone(&Utc)))
    }

    /// Replaces the stored catalogue (`stored`, as the caller read it) with `templates` (what the
    /// provider holds now): puts what changed, deletes what vanished, and marks the account synced
    /// at `now`.
    pub async fn replace(
        &self,
        tenant: &TenantId,
        waba: &str,
        stored: &Catalogue,
        templates: &[Template],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut writes = Vec::new();
        for t in templates {
            if !stored.templates.contains(t) {
                writes.push(
                    WriteRequest::builder()
                        .put_request(put(Self::item(tenant, waba, t, now)?)?)
                        .build(),
                );
            }
        }
        for old in &stored.templates {
            if !templates
                .iter()
                .any(|t| t.name() == old.name() && t.language() == old.language())
            {
                let key = HashMap::from([
                    ("pk".to_string(), s(catalogue_pk(tenant, waba))),
                    ("sk".to_string(), s(template_sk(old.name(), old.language()))),
                ]);
                let delete = DeleteRequest::builder()
                    .set_key(Some(key))
                    .build()
                    .map_err(|e| StoreError::Dynamo {
                        operation: "build",
                        source: Box::new(e),
                    })?;
                writes.push(WriteRequest::builder().delete_request(delete).build());
            }
        }
        self.batch_write(writes).await?;
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(catalogue_pk(tenant, waba)))
            .item("sk", s(SYNC_SK))
            .item("syncedAt", s(iso(now)))
            .item("count", AttributeValue::N(templates.len().to_string()))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("PutItem", e))?;
        Ok(())
    }

    /// Stores one template as the provider now holds it (created, or its status changed).
    pub async fn put(&self, tenant: &TenantId, waba: &str, t: &Template, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(Self::item(tenant, waba, t, now)?))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("PutItem", e))?;
        Ok(())
    }

    /// Forgets a template version (deleted at the provider).
    pub async fn delete(&self, tenant: &TenantId, waba: &str, name: &str, language: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(catalogue_pk(tenant, waba)))
            .key("sk", s(template_sk(name, language)))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("DeleteItem", e))?;
        Ok(())
    }

    async fn batch_write(&self, writes: Vec<WriteRequest>) -> Result<(), StoreError> {
        for chunk in writes.chunks(25) {
            let mut pending = chunk.to_vec();
            let mut attempt = 0u32;
            while !pending.is_empty() {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(|e| StoreError::dynamo("BatchWriteItem", e))?;
                pending = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(&self.table))
                    .unwrap_or_default();
                if !pending.is_empty() {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(50 * 2u64.pow(attempt.min(5)))).await;
                }
            }
        }
        Ok(())
    }

    /// Counts one template message of `category` from `sender` on `at`'s day (UTC).
    pub async fn count_use(
        &self,
        tenant: &TenantId,
        sender: &str,
        category: Category,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.count_uses(tenant, sender, category, at.date_naive(), 1).await
    }

    /// Counts `n` template messages of `category` from `sender` on `day` (UTC).
    pub async fn count_uses(
        &self,
        tenant: &TenantId,
        sender: &str,
        category: Category,
        day: NaiveDate,
        n: u64,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(usage_pk(tenant)))
            .key("sk", s(format!("{day}#{sender}#{}", category.as_str())))
            .update_expression("ADD n :n")
            .expression_attribute_values(":n", AttributeValue::N(n.to_string()))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("UpdateItem", e))?;
        Ok(())
    }

    /// Template messages per day, sender and category from `since` (a day, UTC) on.
    pub async fn usage(&self, tenant: &TenantId, since: NaiveDate) -> Result<Vec<Usage>, StoreError> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :p AND sk >= :since")
                .expression_attribute_values(":p", s(usage_pk(tenant)))
                .expression_attribute_values(":since", s(since.to_string()))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| StoreError::dynamo("Query", e))?;
            for item in page.items.unwrap_or_default() {
                let sk = item.get("sk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
                let mut parts = sk.splitn(3, '#');
                let (Some(day), Some(sender), Some(category)) = (parts.next(), parts.next(), parts.next()) else {
                    continue;
                };
                let (Ok(day), Some(category)) = (day.parse(), Category::parse(category)) else {
                    continue;
                };
                let count = item
                    .get("n")
                    .and_then(|v| v.as_n().ok())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                out.push(Usage {
                    day,
                    sender: sender.to_string(),
                    category,
                    count,
                });
            }
            match page.last_evaluated_key {
                Some(k) => start = Some(k),
                None => return Ok(out),
            }
        }
    }
}

/// A JSON failure in the error type the store reports corrupt or unserializable items with.
fn json_error(e: impl std::fmt::Display) -> serde_dynamo::Error {
    <serde_dynamo::Error as serde::de::Error>::custom(e)
}

fn put(item: HashMap<String, AttributeValue>) -> Result<PutRequest, StoreError> {
    PutRequest::builder()
        .set_item(Some(item))
        .build()
        .map_err(|e| StoreError::Dynamo {
            operation: "build",
            source: Box::new(e),
        })
}
