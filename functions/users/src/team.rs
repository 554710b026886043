//! An Admin's management of the team: the members, inviting one, changing a member's role and
//! enabling or disabling them. Each change writes its audit entry in the transaction of the change
//! (`wecare_store::users`), and is then made in Cognito too.
//!
//! A change is recorded in the team directory first, because that is what the platform enforces
//! (the authorizer reads it at every new token), and then in Cognito (groups, enabled, sessions),
//! which decides who can sign in and what the next tokens say. If the Cognito part fails, the
//! answer is an error and the same request, sent again, finds nothing left to change in the
//! directory and completes Cognito. An invite goes the other way round (the account's `sub` keys
//! the member), and deletes the account it created if it cannot finish, so it can be sent again.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use wecare_core::team::{self, AccessChange, AccountStatus, Member, MemberStatus, TemporaryPassword};
use wecare_core::{Email, ErrorCode, Permission, Role, UserId};
use wecare_http::{parse_json_body, path_param, query_param, ApiError, Request};
use wecare_store::users::{AddError, ChangeError};
use wecare_store::{AuditContext, AuditEntry};

use crate::directory::{account_name, DirectoryError};
use crate::{allowed, to_json, Deps, InviteDelivery};

/// How often a change is planned again when the member changed while it was being made.
const ATTEMPTS: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    #[error("email: {0}")]
    Email(#[from] wecare_core::email::EmailError),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Add(#[from] AddError),
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("user not found")]
    NotFound,
    #[error("role or enabled: give at least one")]
    Empty,
    #[error(transparent)]
    Change(#[from] ChangeError),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
}

/// The one mapping of an invite's errors to the API's.
fn invite_error(e: InviteError) -> ApiError {
    match e {
        InviteError::Email(e) => ApiError::validation("email", e),
        InviteError::Directory(DirectoryError::Exists) | InviteError::Add(AddError::Exists) => ApiError::new(
            ErrorCode::Conflict,
            "an account with this email address already exists; look for it in the list, or use another address",
        ),
        InviteError::Directory(DirectoryError::Refused(why)) => ApiError::validation("email", why),
        InviteError::Directory(e @ DirectoryError::Cognito { .. }) => ApiError::internal(&e),
        InviteError::Add(AddError::Store(e)) => ApiError::internal(&e),
    }
}

/// The one mapping of a change's errors to the API's.
fn update_error(e: UpdateError) -> ApiError {
    match e {
        UpdateError::NotFound => ApiError::not_found("user"),
        e @ UpdateError::Empty => ApiError::new(ErrorCode::ValidationFailed, e.to_string()),
        UpdateError::Change(ChangeError::LastAdmin(e)) => ApiError::new(ErrorCode::LastAdmin, e.to_string()),
        UpdateError::Change(ChangeError::Changed) => ApiError::new(
            ErrorCode::Conflict,
            "the user was being changed by someone else at the same time; reload and try again",
        ),
        UpdateError::Change(ChangeError::Store(e)) => ApiError::internal(&e),
        UpdateError::Directory(e) => ApiError::internal(&e),
    }
}

