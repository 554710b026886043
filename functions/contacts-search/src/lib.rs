//! `GET /api/contacts/search?q=`: case-insensitive prefix search over name words, email and
//! phone digits (with or without `+` and country code), with cursor pagination.
//!
//! Answered by Query on the search-token partition and BatchGetItem of the hits; never a Scan.

use chrono::{DateTime, Utc};
use tracing::Instrument;
use wecare_contacts::{page_limit, read_error, Deps, Page};
use wecare_core::{Permission, SearchQuery};
use wecare_http::{query_param, respond, ApiError, Request, Response};

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span =
        tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "contacts-search");
    async { respond(200, search(deps, &req, now).await) }
        .instrument(span)
        .await
}

async fn search(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Page, ApiError> {
    let ctx = deps
        .authorize(req, Permission::ReadContacts, "contact.search", "*", now)
        .await?;
    let raw = query_param(req, "q").ok_or_else(|| ApiError::validation("q", "is required"))?;
    let query = SearchQuery::parse(raw).map_err(|e| ApiError::validation("q", e))?;
    let limit = page_limit(req)?;
    deps.repo
        .search(&ctx.principal.tenant_id, &query, limit, query_param(req, "cursor"))
        .await
        .map_err(read_error)
}
