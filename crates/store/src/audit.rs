//! The audit trail: who did what to which resource, when, and from where.
//!
//! Mutations put their entry inside the same transaction as the change (see `contacts`), so a
//! change without its audit entry cannot exist. Denied attempts are written on their own. Entries
//! expire after 180 days (epoch seconds in `expiresAt`), and readers skip expired ones.
//!
//! An entry is kept under its tenant's partition of the UTC day of its time, and indexed by its
//! resource (gsi1) and by its actor (gsi2); [`search`] reads a page of one tenant's entries
//! newest first through whichever of the three a search's filters narrow best
//! (`wecare_core::audit`).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Put};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wecare_core::audit::{ActionFilter, AuditSearch, Scope, MAX_QUERIES_PER_PAGE};
use wecare_core::time::{expires_at, iso, AUDIT_RETENTION};
use wecare_core::{Principal, TenantId};

use crate::cursor::{self, InvalidCursor, ListError, Page};
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

    /// The entry as an item. Its day partition is the UTC day of its own time (`at`), which is
    /// what makes a search of a time range find it among the days of that range; `now` serves
    /// only an entry whose time cannot be read, which `new` never makes.
    pub fn item(&self, now: DateTime<Utc>) -> Result<HashMap<String, AttributeValue>, StoreError> {
        let mut item: HashMap<String, AttributeValue> = serde_dynamo::to_item(self).map_err(StoreError::Serialize)?;
        let at = DateTime::parse_from_rfc3339(&self.at).map_or(now, |t| t.with_timezone(&Utc));
        let sk = format!("{}#{}", self.at, self.audit_id);
        item.insert("pk".into(), AttributeValue::S(keys::audit_pk(&self.tenant_id, at)));
        item.insert("sk".into(), AttributeValue::S(sk.clone()));
        item.insert(
            "gsi1pk".into(),
            AttributeValue::S(keys::audit_resource_pk(
                &self.tenant_id,
                &self.resource_type,
                &self.resource_id,
            )),
        );
        item.insert("gsi1sk".into(), AttributeValue::S(sk.clone()));
        item.insert(
            "gsi2pk".into(),
            AttributeValue::S(keys::audit_actor_pk(&self.tenant_id, &self.actor_id)),
        );
        item.insert("gsi2sk".into(), AttributeValue::S(sk));
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

/// An item as DynamoDB has it.
type Item = HashMap<String, AttributeValue>;

/// Where a search reads: the tenant's day partitions of the table, or one partition of an index.
enum Source {
    Days,
    Index { name: &'static str, partition: String },
}

impl Source {
    fn of(tenant: &TenantId, s: &AuditSearch) -> Source {
        match &s.scope {
            Scope::Entity(e) => Source::Index {
                name: "gsi1",
                partition: keys::audit_resource_pk(tenant, &e.resource_type, &e.resource_id),
            },
            Scope::Actor(a) => Source::Index {
                name: "gsi2",
                partition: keys::audit_actor_pk(tenant, a),
            },
            Scope::Tenant => Source::Days,
        }
    }

    /// The key attributes an item is resumed after (a query's `ExclusiveStartKey`).
    fn key_of(&self, item: &Item) -> Item {
        let wanted: &[&str] = match self {
            Source::Days => &["pk", "sk"],
            Source::Index { name: "gsi1", .. } => &["pk", "sk", "gsi1pk", "gsi1sk"],
            Source::Index { .. } => &["pk", "sk", "gsi2pk", "gsi2sk"],
        };
        item.iter()
            .filter(|(k, _)| wanted.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// A `FilterExpression` with its attribute names and values.
struct Filter {
    expression: String,
    names: Vec<(&'static str, &'static str)>,
    values: Vec<(&'static str, String)>,
}

/// The filters a key does not apply, as one `FilterExpression`.
fn filter_of(s: &AuditSearch) -> Option<Filter> {
    let (mut terms, mut names, mut values) = (Vec::new(), Vec::new(), Vec::new());
    match &s.action {
        Some(ActionFilter::Exact(a)) => {
            terms.push("#action = :action");
            values.push((":action", a.clone()));
        }
        Some(ActionFilter::Prefix(p)) => {
            terms.push("begins_with(#action, :action)");
            values.push((":action", p.clone()));
        }
        None => {}
    }
    if s.action.is_some() {
        names.push(("#action", "action"));
    }
    if let Some(o) = s.outcome {
        terms.push("#outcome = :outcome");
        names.push(("#outcome", "outcome"));
        values.push((":outcome", o.as_str().to_string()));
    }
    if let Some(a) = &s.actor {
        terms.push("actorId = :actor");
        values.push((":actor", a.clone()));
    }
    (!terms.is_empty()).then(|| Filter {
        expression: terms.join(" AND "),
        names,
        values,
    })
}

/// The day partition a cursor of a search over days names, checked to be one of the tenant's
/// days of the range: a cursor comes back from a client and must not point anywhere else.
fn resume_day(cursor: &str, tenant: &TenantId, s: &AuditSearch) -> Result<(NaiveDate, Option<Item>), InvalidCursor> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| InvalidCursor)?;
    let plain: std::collections::BTreeMap<String, String> =
        serde_json::from_slice(&bytes).map_err(|_| InvalidCursor)?;
    let pk = plain.get("pk").ok_or(InvalidCursor)?;
    let day = pk
        .strip_prefix(&format!("{tenant}#AUDIT#"))
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .filter(|d| s.range.touches(*d) && keys::audit_day_pk(tenant, *d) == *pk)
        .ok_or(InvalidCursor)?;
    if plain.keys().any(|k| k != "pk" && k != "sk") {
        return Err(InvalidCursor);
    }
    // With a sort key the cursor resumes after that entry; without, at the top of its day.
    let start = plain
        .contains_key("sk")
        .then(|| cursor::decode(cursor, "pk", pk))
        .transpose()?;
    Ok((day, start))
}

/// One page of a tenant's audit entries matching `s`, newest first, `limit` at most (1–100),
/// after `after` (the cursor of the page before).
///
/// Over an index (a resource's or an actor's entries) this is one partition read by its sort
/// key. Over the tenant's days it walks the day partitions of the range newest first, reading
/// each from the newest entry down. It is exact because an entry's day partition is the UTC day
/// of its own time (`AuditEntry::item`), the days of the range are all the days its entries can
/// be in (`TimeRange::days`), the same sort-key bounds apply in every partition, and the cursor
/// names the partition and the last entry handed out (or, when a page stopped between days,
/// the next day to read from its top): the next page resumes exactly there, so no entry is
/// skipped or handed out twice. Entries written meanwhile above the cursor appear when the
/// search is run again from the top. A page makes at most `MAX_QUERIES_PER_PAGE` queries; a quiet
/// stretch of days can therefore end a page early, even empty, with a cursor to go on from.
pub async fn search(
    client: &Client,
    table: &str,
    tenant: &TenantId,
    s: &AuditSearch,
    limit: usize,
    after: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Page<AuditEntry>, ListError> {
    let limit = limit.clamp(1, 100);
    let source = Source::of(tenant, s);
    let (lo, hi) = s.range.sort_key_bounds();
    let filter = filter_of(s);
    // (partition attribute, sort attribute, index): the key a query reads.
    let (pk_attr, sk_attr, index) = match &source {
        Source::Days => ("pk", "sk", None),
        Source::Index { name: "gsi1", .. } => ("gsi1pk", "gsi1sk", Some("gsi1")),
        Source::Index { name, .. } => ("gsi2pk", "gsi2sk", Some(*name)),
    };
    // The partitions to read, in order, with where to start in the first.
    let (partitions, mut start): (Vec<String>, Option<Item>) = match &source {
        Source::Index { partition, .. } => {
            let start = after.map(|c| cursor::decode(c, pk_attr, partition)).transpose()?;
            (vec![partition.clone()], start)
        }
        Source::Days => {
            let (first, start) = match after {
                Some(c) => {
                    let (day, start) = resume_day(c, tenant, s)?;
                    (Some(day), start)
                }
                None => (None, None),
            };
            let days = s
                .range
                .days()
                .skip_while(|d| first.is_some_and(|f| *d > f))
                .map(|d| keys::audit_day_pk(tenant, d))
                .collect();
            (days, start)
        }
    };

    let mut items: Vec<AuditEntry> = Vec::new();
    let mut queries = 0;
    for (i, partition) in partitions.iter().enumerate() {
        loop {
            if queries == MAX_QUERIES_PER_PAGE {
                // Out of queries: go on from here next time (after the last key read in this
                // partition, or from its top).
                let resume = start
                    .clone()
                    .unwrap_or_else(|| HashMap::from([("pk".to_string(), AttributeValue::S(partition.clone()))]));
                return Ok(Page {
                    items,
                    next_cursor: Some(cursor::encode(&resume)),
                });
            }
            let wanted = limit - items.len();
            let mut q = client
                .query()
                .table_name(table)
                .set_index_name(index.map(str::to_string))
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :lo AND :hi")
                .expression_attribute_names("#pk", pk_attr)
                .expression_attribute_names("#sk", sk_attr)
                .expression_attribute_values(":pk", AttributeValue::S(partition.clone()))
                .expression_attribute_values(":lo", AttributeValue::S(lo.clone()))
                .expression_attribute_values(":hi", AttributeValue::S(hi.clone()))
                .scan_index_forward(false)
                // A filter drops what it does not match after the limit has counted it: read
                // a full page's worth then, and hand out no more than the page takes.
                .limit(if filter.is_some() { 100 } else { wanted as i32 })
                .set_exclusive_start_key(start.take());
            if let Some(f) = &filter {
                q = q.filter_expression(&f.expression);
                for (k, v) in &f.names {
                    q = q.expression_attribute_names(*k, *v);
                }
                for (k, v) in &f.values {
                    q = q.expression_attribute_values(*k, AttributeValue::S(v.clone()));
                }
            }
            let out = q.send().await.map_err(|e| StoreError::dynamo("Query", e))?;
            queries += 1;
            let found = out.items.unwrap_or_default();
            let count = found.len();
            for (n, item) in found.into_iter().enumerate() {
                let key = source.key_of(&item);
                let entry: AuditEntry = serde_dynamo::from_item(item).map_err(StoreError::Corrupt)?;
                if wecare_core::time::is_expired(entry.expires_at, now) {
                    continue;
                }
                items.push(entry);
                if items.len() == limit {
                    // Full. Anything left — in this answer, this partition or an older day —
                    // is for the next page, which starts after this entry.
                    let more = n + 1 < count || out.last_evaluated_key.is_some() || i + 1 < partitions.len();
                    return Ok(Page {
                        items,
                        next_cursor: more.then(|| cursor::encode(&key)),
                    });
                }
            }
            match out.last_evaluated_key {
                Some(k) => start = Some(k),
                None => break,
            }
        }
    }
    Ok(Page {
        items,
        next_cursor: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wecare_core::audit::SearchTerms;

    fn search(now: DateTime<Utc>) -> AuditSearch {
        let from = Some(now - chrono::Duration::days(3));
        AuditSearch::new(
            SearchTerms {
                from,
                ..Default::default()
            },
            now,
        )
        .unwrap()
    }

    fn cursor_of(pairs: &[(&str, &str)]) -> String {
        cursor::encode(
            &pairs
                .iter()
                .map(|(k, v)| (k.to_string(), AttributeValue::S(v.to_string())))
                .collect(),
        )
    }

    #[test]
    fn a_day_cursor_resumes_only_inside_the_tenants_days_of_the_range() {
        let now: DateTime<Utc> = "2026-12-04T12:00:00Z".parse().unwrap();
        let tenant = TenantId::parse("acme").unwrap();
        let s = search(now);
        let top = resume_day(&cursor_of(&[("pk", "acme#AUDIT#2026-12-02")]), &tenant, &s).unwrap();
        assert_eq!(top, ("2026-12-02".parse().unwrap(), None));
        let after = resume_day(&cursor_of(&[("pk", "acme#AUDIT#2026-12-03"), ("sk", "x")]), &tenant, &s).unwrap();
        assert_eq!(after.1.map(|k| k.len()), Some(2));
        for refused in [
            cursor_of(&[("pk", "globex#AUDIT#2026-12-02")]),
            cursor_of(&[("pk", "acme#AUDIT#2026-11-01")]),
            cursor_of(&[("pk", "acme#AUDIT#2026-12-02"), ("gsi1pk", "acme#contact#c")]),
            cursor_of(&[("pk", "acme#AUDIT#not-a-day")]),
            "%%%".to_string(),
        ] {
            assert_eq!(resume_day(&refused, &tenant, &s), Err(InvalidCursor), "{refused}");
        }
    }

    #[test]
    fn filters_the_key_does_not_apply_become_one_expression() {
        let now: DateTime<Utc> = "2026-12-04T12:00:00Z".parse().unwrap();
        assert!(filter_of(&search(now)).is_none());
        let terms = SearchTerms {
            actor: Some("u-1"),
            action: Some("user.*"),
            resource_type: Some("user"),
            resource_id: Some("u-2"),
            outcome: Some("denied"),
            ..Default::default()
        };
        let f = filter_of(&AuditSearch::new(terms, now).unwrap()).unwrap();
        assert_eq!(
            f.expression,
            "begins_with(#action, :action) AND #outcome = :outcome AND actorId = :actor"
        );
        assert_eq!(
            f.values,
            vec![
                (":action", "user.".to_string()),
                (":outcome", "denied".into()),
                (":actor", "u-1".into())
            ]
        );
    }
}
