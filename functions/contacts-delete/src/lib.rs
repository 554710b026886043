//! `DELETE /api/contacts/{contactId}`: soft delete.
//!
//! The record and its audit history stay (with `deletedAt`), but the contact leaves listings and
//! search, answers 404 from then on, and its phone and email become free for a new contact.
//! Deleting it again is 404.

use chrono::{DateTime, Utc};
use tracing::Instrument;
use wecare_contacts::{contact_id, write_error, Deps};
use wecare_core::Permission;
use wecare_http::{error_response, ApiError, Request, Response};

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span =
        tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "contacts-delete");
    async {
        match delete(deps, &req, now).await {
            Ok(()) => {
                let mut resp = Response::default();
                resp.status_code = 204;
                resp
            }
            Err(e) => error_response(&e),
        }
    }
    .instrument(span)
    .await
}

async fn delete(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<(), ApiError> {
    let raw_id = wecare_http::path_param(req, "contactId").unwrap_or("*");
    let ctx = deps
        .authorize(req, Permission::WriteContacts, "contact.delete", raw_id, now)
        .await?;
    let id = contact_id(req)?;
    let deleted = deps
        .repo
        .soft_delete(&ctx.principal.tenant_id, &id, &ctx, now)
        .await
        .map_err(write_error)?;
    tracing::info!(contact_id = %deleted.contact_id, tenant_id = %deleted.tenant_id, "contact deleted");
    wecare_http::metrics::count("ContactDeleted", &[("Function", "contacts-delete")]);
    Ok(())
}
