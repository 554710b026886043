//! The tenant's team directory (the Users table): each member's role and status, who invited
//! them and when they last signed in, and the count of the tenant's enabled Admins.
//!
//! The directory, not the token, says what a member may do. The authorizer reads the member for
//! every token it verifies ([`UsersRepo::admit`]): a disabled member is refused, and the role
//! enforced is the directory's, so an Admin's change applies at the member's next request even
//! though the ID token they hold still names their old Cognito group (for up to an hour). A user
//! the directory has not seen yet (created in Cognito directly, like the seed users) is added
//! with their token's role the first time they are seen.
//!
//! The last enabled Admin of a tenant can never be demoted or disabled, and this holds under any
//! concurrency by construction: every change that adds or loses an enabled Admin moves the count
//! `{tenant}#USERS-ADMINS` in the same transaction as the member's record, the record's write is
//! conditioned on the member being as the change was planned from, and a loss is conditioned on
//! the count being above one. DynamoDB serializes transactions on the count's item, so of two
//! Admins demoting each other at once, one succeeds and the other finds the count at one.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, CancellationReason, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde_json::json;
use wecare_core::team::{AccessPlan, AccountStatus, LastAdmin, Member, MemberStatus};
use wecare_core::time::iso;
use wecare_core::{Email, Principal, Role, TenantId, UserId};

use crate::audit::{AuditContext, AuditEntry};
use crate::cursor::{self, IndexPartition, ListError, Page};
use crate::error::StoreError;
use crate::keys;

type Item = HashMap<String, AttributeValue>;

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

/// What the authorizer may let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// An enabled member, with the role they hold now.
    Allowed { role: Role },
    /// A member an Admin disabled: refused whatever token they hold.
    Disabled,
}

