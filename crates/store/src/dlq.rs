//! The records of dead-lettered messages (DLQMessages): what the replay tool knows of each message
//! a tenant owns in a dead-letter queue, under the id it had before it failed
//! (`{tenant}#DLQ#{queue}` / `{originalMessageId}`).
//!
//! A record is created once, by a conditional put, the first time the message is seen; a copy of
//! the same message seen later (SQS delivers at least once, and one failed event can reach a
//! queue twice) finds it. Each replay attempt is claimed before it runs, with one conditional
//! update that refuses a message already replayed or out of attempts, so however many replays
//! race, a message runs at most [`MAX_REPLAY_ATTEMPTS`] times and is recorded replayed once.
//! Records expire [`DLQ_RETENTION`] after their last activity (epoch seconds in `expiresAt`);
//! readers treat an expired record as absent.

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wecare_core::dlq::{DlqQueue, DlqState, MAX_REPLAY_ATTEMPTS};
use wecare_core::time::{expires_at, is_expired, DLQ_RETENTION};
use wecare_core::TenantId;

use crate::batch::Item;
use crate::error::{condition_failed, StoreError};
use crate::keys;

/// What is known of one dead-lettered message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DlqRecord {
    pub tenant_id: TenantId,
    pub queue: DlqQueue,
    /// The id the message had before it failed (see the replay tool for each queue's).
    pub original_message_id: String,
    /// The shape it arrived in (an SNS notification, a Lambda on-failure record, a chunk…).
    pub kind: String,
    /// What it is about, decoded (sender and type, job and chunk, contact and channel).
    pub summary: Value,
    /// When it first failed, as well as the message tells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_failed_at: Option<DateTime<Utc>>,
    pub first_seen_at: DateTime<Utc>,
    /// The error it carried into the queue, when it carried one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Replay attempts so far, successful or not.
    #[serde(default)]
    pub attempts: u32,
    // Absent rather than null while unset: the conditions test them with attribute_not_exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replayed_at: Option<DateTime<Utc>>,
    pub expires_at: i64,
}

impl DlqRecord {
    pub fn state(&self) -> DlqState {
        DlqState::of(self.attempts, self.replayed_at.is_some())
    }
}

/// How a claim of a replay attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum AttemptStart {
    /// The attempt is this caller's to run (the record counts it already).
    Started(DlqRecord),
    /// Not to be run: replayed already, or out of attempts (see [`DlqRecord::state`]).
    Refused(DlqRecord),
    /// No live record (it expired since it was seen): see the message again first.
    Missing,
}

#[derive(Clone)]
pub struct DlqRepo {
    client: Client,
    table: String,
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn record_of(item: Item) -> Result<DlqRecord, StoreError> {
    serde_dynamo::from_item(item).map_err(StoreError::Corrupt)
}

impl DlqRepo {
    pub fn new(client: Client, table: &str) -> Self {
        DlqRepo {
            client,
            table: table.to_string(),
        }
    }

    /// Records `r` if its message was never seen (or its record expired); otherwise returns the
    /// record as it stands. One conditional put either way.
    pub async fn see(&self, r: &DlqRecord, now: DateTime<Utc>) -> Result<DlqRecord, StoreError> {
        let mut item: Item = serde_dynamo::to_item(r).map_err(StoreError::Serialize)?;
        item.insert("pk".into(), s(keys::dlq_pk(&r.tenant_id, r.queue)));
        item.insert("sk".into(), s(&r.original_message_id));
        let out = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk) OR expiresAt <= :now")
            .expression_attribute_values(":now", n(now.timestamp()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match out {
            Ok(_) => Ok(r.clone()),
            Err(e) => match e.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(c)) => match c.item.clone() {
                    Some(item) => record_of(item),
                    None => Err(StoreError::dynamo("PutItem", e)),
                },
                _ => Err(StoreError::dynamo("PutItem", e)),
            },
        }
    }

