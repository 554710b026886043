//! The permission check every handler makes before doing anything else.
//!
//! The authorizer already refused unknown and unsigned callers, but a handler must not trust
//! that it was reached only through the authorizer or that the route's role requirements were
//! configured right, so it re-checks the permission it needs from the authorizer context. A
//! denial answers 403 and is written to the audit trail with who tried what, from where.

use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use wecare_core::Permission;
use wecare_store::audit::{self, AuditContext, AuditEntry};

use crate::error::ApiError;
use crate::request::{principal, request_id, source_ip, user_agent};
use crate::Request;

/// What is being attempted, for the audit entry of a denial.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub permission: Permission,
    pub action: &'a str,
    pub resource_type: &'a str,
    pub resource_id: &'a str,
}

/// Returns the audit context of an allowed request, or the error to answer with.
pub async fn authorize(
    client: &Client,
    audit_table: &str,
    req: &Request,
    attempt: Attempt<'_>,
    now: DateTime<Utc>,
) -> Result<AuditContext, ApiError> {
    let principal = principal(req)?;
    let ctx = AuditContext {
        principal,
        request_id: request_id(req).to_string(),
        source_ip: source_ip(req).map(str::to_string),
        user_agent: user_agent(req).map(str::to_string),
    };
    if ctx.principal.role.can(attempt.permission) {
        return Ok(ctx);
    }
    tracing::warn!(
        user_id = %ctx.principal.user_id,
        tenant_id = %ctx.principal.tenant_id,
        role = %ctx.principal.role,
        action = attempt.action,
        "permission denied"
    );
    let entry = AuditEntry::new(
        &ctx,
        attempt.action,
        attempt.resource_type,
        attempt.resource_id,
        "denied",
        None,
        None,
        now,
    );
    audit::write(client, audit_table, &entry, now)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    Err(ApiError::forbidden())
}