/// `GET /api/users?limit=&cursor=`: the tenant's members by email.
pub async fn list(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = allowed(deps, req, Permission::ManageUsers, "user.list", "user", now).await?;
    let page = deps
        .users
        .list(
            &ctx.principal.tenant_id,
            wecare_http::page_limit(req, 50)?,
            query_param(req, "cursor"),
        )
        .await
        .map_err(ApiError::from)?;
    Ok(json!({ "items": to_json(page.items)?, "nextCursor": page.next_cursor }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct InviteRequest {
    email: String,
    role: Role,
}

/// `POST /api/users` `{email, role}`: creates the account in the caller's tenant and the role's
/// group, and adds the member. With `INVITE_DELIVERY=SHOW_ONCE` the answer carries the temporary
/// password, once; with `EMAIL` Cognito sends it.
pub async fn invite(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = allowed(deps, req, Permission::ManageUsers, "user.invite", "user", now).await?;
    let body: InviteRequest = parse_json_body(req)?;
    let email = Email::parse(&body.email).map_err(|e| invite_error(e.into()))?;
    let password = match deps.invite_delivery {
        InviteDelivery::ShowOnce => Some(temporary_password()),
        InviteDelivery::Email => None,
    };
    let member = add(deps, &ctx, email, body.role, password.as_ref(), now)
        .await
        .map_err(invite_error)?;
    tracing::info!(user_id = %member.user_id, tenant_id = %member.tenant_id, role = %member.role, "user invited");
    wecare_http::metrics::count("UserInvited", &[("Function", "users")]);
    let mut answer = json!({ "user": to_json(&member)?, "delivery": deps.invite_delivery.as_str() });
    if let Some(p) = password {
        answer["temporaryPassword"] = json!(p.expose());
    }
    Ok(answer)
}

async fn add(
    deps: &Deps,
    ctx: &AuditContext,
    email: Email,
    role: Role,
    password: Option<&TemporaryPassword>,
    now: DateTime<Utc>,
) -> Result<Member, InviteError> {
    let tenant = &ctx.principal.tenant_id;
    let user_id = deps.directory.create(&email, tenant, password).await?;
    let member = Member {
        user_id: user_id.clone(),
        tenant_id: tenant.clone(),
        email: Some(email),
        role,
        status: MemberStatus::Enabled,
        account_status: AccountStatus::ForceChangePassword,
        invited_by: Some(
            ctx.principal
                .email
                .as_ref()
                .map_or_else(|| ctx.principal.user_id.to_string(), |e| e.to_string()),
        ),
        created_at: now,
        updated_at: None,
        last_sign_in_at: None,
    };
    let audit = AuditEntry::new(
        ctx,
        "user.invite",
        "user",
        user_id.as_str(),
        "success",
        None,
        Some(json!({ "email": member.email, "role": role, "delivery": deps.invite_delivery.as_str() })),
        now,
    );
    let account = account_name(&user_id, member.email.as_ref());
    let finished = async {
        deps.directory.set_role(&account, role).await?;
        deps.users.add(&member, &audit, now).await?;
        Ok::<_, InviteError>(())
    };
    if let Err(e) = finished.await {
        if let Err(undo) = deps.directory.delete(&account).await {
            tracing::error!(
                user_id = %user_id,
                error.chain = ?wecare_http::error::cause_chain(&undo),
                "an unfinished invite's account could not be deleted: delete it in Cognito before inviting again"
            );
        }
        return Err(e);
    }
    Ok(member)
}

/// Sixteen characters from 32 bytes of the system's randomness (two v4 UUIDs, each with six
/// fixed bits; XOR-ing one with the other shifted by a byte leaves every byte random).
fn temporary_password() -> TemporaryPassword {
    let (a, b) = (uuid::Uuid::new_v4().into_bytes(), uuid::Uuid::new_v4().into_bytes());
    let mut bytes = [0u8; TemporaryPassword::ENTROPY_BYTES];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = a[i] ^ b[(i + 1) % 16];
    }
    TemporaryPassword::from_entropy(bytes)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ChangeRequest {
    #[serde(default)]
    role: Option<Role>,
    #[serde(default)]
    enabled: Option<bool>,
}

/// `PATCH /api/users/{userId}` `{role?, enabled?}`.
pub async fn change(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = allowed(deps, req, Permission::ManageUsers, "user.update", "user", now).await?;
    let body: ChangeRequest = parse_json_body(req)?;
    let change = AccessChange {
        role: body.role,
        status: body.enabled.map(|e| {
            if e {
                MemberStatus::Enabled
            } else {
                MemberStatus::Disabled
            }
        }),
    };
    let user = path_param(req, "userId").and_then(|id| UserId::parse(id).ok());
    let member = apply(deps, &ctx, user, change, now).await.map_err(update_error)?;
    Ok(json!({ "user": to_json(member)? }))
}

async fn apply(
    deps: &Deps,
    ctx: &AuditContext,
    user: Option<UserId>,
    change: AccessChange,
    now: DateTime<Utc>,
) -> Result<Member, UpdateError> {
    if change.is_empty() {
        return Err(UpdateError::Empty);
    }
    let user = user.ok_or(UpdateError::NotFound)?;
    let tenant = &ctx.principal.tenant_id;
    let mut outcome = Err(UpdateError::Change(ChangeError::Changed));
    for _ in 0..ATTEMPTS {
        let member = deps
            .users
            .get(tenant, &user)
            .await
            .map_err(ChangeError::Store)?
            .ok_or(UpdateError::NotFound)?;
        let plan = team::plan(member.access(), change);
        if plan.is_noop() {
            outcome = Ok(member);
            break;
        }
        let audit = AuditEntry::new(
            ctx,
            action_of(&plan),
            "user",
            user.as_str(),
            "success",
            Some(json!({ "role": plan.before.role, "status": plan.before.status })),
            Some(json!({ "role": plan.after.role, "status": plan.after.status, "email": member.email })),
            now,
        );
        match deps.users.change(&member, &plan, &audit, now).await {
            Err(ChangeError::Changed) => continue,
            result => {
                outcome = result.map_err(UpdateError::from);
                if let Ok(m) = &outcome {
                    tracing::info!(user_id = %m.user_id, role = %m.role, status = %m.status, "user changed");
                }
                break;
            }
        }
    }
    let member = outcome?;
    // Also when nothing changed in the directory: a retry of a change whose Cognito part failed
    // finds it done there and completes it here.
    let account = account_name(&member.user_id, member.email.as_ref());
    deps.directory.set_role(&account, member.role).await?;
    deps.directory.set_status(&account, member.status).await?;
    Ok(member)
}

/// The audit action of a change: what an Admin did, in the words of the trail's filters.
fn action_of(plan: &team::AccessPlan) -> &'static str {
    match (
        plan.before.role != plan.after.role,
        plan.before.status != plan.after.status,
    ) {
        (true, false) => "user.role_change",
        (false, true) if plan.after.status == MemberStatus::Disabled => "user.disable",
        (false, true) => "user.enable",
        _ => "user.update",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wecare_core::team::PasswordPolicy;

    #[test]
    fn temporary_passwords_meet_the_policy_and_differ() {
        let (a, b) = (temporary_password(), temporary_password());
        assert!(PasswordPolicy::COGNITO_DEFAULT.is_met_by(a.expose()));
        assert_ne!(a, b);
    }

    #[test]
    fn a_change_is_audited_by_what_it_does() {
        let access = |role, status| team::Access { role, status };
        let plan = |before, change| team::plan(before, change);
        let admin = access(Role::Admin, MemberStatus::Enabled);
        let demote = AccessChange {
            role: Some(Role::Viewer),
            status: None,
        };
        let disable = AccessChange {
            role: None,
            status: Some(MemberStatus::Disabled),
        };
        assert_eq!(action_of(&plan(admin, demote)), "user.role_change");
        assert_eq!(action_of(&plan(admin, disable)), "user.disable");
        assert_eq!(
            action_of(&plan(
                access(Role::Viewer, MemberStatus::Disabled),
                AccessChange {
                    role: None,
                    status: Some(MemberStatus::Enabled)
                }
            )),
            "user.enable"
        );
        assert_eq!(
            action_of(&plan(
                admin,
                AccessChange {
                    role: Some(Role::Operator),
                    status: Some(MemberStatus::Disabled)
                }
            )),
            "user.update"
        );
    }
}