    fn update(&self, tenant: &TenantId, queue: DlqQueue, id: &str) -> UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(keys::dlq_pk(tenant, queue)))
            .key("sk", s(id))
    }

    /// Claims one replay attempt of a message: counted before it runs, so a crash mid-replay
    /// still spends an attempt and no race can run a message more than its attempts allow.
    pub async fn begin_attempt(
        &self,
        tenant: &TenantId,
        queue: DlqQueue,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<AttemptStart, StoreError> {
        let out = self
            .update(tenant, queue, id)
            .update_expression("SET attempts = attempts + :one, lastAttemptAt = :at, expiresAt = :exp")
            .condition_expression(
                "attribute_exists(pk) AND expiresAt > :now AND attempts < :max AND attribute_not_exists(replayedAt)",
            )
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":at", s(wecare_core::time::iso(now)))
            .expression_attribute_values(":exp", n(expires_at(now, DLQ_RETENTION)))
            .expression_attribute_values(":now", n(now.timestamp()))
            .expression_attribute_values(":max", n(MAX_REPLAY_ATTEMPTS))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match out {
            Ok(o) => Ok(AttemptStart::Started(record_of(o.attributes.unwrap_or_default())?)),
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(c)) => match c.item.clone() {
                    Some(item) => {
                        let record = record_of(item)?;
                        if is_expired(record.expires_at, now) {
                            Ok(AttemptStart::Missing)
                        } else {
                            Ok(AttemptStart::Refused(record))
                        }
                    }
                    None => Ok(AttemptStart::Missing),
                },
                _ => Err(StoreError::dynamo("UpdateItem", e)),
            },
        }
    }

    /// Records that a replay succeeded; only the first success is written (a conditional update),
    /// so the record keeps the time the message was first replayed.
    pub async fn succeeded(
        &self,
        tenant: &TenantId,
        queue: DlqQueue,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let out = self
            .update(tenant, queue, id)
            .update_expression("SET replayedAt = :at, expiresAt = :exp")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(replayedAt)")
            .expression_attribute_values(":at", s(wecare_core::time::iso(now)))
            .expression_attribute_values(":exp", n(expires_at(now, DLQ_RETENTION)))
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Ok(()),
            Err(e) => Err(StoreError::dynamo("UpdateItem", e)),
        }
    }

    /// Records why an attempt failed; the record as it now stands (`None` if it vanished).
    pub async fn failed(
        &self,
        tenant: &TenantId,
        queue: DlqQueue,
        id: &str,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DlqRecord>, StoreError> {
        let out = self
            .update(tenant, queue, id)
            .update_expression("SET lastError = :e, expiresAt = :exp")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":e", s(error))
            .expression_attribute_values(":exp", n(expires_at(now, DLQ_RETENTION)))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match out {
            Ok(o) => Ok(Some(record_of(o.attributes.unwrap_or_default())?)),
            Err(e) if condition_failed(&e) => Ok(None),
            Err(e) => Err(StoreError::dynamo("UpdateItem", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_fields_are_absent_from_the_item_so_the_conditions_can_test_them() {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let r = DlqRecord {
            tenant_id: TenantId::parse("wecare").unwrap(),
            queue: DlqQueue::Bulk,
            original_message_id: "m-1".into(),
            kind: "chunk".into(),
            summary: serde_json::json!({ "jobId": "j" }),
            first_failed_at: None,
            first_seen_at: at,
            error: None,
            attempts: 0,
            last_error: None,
            last_attempt_at: None,
            replayed_at: None,
            expires_at: expires_at(at, DLQ_RETENTION),
        };
        let item: Item = serde_dynamo::to_item(&r).unwrap();
        for absent in ["replayedAt", "lastError", "lastAttemptAt", "error", "firstFailedAt"] {
            assert!(!item.contains_key(absent), "{absent}");
        }
        assert_eq!(item["queue"], s("bulk-dlq"));
        assert_eq!(item["attempts"], n(0));
        assert_eq!(record_of(item).unwrap(), r);
        assert_eq!(r.state(), DlqState::Pending);
    }
}