#[derive(Debug, thiserror::Error)]
pub enum AddError {
    #[error("the user is already a member")]
    Exists,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error(transparent)]
    LastAdmin(#[from] LastAdmin),
    /// The member changed since the change was planned: plan again from what is stored now.
    #[error("the member changed meanwhile")]
    Changed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct UsersRepo {
    client: Client,
    table: String,
    audit: String,
}

impl UsersRepo {
    pub fn new(client: Client, table: impl Into<String>, audit_table: impl Into<String>) -> Self {
        UsersRepo {
            client,
            table: table.into(),
            audit: audit_table.into(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn audit_table(&self) -> &str {
        &self.audit
    }

    fn key(tenant: &TenantId, user: &UserId) -> [(&'static str, AttributeValue); 2] {
        [("pk", s(keys::user_pk(tenant, user))), ("sk", s(keys::USER_SK))]
    }

    /// The member's item as stored, if any (eventually consistent: the authorizer's read).
    async fn item(&self, tenant: &TenantId, user: &UserId, consistent: bool) -> Result<Option<Item>, StoreError> {
        let [(pk, pv), (sk, sv)] = Self::key(tenant, user);
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(pk, pv)
            .key(sk, sv)
            .consistent_read(consistent)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;
        Ok(out.item)
    }

    /// A member of the tenant. A record written by the authorizer before the directory existed
    /// (without `status`) is no member yet: it becomes one at the user's next request.
    pub async fn get(&self, tenant: &TenantId, user: &UserId) -> Result<Option<Member>, StoreError> {
        match self.item(tenant, user, true).await? {
            Some(item) if item.contains_key("status") => {
                Ok(Some(serde_dynamo::from_item(item).map_err(StoreError::Corrupt)?))
            }
            _ => Ok(None),
        }
    }

    /// A page of the tenant's members by email.
    pub async fn list(&self, tenant: &TenantId, limit: i32, after: Option<&str>) -> Result<Page<Member>, ListError> {
        cursor::query_index(
            &self.client,
            IndexPartition {
                table: &self.table,
                index: "gsi1",
                partition: keys::users_list_pk(tenant),
            },
            limit,
            after,
            |q| {
                q.filter_expression("attribute_exists(#status)")
                    .expression_attribute_names("#status", "status")
            },
        )
        .await
    }

    /// The member of the tenant with this email, if any.
    pub async fn find_by_email(&self, tenant: &TenantId, email: &Email) -> Result<Option<Member>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi1")
            .key_condition_expression("gsi1pk = :p AND gsi1sk = :e")
            .filter_expression("attribute_exists(#status)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":p", s(keys::users_list_pk(tenant)))
            .expression_attribute_values(":e", s(email.as_str()))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("Query", e))?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(|i| serde_dynamo::from_item(i).map_err(StoreError::Corrupt))
            .transpose()
    }

    /// The count of the tenant's enabled Admins.
    pub async fn admins(&self, tenant: &TenantId) -> Result<u32, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(keys::admins_count_pk(tenant)))
            .key("sk", s(keys::ADMINS_COUNT_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;
        Ok(out
            .item
            .and_then(|i| i.get("admins").and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok()))
            .unwrap_or(0))
    }

    /// Whether the verified caller `p` may in, and with which role; records a new sign-in
    /// (`signed_in_at`, the token's `auth_time`) with its audit entry, and adds a user the
    /// directory has not seen. One read per call; a write only on a new sign-in.
    pub async fn admit(
        &self,
        p: &Principal,
        signed_in_at: DateTime<Utc>,
        ctx: &AuditContext,
        now: DateTime<Utc>,
    ) -> Result<Admission, StoreError> {
        let mut stored = self.item(&p.tenant_id, &p.user_id, false).await?;
        if !stored.as_ref().is_some_and(|i| i.contains_key("status")) {
            match self.first_seen(p, signed_in_at, ctx, now).await? {
                Some(admission) => return Ok(admission),
                // Someone else's request added them a moment ago: admit as that says.
                None => stored = self.item(&p.tenant_id, &p.user_id, true).await?,
            }
        }
        let Some(item) = stored else {
            return Err(StoreError::Dynamo {
                operation: "GetItem",
                source: "the member vanished while being added".into(),
            });
        };
        let member: Member = serde_dynamo::from_item(item).map_err(StoreError::Corrupt)?;
        if member.status == MemberStatus::Disabled {
            // Refused attempts are audited like the permission guard's denials (API Gateway
            // keeps the refusal of one token for a minute, so a client retrying adds few).
            let entry = AuditEntry::new(
                ctx,
                "user.sign_in",
                "user",
                p.user_id.as_str(),
                "denied",
                None,
                Some(json!({ "reason": "disabled" })),
                now,
            );
            crate::audit::write(&self.client, &self.audit, &entry, now).await?;
            return Ok(Admission::Disabled);
        }
        if member.last_sign_in_at.is_none_or(|last| last < signed_in_at) {
            self.signed_in(p, &member, signed_in_at, ctx, now).await?;
        }
        Ok(Admission::Allowed { role: member.role })
    }

    /// Adds a user seen for the first time, with their token's role (counted if an enabled
    /// Admin); `None` when another request added them first.
    async fn first_seen(
        &self,
        p: &Principal,
        signed_in_at: DateTime<Utc>,
        ctx: &AuditContext,
        now: DateTime<Utc>,
    ) -> Result<Option<Admission>, StoreError> {
        let [(pk, pv), (sk, sv)] = Self::key(&p.tenant_id, &p.user_id);
        let email = p.email.as_ref().map(|e| e.to_string());
        let mut set = vec![
            "userId = :uid",
            "tenantId = :tid",
            "#role = :role",
            "#status = :enabled",
            "accountStatus = :confirmed",
            "createdAt = if_not_exists(createdAt, :now)",
            "lastSignInAt = :signed",
            "gsi1pk = :lpk",
            "gsi1sk = :lsk",
        ];
        let mut record = Update::builder()
            .table_name(&self.table)
            .key(pk, pv)
            .key(sk, sv)
            .condition_expression("attribute_not_exists(#status)")
            .expression_attribute_names("#role", "role")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":uid", s(p.user_id.to_string()))
            .expression_attribute_values(":tid", s(p.tenant_id.to_string()))
            .expression_attribute_values(":role", s(p.role.as_str()))
            .expression_attribute_values(":enabled", s(MemberStatus::Enabled.as_str()))
            .expression_attribute_values(":confirmed", s(AccountStatus::Confirmed.as_str()))
            .expression_attribute_values(":now", s(iso(now)))
            .expression_attribute_values(":signed", s(iso(signed_in_at)))
            .expression_attribute_values(":lpk", s(keys::users_list_pk(&p.tenant_id)))
            .expression_attribute_values(":lsk", s(email.clone().unwrap_or_else(|| p.user_id.to_string())));
        if let Some(e) = &email {
            set.push("email = :email");
            record = record.expression_attribute_values(":email", s(e.clone()));
        }
        let record = record
            .update_expression(format!("SET {}", set.join(", ")))
            .build()
            .map_err(build_error)?;
        let mut items = vec![TransactWriteItem::builder().update(record).build()];
        if p.role == Role::Admin {
            items.push(self.count_change(&p.tenant_id, 1)?);
        }
        let audit = AuditEntry::new(
            ctx,
            "user.sign_in",
            "user",
            p.user_id.as_str(),
            "success",
            None,
            Some(json!({ "role": p.role, "email": email, "firstSeen": true })),
            now,
        );
        items.push(TransactWriteItem::builder().put(audit.put(&self.audit, now)?).build());
        match self.transact(items).await? {
            Ok(()) => Ok(Some(Admission::Allowed { role: p.role })),
            Err(reasons) if failed(&reasons, 0) => Ok(None),
            Err(_) => Err(cancelled()),
        }
    }

    /// Records a new sign-in of an enabled member (their email as the token has it now) with its
    /// audit entry. Several requests of one fresh token may race here: the condition lets one
    /// record it and the others find it recorded.
    async fn signed_in(
        &self,
        p: &Principal,
        member: &Member,
        signed_in_at: DateTime<Utc>,
        ctx: &AuditContext,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let [(pk, pv), (sk, sv)] = Self::key(&p.tenant_id, &p.user_id);
        let email = p
            .email
            .as_ref()
            .map(|e| e.to_string())
            .or(member.email.as_ref().map(|e| e.to_string()));
        let mut record = Update::builder()
            .table_name(&self.table)
            .key(pk, pv)
            .key(sk, sv)
            .condition_expression(
                "#status = :enabled AND (attribute_not_exists(lastSignInAt) OR lastSignInAt < :signed)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":enabled", s(MemberStatus::Enabled.as_str()))
            .expression_attribute_values(":confirmed", s(AccountStatus::Confirmed.as_str()))
            .expression_attribute_values(":signed", s(iso(signed_in_at)));
        let mut set = vec!["lastSignInAt = :signed", "accountStatus = :confirmed"];
        if let Some(e) = &email {
            set.extend(["email = :email", "gsi1sk = :email"]);
            record = record.expression_attribute_values(":email", s(e.clone()));
        }
        let record = record
            .update_expression(format!("SET {}", set.join(", ")))
            .build()
            .map_err(build_error)?;
        let ctx = AuditContext {
            principal: Principal {
                role: member.role,
                ..ctx.principal.clone()
            },
            ..ctx.clone()
        };
        let audit = AuditEntry::new(
            &ctx,
            "user.sign_in",
            "user",
            p.user_id.as_str(),
            "success",
            None,
            Some(json!({ "role": member.role, "email": email })),
            now,
        );
        let items = vec![
            TransactWriteItem::builder().update(record).build(),
            TransactWriteItem::builder().put(audit.put(&self.audit, now)?).build(),
        ];
        match self.transact(items).await? {
            Ok(()) => Ok(()),
            // Recorded by a concurrent request, or disabled a moment ago (refused next time).
            Err(reasons) if failed(&reasons, 0) => Ok(()),
            Err(_) => Err(cancelled()),
        }
    }

    /// Adds an invited member (counted if an enabled Admin) with the audit entry of the invite.
    pub async fn add(&self, member: &Member, audit: &AuditEntry, now: DateTime<Utc>) -> Result<(), AddError> {
        let mut item: Item = serde_dynamo::to_item(member).map_err(StoreError::Serialize)?;
        let [(pk, pv), (sk, sv)] = Self::key(&member.tenant_id, &member.user_id);
        item.insert(pk.into(), pv);
        item.insert(sk.into(), sv);
        item.insert("gsi1pk".into(), s(keys::users_list_pk(&member.tenant_id)));
        item.insert(
            "gsi1sk".into(),
            s(member
                .email
                .as_ref()
                .map_or_else(|| member.user_id.to_string(), |e| e.to_string())),
        );
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_error)?;
        let mut items = vec![TransactWriteItem::builder().put(put).build()];
        if member.access().is_enabled_admin() {
            items.push(self.count_change(&member.tenant_id, 1)?);
        }
        items.push(TransactWriteItem::builder().put(audit.put(&self.audit, now)?).build());
        match self.transact(items).await? {
            Ok(()) => Ok(()),
            Err(reasons) if failed(&reasons, 0) => Err(AddError::Exists),
            Err(_) => Err(cancelled().into()),
        }
    }

    /// Applies `plan` to `member` (as read when planning) with its audit entry, in one
    /// transaction: refused with `Changed` if the member is no longer as planned from, and with
    /// `LastAdmin` if it loses the tenant's last enabled Admin. Returns the member as changed.
    pub async fn change(
        &self,
        member: &Member,
        plan: &AccessPlan,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<Member, ChangeError> {
        let [(pk, pv), (sk, sv)] = Self::key(&member.tenant_id, &member.user_id);
        let record = Update::builder()
            .table_name(&self.table)
            .key(pk, pv)
            .key(sk, sv)
            .update_expression("SET #role = :role, #status = :status, updatedAt = :now")
            .condition_expression("#role = :was_role AND #status = :was_status")
            .expression_attribute_names("#role", "role")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":role", s(plan.after.role.as_str()))
            .expression_attribute_values(":status", s(plan.after.status.as_str()))
            .expression_attribute_values(":was_role", s(plan.before.role.as_str()))
            .expression_attribute_values(":was_status", s(plan.before.status.as_str()))
            .expression_attribute_values(":now", s(iso(now)))
            .build()
            .map_err(build_error)?;
        let mut items = vec![TransactWriteItem::builder().update(record).build()];
        if plan.admin_delta != 0 {
            items.push(self.count_change(&member.tenant_id, plan.admin_delta)?);
        }
        items.push(TransactWriteItem::builder().put(audit.put(&self.audit, now)?).build());
        match self.transact(items).await? {
            Ok(()) => Ok(Member {
                role: plan.after.role,
                status: plan.after.status,
                updated_at: Some(now),
                ..member.clone()
            }),
            Err(reasons) if failed(&reasons, 0) => Err(ChangeError::Changed),
            Err(reasons) if plan.admin_delta < 0 && failed(&reasons, 1) => Err(LastAdmin.into()),
            Err(_) => Err(cancelled().into()),
        }
    }

    /// The count of enabled Admins moved by `delta`. A loss is conditioned on another enabled
    /// Admin remaining (`wecare_core::team::admins_after`): the count's item holds exactly the
    /// enabled Admins, so above one means someone else is left.
    fn count_change(&self, tenant: &TenantId, delta: i8) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key("pk", s(keys::admins_count_pk(tenant)))
            .key("sk", s(keys::ADMINS_COUNT_SK))
            .expression_attribute_values(":one", AttributeValue::N("1".into()));
        let update = if delta < 0 {
            update
                .update_expression("SET admins = admins - :one")
                .condition_expression("admins > :one")
        } else {
            update.update_expression("ADD admins :one")
        };
        Ok(TransactWriteItem::builder()
            .update(update.build().map_err(build_error)?)
            .build())
    }

    /// Runs a transaction; a cancellation is answered with its reasons, for the caller to read.
    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<Result<(), Vec<CancellationReason>>, StoreError> {
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(Ok(())),
            Err(e) => match e.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(c)) => {
                    Ok(Err(c.cancellation_reasons().to_vec()))
                }
                _ => Err(StoreError::dynamo("TransactWriteItems", e)),
            },
        }
    }
}

/// Whether the action at `index` of a cancelled transaction failed its condition.
fn failed(reasons: &[CancellationReason], index: usize) -> bool {
    reasons.get(index).and_then(|r| r.code()) == Some("ConditionalCheckFailed")
}

/// A transaction cancelled for a reason none of its conditions explains (a conflict with
/// another transaction on the same items): the caller's request fails and may be retried.
fn cancelled() -> StoreError {
    StoreError::Dynamo {
        operation: "TransactWriteItems",
        source: "the transaction was cancelled by a concurrent one".into(),
    }
}

fn build_error(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Dynamo {
        operation: "TransactWriteItems(build)",
        source: Box::new(e),
    }
}
