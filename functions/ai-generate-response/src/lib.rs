//! `ai-generate-response`: reply suggestions drafted by the Bedrock agent, decided by operators.
//!
//! Routes (see `wecare_ai::suggestions` for the rules behind them):
//! - `GET /api/ai/suggestions?contactId=`: a conversation's suggestions, newest first (every
//!   role reads them, as they read the conversation);
//! - `POST /api/ai/suggestions`: draft one now for a contact (Operators and Admins);
//! - `POST /api/ai/suggestions/{id}/approve|reject|feedback` (Operators and Admins);
//! - `GET /api/ai/interactions` and `GET /api/ai/stats` (Admins): every question and suggestion,
//!   and the daily counts with the approval and edit rates.
//!
//! Its second trigger is `ai-queue` ([`drafts`]): with a tenant's automation on, the inbound
//! handler asks there for a draft of each new text, and it waits for an operator like any other.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use tracing::Instrument;
use wecare_ai::suggestions::{self, DecideError, DraftError, Requester};
use wecare_ai::Deps;
use wecare_core::ai::{rates, reject_reason, DraftRequest, EditedText, Rating};
use wecare_core::{ContactId, ErrorCode, Permission, TenantId};
use wecare_http::guard::{authorize, Attempt};
use wecare_http::{error_response, json_response, parse_json_body, path_param, query_param, route_key};
use wecare_http::{ApiError, Request, Response};
use wecare_store::ai::{Interaction, InteractionKind};
use wecare_store::AuditContext;

/// Whether a Lambda event is a batch from `ai-queue` (else it is an API request).
pub fn is_queue_event(event: &Value) -> bool {
    event["Records"]
        .as_array()
        .and_then(|r| r.first())
        .is_some_and(|r| r["eventSource"] == "aws:sqs")
}

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span =
        tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "ai-generate-response");
    async {
        let result = match route_key(&req) {
            "GET /api/ai/suggestions" => list(deps, &req, now).await,
            "POST /api/ai/suggestions" => create(deps, &req, now).await,
            "POST /api/ai/suggestions/{suggestionId}/approve" => approve(deps, &req, now).await,
            "POST /api/ai/suggestions/{suggestionId}/reject" => reject(deps, &req, now).await,
            "POST /api/ai/suggestions/{suggestionId}/feedback" => feedback(deps, &req, now).await,
            "GET /api/ai/interactions" => interactions(deps, &req, now).await,
            "GET /api/ai/stats" => stats(deps, &req, now).await,
            _ => Err(ApiError::not_found("route")),
        };
        match result {
            Ok((status, v)) => json_response(status, &v),
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
    resource_id: &str,
    now: DateTime<Utc>,
) -> Result<AuditContext, ApiError> {
    let attempt = Attempt {
        permission,
        action,
        resource_type: "ai-suggestion",
        resource_id,
    };
    let contacts = &deps.messaging.contacts;
    authorize(contacts.client(), contacts.audit_table(), req, attempt, now).await
}

fn draft_error(e: DraftError) -> ApiError {
    match e {
        DraftError::ContactNotFound => ApiError::not_found("contact"),
        DraftError::NothingToReplyTo => ApiError::new(
            ErrorCode::NothingToReplyTo,
            "The contact has not written on WhatsApp yet: there is nothing to reply to.",
        ),
        DraftError::Ai(e) => ai_query_kb::ai_error(&e),
        DraftError::Store(e) => ApiError::internal(&e),
        DraftError::List(e) => ApiError::internal(&e),
    }
}

fn decide_error(e: DecideError) -> ApiError {
    match e {
        DecideError::NotFound => ApiError::not_found("suggestion"),
        DecideError::Decided(_) | DecideError::BeingApproved | DecideError::OtherText | DecideError::Changed => {
            ApiError::new(ErrorCode::Conflict, e.to_string())
        }
        DecideError::InProgress => ApiError::new(ErrorCode::IdempotencyInProgress, e.to_string()),
        DecideError::Refused(r) => wecare_send_api::refusal_error(&r),
        DecideError::Send(e) => ApiError::internal(&e),
        DecideError::Store(e) => ApiError::internal(&e),
    }
}

/// A suggestion as the API shows it.
pub fn suggestion_view(i: &Interaction) -> Value {
    json!({
        "id": i.id,
        "contactId": i.contact_id,
        "status": i.status.map(|s| s.as_str()),
        "origin": i.origin,
        "text": i.answer,
        "sentText": i.sent_text,
        "citations": i.citations,
        "optOutIntent": i.opt_out_intent,
        "inReplyTo": i.in_reply_to,
        "createdAt": i.at,
        "createdBy": i.by,
        "decidedAt": i.decided_at,
        "decidedBy": i.decided_by,
        "rejectReason": i.reject_reason,
        "messageId": i.message_id,
        "sendStatus": i.send_status,
        "feedback": i.feedback,
        "latencyMs": i.latency_ms,
    })
}

/// An interaction as the Admins' list shows it.
fn interaction_view(i: &Interaction) -> Value {
    json!({
        "id": i.id,
        "kind": i.kind,
        "at": i.at,
        "by": i.by,
        "contactId": i.contact_id,
        "question": i.question,
        "answer": i.answer,
        "status": i.status.map(|s| s.as_str()),
        "sourceCount": i.citations.len(),
        "latencyMs": i.latency_ms,
        "knowledgeBaseId": i.knowledge_base_id,
        "agentId": i.agent_id,
        "modelId": i.model_id,
        "feedback": i.feedback,
    })
}

/// The Operator or Admin deciding on the suggestion the path names, authorized before the id is
/// looked at (so a Viewer is refused whatever the path says); a malformed id is not found.
async fn decider<'r>(
    deps: &Deps,
    req: &'r Request,
    action: &str,
    now: DateTime<Utc>,
) -> Result<(AuditContext, &'r str), ApiError> {
    let raw = path_param(req, "suggestionId").unwrap_or_default();
    let ctx = allowed(deps, req, Permission::UseAi, action, raw, now).await?;
    let well_formed =
        !raw.is_empty() && raw.len() <= 128 && raw.chars().all(|c| c.is_ascii_alphanumeric() || "-._".contains(c));
    if !well_formed {
        return Err(ApiError::not_found("suggestion"));
    }
    Ok((ctx, raw))
}

