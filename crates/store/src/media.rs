//! Media files: one record per file the platform holds in the media bucket, linked to its message.
//!
//! The record (`{tenant}#MEDIA#{mediaId}` / `MEDIA`) says where the bytes are, what they are and
//! which message they belong to; `gsi1` (by message) lists a message's files. The media id is WhatsApp's (or
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
}
