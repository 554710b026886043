//! Capacity units as DynamoDB bills them, computed from what the functions sent and received (the
//! operation log): moto reports no consumed capacity, and the benchmarks compare these figures with
//! the goals.
//!
//! - A write costs 1 unit per started KB of the item written (the item after an update, read back
//!   at the end; a delete counts 1), twice that inside a transaction.
//! - Each global secondary index whose key the item carries is written too: once for a put or an
//!   update, twice for an update that sets one of the index's key attributes (DynamoDB deletes the
//!   old index entry and puts the new one). An index of keys only (`wecare_core::tables`) is
//!   written by a put (its entry is the keys, one unit) and by an update that sets its keys, never
//!   by one that leaves them. These are reported apart from the table's own units.
//! - A read costs 1 unit per started 4 KB read when consistent, half that when not; the size is the
//!   response body's, whose JSON is larger than the items, so the figure errs high. A BatchGetItem
//!   costs at least one unit per key.
//!
//! Reading every updated item back is slow against moto for big runs, so at most `SAMPLE` distinct
//! updates per operation and table are read back and the rest are taken at their sample's mean.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{json, Value};
use wecare_core::tables::Projection;

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

/// Reads an item back (for what an update left), by its wire-format key.
async fn item_after(stack: &TestStack, table: &str, key: &Value) -> serde_json::Map<String, Value> {
    let mut req = stack.dynamo().get_item().table_name(table);
    for (name, v) in key.as_object().into_iter().flatten() {
        if let Some(s) = v["S"].as_str() {
            req = req.key(name, AttributeValue::S(s.to_string()));
        }
    }
    let item: HashMap<String, AttributeValue> = req.send().await.ok().and_then(|o| o.item).unwrap_or_default();
    item.iter().map(|(k, v)| (k.clone(), attribute_json(v))).collect()
}

/// Units in total and by operation and table ("PutItem Messages").
#[derive(Debug, Default)]
pub struct Units {
    /// The tables' own units.
    pub total: f64,
    pub by: BTreeMap<String, f64>,
    /// The global secondary indexes' units (writes only).
    pub indexes: f64,
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
            indexes: self.indexes / n,
        }
    }
}

/// The index key attributes of an item (`gsi1pk`, `gsi2pk`…), by index (`gsi1`…).
fn index_keys(item: &serde_json::Map<String, Value>) -> Vec<String> {
    item.keys()
        .filter_map(|k| {
            k.strip_suffix("pk")
                .filter(|i| i.starts_with("gsi"))
                .map(str::to_string)
        })
        .collect()
}

/// How the index `index` of `table` (a physical name) projects items.
fn projection(table: &str, index: &str) -> Projection {
    let name = short(table);
    wecare_core::tables::Table::ALL
        .iter()
        .map(|t| t.def())
        .find(|d| d.name == name)
        .and_then(|d| d.gsis.into_iter().find(|g| g.name == index))
        .map(|g| g.projection)
        .unwrap_or(Projection::All)
}

/// Index units of writing `item` (`size` bytes) to `table`: one write per index it is in, two for
/// the indexes whose key the update expression sets; an index of keys only costs one unit for
/// its small entry, and nothing for an update that leaves its keys.
fn index_units(table: &str, item: &serde_json::Map<String, Value>, size: usize, update: Option<&str>) -> f64 {
    index_keys(item)
        .iter()
        .map(|index| {
            let rekeyed =
                update.is_some_and(|u| u.contains(&format!("{index}pk")) || u.contains(&format!("{index}sk")));
            let entry = match projection(table, index) {
                Projection::All => write_units_of(size),
                Projection::KeysOnly if update.is_some() && !rekeyed => 0.0,
                Projection::KeysOnly => 1.0,
            };
            if rekeyed {
                2.0 * entry
            } else {
                entry
            }
        })
        .sum()
}

fn short(table: &str) -> String {
    table.rsplit('-').next().unwrap_or(table).to_string()
}

/// What updates left, by operation and table: each sampled item read back (its size and its index
/// units), the sample's mean for the rest.
#[derive(Default)]
struct Updated {
    sampled: HashMap<String, Vec<(f64, f64)>>,
    known: HashMap<(String, String), (f64, f64)>,
}

impl Updated {
    /// (table units, index units) of one update.
    async fn units(
        &mut self,
        stack: &TestStack,
        group: &str,
        table: &str,
        key: &Value,
        expression: &str,
    ) -> (f64, f64) {
        let id = (table.to_string(), format!("{key}{expression}"));
        if let Some(u) = self.known.get(&id) {
            return *u;
        }
        let sample = self.sampled.entry(group.to_string()).or_default();
        if sample.len() >= SAMPLE {
            let n = sample.len() as f64;
            return (
                sample.iter().map(|u| u.0).sum::<f64>() / n,
                sample.iter().map(|u| u.1).sum::<f64>() / n,
            );
        }
        let item = item_after(stack, table, key).await;
        let size = item_size_of(&item);
        let u = (write_units_of(size), index_units(table, &item, size, Some(expression)));
        sample.push(u);
        self.known.insert(id, u);
        u
    }
}

/// Write units of every write the stack's functions recorded.
pub async fn write_units(stack: &TestStack) -> Units {
    let mut units = Units::default();
    let mut updated = Updated::default();
    for (op, body) in stack.dynamo_ops.writes() {
        match op.as_str() {
            "TransactWriteItems" => {
                for t in body["TransactItems"].as_array().into_iter().flatten() {
                    for kind in ["Put", "Update", "Delete", "ConditionCheck"] {
                        if let Some(a) = t.get(kind) {
                            let table = a["TableName"].as_str().unwrap_or("");
                            let group = format!("Transact{kind} {}", short(table));
                            let (one, index) = one_write(stack, &mut updated, &group, a, table).await;
                            units.add(group, 2.0 * one);
                            units.indexes += 2.0 * index;
                        }
                    }
                }
            }
            "BatchWriteItem" => {
                for (table, requests) in body["RequestItems"].as_object().into_iter().flatten() {
                    for r in requests.as_array().into_iter().flatten() {
                        let (one, index) = match r["PutRequest"]["Item"].as_object() {
                            Some(item) => {
                                let size = item_size_of(item);
                                (write_units_of(size), index_units(table, item, size, None))
                            }
                            None => (1.0, 0.0),
                        };
                        units.add(format!("BatchWriteItem {}", short(table)), one);
                        units.indexes += index;
                    }
                }
            }
            _ => {
                let table = body["TableName"].as_str().unwrap_or("");
                let group = format!("{op} {}", short(table));
                let (one, index) = one_write(stack, &mut updated, &group, &body, table).await;
                units.add(group, one);
                units.indexes += index;
            }
        }
    }
    units
}

/// (table units, index units) of one write; a delete is counted 1 and its index entries are not.
async fn one_write(stack: &TestStack, updated: &mut Updated, group: &str, action: &Value, table: &str) -> (f64, f64) {
    if let Some(item) = action["Item"].as_object() {
        let size = item_size_of(item);
        (write_units_of(size), index_units(table, item, size, None))
    } else if let (false, Some(expression)) = (action["Key"].is_null(), action["UpdateExpression"].as_str()) {
        updated.units(stack, group, table, &action["Key"], expression).await
    } else {
        (1.0, 0.0)
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
        units.add(format!("{} {}", r.operation, short(&r.table)), n * factor);
    }
    units
}
