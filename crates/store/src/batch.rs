//! Reading many items by key: BatchGetItem in requests of at most 100 keys, a few in flight at
//! once, with the keys DynamoDB leaves unprocessed (under load it answers part of a request) asked
//! again after a growing pause. Used wherever an index holds keys only, or a search finds ids, and
//! the items themselves come from the table — and for a campaign's whole list (100,000 contacts
//! are 1,000 requests: one after another they would outlast an API request's 29 s).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use aws_sdk_dynamodb::Client;

use crate::error::StoreError;

/// The most keys one BatchGetItem takes.
const MAX_KEYS: usize = 100;
/// Requests of one chunk before unprocessed keys become an error.
const MAX_ATTEMPTS: u32 = 8;
/// Requests in flight at once: enough to hide the round trips, few enough that one caller's read
/// does not take a table's whole burst capacity.
const IN_FLIGHT: usize = 8;

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
    use futures::{StreamExt, TryStreamExt};
    let mut chunks = Vec::with_capacity(keys.len().div_ceil(MAX_KEYS));
    let mut keys = keys.into_iter().peekable();
    while keys.peek().is_some() {
        chunks.push(keys.by_ref().take(MAX_KEYS).collect::<Vec<Item>>());
    }
    let parts: Vec<Vec<Item>> = futures::stream::iter(chunks)
        .map(|chunk| get_chunk(client, table, chunk, consistent))
        .buffer_unordered(IN_FLIGHT)
        .try_collect()
        .await?;
    Ok(parts.into_iter().flatten().collect())
}

/// One request's keys, with what DynamoDB leaves unprocessed asked again.
async fn get_chunk(client: &Client, table: &str, chunk: Vec<Item>, consistent: bool) -> Result<Vec<Item>, StoreError> {
    let mut found = Vec::with_capacity(chunk.len());
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
    Ok(found)
}
