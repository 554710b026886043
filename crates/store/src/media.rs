//! Media files: one record per file the platform holds in the media bucket, linked to its message.
//!
//! The record (`{tenant}#MEDIA#{mediaId}` / `MEDIA`) says where the bytes are, what they are and
//! which message they belong to; `gsi1` lists a message's files. The media id is WhatsApp's (or
//! ours for uploads), so writing the record again on a redelivery rewrites the same item: a plain
//! put is idempotent here and needs no guard.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wecare_core::message::Direction;
use wecare_core::TenantId;

use crate::error::StoreError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaFile {
    pub media_id: String,
    pub tenant_id: TenantId,
    pub message_id: String,
    pub direction: Direction,
    pub mime_type: String,
    pub size: i64,
    pub bucket: String,
    pub s3_key: String,
    pub created_at: DateTime<Utc>,
}

impl MediaFile {
    fn item(&self) -> Result<HashMap<String, AttributeValue>, StoreError> {
        let mut item: HashMap<String, AttributeValue> = serde_dynamo::to_item(self).map_err(StoreError::Serialize)?;
        let s = |v: String| AttributeValue::S(v);
        item.insert("pk".into(), s(format!("{}#MEDIA#{}", self.tenant_id, self.media_id)));
        item.insert("sk".into(), s("MEDIA".into()));
        item.insert(
            "gsi1pk".into(),
            s(format!("{}#MSG#{}", self.tenant_id, self.message_id)),
        );
        item.insert("gsi1sk".into(), s(self.media_id.clone()));
        Ok(item)
    }
}

#[derive(Clone)]
pub struct MediaRepo {
    client: Client,
    table: String,
}

impl MediaRepo {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        MediaRepo {
            client,
            table: table.into(),
        }
    }

    /// Records a file; recording the same file again rewrites the same item.
    pub async fn put(&self, file: &MediaFile) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(file.item()?))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("PutItem", e))?;
        Ok(())
    }

    /// The files of one message (gsi1).
    pub async fn for_message(&self, tenant: &TenantId, message_id: &str) -> Result<Vec<MediaFile>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi1")
            .key_condition_expression("gsi1pk = :p")
            .expression_attribute_values(":p", AttributeValue::S(format!("{tenant}#MSG#{message_id}")))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("Query", e))?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .map(|i| serde_dynamo::from_item(i).map_err(StoreError::Corrupt))
            .collect()
    }
}
