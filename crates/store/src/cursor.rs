//! Opaque pagination cursors.
//!
//! A cursor is DynamoDB's `LastEvaluatedKey` (string attributes only) as base64url JSON. Cursors
//! come back from clients, so decoding checks that the key belongs to the very partition being
//! queried: a cursor cannot be used to start reading inside another tenant's data.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
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
