//! `GET /api/contacts` (newest first, cursor pagination) and `GET /api/contacts/{contactId}`.
//!
//! Deleted contacts and other tenants' contacts are indistinguishable from contacts that never
//! existed: both answer 404 and neither appears in a listing.

use chrono::{DateTime, Utc};
use tracing::Instrument;
use wecare_contacts::{contact_id, page_limit, read_error, Deps};
use wecare_core::Permission;
use wecare_http::{json_response, query_param, route_key, ApiError, Request, Response};

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span = tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "contacts-read");
    async {
        let result = if route_key(&req) == "GET /api/contacts/{contactId}" {
            get(deps, &req, now).await
        } else {
            list(deps, &req, now).await
        };
        match result {
            Ok(v) => json_response(200, &v),
            Err(e) => wecare_http::error_response(&e),
        }
    }
    .instrument(span)
    .await
}

async fn get(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<serde_json::Value, ApiError> {
    let ctx = deps
        .authorize(req, Permission::ReadContacts, "contact.read", "*", now)
        .await?;
    let id = contact_id(req)?;
    let contact = deps
        .repo
        .get(&ctx.principal.tenant_id, &id)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let contact = contact.ok_or_else(|| ApiError::not_found("contact"))?;
    serde_json::to_value(contact).map_err(|e| ApiError::internal(&e))
}

async fn list(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<serde_json::Value, ApiError> {
    let ctx = deps
        .authorize(req, Permission::ReadContacts, "contact.list", "*", now)
        .await?;
    let limit = page_limit(req)?;
    let page = deps
        .repo
        .list(&ctx.principal.tenant_id, limit as i32, query_param(req, "cursor"))
        .await
        .map_err(read_error)?;
    serde_json::to_value(page).map_err(|e| ApiError::internal(&e))
}
