//! `GET /api/audit`: an Admin's search of their tenant's audit trail, newest first, paged.
//!
//! Parameters (all optional): `actor` (a user id, or the email of a member, which is looked up in
//! the team directory), `action` (`contact.update`, or a family such as `contact.*`),
//! `resourceType` with `resourceId` (one resource's history), `outcome` (`success`, `denied`,
//! `failed`), `from` and `to` (ISO-8601 times, both included; the default is the whole
//! retention of 180 days), `limit` (1–100, default 50) and `cursor` (from the page before).

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use wecare_core::audit::{AuditSearch, SearchError, SearchTerms};
use wecare_core::{Email, Permission};
use wecare_http::{query_param, ApiError, Request};

use crate::{allowed, to_json, Deps};

fn time(req: &Request, name: &'static str) -> Result<Option<DateTime<Utc>>, ApiError> {
    query_param(req, name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| ApiError::validation(name, "must be an ISO-8601 time such as 2026-03-01T00:00:00Z"))
        })
        .transpose()
}

/// The one mapping of this search's errors to the API's.
fn search_error(e: SearchError) -> ApiError {
    ApiError::validation(e.field(), &e)
}

pub async fn search(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = allowed(deps, req, Permission::ReadAudit, "audit.search", "audit", now).await?;
    let tenant = &ctx.principal.tenant_id;
    let limit = wecare_http::page_limit(req, 50)?;
    // An actor named by email is the member with that email; no such member did nothing.
    let actor = match query_param(req, "actor").map(str::trim).filter(|a| a.contains('@')) {
        Some(email) => {
            let email = Email::parse(email).map_err(|e| ApiError::validation("actor", e))?;
            match deps
                .users
                .find_by_email(tenant, &email)
                .await
                .map_err(|e| ApiError::internal(&e))?
            {
                Some(m) => Some(m.user_id.to_string()),
                None => return Ok(json!({ "items": [], "nextCursor": null })),
            }
        }
        None => query_param(req, "actor").map(str::to_string),
    };
    let terms = SearchTerms {
        actor: actor.as_deref(),
        action: query_param(req, "action"),
        resource_type: query_param(req, "resourceType"),
        resource_id: query_param(req, "resourceId"),
        outcome: query_param(req, "outcome"),
        from: time(req, "from")?,
        to: time(req, "to")?,
    };
    let search = AuditSearch::new(terms, now).map_err(search_error)?;
    let page = wecare_store::audit::search(
        deps.users.client(),
        deps.users.audit_table(),
        tenant,
        &search,
        limit as usize,
        query_param(req, "cursor"),
        now,
    )
    .await
    .map_err(ApiError::from)?;
    Ok(json!({ "items": to_json(page.items)?, "nextCursor": page.next_cursor }))
}
