//! The life of a suggestion: drafted (on request or in the background), then approved, edited
//! and approved, or rejected by an operator, and rated.
//!
//! Approval is the only way a suggestion leaves the platform, and it is built so that nothing is
//! sent twice or half-decided, under any concurrency:
//! 1. the suggestion moves `suggested` → `approving` with the text to send, in one write
//!    conditioned on the version read ([`wecare_store::ai`]); a rejection can no longer win;
//! 2. the send pipeline sends that text, keyed by the suggestion: a repeat (a retried request, a
//!    second operator, a crash between 2 and 3) finds the same message and sends nothing new;
//! 3. the suggestion is settled `approved` or `edited` with the message it sent.
//!
//! A send the pipeline refuses (no consent since the draft, window closed) wrote nothing, so the
//! suggestion goes back to `suggested` and the operator is told why. In `DRY_RUN` the pipeline
//! records the message without calling WhatsApp, and the suggestion says `dry_run`.

use chrono::{DateTime, NaiveDate, Utc};
use wecare_core::ai::{
    agent_input, agent_session_id, opt_out_intent, EditedText, Origin, Rating, SuggestionStatus, Turn,
};
use wecare_core::message::Direction;
use wecare_core::time::iso;
use wecare_core::{Channel, ContactId, IdempotencyKey, TenantId};
use wecare_messaging::command::{Actor, Content, Refusal, SendCommand, SendOutcome, WhatsAppContent};
use wecare_messaging::SendError;
use wecare_store::ai::{ChangeError, DayCounts, Feedback, InsertError, Interaction, InteractionKind};
use wecare_store::messages::Message;
use wecare_store::{AuditContext, AuditEntry, StoreError};

use crate::query::kind_of;
use crate::{AiError, Deps};

/// How many of the contact's latest messages are read to find the turns the agent sees.
const HISTORY: i32 = 20;

#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error("contact not found")]
    ContactNotFound,
    #[error("the contact has sent no message to reply to")]
    NothingToReplyTo,
    #[error(transparent)]
    Ai(#[from] AiError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    List(#[from] wecare_store::cursor::ListError),
}

#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error("suggestion not found")]
    NotFound,
    #[error("the suggestion is already {}", .0.as_str())]
    Decided(SuggestionStatus),
    #[error("the suggestion is being approved")]
    BeingApproved,
    #[error("the suggestion is being approved with other text")]
    OtherText,
    #[error("someone else changed the suggestion at the same moment; reload it")]
    Changed,
    #[error("the send was refused: {0}")]
    Refused(Refusal),
    #[error("another request is sending this suggestion; reload it in a moment")]
    InProgress,
    #[error(transparent)]
    Send(#[from] SendError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ChangeError> for DecideError {
    fn from(e: ChangeError) -> Self {
        match e {
            ChangeError::Changed => DecideError::Changed,
            ChangeError::Store(e) => DecideError::Store(e),
        }
    }
}

/// Who drafts: an operator on request, or the platform for an inbound message.
#[derive(Debug, Clone)]
pub enum Requester<'a> {
    Operator(&'a AuditContext),
    /// Automation, answering this inbound message.
    Automation {
        inbound_message_id: &'a str,
    },
}

/// The id of the draft automation makes for an inbound message: one per message, so a
/// redelivered request finds the draft already made.
pub fn automatic_id(inbound_message_id: &str) -> String {
    format!("{inbound_message_id}.ai")
}

