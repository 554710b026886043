//! Opaque pagination cursors.
//!
//! A cursor is DynamoDB's `LastEvaluatedKey` (string attributes only) as base64url JSON. Cursors
//! come back from clients, so decoding checks that the key belongs to the very partition being
//! queried: a cursor cannot be used to start reading inside another tenant's data.
//!
//! [`query_index`] is the one way this crate reads a page of an index partition: the cursor
//! checked against the partition, the query, the items read into their type, the next cursor.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::StoreError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not a valid cursor for this request")]
pub struct InvalidCursor;

pub fn encode(key: &HashMap<String, AttributeValue>) -> String {
    let plain: BTreeMap<&str, &str> = key
        .iter()
        .filter_map(|(k, v)| v.as_s().ok().map(|s| (k.as_str(), s.as_str())))
        .collect();
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&plain).unwrap_or_default())
}

/// Decodes a cursor whose attribute `partition_attr` must equal `expected_partition`.
pub fn decode(
    cursor: &str,
    partition_attr: &str,
    expected_partition: &str,
) -> Result<HashMap<String, AttributeValue>, InvalidCursor> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| InvalidCursor)?;
    let plain: BTreeMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| InvalidCursor)?;
    if plain.get(partition_attr).map(String::as_str) != Some(expected_partition) || plain.len() > 4 {
        return Err(InvalidCursor);
    }
    Ok(plain.into_iter().map(|(k, v)| (k, AttributeValue::S(v))).collect())
}

/// One page of a listing and the cursor of the next, if any.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error(transparent)]
    Cursor(#[from] InvalidCursor),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where a page is read: an index (`gsi1`, `gsi2`) and the partition its `{index}pk` must hold.
pub struct IndexPartition<'a> {
    pub table: &'a str,
    pub index: &'static str,
    pub partition: String,
}

/// Reads one page of an index partition, `limit` items after `after` (a cursor from an earlier
/// page of the same partition); `refine` adds what a listing needs beyond that (order, filter).
pub async fn query_index<T: DeserializeOwned>(
    client: &Client,
    at: IndexPartition<'_>,
    limit: i32,
    after: Option<&str>,
    refine: impl FnOnce(QueryFluentBuilder) -> QueryFluentBuilder,
) -> Result<Page<T>, ListError> {
    let page = query_index_items(client, at, limit, after, refine).await?;
    let items = page
        .items
        .into_iter()
        .map(|i| serde_dynamo::from_item(i).map_err(StoreError::Corrupt))
        .collect::<Result<Vec<T>, _>>()?;
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}

/// [`query_index`], answering the items as DynamoDB has them (the keys, from an index of keys
/// only).
pub async fn query_index_items(
    client: &Client,
    at: IndexPartition<'_>,
    limit: i32,
    after: Option<&str>,
    refine: impl FnOnce(QueryFluentBuilder) -> QueryFluentBuilder,
) -> Result<Page<HashMap<String, AttributeValue>>, ListError> {
    let key = format!("{}pk", at.index);
    let start = after.map(|c| decode(c, &key, &at.partition)).transpose()?;
    let query = client
        .query()
        .table_name(at.table)
        .index_name(at.index)
        .key_condition_expression("#ipk = :ipk")
        .expression_attribute_names("#ipk", key)
        .expression_attribute_values(":ipk", AttributeValue::S(at.partition))
        .limit(limit)
        .set_exclusive_start_key(start);
    let out = refine(query).send().await.map_err(|e| StoreError::dynamo("Query", e))?;
    Ok(Page {
        items: out.items.unwrap_or_default(),
        next_cursor: out.last_evaluated_key.as_ref().map(encode),
    })
}

/// A page of an index that holds keys only, with its items read from the table (one
/// BatchGetItem) in the index's order; an item gone from the table since is left out.
pub async fn query_index_then_items(
    client: &Client,
    at: IndexPartition<'_>,
    limit: i32,
    after: Option<&str>,
    refine: impl FnOnce(QueryFluentBuilder) -> QueryFluentBuilder,
) -> Result<Page<HashMap<String, AttributeValue>>, ListError> {
    let table = at.table.to_string();
    let keys = query_index_items(client, at, limit, after, refine).await?;
    let key_of = |item: &HashMap<String, AttributeValue>| {
        let part = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
        (part("pk"), part("sk"))
    };
    let order: Vec<(String, String)> = keys.items.iter().map(key_of).collect();
    let wanted = keys
        .items
        .into_iter()
        .map(|k| k.into_iter().filter(|(name, _)| name == "pk" || name == "sk").collect())
        .collect();
    let mut found: HashMap<(String, String), HashMap<String, AttributeValue>> =
        crate::batch::batch_get(client, &table, wanted)
            .await?
            .into_iter()
            .map(|item| (key_of(&item), item))
            .collect();
    Ok(Page {
        items: order.iter().filter_map(|k| found.remove(k)).collect(),
        next_cursor: keys.next_cursor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(p: &str) -> HashMap<String, AttributeValue> {
        HashMap::from([
            ("gsi1pk".into(), AttributeValue::S(p.into())),
            ("pk".into(), AttributeValue::S(format!("{p}#x"))),
        ])
    }

    #[test]
    fn a_cursor_round_trips_within_its_partition() {
        let k = key("acme#CONTACTS");
        assert_eq!(decode(&encode(&k), "gsi1pk", "acme#CONTACTS").unwrap(), k);
    }

    #[test]
    fn a_cursor_from_another_tenant_or_garbage_is_refused() {
        let c = encode(&key("globex#CONTACTS"));
        assert_eq!(decode(&c, "gsi1pk", "acme#CONTACTS"), Err(InvalidCursor));
        assert_eq!(decode("!!!", "gsi1pk", "acme#CONTACTS"), Err(InvalidCursor));
        assert_eq!(decode("e30", "gsi1pk", "acme#CONTACTS"), Err(InvalidCursor));
    }
}
