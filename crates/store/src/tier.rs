//! The WhatsApp messaging tier: business-initiated conversations per tenant in a moving 24 h.
//!
//! Meta counts the unique users a business reaches outside their 24 h window in any 24 hours
//! (250 → 2,000 → 10,000 → 100,000). Each such user holds one record in RateLimitTrackers
//! (`{tenant}#TIER` / `{contactId}`, `openedAt`) for 24 h, claimed with a conditional put: a
//! contact already reached in the window costs nothing more. Admission is one atomic counter per
//! tenant (`{tenant}#TIER-COUNT`), incremented only while below the limit, so concurrent senders
//! can never pass more than the limit between them. The counter only grows; conversations leave
//! the moving window by reconciliation: when the counter is full (and was not reconciled in the
//! last minute) the live records are counted and the counter set to that, guarded by its old
//! value. Records are written before the counter moves, so a reconciliation counts senders still
//! in flight too: it may refuse one too many for a moment, never admit one too many.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure, Select};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Duration, Utc};
use wecare_core::time::{expires_at, iso, RATE_LIMIT_RETENTION};
use wecare_core::{ContactId, TenantId};

use crate::error::{condition_failed, StoreError};

/// What opening a conversation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierOutcome {
    /// The contact was already reached in the last 24 h: not counted again.
    AlreadyOpen,
    /// Counted; `count` conversations are now open, this one included.
    Opened { count: u64 },
    /// Refused: `count` are open and the limit is reached.
    Exceeded { count: u64 },
}

#[derive(Clone)]
pub struct TierTracker {
    client: Client,
    table: String,
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn pk(tenant: &TenantId) -> String {
    format!("{tenant}#TIER")
}

fn counter_pk(tenant: &TenantId) -> String {
    format!("{tenant}#TIER-COUNT")
}

/// A full counter is recounted at most this often (seconds): conversations leave the window
/// over 24 h, so a minute's staleness refuses nothing that matters, and a busy tenant at its
/// limit does not recount on every refused send.
const RECONCILE_EVERY_S: i64 = 60;

enum Admission {
    Admitted(u64),
    Full { n: u64, reconciled_at: Option<String> },
}

impl TierTracker {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        TierTracker {
            client,
            table: table.into(),
        }
    }

    /// Opens (or finds open) a business-initiated conversation with `contact`, within `limit`.
    pub async fn open(
        &self,
        tenant: &TenantId,
        contact: &ContactId,
        limit: u64,
        now: DateTime<Utc>,
    ) -> Result<TierOutcome, StoreError> {
        let since = iso(now - Duration::hours(24));
        let claimed = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(pk(tenant)))
            .item("sk", s(contact.to_string()))
            .item("openedAt", s(iso(now)))
            .item(
                "expiresAt",
                AttributeValue::N(expires_at(now, RATE_LIMIT_RETENTION).to_string()),
            )
            .condition_expression("attribute_not_exists(pk) OR openedAt < :since")
            .expression_attribute_values(":since", s(since.clone()))
            .send()
            .await;
        match claimed {
            Ok(_) => {}
            Err(e) if condition_failed(&e) => return Ok(TierOutcome::AlreadyOpen),
            Err(e) => return Err(StoreError::dynamo("PutItem", e)),
        }
        let mut count = 0;
        for _ in 0..2 {
            match self.admit(tenant, limit).await? {
                Admission::Admitted(n) => return Ok(TierOutcome::Opened { count: n }),
                Admission::Full { n, reconciled_at } => {
                    count = n;
                    let fresh = reconciled_at.is_some_and(|at| at > iso(now - Duration::seconds(RECONCILE_EVERY_S)));
                    if fresh || !self.reconcile(tenant, n, &since, now).await? {
                        break;
                    }
                }
            }
        }
        // Refused: give the claim back, so the contact is not counted as reached.
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(pk(tenant)))
            .key("sk", s(contact.to_string()))
            .condition_expression("openedAt = :at")
            .expression_attribute_values(":at", s(iso(now)))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("DeleteItem", e))?;
        Ok(TierOutcome::Exceeded {
            count: count.min(limit),
        })
    }

    /// One atomic step of the counter: +1 if below `limit`.
    async fn admit(&self, tenant: &TenantId, limit: u64) -> Result<Admission, StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(counter_pk(tenant)))
            .key("sk", s("COUNT"))
            .update_expression("SET n = if_not_exists(n, :zero) + :one")
            .condition_expression("attribute_not_exists(n) OR n < :limit")
            .expression_attribute_values(":zero", AttributeValue::N("0".into()))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":limit", AttributeValue::N(limit.to_string()))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let number = |item: Option<&HashMap<String, AttributeValue>>| {
            item.and_then(|i| i.get("n"))
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0)
        };
        match out {
            Ok(o) => Ok(Admission::Admitted(number(o.attributes.as_ref()))),
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(c)) => {
                    let reconciled_at = c
                        .item
                        .as_ref()
                        .and_then(|i| i.get("reconciledAt"))
                        .and_then(|v| v.as_s().ok())
                        .cloned();
                    Ok(Admission::Full {
                        n: number(c.item.as_ref()),
                        reconciled_at,
                    })
                }
                _ => Err(StoreError::dynamo("UpdateItem", e)),
            },
        }
    }

    /// Sets the counter to the conversations still in the window (minus this sender's own record,
    /// which its next `admit` adds), if nobody moved it meanwhile; whether it was set.
    async fn reconcile(
        &self,
        tenant: &TenantId,
        seen: u64,
        since: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let live = self.count(tenant, since).await?.saturating_sub(1);
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(counter_pk(tenant)))
            .key("sk", s("COUNT"))
            .update_expression("SET n = :live, reconciledAt = :now")
            .condition_expression("n = :seen")
            .expression_attribute_values(":live", AttributeValue::N(live.to_string()))
            .expression_attribute_values(":seen", AttributeValue::N(seen.to_string()))
            .expression_attribute_values(":now", s(iso(now)))
            .send()
            .await;
        match result {
            Ok(_) => Ok(live < seen),
            Err(e) if condition_failed(&e) => Ok(true),
            Err(e) => Err(StoreError::dynamo("UpdateItem", e)),
        }
    }

    /// Conversations opened since `since` (one Query, paged past 1 MB if need be).
    async fn count(&self, tenant: &TenantId, since: &str) -> Result<u64, StoreError> {
        let mut total = 0u64;
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :p")
                .filter_expression("openedAt >= :since")
                .expression_attribute_values(":p", s(pk(tenant)))
                .expression_attribute_values(":since", s(since))
                .select(Select::Count)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| StoreError::dynamo("Query", e))?;
            total += out.count.max(0) as u64;
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(total);
            }
        }
    }

    /// Claims the tenant's tier warning for the current 24 h: true once per window.
    pub async fn claim_warning(&self, tenant: &TenantId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(format!("{tenant}#TIER-WARNING")))
            .item("sk", s("WARNING"))
            .item("warnedAt", s(iso(now)))
            .item(
                "expiresAt",
                AttributeValue::N(expires_at(now, RATE_LIMIT_RETENTION).to_string()),
            )
            .condition_expression("attribute_not_exists(pk) OR warnedAt < :since")
            .expression_attribute_values(":since", s(iso(now - Duration::hours(24))))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(StoreError::dynamo("PutItem", e)),
        }
    }
}