/// Drafts a reply to the contact's latest messages in the contact's own agent session and
/// stores it as `suggested`. Automation's draft for a message is made once; a second request
/// for it answers the first.
pub async fn draft(
    deps: &Deps,
    tenant: &TenantId,
    contact_id: &ContactId,
    requester: Requester<'_>,
    now: DateTime<Utc>,
) -> Result<Interaction, DraftError> {
    let id = match requester {
        Requester::Automation { inbound_message_id } => {
            let id = automatic_id(inbound_message_id);
            if let Some(made) = deps.interactions.get(tenant, &id).await? {
                return Ok(made);
            }
            id
        }
        Requester::Operator(_) => uuid::Uuid::now_v7().to_string(),
    };
    deps.messaging
        .contacts
        .get(tenant, contact_id)
        .await?
        .ok_or(DraftError::ContactNotFound)?;
    let mut history = deps
        .messaging
        .messages
        .list_for_contact(tenant, contact_id, HISTORY, None, now)
        .await?
        .items;
    // The agent sees the conversation oldest first, WhatsApp texts only: what a reply answers.
    history.retain(|m| m.channel == Channel::WhatsApp && m.text.as_deref().is_some_and(|t| !t.trim().is_empty()));
    history.reverse();
    let latest_inbound = history
        .iter()
        .rev()
        .find(|m| m.direction == Direction::Inbound)
        .ok_or(DraftError::NothingToReplyTo)?;
    let in_reply_to = match requester {
        Requester::Automation { inbound_message_id } => inbound_message_id.to_string(),
        Requester::Operator(_) => latest_inbound.message_id.clone(),
    };
    // An inbound message's `to` is the business's number the customer wrote to.
    let reply_from = latest_inbound.to.clone();
    // The customer's words since the business last wrote: the ones a reply answers.
    let unanswered: Vec<&Message> = history
        .iter()
        .rev()
        .take_while(|m| m.direction == Direction::Inbound)
        .collect();
    let flagged = unanswered.iter().any(|m| m.text.as_deref().is_some_and(opt_out_intent));
    let turns: Vec<Turn> = history
        .iter()
        .map(|m| Turn {
            inbound: m.direction == Direction::Inbound,
            text: m.text.clone().unwrap_or_default(),
        })
        .collect();
    let input = agent_input(&turns).ok_or(DraftError::NothingToReplyTo)?;
    let session = agent_session_id(tenant, contact_id);
    let started = std::time::Instant::now();
    let drafted = deps.assistant.draft(&session, &input).await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let origin = match requester {
        Requester::Operator(_) => Origin::Operator,
        Requester::Automation { .. } => Origin::Automation,
    };
    let drafted = drafted.inspect_err(|e| {
        let origin = if origin == Origin::Operator {
            "operator"
        } else {
            "automation"
        };
        wecare_http::metrics::count(
            "AiErrors",
            &[("Operation", "suggestion"), ("Kind", kind_of(e)), ("Origin", origin)],
        );
    })?;
    if drafted.ignored_actions > 0 {
        wecare_http::metrics::count("AiActionsIgnored", &[("Operation", "suggestion")]);
    }
    let config = &deps.assistant.config;
    let interaction = Interaction {
        by: match requester {
            Requester::Operator(ctx) => Some(actor_name(ctx)),
            Requester::Automation { .. } => None,
        },
        contact_id: Some(contact_id.to_string()),
        answer: drafted.text,
        citations: drafted.citations,
        latency_ms,
        knowledge_base_id: Some(config.knowledge_base_id.clone()),
        agent_id: Some(config.agent_id.clone()),
        agent_alias_id: Some(config.agent_alias_id.clone()),
        status: Some(SuggestionStatus::Suggested),
        origin: Some(origin),
        opt_out_intent: flagged,
        in_reply_to: Some(in_reply_to),
        reply_from: Some(reply_from),
        ignored_actions: drafted.ignored_actions,
        ..Interaction::new(id, InteractionKind::Suggestion, iso(now))
    };
    let counts = DayCounts {
        suggested: 1,
        ..DayCounts::default()
    };
    match deps
        .interactions
        .insert(tenant, &interaction, (now.date_naive(), counts))
        .await
    {
        Ok(()) => {}
        // Two deliveries of one automatic request drafted at once: the first one's stands.
        Err(InsertError::Exists) => {
            return deps
                .interactions
                .get(tenant, &interaction.id)
                .await?
                .ok_or_else(|| DraftError::Store(missing(&interaction.id)));
        }
        Err(InsertError::Store(e)) => return Err(e.into()),
    }
    tracing::info!(suggestion_id = %interaction.id, latency_ms, sources = interaction.citations.len(), origin = ?origin, "reply drafted");
    wecare_http::metrics::emit(
        &[("AiLatency", "Milliseconds", latency_ms as f64)],
        &[("Operation", "suggestion")],
    );
    Ok(interaction)
}

