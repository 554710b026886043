//! A question to the knowledge base, answered with its sources and kept with who asked.
//!
//! The contact, when one is named, only says which conversation the operator was in: nothing of
//! the contact goes to Bedrock, and the answer is never sent anywhere.

use chrono::{DateTime, Utc};
use wecare_core::ai::Question;
use wecare_core::time::iso;
use wecare_core::ContactId;
use wecare_store::ai::{DayCounts, InsertError, Interaction, InteractionKind};
use wecare_store::{AuditContext, StoreError};

use crate::{AiError, Deps};

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("contact not found")]
    ContactNotFound,
    #[error(transparent)]
    Ai(#[from] AiError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Asks `question`; the interaction is stored before it is answered to the caller.
pub async fn ask(
    deps: &Deps,
    ctx: &AuditContext,
    question: &Question,
    contact: Option<&ContactId>,
    now: DateTime<Utc>,
) -> Result<Interaction, QueryError> {
    let tenant = &ctx.principal.tenant_id;
    if let Some(contact) = contact {
        deps.messaging
            .contacts
            .get(tenant, contact)
            .await?
            .ok_or(QueryError::ContactNotFound)?;
    }
    let started = std::time::Instant::now();
    let answer = deps.assistant.ask(question.as_str()).await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let answer = answer.inspect_err(|e| {
        wecare_http::metrics::count("AiErrors", &[("Operation", "query"), ("Kind", kind_of(e))]);
    })?;
    let config = &deps.assistant.config;
    let interaction = Interaction {
        by: Some(crate::suggestions::actor_name(ctx)),
        contact_id: contact.map(ToString::to_string),
        question: Some(question.as_str().to_string()),
        answer: answer.text,
        citations: answer.citations,
        latency_ms,
        knowledge_base_id: Some(config.knowledge_base_id.clone()),
        model_id: Some(config.model_arn.clone()),
        ..Interaction::new(uuid::Uuid::now_v7().to_string(), InteractionKind::Query, iso(now))
    };
    let counts = DayCounts {
        queries: 1,
        ..DayCounts::default()
    };
    match deps
        .interactions
        .insert(tenant, &interaction, (now.date_naive(), counts))
        .await
    {
        Ok(()) => {}
        // A fresh v7 id cannot collide; if it somehow did, the answer stands and is not stored twice.
        Err(InsertError::Exists) => tracing::warn!(id = %interaction.id, "query id already stored"),
        Err(InsertError::Store(e)) => return Err(e.into()),
    }
    tracing::info!(interaction_id = %interaction.id, latency_ms, sources = interaction.citations.len(), "knowledge base answered");
    wecare_http::metrics::emit(
        &[("AiLatency", "Milliseconds", latency_ms as f64)],
        &[("Operation", "query")],
    );
    Ok(interaction)
}

/// The metric dimension of an AI failure.
pub(crate) fn kind_of(e: &AiError) -> &'static str {
    match e {
        AiError::Throttled => "throttled",
        AiError::Unavailable { .. } => "unavailable",
    }
}
