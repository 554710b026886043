//! Reading many items by key: BatchGetItem in requests of at most 100 keys, with the keys
//! DynamoDB leaves unprocessed (under load it answers part of a request) asked again after a
//! growing pause. Used wherever an index holds keys only, or a search finds ids, and the items
//! themselves come from the table.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use aws_sdk_dynamodb::Client;

use crate::error::StoreError;

/// The most keys one BatchGetItem takes.
const MAX_KEYS: usize = 100;
/// Requests of one chunk before unprocessed keys become an error.
const MAX_ATTEMPTS: u32 = 8;

pub type Item = HashMap<String, AttributeValue>;

/// The items of `keys` that exist in `table`, read consistently, in no particular order.
pub async fn batch_get(client: &Client, table: &str, keys: Vec<Item>) -> Result<Vec<Item>, StoreError> {
    batch_get_with(client, table, keys, true).await
}

/// [`batch_get`], with eventually consistent reads when `consistent` is false (half the read
/// units; an item written within about the last second may be read as it was before).
pub async fn batch_get_with(
    client: &Client,
    table: &str,
    keys: Vec<Item>,
    consistent: bool,
) -> Result<Vec<Item>, StoreError> {
    let mut found = Vec::with_capacity(keys.len());
    let mut keys = keys.into_iter().peekable();
    while keys.peek().is_some() {
        let chunk: Vec<Item> = keys.by_ref().take(MAX_KEYS).collect();
        let mut request = Some(
            KeysAndAttributes::builder()
                .set_keys(Some(chunk))
                .consistent_read(consistent)
                .build()
                .map_err(|e| StoreError::Dynamo {
                    operation: "build",
                    source: Box::new(e),
                })?,
        );
        let mut attempts = 0;
        while let Some(req) = request.take() {
            attempts += 1;
            let out = client
                .batch_get_item()
                .request_items(table, req)
                .send()
                .await
                .map_err(|e| StoreError::dynamo("BatchGetItem", e))?;
            found.extend(out.responses.unwrap_or_default().remove(table).unwrap_or_default());
            request = out.unprocessed_keys.and_then(|mut u| u.remove(table));
            if request.is_some() {
                if attempts >= MAX_ATTEMPTS {
                    return Err(StoreError::Dynamo {
                        operation: "BatchGetItem",
                        source: format!("unprocessed keys after {MAX_ATTEMPTS} attempts").into(),
                    });
                }
                tokio::time::sleep(std::time::Duration::from_millis(25 << attempts.min(5))).await;
            }
        }
    }
    Ok(found)
}
