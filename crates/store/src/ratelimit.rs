//! The token-bucket rate limiter, kept in RateLimitTrackers.
//!
//! One item per sender bucket holds the bucket's next free instant (`tat`, see
//! `wecare_core::rate`). A busy bucket hands out the next slot with one atomic
//! `ADD tat :cost`, guarded by `tat` being between now and now + the longest wait allowed; an idle
//! bucket (`tat` in the past) is restarted with `SET tat = now + cost`, guarded by `tat < now`.
//! Under load the first succeeds, so a send costs one write, and concurrent senders are queued
//! into distinct slots instead of racing. The item expires a day after its last use.
//!
//! Buckets are the providers' (`wecare_core::sender::Sender::rate_bucket`: a WhatsApp number, an
//! SMS pool or identity, the SES account), not a tenant's, so tenants sharing a sender share its
//! limit; their keys are the bucket's name (`RATE#whatsapp#phone-number-id-…`). `now` must be the
//! moment the request reaches the limiter: a wait measured from any earlier instant refuses
//! requests that were merely slow to get here.

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use wecare_core::rate::Rate;
use wecare_core::time::{expires_at, RATE_LIMIT_RETENTION};

use crate::error::StoreError;

#[derive(Clone)]
pub struct RateLimiter {
    client: Client,
    table: String,
    /// The last `tat` this instance saw per bucket: a hint of which write to try first, so a
    /// quiet bucket costs one write (the restart) instead of a refused `ADD` and then the restart.
    /// Only a hint: both writes stay conditional on what is stored.
    seen: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, i64>>>,
}

/// Refused: the queue is too long; retry after this many milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after_ms: u64,
}

enum Attempt {
    /// Taken; the stored `tat` after the update.
    Taken(i64),
    /// The condition failed; the stored `tat`, if any.
    Refused(Option<i64>),
}

fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn instant(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap_or_default()
}

impl RateLimiter {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        RateLimiter {
            client,
            table: table.into(),
            seen: Default::default(),
        }
    }

    /// Reserves `cost` tokens of `bucket`: the instant to send at (now or up to `max_wait`
    /// later), or how long to wait before asking again.
    pub async fn reserve(
        &self,
        bucket: &str,
        rate: Rate,
        cost: f64,
        max_wait: std::time::Duration,
        now: DateTime<Utc>,
    ) -> Result<Result<DateTime<Utc>, Limited>, StoreError> {
        let key = format!("RATE#{bucket}");
        let now_us = micros(now);
        let step = rate.interval_micros(cost);
        let ceiling = now_us + max_wait.as_micros() as i64;
        let expiry = expires_at(now, RATE_LIMIT_RETENTION);

        let seen = self.seen.lock().ok().and_then(|m| m.get(&key).copied());
        if seen.is_some_and(|tat| tat < now_us) {
            if let Attempt::Taken(_) = self.restart(&key, now_us, step, expiry).await? {
                self.remember(&key, now_us + step);
                return Ok(Ok(now));
            }
        }
        let busy = self
            .attempt(
                &key,
                "SET expiresAt = :exp ADD tat :step",
                "tat >= :now AND tat <= :ceiling",
                &[
                    (":step", step),
                    (":now", now_us),
                    (":ceiling", ceiling),
                    (":exp", expiry),
                ],
            )
            .await?;
        let stored = match busy {
            Attempt::Taken(new_tat) => {
                self.remember(&key, new_tat);
                return Ok(Ok(instant(new_tat - step)));
            }
            Attempt::Refused(tat) => tat,
        };
        if let Some(tat) = stored.filter(|t| *t >= now_us) {
            self.remember(&key, tat);
            return Ok(Err(Limited {
                retry_after_ms: ((tat - ceiling).max(1000) / 1000) as u64,
            }));
        }
        match self.restart(&key, now_us, step, expiry).await? {
            Attempt::Taken(_) => {
                self.remember(&key, now_us + step);
                Ok(Ok(now))
            }
            // Another sender restarted the bucket first: it is busy now, so queue behind it.
            Attempt::Refused(_) => Box::pin(self.reserve(bucket, rate, cost, max_wait, now)).await,
        }
    }

    /// Restarts an idle bucket: the slot is now.
    async fn restart(&self, key: &str, now_us: i64, step: i64, expiry: i64) -> Result<Attempt, StoreError> {
        self.attempt(
            key,
            "SET tat = :next, expiresAt = :exp",
            "attribute_not_exists(tat) OR tat < :now",
            &[(":next", now_us + step), (":now", now_us), (":exp", expiry)],
        )
        .await
    }

    fn remember(&self, key: &str, tat: i64) {
        if let Ok(mut m) = self.seen.lock() {
            m.insert(key.to_string(), tat);
        }
    }

    async fn attempt(
        &self,
        key: &str,
        update: &str,
        condition: &str,
        values: &[(&str, i64)],
    ) -> Result<Attempt, StoreError> {
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(key.to_string()))
            .key("sk", AttributeValue::S("BUCKET".into()))
            .update_expression(update)
            .condition_expression(condition)
            .return_values(ReturnValue::UpdatedNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        for (name, v) in values {
            req = req.expression_attribute_values(*name, AttributeValue::N(v.to_string()));
        }
        let tat_of = |item: Option<&std::collections::HashMap<String, AttributeValue>>| {
            item.and_then(|i| i.get("tat"))
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse::<i64>().ok())
        };
        match req.send().await {
            Ok(out) => Ok(Attempt::Taken(tat_of(out.attributes.as_ref()).unwrap_or_default())),
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(c)) => Ok(Attempt::Refused(tat_of(c.item()))),
                _ => Err(StoreError::dynamo("UpdateItem", e)),
            },
        }
    }
}
