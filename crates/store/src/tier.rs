//! The WhatsApp messaging tier: business-initiated conversations per WhatsApp Business Account in
//! a moving 24 h.
//!
//! Meta counts the unique users a business account reaches outside their 24 h window in any 24
//! hours (250 → 2,000 → 10,000 → 100,000), over all of the account's numbers. The tier is the
//! provider's resource, not a tenant's, so its items are keyed by the account
//! (`WABA#{wabaId}#…`) in RateLimitTrackers:
//! - a claim per (account, contact) — `…#TIER` / `{tenant}#{contactId}`, `openedAt` — held 24 h;
//! - an entry per open conversation in time order — `…#TIER-OPEN` / `{openedAt}#{tenant}#{contactId}`;
//! - the count of entries — `…#TIER-COUNT` / `COUNT`, `n`.
//!
//! Opening a conversation is one transaction: the claim (only if the contact has none in the
//! window), its entry, and `n + 1` guarded by `n < limit`. DynamoDB runs it atomically, so any
//! number of concurrent senders admit at most the limit between them, and never count a contact
//! twice. Conversations leave the window by being retired: every open first retires the entries
//! older than 24 h, each with one transaction that deletes the entry (only if it is still there)
//! and decrements `n`, so each is retired exactly once and `n` is exactly the conversations of the
//! last 24 h. A slot the provider definitively refused is given back the same way.
//!
//! A bulk job reserves the conversations it may open when it is created: `n + k`, guarded by
//! `n + k ≤ limit`, in one write, so two jobs created together cannot overbook the tier. Its
//! recipients write nothing to the tier: each business-initiated send the job makes is counted
//! as a conversation it opened, from its ledger, when the job ends and settles the reservation
//! once ([`TierTracker::settle_reservation`]): what it did not use leaves the count, and what it
//! used becomes one entry of `used` conversations (`{settledAt}#{tenant}#JOB#{jobId}`, `units`),
//! retired 24 h later like any other. Both err on the safe side of the limit: a job's
//! conversations stay counted until 24 h after its end rather than after each send, and a
//! recipient already in a conversation (or reached again within 24 h by a single send, which
//! finds no claim of the job's) is counted once more — in exchange a recipient costs the tier no
//! write at all, where a claim per recipient would cost a third of what its message does.
//! `n` is therefore always the open conversations plus what running jobs still hold.
//!
//! The 80 % alert fires once per crossing: the first admission at or past the threshold claims a
//! `warned` flag on the counter with a conditional write; the flag is cleared when the count is
//! next seen below the threshold, so a later crossing alerts again.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Duration, Utc};
use wecare_core::time::{expires_at, iso, RATE_LIMIT_RETENTION};
use wecare_core::{ContactId, TenantId};

use crate::error::{condition_failed, StoreError};

/// What opening a conversation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierOutcome {
    /// The contact was already reached from this account in the last 24 h: not counted again.
    AlreadyOpen,
    /// Counted; `count` conversations are now open, this one included (0 when opened against a
    /// reservation, whose count was taken when the job reserved it). `warn` is true for exactly
    /// one admission per crossing of 80 %.
    Opened { count: u64, warn: bool },
    /// Refused: `count` are open and the limit is reached.
    Exceeded { count: u64 },
}

/// A conversation this send opened, to give back if the provider refuses the send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierSlot {
    pub waba: String,
    pub tenant: TenantId,
    pub contact: ContactId,
    pub opened_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct TierTracker {
    client: Client,
    table: String,
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn claims_pk(waba: &str) -> String {
    format!("WABA#{waba}#TIER")
}

fn open_pk(waba: &str) -> String {
    format!("WABA#{waba}#TIER-OPEN")
}

fn counter_pk(waba: &str) -> String {
    format!("WABA#{waba}#TIER-COUNT")
}

fn claim_sk(tenant: &TenantId, contact: &ContactId) -> String {
    format!("{tenant}#{contact}")
}

fn open_sk(opened_at: DateTime<Utc>, tenant: &TenantId, contact: &ContactId) -> String {
    format!("{}#{tenant}#{contact}", iso(opened_at))
}

fn built<T, E: std::error::Error + Send + Sync + 'static>(r: Result<T, E>) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Dynamo {
        operation: "build",
        source: Box::new(e),
    })
}