async fn list(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<(u16, Value), ApiError> {
    let ctx = allowed(deps, req, Permission::ReadMessages, "ai.suggestion.list", "*", now).await?;
    let contact = query_param(req, "contactId").ok_or_else(|| ApiError::validation("contactId", "is required"))?;
    let contact = ContactId::parse(contact).ok_or_else(|| ApiError::not_found("contact"))?;
    let limit = wecare_http::page_limit(req, 20)?;
    let page = deps
        .interactions
        .for_contact(&ctx.principal.tenant_id, &contact, limit, query_param(req, "cursor"))
        .await
        .map_err(ApiError::from)?;
    let items: Vec<Value> = page.items.iter().map(suggestion_view).collect();
    Ok((200, json!({ "items": items, "nextCursor": page.next_cursor })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateRequest {
    contact_id: String,
}

async fn create(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<(u16, Value), ApiError> {
    let ctx = allowed(deps, req, Permission::UseAi, "ai.suggestion.create", "*", now).await?;
    let body: CreateRequest = parse_json_body(req)?;
    let contact = ContactId::parse(&body.contact_id).ok_or_else(|| ApiError::not_found("contact"))?;
    let drafted = suggestions::draft(deps, &ctx.principal.tenant_id, &contact, Requester::Operator(&ctx), now)
        .await
        .map_err(draft_error)?;
    Ok((201, suggestion_view(&drafted)))
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ApproveRequest {
    #[serde(default)]
    text: Option<String>,
}

async fn approve(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<(u16, Value), ApiError> {
    let (ctx, id) = decider(deps, req, "ai.suggestion.approve", now).await?;
    let body: ApproveRequest = if req.body.as_deref().is_none_or(|b| b.trim().is_empty()) {
        ApproveRequest::default()
    } else {
        parse_json_body(req)?
    };
    let edited = body
        .text
        .as_deref()
        .map(EditedText::parse)
        .transpose()
        .map_err(|e| ApiError::validation(e.field, e.problem))?;
    let done = suggestions::approve(deps, &ctx, id, edited, now)
        .await
        .map_err(decide_error)?;
    Ok((200, suggestion_view(&done)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RejectRequest {
    reason: String,
}

async fn reject(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<(u16, Value), ApiError> {
    let (ctx, id) = decider(deps, req, "ai.suggestion.reject", now).await?;
    let body: RejectRequest = parse_json_body(req)?;
    let reason = reject_reason(&body.reason).map_err(|e| ApiError::validation(e.field, e.problem))?;
    let done = suggestions::reject(deps, &ctx, id, reason, now)
        .await
        .map_err(decide_error)?;
    Ok((200, suggestion_view(&done)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FeedbackRequest {
    rating: Rating,
    #[serde(default)]
    comment: Option<String>,
}

async fn feedback(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<(u16, Value), ApiError> {
    let (ctx, id) = decider(deps, req, "ai.suggestion.feedback", now).await?;
    let body: FeedbackRequest = parse_json_body(req)?;
    // Checked here so that a too-long comment is refused, not silently dropped.
    let comment = wecare_core::ai::feedback_comment(body.comment.as_deref())
        .map_err(|e| ApiError::validation(e.field, e.problem))?;
    let done = suggestions::rate(deps, &ctx, id, body.rating, comment, now)
        .await
        .map_err(decide_error)?;
    Ok((200, suggestion_view(&done)))
}

async fn interactions(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<(u16, Value), ApiError> {
    let ctx = allowed(deps, req, Permission::ReviewAi, "ai.interaction.list", "*", now).await?;
    let kind = match query_param(req, "kind").unwrap_or("suggestion") {
        "suggestion" => InteractionKind::Suggestion,
        "query" => InteractionKind::Query,
        _ => return Err(ApiError::validation("kind", "must be query or suggestion")),
    };
    let limit = wecare_http::page_limit(req, 20)?;
    let page = deps
        .interactions
        .of_kind(&ctx.principal.tenant_id, kind, limit, query_param(req, "cursor"))
        .await
        .map_err(ApiError::from)?;
    let items: Vec<Value> = page.items.iter().map(interaction_view).collect();
    Ok((200, json!({ "items": items, "nextCursor": page.next_cursor })))
}

async fn stats(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<(u16, Value), ApiError> {
    let ctx = allowed(deps, req, Permission::ReviewAi, "ai.interaction.list", "*", now).await?;
    let days: u32 = match query_param(req, "days") {
        None => 30,
        Some(d) => d
            .parse()
            .ok()
            .filter(|d| (1..=90).contains(d))
            .ok_or_else(|| ApiError::validation("days", "must be a whole number from 1 to 90"))?,
    };
    let today = now.date_naive();
    let days = deps
        .interactions
        .days(&ctx.principal.tenant_id, suggestions::window_start(today, days), today)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let mut t = wecare_store::ai::DayCounts::default();
    for d in &days {
        t.add(&d.counts);
    }
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    let (approval_rate, edit_rate) = rates(n(t.approved), n(t.edited), n(t.rejected));
    Ok((
        200,
        json!({
            "days": days,
            "totals": {
                "queries": t.queries, "suggested": t.suggested, "approved": t.approved, "edited": t.edited,
                "rejected": t.rejected, "up": t.up, "down": t.down,
                "approvalRate": approval_rate, "editRate": edit_rate,
            },
        }),
    ))
}

/// How many times a draft request is tried before it is given up (logged and counted): a draft
/// late by more than a few minutes is of little use to an operator already answering.
const MAX_RECEIVES: u32 = 3;

/// Drafts for the requests on `ai-queue`. A request whose tenant has turned automation off since
/// is dropped with no AI call. A draft that failed for a passing reason (throttling, an outage)
/// is retried through the queue a few times; then, or for a lasting reason, it is dropped,
/// logged and counted: the inbound message itself was stored long before. Batches hold one
/// request (the event source's batch size), one agent call within the function's timeout, so
/// there is no deadline to watch.
pub async fn drafts(deps: &Deps, event: SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        let receives: u32 = record
            .attributes
            .get("ApproximateReceiveCount")
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        let span = tracing::info_span!("record", sqs_message_id = %id, function = "ai-generate-response");
        let retry = async {
            let Some(request) = record
                .body
                .as_deref()
                .and_then(|b| serde_json::from_str::<DraftRequest>(b).ok())
            else {
                tracing::error!("ai-queue holds something that is not a draft request; dropped");
                return false;
            };
            match draft_for(deps, &request).await {
                Ok(()) => false,
                Err(e) if receives < MAX_RECEIVES && e.passing() => {
                    tracing::warn!(error = %wecare_http::error::cause_chain(&e).join(": "), receives, "automatic draft failed; it will be retried");
                    true
                }
                Err(e) => {
                    tracing::error!(error = %wecare_http::error::cause_chain(&e).join(": "), receives, "automatic draft given up");
                    wecare_http::metrics::count("AiDraftsGivenUp", &[]);
                    false
                }
            }
        }
        .instrument(span)
        .await;
        if retry {
            let mut failure = aws_lambda_events::event::sqs::BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}

#[derive(Debug, thiserror::Error)]
enum AutomaticError {
    #[error("the request names no valid tenant or contact")]
    Malformed,
    #[error("settings unreadable")]
    Settings(#[source] wecare_store::settings::ReadError),
    #[error(transparent)]
    Draft(#[from] DraftError),
}

impl AutomaticError {
    /// Whether trying again later may succeed.
    fn passing(&self) -> bool {
        match self {
            AutomaticError::Malformed => false,
            AutomaticError::Settings(_) => true,
            AutomaticError::Draft(e) => matches!(e, DraftError::Ai(_) | DraftError::Store(_) | DraftError::List(_)),
        }
    }
}

async fn draft_for(deps: &Deps, request: &DraftRequest) -> Result<(), AutomaticError> {
    let tenant = TenantId::parse(&request.tenant_id).map_err(|_| AutomaticError::Malformed)?;
    let contact = ContactId::parse(&request.contact_id).ok_or(AutomaticError::Malformed)?;
    let settings = deps
        .messaging
        .settings
        .get(&tenant, false)
        .await
        .map_err(AutomaticError::Settings)?;
    if !settings.settings.ai_automation {
        tracing::info!("automation turned off since the request; no draft");
        return Ok(());
    }
    let now = wecare_core::time::now();
    let requester = Requester::Automation {
        inbound_message_id: &request.message_id,
    };
    match suggestions::draft(deps, &tenant, &contact, requester, now).await {
        Ok(d) => {
            tracing::info!(suggestion_id = %d.id, "automatic draft ready");
            Ok(())
        }
        // Deleted since, or nothing to answer: nothing to draft, now or later.
        Err(DraftError::ContactNotFound | DraftError::NothingToReplyTo) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