fn missing(id: &str) -> StoreError {
    StoreError::Dynamo {
        operation: "GetItem",
        source: format!("interaction {id} vanished after its insert was refused as a duplicate").into(),
    }
}

/// The suggestion `id` of the tenant; a query or another tenant's is not found.
async fn suggestion(deps: &Deps, tenant: &TenantId, id: &str) -> Result<Interaction, DecideError> {
    deps.interactions
        .get(tenant, id)
        .await?
        .filter(|i| i.kind == InteractionKind::Suggestion)
        .ok_or(DecideError::NotFound)
}

fn status_of(i: &Interaction) -> SuggestionStatus {
    i.status.unwrap_or(SuggestionStatus::Suggested)
}

/// How a person is named on what they asked or decided: their email, as the audit trail names
/// them, so colleagues can tell who it was.
pub(crate) fn actor_name(ctx: &AuditContext) -> String {
    ctx.principal
        .email
        .as_ref()
        .map(|e| e.as_str().to_string())
        .unwrap_or_else(|| ctx.principal.user_id.to_string())
}

/// Approves the suggestion as drafted, or with `edited` text; sends it once (see the module).
pub async fn approve(
    deps: &Deps,
    ctx: &AuditContext,
    id: &str,
    edited: Option<EditedText>,
    now: DateTime<Utc>,
) -> Result<Interaction, DecideError> {
    let tenant = &ctx.principal.tenant_id;
    let read = suggestion(deps, tenant, id).await?;
    let text = edited
        .map(|e| e.as_str().to_string())
        .unwrap_or_else(|| read.answer.clone());
    let status = status_of(&read);
    if status.is_decided() {
        return Err(DecideError::Decided(status));
    }
    let approving = if status == SuggestionStatus::Approving {
        // An approval cut short (or running now): finish it, with the text it started with.
        if read.sent_text.as_deref() != Some(text.as_str()) {
            return Err(DecideError::OtherText);
        }
        read
    } else {
        let mut next = read.clone();
        next.status = Some(SuggestionStatus::Approving);
        next.sent_text = Some(text.clone());
        next.decided_by = Some(actor_name(ctx));
        deps.interactions.change(tenant, &read, next, &[], None, now).await?
    };
    let contact_id = approving
        .contact_id
        .as_deref()
        .and_then(ContactId::parse)
        .ok_or(DecideError::NotFound)?;
    // Reply from the number the customer wrote to (the tenant's default if it was not kept).
    let from = approving.reply_from.clone();
    let cmd = SendCommand {
        tenant: tenant.clone(),
        actor: Actor::AiSuggestion {
            suggestion_id: approving.id.clone(),
            approved_by: ctx.clone(),
        },
        contact_id,
        content: Content::WhatsApp(WhatsAppContent::Text(text.clone())),
        from,
        key: IdempotencyKey::derived(&["ai-suggestion", &approving.id]),
        now,
        pacer: None,
    };
    let outcome = wecare_messaging::send(&deps.messaging, cmd).await;
    let message = match outcome {
        Ok(SendOutcome::Refused(refusal)) => {
            // Nothing was sent or kept: the suggestion is the operator's to decide again.
            let mut back = approving.clone();
            back.status = Some(SuggestionStatus::Suggested);
            back.sent_text = None;
            back.decided_by = None;
            deps.interactions
                .change(tenant, &approving, back, &[], None, now)
                .await?;
            return Err(DecideError::Refused(refusal));
        }
        Ok(SendOutcome::InProgress(_)) => return Err(DecideError::InProgress),
        Ok(SendOutcome::Sent(m) | SendOutcome::DryRun(m) | SendOutcome::Failed(m) | SendOutcome::Unknown(m)) => m,
        // The approval stays `approving`: approving again finishes it without a second send.
        Err(e) => return Err(e.into()),
    };
    let decided = if text == approving.answer {
        SuggestionStatus::Approved
    } else {
        SuggestionStatus::Edited
    };
    let mut done = approving.clone();
    done.status = Some(decided);
    done.decided_at = Some(iso(now));
    done.message_id = Some(message.message_id.clone());
    done.send_status = Some(message.status.as_str().to_string());
    let counts = DayCounts {
        approved: i64::from(decided == SuggestionStatus::Approved),
        edited: i64::from(decided == SuggestionStatus::Edited),
        ..DayCounts::default()
    };
    match deps
        .interactions
        .change(tenant, &approving, done, &[(now.date_naive(), counts)], None, now)
        .await
    {
        Ok(done) => {
            tracing::info!(suggestion_id = %done.id, status = decided.as_str(), message_id = %message.message_id, "suggestion approved");
            Ok(done)
        }
        // A concurrent approval of the same text settled it first, with the same message.
        Err(ChangeError::Changed) => suggestion(deps, tenant, id).await,
        Err(e) => Err(e.into()),
    }
}

