//! `POST /api/ai/query`: an Operator or Admin asks the knowledge base a question and gets the
//! answer with its sources (document, excerpt, score). Every answered question is stored in
//! AIInteractions with who asked, the knowledge base and model, and the latency. Viewers may not
//! ask; a contact named for context must be the tenant's. The answer goes to the asker only.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use tracing::Instrument;
use wecare_ai::query::{ask, QueryError};
use wecare_ai::{AiError, Deps};
use wecare_core::ai::Question;
use wecare_core::{ContactId, ErrorCode, Permission};
use wecare_http::guard::{authorize, Attempt};
use wecare_http::{error_response, json_response, parse_json_body, ApiError, Request, Response};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct QueryRequest {
    question: String,
    #[serde(default)]
    contact_id: Option<String>,
}

/// The one mapping of an AI failure to the API's answer.
pub fn ai_error(e: &AiError) -> ApiError {
    match e {
        AiError::Throttled => ApiError::new(
            ErrorCode::AiThrottled,
            "The AI service is busy: try again in a few seconds.",
        ),
        AiError::Unavailable { .. } => {
            tracing::error!(error = %wecare_http::error::cause_chain(e).join(": "), "Bedrock failed");
            ApiError::new(
                ErrorCode::AiUnavailable,
                "The AI service is unavailable right now: write the reply yourself, or try again later.",
            )
        }
    }
}

fn query_error(e: QueryError) -> ApiError {
    match e {
        QueryError::ContactNotFound => ApiError::not_found("contact"),
        QueryError::Ai(e) => ai_error(&e),
        QueryError::Store(e) => ApiError::internal(&e),
    }
}

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span = tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "ai-query-kb");
    async {
        match query(deps, &req, now).await {
            Ok(v) => json_response(200, &v),
            Err(e) => error_response(&e),
        }
    }
    .instrument(span)
    .await
}

async fn query(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let contacts = &deps.messaging.contacts;
    let attempt = Attempt {
        permission: Permission::UseAi,
        action: "ai.query",
        resource_type: "knowledge-base",
        resource_id: &deps.assistant.config.knowledge_base_id,
    };
    let ctx = authorize(contacts.client(), contacts.audit_table(), req, attempt, now).await?;
    let body: QueryRequest = parse_json_body(req)?;
    let question = Question::parse(&body.question).map_err(|e| ApiError::validation(e.field, e.problem))?;
    let contact = match body.contact_id.as_deref() {
        None => None,
        Some(id) => Some(ContactId::parse(id).ok_or_else(|| ApiError::not_found("contact"))?),
    };
    let asked = ask(deps, &ctx, &question, contact.as_ref(), now)
        .await
        .map_err(query_error)?;
    Ok(json!({
        "interactionId": asked.id,
        "answer": asked.answer,
        "citations": asked.citations,
        "latencyMs": asked.latency_ms,
    }))
}
