//! The overview's counters: messages per tenant, hour, channel and milestone (see
//! `wecare_core::overview`), kept as messages are written so the console's home reads a bounded
//! number of items however many messages there were.
//!
//! They live in Messages (`{tenant}#OVERVIEW` / `{yyyy-mm-ddTHH}`), one item per hour holding a
//! Number per channel and milestone (`whatsapp_delivered`, `sms_sent`…; only those not zero): every
//! writer of messages (the send pipeline, the inbound handler, the bulk worker, the DLQ replay)
//! already has that table, it expires items (`expiresAt`, [`wecare_core::overview::KEEP`] after
//! the hour), and a range of hours is one Query of the tenant's partition. A load reads at most
//! 7 days × 24 hours of items of a few hundred bytes: one request, a few read units.
//!
//! A count is an `ADD`, atomic but not idempotent, so it is made only after the conditional write
//! that moved the message succeeded: a redelivered status or a repeated send finds the move done
//! and counts nothing. It is a write of its own, after that one. A crash between the two loses
//! that count — an undercount by one, never a double count — which an at-a-glance chart can bear;
//! the messages themselves stay the record. Putting the count in the move's transaction instead
//! would double the move's write units (a transaction costs twice) on every message to save a
//! count only a crash loses. Likewise a count whose write fails is logged and dropped, never
//! failing the message's own write. An `ADD` the SDK retries after its first attempt reached
//! DynamoDB but lost its answer counts twice: as rare as a lost answer.
//!
//! One item takes at most about 1,000 writes a second (DynamoDB's limit per partition key), which
//! a tenant reaches only at that many milestones a second; the bulk worker adds its sends' counts
//! in one write per flush and hour rather than one per message.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use wecare_core::overview::{Counted, Counts, Hour, Tally, Window};
use wecare_core::time::is_expired;
use wecare_core::{Channel, TenantId};

use crate::error::StoreError;
use crate::keys;

#[derive(Clone)]
pub struct OverviewCounters {
    client: Client,
    /// Messages.
    table: String,
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// The attribute of a channel's milestone on an hour's item, e.g. `whatsapp_read`.
fn attribute(channel: Channel, c: Counted) -> String {
    format!("{}_{}", channel.as_str(), c.as_str())
}

/// An error and its causes in one line, for the log.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

/// One hour's counts, by channel.
type HourCounts = BTreeMap<Channel, Counts>;

impl OverviewCounters {
    pub fn new(client: Client, messages_table: impl Into<String>) -> Self {
        OverviewCounters {
            client,
            table: messages_table.into(),
        }
    }

    /// Adds `counts` to the counter of `hour`: one UpdateItem.
    async fn add_hour(&self, tenant: &TenantId, hour: Hour, counts: &HourCounts) -> Result<(), StoreError> {
        let mut adds = Vec::new();
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(keys::overview_pk(tenant)))
            .key("sk", s(keys::overview_sk(hour)))
            .expression_attribute_values(":exp", n(hour.expires_at()));
        for (channel, of_channel) in counts {
            for (c, k) in of_channel.nonzero() {
                let i = adds.len();
                adds.push(format!("#c{i} :n{i}"));
                req = req
                    .expression_attribute_names(format!("#c{i}"), attribute(*channel, c))
                    .expression_attribute_values(format!(":n{i}"), n(k));
            }
        }
        if adds.is_empty() {
            return Ok(());
        }
        req.update_expression(format!("ADD {} SET expiresAt = :exp", adds.join(", ")))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("UpdateItem", e))?;
        Ok(())
    }

    /// Counts each of `what` once for `channel` in the hour of `at`.
    pub async fn count(
        &self,
        tenant: &TenantId,
        channel: Channel,
        at: DateTime<Utc>,
        what: &[Counted],
    ) -> Result<(), StoreError> {
        let mut counts = Counts::default();
        for c in what {
            counts.add(*c, 1);
        }
        self.add_hour(tenant, Hour::of(at), &BTreeMap::from([(channel, counts)]))
            .await
    }

    /// [`OverviewCounters::count`], a failure logged rather than raised (see the module: the
    /// message's own write has happened and stands).
    pub async fn count_or_log(&self, tenant: &TenantId, channel: Channel, at: DateTime<Utc>, what: &[Counted]) {
        if what.is_empty() {
            return;
        }
        if let Err(e) = self.count(tenant, channel, at, what).await {
            tracing::warn!(error.chain = %chain(&e), channel = channel.as_str(), "overview not counted: an undercount");
        }
    }

    /// Adds a tally gathered by a run: one write per hour. On a failure, what was not written is
    /// handed back with the error, to be added to the next one.
    pub async fn add(&self, tenant: &TenantId, tally: Tally) -> Result<(), (Tally, StoreError)> {
        let mut hours: BTreeMap<Hour, HourCounts> = BTreeMap::new();
        for (hour, channel, counts) in tally.iter() {
            hours.entry(hour).or_default().entry(channel).or_default().merge(counts);
        }
        let hours: Vec<(Hour, HourCounts)> = hours.into_iter().collect();
        for (i, (hour, counts)) in hours.iter().enumerate() {
            if let Err(e) = self.add_hour(tenant, *hour, counts).await {
                let mut left = Tally::new();
                for (h, by_channel) in &hours[i..] {
                    for (c, k) in by_channel {
                        left.add_counts(*h, *c, k);
                    }
                }
                return Err((left, e));
            }
        }
        Ok(())
    }

    /// The counters of the hours `window` covers, by hour and channel (eventually consistent: a
    /// count of the last second may be missing), without expired ones.
    pub async fn read(
        &self,
        tenant: &TenantId,
        window: &Window,
        now: DateTime<Utc>,
    ) -> Result<Vec<(Hour, Channel, Counts)>, StoreError> {
        let mut rows = Vec::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            // One page unless past 1 MB, which the window's 168 small items never reach.
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :p AND sk BETWEEN :from AND :to")
                .expression_attribute_values(":p", s(keys::overview_pk(tenant)))
                .expression_attribute_values(":from", s(keys::overview_sk(window.first())))
                .expression_attribute_values(":to", s(keys::overview_sk(window.last())))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| StoreError::dynamo("Query", e))?;
            for item in out.items.unwrap_or_default() {
                rows.extend(rows_of(&item, now));
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(rows),
            }
        }
    }
}

/// One hour's item as its counts per channel; nothing for an expired or unreadable one.
fn rows_of(item: &HashMap<String, AttributeValue>, now: DateTime<Utc>) -> Vec<(Hour, Channel, Counts)> {
    let number = |k: &str| {
        item.get(k)
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse::<i64>().ok())
    };
    if number("expiresAt").is_some_and(|e| is_expired(e, now)) {
        return vec![];
    }
    let Some(hour) = item
        .get("sk")
        .and_then(|v| v.as_s().ok())
        .and_then(|sk| Hour::parse(sk))
    else {
        return vec![];
    };
    Channel::ALL
        .into_iter()
        .filter_map(|channel| {
            let mut counts = Counts::default();
            for c in Counted::ALL {
                if let Some(k) = number(&attribute(channel, c)).filter(|k| *k > 0) {
                    counts.add(c, k as u64);
                }
            }
            (!counts.is_zero()).then_some((hour, channel, counts))
        })
        .collect()
}
