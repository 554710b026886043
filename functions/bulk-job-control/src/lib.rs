//! `GET /api/bulk-jobs` (newest first, by status, paged), `GET /api/bulk-jobs/{jobId}` (progress,
//! current rate, ETA and messages per second), `GET /api/bulk-jobs/{jobId}/recipients?status=`
//! (paged), `GET /api/bulk-jobs/{jobId}/report` (a presigned URL once finished) and
//! `POST /api/bulk-jobs/{jobId}/pause|resume|cancel`. Viewers read; Operators and Admins control.
//! Another tenant's job is not found.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use tracing::Instrument;
use wecare_bulk::control::{self, JobError};
use wecare_bulk::Deps;
use wecare_core::bulk::{Control, JobStatus};
use wecare_core::{ErrorCode, Permission};
use wecare_http::guard::{authorize, Attempt};
use wecare_http::{error_response, json_response, path_param, query_param, route_key, ApiError, Request, Response};
use wecare_store::bulk::RecipientStatus;
use wecare_store::AuditContext;

/// The one mapping of this use case's errors to the API's codes.
fn api_error(e: JobError) -> ApiError {
    match e {
        JobError::NotFound => ApiError::not_found("bulk job"),
        JobError::Illegal(i) => ApiError::new(ErrorCode::Conflict, i.to_string()),
        e @ JobError::ReportNotReady => ApiError::new(ErrorCode::Conflict, e.to_string()),
        JobError::List(e) => ApiError::from(e),
        JobError::Bulk(e) => ApiError::internal(&e),
    }
}

fn limit(req: &Request) -> Result<i32, ApiError> {
    wecare_http::page_limit(req, 25)
}

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span =
        tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "bulk-job-control");
    async {
        let result = match route_key(&req) {
            "GET /api/bulk-jobs" => list(deps, &req, now).await,
            "GET /api/bulk-jobs/{jobId}" => detail(deps, &req, now).await,
            "GET /api/bulk-jobs/{jobId}/recipients" => recipients(deps, &req, now).await,
            "GET /api/bulk-jobs/{jobId}/report" => report(deps, &req, now).await,
            "POST /api/bulk-jobs/{jobId}/pause" => act(deps, &req, Control::Pause, now).await,
            "POST /api/bulk-jobs/{jobId}/resume" => act(deps, &req, Control::Resume, now).await,
            _ => act(deps, &req, Control::Cancel, now).await,
        };
        match result {
            Ok(v) => json_response(200, &v),
            Err(e) => error_response(&e),
        }
    }
    .instrument(span)
    .await
}

async fn allowed(
    deps: &Deps,
    req: &Request,
    permission: Permission,
    action: &str,
    now: DateTime<Utc>,
) -> Result<AuditContext, ApiError> {
    let attempt = Attempt {
        permission,
        action,
        resource_type: "bulk-job",
        resource_id: path_param(req, "jobId").unwrap_or("*"),
    };
    let contacts = &deps.messaging.contacts;
    authorize(contacts.client(), contacts.audit_table(), req, attempt, now).await
}

fn job_id(req: &Request) -> Result<&str, ApiError> {
    path_param(req, "jobId")
        .filter(|id| !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .ok_or_else(|| ApiError::not_found("bulk job"))
}

fn json<T: serde::Serialize>(v: T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|e| ApiError::internal(&e))
}

async fn list(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = allowed(deps, req, Permission::ReadMessages, "bulk.job.list", now).await?;
    let status = match query_param(req, "status").filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(JobStatus::parse(s).ok_or_else(|| {
            ApiError::validation(
                "status",
                "must be PENDING, RUNNING, PAUSED, CANCELLED, COMPLETED or COMPLETED_WITH_FAILURES",
            )
        })?),
    };
    let page = control::list(
        deps,
        &ctx.principal.tenant_id,
        status,
        limit(req)?,
        query_param(req, "cursor"),
        now,
    )
    .await
    .map_err(api_error)?;
    Ok(json!({ "items": json(page.items)?, "nextCursor": page.next_cursor }))
}

async fn detail(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = allowed(deps, req, Permission::ReadMessages, "bulk.job.read", now).await?;
    let detail = control::detail(deps, &ctx.principal.tenant_id, job_id(req)?, now)
        .await
        .map_err(api_error)?;
    json(detail)
}

async fn recipients(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = allowed(deps, req, Permission::ReadMessages, "bulk.job.recipients", now).await?;
    let status = match query_param(req, "status").unwrap_or("failed") {
        "pending" => RecipientStatus::Pending,
        "sent" => RecipientStatus::Sent,
        "failed" => RecipientStatus::Failed,
        "skipped" => RecipientStatus::Skipped,
        "unknown" => RecipientStatus::Unknown,
        "cancelled" => RecipientStatus::Cancelled,
        _ => {
            return Err(ApiError::validation(
                "status",
                "must be pending, sent, failed, skipped, unknown or cancelled",
            ))
        }
    };
    let page = control::recipients(
        deps,
        &ctx.principal.tenant_id,
        job_id(req)?,
        status,
        limit(req)?,
        query_param(req, "cursor"),
    )
    .await
    .map_err(api_error)?;
    let items: Vec<Value> = page
        .items
        .into_iter()
        .map(|r| {
            json!({
                "contactId": r.contact_id, "status": r.status, "reason": r.reason, "address": r.address,
                "messageId": r.message_id, "providerMessageId": r.provider_message_id, "settledAt": r.settled_at,
            })
        })
        .collect();
    Ok(json!({ "items": items, "nextCursor": page.next_cursor }))
}

async fn report(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = allowed(deps, req, Permission::ReadMessages, "bulk.job.report", now).await?;
    let (url, expires_at) = control::report(deps, &ctx.principal.tenant_id, job_id(req)?, now)
        .await
        .map_err(api_error)?;
    Ok(json!({ "url": url, "expiresAt": expires_at }))
}

async fn act(deps: &Deps, req: &Request, c: Control, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let action = format!("bulk.job.{}", c.as_str());
    let ctx = allowed(deps, req, Permission::ManageBulk, &action, now).await?;
    let job = control::control(deps, &ctx, job_id(req)?, c, now)
        .await
        .map_err(api_error)?;
    Ok(json!({ "job": json(job)? }))
}
