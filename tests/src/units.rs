//! Capacity units as DynamoDB bills them, computed from what the functions sent and received (the
//! operation log): moto reports no consumed capacity, and the benchmarks compare these figures with
//! the goals.
//!
//! - A write costs 1 unit per started KB of the item written (the item after an update, read back
//!   at the end; a delete counts 1), twice that inside a transaction.
//! - A read costs 1 unit per started 4 KB read when consistent, half that when not; the size is the
//!   response body's, whose JSON is larger than the items, so the figure errs high. A BatchGetItem
//!   costs at least one unit per key.
//!
//! Reading every updated item back is slow against moto for big runs, so at most `SAMPLE` distinct
//! items per operation and table are read back and the rest are taken at their sample's mean size.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{json, Value};

use crate::TestStack;

/// Items read back per operation and table to size the items that updates left.
const SAMPLE: usize = 200;

/// The size DynamoDB bills for an attribute value in the wire JSON format (`{"S": "…"}`).
fn value_size(v: &Value) -> usize {
    let Some((kind, inner)) = v.as_object().and_then(|o| o.iter().next()) else {
        return 1;
    };
    match kind.as_str() {
        "S" => inner.as_str().map(str::len).unwrap_or(0),
        // Numbers: about one byte per two significant digits, plus one.
        "N" => inner.as_str().map(|n| n.len().div_ceil(2) + 1).unwrap_or(1),
        "B" => inner.as_str().map(|b| b.len() * 3 / 4).unwrap_or(0),
        "BOOL" | "NULL" => 1,
        "M" => 3 + inner.as_object().map(item_size_of).unwrap_or(0),
        "L" => {
            3 + inner
                .as_array()
                .map(|l| l.iter().map(|e| 1 + value_size(e)).sum())
                .unwrap_or(0)
        }
        "SS" | "NS" | "BS" => inner
            .as_array()
            .map(|l| l.iter().map(|e| e.as_str().map(str::len).unwrap_or(0)).sum())
            .unwrap_or(0),
        _ => 1,
    }
}

fn item_size_of(item: &serde_json::Map<String, Value>) -> usize {
    item.iter().map(|(name, v)| name.len() + value_size(v)).sum()
}

fn write_units_of(bytes: usize) -> f64 {
    bytes.max(1).div_ceil(1024) as f64
}

fn attribute_json(v: &AttributeValue) -> Value {
    match v {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::M(m) => {
            json!({ "M": m.iter().map(|(k, v)| (k.clone(), attribute_json(v))).collect::<serde_json::Map<_, _>>() })
        }
        AttributeValue::L(l) => json!({ "L": l.iter().map(attribute_json).collect::<Vec<_>>() }),
        _ => json!({ "NULL": true }),
    }
}

/// Reads an item back (for the size an update left it at), by its wire-format key.
async fn size_after(stack: &TestStack, table: &str, key: &Value) -> usize {
    let mut req = stack.dynamo().get_item().table_name(table);
    for (name, v) in key.as_object().into_iter().flatten() {
        if let Some(s) = v["S"].as_str() {
            req = req.key(name, AttributeValue::S(s.to_string()));
        }
    }
    let item: HashMap<String, AttributeValue> = req.send().await.ok().and_then(|o| o.item).unwrap_or_default();
    let as_json: serde_json::Map<String, Value> = item.iter().map(|(k, v)| (k.clone(), attribute_json(v))).collect();
    item_size_of(&as_json)
}

/// Units in total and by operation and table ("PutItem Messages").
#[derive(Debug, Default)]
pub struct Units {
    pub total: f64,
    pub by: BTreeMap<String, f64>,
}

impl Units {
    fn add(&mut self, what: String, units: f64) {
        self.total += units;
        *self.by.entry(what).or_default() += units;
    }

    /// The same units divided by `n` (per request, per message).
    pub fn per(&self, n: f64) -> Units {
        Units {
            total: self.total / n,
            by: self.by.iter().map(|(k, v)| (k.clone(), v / n)).collect(),
        }
    }
}

fn short(table: &str) -> String {
    table.rsplit('-').next().unwrap_or(table).to_string()
}

/// Sizes of the items updates left, by operation and table: read back for a sample, the sample's
/// mean for the rest.
#[derive(Default)]
struct UpdatedSizes {
    sampled: HashMap<String, Vec<usize>>,
    known: HashMap<(String, String), usize>,
}

impl UpdatedSizes {
    async fn size(&mut self, stack: &TestStack, group: &str, table: &str, key: &Value) -> usize {
        let id = (table.to_string(), key.to_string());
        if let Some(s) = self.known.get(&id) {
            return *s;
        }
        let sample = self.sampled.entry(group.to_string()).or_default();
        if sample.len() >= SAMPLE {
            return sample.iter().sum::<usize>() / sample.len();
        }
        let size = size_after(stack, table, key).await;
        sample.push(size);
        self.known.insert(id, size);
        size
    }
}

/// Write units of every write the stack's functions recorded.
pub async fn write_units(stack: &TestStack) -> Units {
    let mut units = Units::default();
    let mut sizes = UpdatedSizes::default();
    for (op, body) in stack.dynamo_ops.writes() {
        match op.as_str() {
            "TransactWriteItems" => {
                for t in body["TransactItems"].as_array().into_iter().flatten() {
                    for kind in ["Put", "Update", "Delete", "ConditionCheck"] {
                        if let Some(a) = t.get(kind) {
                            let table = a["TableName"].as_str().unwrap_or("");
                            let group = format!("Transact{kind} {}", short(table));
                            let one = one_write(stack, &mut sizes, &group, a, table).await;
                            units.add(group, 2.0 * one);
                        }
                    }
                }
            }
            "BatchWriteItem" => {
                for (table, requests) in body["RequestItems"].as_object().into_iter().flatten() {
                    for r in requests.as_array().into_iter().flatten() {
                        let one = match r["PutRequest"]["Item"].as_object() {
                            Some(item) => write_units_of(item_size_of(item)),
                            None => 1.0,
                        };
                        units.add(format!("BatchWriteItem {}", short(table)), one);
                    }
                }
            }
            _ => {
                let table = body["TableName"].as_str().unwrap_or("");
                let group = format!("{op} {}", short(table));
                let one = one_write(stack, &mut sizes, &group, &body, table).await;
                units.add(group, one);
            }
        }
    }
    units
}

async fn one_write(stack: &TestStack, sizes: &mut UpdatedSizes, group: &str, action: &Value, table: &str) -> f64 {
    if let Some(item) = action["Item"].as_object() {
        write_units_of(item_size_of(item))
    } else if !action["Key"].is_null() && action.get("UpdateExpression").is_some() {
        write_units_of(sizes.size(stack, group, table, &action["Key"]).await)
    } else {
        1.0
    }
}

/// Read units of every read the stack's functions recorded.
pub fn read_units(stack: &TestStack) -> Units {
    let mut units = Units::default();
    for r in stack.dynamo_ops.reads() {
        let factor = if r.consistent { 1.0 } else { 0.5 };
        let by_size = r.response_bytes.max(1).div_ceil(4096) as f64;
        let n = match r.operation.as_str() {
            "BatchGetItem" => by_size.max(r.keys as f64),
            _ => by_size,
        };
        units.add(r.operation.clone(), n * factor);
    }
    units
}
