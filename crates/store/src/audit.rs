//! The audit trail: who did what to which resource, when, and from where.
//!
//! Mutations put their entry inside the same transaction as the change (see `contacts`), so a
//! change without its audit entry cannot exist. Denied attempts are written on their own. Entries
//! expire after 180 days (epoch seconds in `expiresAt`), and readers skip expired ones.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Put};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wecare_core::time::{expires_at, iso, AUDIT_RETENTION};
use wecare_core::{Principal, TenantId};

use crate::error::StoreError;
use crate::keys;

/// Where a request came from, carried into every audit entry it causes.
#[derive(Debug, Clone)]
pub struct AuditContext {
    pub principal: Principal,
    pub request_id: String,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub audit_id: String,
    pub tenant_id: TenantId,
    pub actor_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_email: Option<String>,
    pub actor_role: String,
    /// e.g. `contact.create`, `contact.update`, `contact.delete`.
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    /// `success` or `denied`.
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
    pub request_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    pub at: String,
    pub expires_at: i64,
}

impl AuditEntry {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        ctx: &AuditContext,
        action: &str,
        resource_type: &str,
        resource_id: &str,
        outcome: &str,
        before: Option<Value>,
        after: Option<Value>,
        now: DateTime<Utc>,
    ) -> Self {
        let p = &ctx.principal;
        AuditEntry {
            audit_id: uuid::Uuid::now_v7().to_string(),
            tenant_id: p.tenant_id.clone(),
            actor_id: p.user_id.to_string(),
            actor_email: p.email.as_ref().map(|e| e.to_string()),
            actor_role: p.role.to_string(),
            action: action.into(),
            resource_type: resource_type.into(),
            resource_id: resource_id.into(),
            outcome: outcome.into(),
            before,
            after,
            request_id: ctx.request_id.clone(),
            source_ip: ctx.source_ip.clone(),
            user_agent: ctx.user_agent.clone(),
            at: iso(now),
            expires_at: expires_at(now, AUDIT_RETENTION),
        }
    }

    pub fn item(&self, now: DateTime<Utc>) -> Result<HashMap<String, AttributeValue>, StoreError> {
        let mut item: HashMap<String, AttributeValue> = serde_dynamo::to_item(self).map_err(StoreError::Serialize)?;
        let sk = format!("{}#{}", self.at, self.audit_id);
        item.insert("pk".into(), AttributeValue::S(keys::audit_pk(&self.tenant_id, now)));
        item.insert("sk".into(), AttributeValue::S(sk.clone()));
        item.insert(
            "gsi1pk".into(),
            AttributeValue::S(keys::audit_resource_pk(
                &self.tenant_id,
                &self.resource_type,
                &self.resource_id,
            )),
        );
        item.insert("gsi1sk".into(), AttributeValue::S(sk));
        Ok(item)
    }

    /// The entry as one element of a transaction.
    pub fn put(&self, table: &str, now: DateTime<Utc>) -> Result<Put, StoreError> {
        Put::builder()
            .table_name(table)
            .set_item(Some(self.item(now)?))
            .build()
            .map_err(|e| StoreError::Dynamo {
                operation: "Put(build)",
                source: Box::new(e),
            })
    }
}

/// Writes one audit entry on its own (used for denied attempts).
pub async fn write(client: &Client, table: &str, entry: &AuditEntry, now: DateTime<Utc>) -> Result<(), StoreError> {
    client
        .put_item()
        .table_name(table)
        .set_item(Some(entry.item(now)?))
        .send()
        .await
        .map_err(|e| StoreError::dynamo("PutItem", e))?;
    Ok(())
}

/// The history of one resource, newest first, without expired entries.
pub async fn history(
    client: &Client,
    table: &str,
    tenant: &TenantId,
    resource_type: &str,
    resource_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<AuditEntry>, StoreError> {
    let out = client
        .query()
        .table_name(table)
        .index_name("gsi1")
        .key_condition_expression("gsi1pk = :p")
        .expression_attribute_values(
            ":p",
            AttributeValue::S(keys::audit_resource_pk(tenant, resource_type, resource_id)),
        )
        .scan_index_forward(false)
        .send()
        .await
        .map_err(|e| StoreError::dynamo("Query", e))?;
    let mut entries = Vec::new();
    for item in out.items.unwrap_or_default() {
        let e: AuditEntry = serde_dynamo::from_item(item).map_err(StoreError::Corrupt)?;
        if !wecare_core::time::is_expired(e.expires_at, now) {
            entries.push(e);
        }
    }
    Ok(entries)
}
