//! A tenant's settings in SystemConfig (`{tenant}#CONFIG` / `SETTINGS`): one item, read by the
//! settings page and by every bulk chunk (for its quiet hours), written only by an Admin's save.
//!
//! A save states the version it was made from and is one transaction with its audit entry,
//! conditioned on that version still being the stored one: of two Admins saving at once, one
//! wins and the other is told the settings changed, and no save is lost unseen (DynamoDB
//! serializes the condition on the item, so this holds under any concurrency). The settings are
//! stored as they are stated to the API and checked again when read.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wecare_core::settings::{SettingsError, SettingsInput, TenantSettings};
use wecare_core::time::iso;
use wecare_core::TenantId;

use crate::audit::AuditEntry;
use crate::error::{first_condition_failed, StoreError};

const SETTINGS_SK: &str = "SETTINGS";

fn settings_pk(tenant: &TenantId) -> String {
    format!("{tenant}#CONFIG")
}

/// The settings as saved, with who saved them when; a tenant that never saved has the defaults
/// at version 0.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredSettings {
    pub settings: TenantSettings,
    /// Counts saves; a save states the version it was made from.
    pub version: u64,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    pk: String,
    sk: String,
    config: SettingsInput,
    version: u64,
    updated_at: String,
    updated_by: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Saved settings that no longer pass the checks (a time zone a later database dropped).
    #[error("the stored settings are no longer valid")]
    Invalid(#[source] SettingsError),
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// Someone saved since the version the save was made from.
    #[error("the settings were changed since version {0}")]
    Changed(u64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Clone, Debug)]
pub struct SettingsRepo {
    client: Client,
    table: String,
    audit: String,
}

impl SettingsRepo {
    pub fn new(client: Client, table: impl Into<String>, audit_table: impl Into<String>) -> Self {
        SettingsRepo {
            client,
            table: table.into(),
            audit: audit_table.into(),
        }
    }

    /// The tenant's settings. `consistent` for a read that a save follows (the settings page);
    /// a bulk chunk reads eventually, a second or so behind a save at most.
    pub async fn get(&self, tenant: &TenantId, consistent: bool) -> Result<StoredSettings, ReadError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(settings_pk(tenant)))
            .key("sk", AttributeValue::S(SETTINGS_SK.into()))
            .consistent_read(consistent)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;
        let Some(item) = out.item else {
            return Ok(StoredSettings::default());
        };
        let item: Item = serde_dynamo::from_item(item).map_err(StoreError::Corrupt)?;
        Ok(StoredSettings {
            settings: TenantSettings::parse(&item.config, "config").map_err(ReadError::Invalid)?,
            version: item.version,
            updated_at: Some(item.updated_at),
            updated_by: Some(item.updated_by),
        })
    }

    /// Saves `settings` over `version` (the one they were made from) with the audit entry of the
    /// save, in one transaction. Returns what is now stored.
    pub async fn save(
        &self,
        tenant: &TenantId,
        settings: &TenantSettings,
        version: u64,
        by: &str,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<StoredSettings, SaveError> {
        let next = version.checked_add(1).ok_or(SaveError::Changed(version))?;
        let item = Item {
            pk: settings_pk(tenant),
            sk: SETTINGS_SK.into(),
            config: settings.to_input(),
            version: next,
            updated_at: iso(now),
            updated_by: by.to_string(),
        };
        let item: HashMap<String, AttributeValue> = serde_dynamo::to_item(&item).map_err(StoreError::Serialize)?;
        let put = Put::builder().table_name(&self.table).set_item(Some(item));
        let put = if version == 0 {
            put.condition_expression("attribute_not_exists(pk)")
        } else {
            put.condition_expression("version = :v")
                .expression_attribute_values(":v", AttributeValue::N(version.to_string()))
        };
        let put = put.build().map_err(|e| StoreError::Dynamo {
            operation: "Put(build)",
            source: Box::new(e),
        })?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().put(audit.put(&self.audit, now)?).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(StoredSettings {
                settings: settings.clone(),
                version: next,
                updated_at: Some(iso(now)),
                updated_by: Some(by.to_string()),
            }),
            Err(e) if first_condition_failed(&e) => Err(SaveError::Changed(version)),
            Err(e) => Err(StoreError::dynamo("TransactWriteItems", e).into()),
        }
    }
}