/// Rejects a suggestion nobody has started to send, with the operator's reason.
pub async fn reject(
    deps: &Deps,
    ctx: &AuditContext,
    id: &str,
    reason: String,
    now: DateTime<Utc>,
) -> Result<Interaction, DecideError> {
    let tenant = &ctx.principal.tenant_id;
    let read = suggestion(deps, tenant, id).await?;
    match status_of(&read) {
        SuggestionStatus::Suggested => {}
        SuggestionStatus::Approving => return Err(DecideError::BeingApproved),
        decided => return Err(DecideError::Decided(decided)),
    }
    let mut next = read.clone();
    next.status = Some(SuggestionStatus::Rejected);
    next.reject_reason = Some(reason.clone());
    next.decided_at = Some(iso(now));
    next.decided_by = Some(actor_name(ctx));
    let audit = AuditEntry::new(
        ctx,
        "ai.suggestion.reject",
        "ai-suggestion",
        id,
        "success",
        Some(serde_json::json!({ "status": "suggested" })),
        Some(serde_json::json!({ "status": "rejected", "reason": reason })),
        now,
    );
    let counts = DayCounts {
        rejected: 1,
        ..DayCounts::default()
    };
    Ok(deps
        .interactions
        .change(tenant, &read, next, &[(now.date_naive(), counts)], Some(&audit), now)
        .await?)
}

/// Rates a suggestion (any status) with a comment already checked by `feedback_comment`; a later
/// rating replaces the earlier one in the counts too.
pub async fn rate(
    deps: &Deps,
    ctx: &AuditContext,
    id: &str,
    rating: Rating,
    comment: Option<String>,
    now: DateTime<Utc>,
) -> Result<Interaction, DecideError> {
    let tenant = &ctx.principal.tenant_id;
    let read = suggestion(deps, tenant, id).await?;
    let mut counts = vec![(now.date_naive(), rating_counts(rating, 1))];
    if let Some(before) = &read.feedback {
        let day = DateTime::parse_from_rfc3339(&before.at)
            .map(|d| d.with_timezone(&Utc).date_naive())
            .unwrap_or(now.date_naive());
        counts.push((day, rating_counts(before.rating, -1)));
    }
    let mut next = read.clone();
    next.feedback = Some(Feedback {
        rating,
        comment,
        by: actor_name(ctx),
        at: iso(now),
    });
    Ok(deps
        .interactions
        .change(tenant, &read, next, &counts, None, now)
        .await?)
}

fn rating_counts(rating: Rating, n: i64) -> DayCounts {
    match rating {
        Rating::Up => DayCounts {
            up: n,
            ..DayCounts::default()
        },
        Rating::Down => DayCounts {
            down: n,
            ..DayCounts::default()
        },
    }
}

/// The first day of a `days`-long window ending today.
pub fn window_start(today: NaiveDate, days: u32) -> NaiveDate {
    today - chrono::Days::new(u64::from(days.max(1)) - 1)
}