/// The count at which the 80 % alert fires: the smallest count that is at least 80 % of `limit`.
pub fn warning_threshold(limit: u64) -> u64 {
    (limit * 4).div_ceil(5).max(1)
}

/// Retired entries per Query page; a sweep keeps paging until none is left.
const SWEEP_PAGE: i32 = 25;

impl TierTracker {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        TierTracker {
            client,
            table: table.into(),
        }
    }

    /// Opens (or finds open) a business-initiated conversation of `waba` with `contact`, within
    /// `limit`.
    pub async fn open(
        &self,
        waba: &str,
        tenant: &TenantId,
        contact: &ContactId,
        limit: u64,
        now: DateTime<Utc>,
    ) -> Result<TierOutcome, StoreError> {
        self.retire_expired(waba, now).await?;
        let (claim, entry) = (
            self.claim(waba, tenant, contact, now)?,
            self.entry(waba, tenant, contact, now)?,
        );
        let count = built(
            Update::builder()
                .table_name(&self.table)
                .key("pk", s(counter_pk(waba)))
                .key("sk", s("COUNT"))
                .update_expression("SET n = if_not_exists(n, :zero) + :one")
                .condition_expression("attribute_not_exists(n) OR n < :limit")
                .expression_attribute_values(":zero", n(0))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":limit", n(limit as i64))
                .build(),
        )?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(claim).build())
            .transact_items(TransactWriteItem::builder().put(entry).build())
            .transact_items(TransactWriteItem::builder().update(count).build())
            .send()
            .await;
        match result {
            Ok(_) => {}
            Err(e) => {
                let failed = cancelled_conditions(&e);
                if failed.first() == Some(&true) {
                    return Ok(TierOutcome::AlreadyOpen);
                }
                if failed.get(2) == Some(&true) {
                    let (count, _) = self.counter(waba).await?;
                    return Ok(TierOutcome::Exceeded {
                        count: count.min(limit),
                    });
                }
                return Err(StoreError::dynamo("TransactWriteItems", e));
            }
        }
        let (count, warned) = self.counter(waba).await?;
        let threshold = warning_threshold(limit);
        if warned && count < threshold {
            self.rearm_warning(waba, limit).await?;
        }
        let warn = count >= threshold && !warned && self.claim_warning(waba, limit).await?;
        Ok(TierOutcome::Opened { count, warn })
    }

    /// Reserves `k` conversations for a bulk job, within `limit`; the count now held if it fit,
    /// `None` (and nothing written) if it did not.
    pub async fn reserve(&self, waba: &str, k: u64, limit: u64, now: DateTime<Utc>) -> Result<Option<u64>, StoreError> {
        self.retire_expired(waba, now).await?;
        if k == 0 {
            return Ok(Some(self.counter(waba).await?.0));
        }
        if k > limit {
            return Ok(None);
        }
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(counter_pk(waba)))
            .key("sk", s("COUNT"))
            .update_expression("SET n = if_not_exists(n, :zero) + :k")
            .condition_expression("attribute_not_exists(n) OR n <= :max")
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":k", n(k as i64))
            .expression_attribute_values(":max", n((limit - k) as i64))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send()
            .await;
        match out {
            Ok(o) => Ok(Some(
                o.attributes
                    .as_ref()
                    .and_then(|a| a.get("n"))
                    .and_then(|v| v.as_n().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(k),
            )),
            Err(e) if condition_failed(&e) => Ok(None),
            Err(e) => Err(StoreError::dynamo("UpdateItem", e)),
        }
    }

    /// Gives back `k` reserved conversations of a job that was never written (a create that
    /// failed after reserving).
    pub async fn release_reserved(&self, waba: &str, k: u64) -> Result<(), StoreError> {
        if k == 0 {
            return Ok(());
        }
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(counter_pk(waba)))
            .key("sk", s("COUNT"))
            .update_expression("SET n = n - :k")
            .condition_expression("n >= :k")
            .expression_attribute_values(":k", n(k as i64))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("UpdateItem", e))?;
        Ok(())
    }

    /// Settles a finished job's reservation of `reserved`, of which it used `used`: the rest
    /// leaves the count and the used ones become one entry, retired 24 h from `now`. `once` is a
    /// conditional write on the job (its own record of the settlement) in the same transaction,
    /// so however often the end of a job is processed the reservation is settled exactly once.
    /// False if it already was.
    #[allow(clippy::too_many_arguments)]
    pub async fn settle_reservation(
        &self,
        waba: &str,
        tenant: &TenantId,
        job_id: &str,
        reserved: u64,
        used: u64,
        now: DateTime<Utc>,
        once: Update,
    ) -> Result<bool, StoreError> {
        let used = used.min(reserved);
        let mut tx = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(once).build());
        if reserved > used {
            tx = tx.transact_items(
                TransactWriteItem::builder()
                    .update(self.decrement(waba, reserved - used)?)
                    .build(),
            );
        }
        if used > 0 {
            let entry = built(
                Put::builder()
                    .table_name(&self.table)
                    .item("pk", s(open_pk(waba)))
                    .item("sk", s(format!("{}#{tenant}#JOB#{job_id}", iso(now))))
                    .item("units", n(used as i64))
                    .item("expiresAt", n(expires_at(now, RATE_LIMIT_RETENTION)))
                    .build(),
            )?;
            tx = tx.transact_items(TransactWriteItem::builder().put(entry).build());
        }
        match tx.send().await {
            Ok(_) => Ok(true),
            Err(e) if cancelled_conditions(&e).first() == Some(&true) => Ok(false),
            Err(e) => Err(StoreError::dynamo("TransactWriteItems", e)),
        }
    }

    /// The claim of (account, contact) for 24 h: only if the contact has none in the window.
    fn claim(&self, waba: &str, tenant: &TenantId, contact: &ContactId, now: DateTime<Utc>) -> Result<Put, StoreError> {
        built(
            Put::builder()
                .table_name(&self.table)
                .item("pk", s(claims_pk(waba)))
                .item("sk", s(claim_sk(tenant, contact)))
                .item("openedAt", s(iso(now)))
                .item("expiresAt", n(expires_at(now, RATE_LIMIT_RETENTION)))
                .condition_expression("attribute_not_exists(pk) OR openedAt < :since")
                .expression_attribute_values(":since", s(iso(now - Duration::hours(24))))
                .build(),
        )
    }

    /// The claim's entry in the open conversations, which retires it from the count after 24 h.
    fn entry(&self, waba: &str, tenant: &TenantId, contact: &ContactId, now: DateTime<Utc>) -> Result<Put, StoreError> {
        built(
            Put::builder()
                .table_name(&self.table)
                .item("pk", s(open_pk(waba)))
                .item("sk", s(open_sk(now, tenant, contact)))
                .item("expiresAt", n(expires_at(now, RATE_LIMIT_RETENTION)))
                .build(),
        )
    }

    /// Gives back a conversation the provider definitively refused: the claim, its entry and one
    /// from the count, together and only once.
    pub async fn release(&self, slot: &TierSlot) -> Result<(), StoreError> {
        let claim = built(
            Delete::builder()
                .table_name(&self.table)
                .key("pk", s(claims_pk(&slot.waba)))
                .key("sk", s(claim_sk(&slot.tenant, &slot.contact)))
                .condition_expression("openedAt = :at")
                .expression_attribute_values(":at", s(iso(slot.opened_at)))
                .build(),
        )?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().delete(claim).build())
            .transact_items(
                TransactWriteItem::builder()
                    .delete(self.entry_removal(&slot.waba, open_sk(slot.opened_at, &slot.tenant, &slot.contact))?)
                    .build(),
            )
            .transact_items(
                TransactWriteItem::builder()
                    .update(self.decrement(&slot.waba, 1)?)
                    .build(),
            )
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // Already given back (or retired): nothing left to do.
            Err(e) if cancelled_conditions(&e).iter().any(|f| *f) => Ok(()),
            Err(e) => Err(StoreError::dynamo("TransactWriteItems", e)),
        }
    }

    /// The conversations of `waba` counted now, without retiring expired ones (a read only, for
    /// a preview; it can only overstate the use).
    pub async fn peek(&self, waba: &str) -> Result<u64, StoreError> {
        Ok(self.counter(waba).await?.0)
    }

    /// The conversations of `waba` open now, after retiring the expired ones.
    pub async fn usage(&self, waba: &str, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.retire_expired(waba, now).await?;
        Ok(self.counter(waba).await?.0)
    }

    fn entry_removal(&self, waba: &str, sk: String) -> Result<Delete, StoreError> {
        built(
            Delete::builder()
                .table_name(&self.table)
                .key("pk", s(open_pk(waba)))
                .key("sk", s(sk))
                .condition_expression("attribute_exists(pk)")
                .build(),
        )
    }

    /// `n - k`, never below zero.
    fn decrement(&self, waba: &str, k: u64) -> Result<Update, StoreError> {
        built(
            Update::builder()
                .table_name(&self.table)
                .key("pk", s(counter_pk(waba)))
                .key("sk", s("COUNT"))
                .update_expression("SET n = n - :k")
                .condition_expression("n >= :k")
                .expression_attribute_values(":k", n(k as i64))
                .build(),
        )
    }

    /// Retires every conversation opened more than 24 h before `now`: each entry is deleted and
    /// counted down in one transaction, conditional on the entry still being there, so concurrent
    /// sweeps retire each exactly once.
    async fn retire_expired(&self, waba: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let since = iso(now - Duration::hours(24));
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :p AND sk < :since")
                .expression_attribute_values(":p", s(open_pk(waba)))
                .expression_attribute_values(":since", s(since.clone()))
                .consistent_read(true)
                .limit(SWEEP_PAGE)
                .send()
                .await
                .map_err(|e| StoreError::dynamo("Query", e))?;
            // A conversation's entry counts one; a job's, the conversations it used.
            let expired: Vec<(String, u64)> = out
                .items
                .unwrap_or_default()
                .into_iter()
                .filter_map(|i| {
                    let units = i
                        .get("units")
                        .and_then(|v| v.as_n().ok())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(1);
                    i.get("sk").and_then(|v| v.as_s().ok()).map(|sk| (sk.clone(), units))
                })
                .collect();
            if expired.is_empty() {
                return Ok(());
            }
            for (sk, units) in expired {
                let result = self
                    .client
                    .transact_write_items()
                    .transact_items(
                        TransactWriteItem::builder()
                            .delete(self.entry_removal(waba, sk)?)
                            .build(),
                    )
                    .transact_items(
                        TransactWriteItem::builder()
                            .update(self.decrement(waba, units)?)
                            .build(),
                    )
                    .send()
                    .await;
                match result {
                    Ok(_) => {}
                    // Another sweep retired it first.
                    Err(e) if cancelled_conditions(&e).iter().any(|f| *f) => {}
                    Err(e) => return Err(StoreError::dynamo("TransactWriteItems", e)),
                }
            }
        }
    }

    /// The count and whether the alert was sent for the current crossing.
    async fn counter(&self, waba: &str) -> Result<(u64, bool), StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(counter_pk(waba)))
            .key("sk", s("COUNT"))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;
        let item: HashMap<String, AttributeValue> = out.item.unwrap_or_default();
        let count = item
            .get("n")
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
            .max(0) as u64;
        Ok((count, item.contains_key("warned")))
    }

    /// Claims the alert for this crossing of 80 %: true for exactly one caller. Clears a stale
    /// flag first when the count has been below the threshold since the last alert.
    async fn claim_warning(&self, waba: &str, limit: u64) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(counter_pk(waba)))
            .key("sk", s("COUNT"))
            .update_expression("SET warned = :yes")
            .condition_expression("attribute_not_exists(warned) AND n >= :threshold")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":threshold", n(warning_threshold(limit) as i64))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(StoreError::dynamo("UpdateItem", e)),
        }
    }

    /// Re-arms the alert once the count is below the threshold again, so the next crossing alerts.
    async fn rearm_warning(&self, waba: &str, limit: u64) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(counter_pk(waba)))
            .key("sk", s("COUNT"))
            .update_expression("REMOVE warned")
            .condition_expression("attribute_exists(warned) AND n < :threshold")
            .expression_attribute_values(":threshold", n(warning_threshold(limit) as i64))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Ok(()),
            Err(e) => Err(StoreError::dynamo("UpdateItem", e)),
        }
    }
}

/// For a cancelled transaction, whether each item's condition failed (in request order).
fn cancelled_conditions<R>(e: &aws_sdk_dynamodb::error::SdkError<TransactWriteItemsError, R>) -> Vec<bool> {
    match e.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(c)) => c
            .cancellation_reasons()
            .iter()
            .map(|r| r.code() == Some("ConditionalCheckFailed"))
            .collect(),
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alert_threshold_is_the_first_count_at_or_past_eighty_percent() {
        assert_eq!(warning_threshold(250), 200);
        assert_eq!(warning_threshold(5), 4);
        assert_eq!(warning_threshold(7), 6);
        assert_eq!(warning_threshold(1), 1);
    }
}
