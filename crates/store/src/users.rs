//! The Users record: who has signed in, with which role and email, and when last.
//!
//! The authorizer runs on every request but must not write on every request. A per-cold-start
//! memory says which users were recorded recently; past that, one conditional write refreshes
//! the record only when it is older than an hour or the role or email changed, so across all
//! concurrent Lambda instances a user costs at most about one write an hour.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Duration, Utc};
use wecare_core::time::iso;
use wecare_core::{Principal, Role};

use crate::error::StoreError;
use crate::keys;

pub const REFRESH_EVERY: Duration = Duration::hours(1);

type Seen = (Role, Option<String>, DateTime<Utc>);

pub struct UsersRepo {
    client: Client,
    table: String,
    recent: Mutex<HashMap<(String, String), Seen>>,
}

/// What `record_login` did, for logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRecord {
    /// This instance recorded the user less than an hour ago with the same role and email.
    SkippedRecent,
    /// The conditional write found the stored record current; nothing was written.
    AlreadyCurrent,
    Written,
}

impl UsersRepo {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        UsersRepo {
            client,
            table: table.into(),
            recent: Mutex::new(HashMap::new()),
        }
    }

    pub async fn record_login(&self, p: &Principal, now: DateTime<Utc>) -> Result<LoginRecord, StoreError> {
        let cache_key = (p.tenant_id.to_string(), p.user_id.to_string());
        let email = p.email.as_ref().map(|e| e.to_string());
        let fresh = |seen: &Seen| seen.0 == p.role && seen.1 == email && now - seen.2 < REFRESH_EVERY;
        if self
            .recent
            .lock()
            .ok()
            .and_then(|m| m.get(&cache_key).map(fresh))
            .unwrap_or(false)
        {
            return Ok(LoginRecord::SkippedRecent);
        }

        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(keys::user_pk(&p.tenant_id, &p.user_id)))
            .key("sk", AttributeValue::S(keys::USER_SK.into()))
            .expression_attribute_names("#role", "role")
            .expression_attribute_values(":role", AttributeValue::S(p.role.to_string()))
            .expression_attribute_values(":now", AttributeValue::S(iso(now)))
            .expression_attribute_values(":cutoff", AttributeValue::S(iso(now - REFRESH_EVERY)))
            .expression_attribute_values(":uid", AttributeValue::S(p.user_id.to_string()))
            .expression_attribute_values(":tid", AttributeValue::S(p.tenant_id.to_string()))
            .expression_attribute_values(":lpk", AttributeValue::S(keys::users_list_pk(&p.tenant_id)));
        let (set_email, email_changed) = match &email {
            Some(e) => {
                update = update.expression_attribute_values(":email", AttributeValue::S(e.clone()));
                (
                    ", email = :email, gsi1sk = :email",
                    " OR email <> :email OR attribute_not_exists(email)",
                )
            }
            None => (", gsi1sk = :uid", ""),
        };
        let result = update
            .update_expression(format!(
                "SET userId = :uid, tenantId = :tid, #role = :role, lastLoginAt = :now, gsi1pk = :lpk, \
                 createdAt = if_not_exists(createdAt, :now){set_email}"
            ))
            .condition_expression(format!(
                "attribute_not_exists(pk) OR lastLoginAt < :cutoff OR #role <> :role{email_changed}"
            ))
            .send()
            .await;
        let outcome = match result {
            Ok(_) => LoginRecord::Written,
            Err(e)
                if matches!(
                    e.as_service_error(),
                    Some(UpdateItemError::ConditionalCheckFailedException(_))
                ) =>
            {
                LoginRecord::AlreadyCurrent
            }
            Err(e) => return Err(StoreError::dynamo("UpdateItem", e)),
        };
        if let Ok(mut m) = self.recent.lock() {
            m.insert(cache_key, (p.role, email, now));
        }
        Ok(outcome)
    }
}
