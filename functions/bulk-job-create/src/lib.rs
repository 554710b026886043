//! `POST /api/bulk-jobs/uploads` (a presigned PUT for a recipients CSV), `POST
//! /api/bulk-jobs/preview` (who a job would reach, and why the others not; writes nothing) and
//! `POST /api/bulk-jobs` (accepts the job: 202 with it PENDING, expanded in the background).
//! Operators and Admins only. An `Idempotency-Key` header makes a repeated create answer the job
//! the first one created.

use chrono::{DateTime, Utc};
use tracing::Instrument;
use wecare_bulk::create::{self, CreateError};
use wecare_bulk::plan::PlanRefusal;
use wecare_bulk::request::JobRequest;
use wecare_bulk::Deps;
use wecare_core::{ErrorCode, Permission};
use wecare_http::guard::{authorize, Attempt};
use wecare_http::{error_response, json_response, parse_json_body, route_key, ApiError, Request, Response};
use wecare_store::AuditContext;

/// The one mapping of this use case's errors to the API's codes.
fn api_error(e: CreateError) -> ApiError {
    match e {
        CreateError::Invalid(i) => ApiError::validation(i.field, i.why),
        CreateError::Plan(PlanRefusal::Invalid { field, why }) => ApiError::validation(field, why),
        CreateError::Plan(PlanRefusal::Sender(s)) => ApiError::new(ErrorCode::NotAllowlisted, s.to_string()),
        CreateError::Plan(PlanRefusal::UploadNotFound) => {
            ApiError::new(ErrorCode::NotFound, PlanRefusal::UploadNotFound.to_string())
        }
        CreateError::Confirmation(c) => ApiError::new(ErrorCode::ConfirmationRequired, c.to_string()),
        e @ CreateError::Tier { .. } => ApiError::new(ErrorCode::TierLimitExceeded, e.to_string()),
        e @ CreateError::NothingEligible => ApiError::new(ErrorCode::ValidationFailed, e.to_string()),
        CreateError::Bulk(e) => ApiError::internal(&e),
    }
}

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span =
        tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "bulk-job-create");
    async {
        let result = match route_key(&req) {
            "POST /api/bulk-jobs/uploads" => upload(deps, &req, now).await.map(|v| (201, v)),
            "POST /api/bulk-jobs/preview" => preview(deps, &req, now).await.map(|v| (200, v)),
            _ => create(deps, &req, now).await,
        };
        match result {
            Ok((status, v)) => json_response(status, &v),
            Err(e) => error_response(&e),
        }
    }
    .instrument(span)
    .await
}

async fn operator(deps: &Deps, req: &Request, action: &str, now: DateTime<Utc>) -> Result<AuditContext, ApiError> {
    let attempt = Attempt {
        permission: Permission::ManageBulk,
        action,
        resource_type: "bulk-job",
        resource_id: "*",
    };
    let contacts = &deps.messaging.contacts;
    authorize(contacts.client(), contacts.audit_table(), req, attempt, now).await
}

async fn upload(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<serde_json::Value, ApiError> {
    let ctx = operator(deps, req, "bulk.upload", now).await?;
    let upload = create::upload(deps, &ctx.principal.tenant_id, now)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    serde_json::to_value(upload).map_err(|e| ApiError::internal(&e))
}

async fn preview(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<serde_json::Value, ApiError> {
    let ctx = operator(deps, req, "bulk.preview", now).await?;
    let body: JobRequest = parse_json_body(req)?;
    create::preview(deps, &ctx.principal.tenant_id, body, now)
        .await
        .map_err(api_error)
}

async fn create(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<(u16, serde_json::Value), ApiError> {
    let ctx = operator(deps, req, "bulk.job.create", now).await?;
    let key = wecare_http::idempotency_key(req)?;
    let body: JobRequest = parse_json_body(req)?;
    let (job, created) = create::create(deps, &ctx, body, key, now).await.map_err(api_error)?;
    // The job exists now: a failed read of the quiet hours only leaves them out of this answer.
    let quiet = wecare_bulk::control::quiet_until(deps, &ctx.principal.tenant_id, now)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error.chain = ?wecare_http::error::cause_chain(&e), "quiet hours not read for the answer");
            None
        });
    let view = wecare_bulk::control::JobView::of(job, now, quiet);
    let body = serde_json::json!({ "job": view });
    Ok((if created { 202 } else { 200 }, body))
}
