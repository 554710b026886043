//! The two use cases: list a tenant's dead letters of one queue, and replay some or all of them.
//!
//! Both look into the queue with [`queue::scan`] and decode what they find ([`decode`]); only
//! messages the caller's tenant owns are shown or replayed, grouped by their original id (one
//! failed event can reach a queue more than once). Each one seen gets its record in DLQMessages,
//! created once.
//!
//! A replay runs the logic of the message's original consumer — the inbound handler on the SNS
//! event, `bulk-queue` for bulk work (whose recipients' idempotency keys make a second delivery
//! send nobody twice), the send pipeline with the original key for a send — after claiming an
//! attempt in the record. Success is recorded (once) and deletes the message; failure records the
//! error and leaves it in the queue; a message already replayed is only deleted, and one out of
//! attempts is left alone. Every message replayed, or refused for its state, is audited.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use wecare_core::dlq::{DlqQueue, DlqState, MAX_REPLAY_BATCH};
use wecare_core::time::{expires_at, DLQ_RETENTION};
use wecare_core::TenantId;
use wecare_messaging::{Refusal, SendOutcome};
use wecare_store::dlq::{AttemptStart, DlqRecord};
use wecare_store::{AuditContext, AuditEntry, StoreError};

use crate::decode::{decode, DeadLetter, Job};
use crate::queue::{self, Received, SqsError};
use crate::Deps;

/// How long a listing hides what it receives (it releases it as soon as it has looked).
const LIST_HOLD_SECONDS: i32 = 10;
/// How long a replay hides what it receives: longer than the function may run, so nobody else
/// receives a message while it is being replayed (it is released or deleted right after).
const REPLAY_HOLD_SECONDS: i32 = 60;
/// Messages replayed at once.
const CONCURRENCY: usize = 8;
/// The longest error kept on a record or shown.
const MAX_ERROR_CHARS: usize = 1000;

/// A failure of the listing itself (not of a message).
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error(transparent)]
    Sqs(#[from] SqsError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A replay request that cannot be accepted, or a failure of the replay itself.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error(transparent)]
    Selection(#[from] SelectionError),
    #[error(transparent)]
    Sqs(#[from] SqsError),
}

/// What was wrong with a replay request's selection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    #[error("name the messages to replay in messageIds, or set all to true")]
    Nothing,
    #[error("give messageIds or all, not both")]
    Both,
    #[error("at most {MAX_REPLAY_BATCH} messages per request, got {0}")]
    TooMany(usize),
    #[error("each message id is 1-256 visible characters")]
    BadId,
}

impl SelectionError {
    /// The request field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            SelectionError::Nothing | SelectionError::Both => "body",
            SelectionError::TooMany(_) | SelectionError::BadId => "messageIds",
        }
    }
}

/// `POST /api/dlq/{queue}/replay`'s body.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReplayRequest {
    #[serde(default)]
    pub message_ids: Option<Vec<String>>,
    #[serde(default)]
    pub all: Option<bool>,
}

/// Which messages a replay is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These original ids, each once, in the order asked.
    Ids(Vec<String>),
    /// Every message of the tenant in the queue, up to [`MAX_REPLAY_BATCH`].
    All,
}

impl TryFrom<ReplayRequest> for Selection {
    type Error = SelectionError;

    fn try_from(r: ReplayRequest) -> Result<Self, SelectionError> {
        match (r.message_ids, r.all.unwrap_or(false)) {
            (Some(_), true) => Err(SelectionError::Both),
            (None, false) => Err(SelectionError::Nothing),
            (None, true) => Ok(Selection::All),
            (Some(ids), false) => {
                if ids.is_empty() {
                    return Err(SelectionError::Nothing);
                }
                if ids.len() > MAX_REPLAY_BATCH {
                    return Err(SelectionError::TooMany(ids.len()));
                }
                if ids
                    .iter()
                    .any(|id| id.is_empty() || id.len() > 256 || id.chars().any(char::is_control))
                {
                    return Err(SelectionError::BadId);
                }
                let mut unique = Vec::with_capacity(ids.len());
                for id in ids {
                    if !unique.contains(&id) {
                        unique.push(id);
                    }
                }
                Ok(Selection::Ids(unique))
            }
        }
    }
}

/// One message of the tenant's in the queue, with every copy of it that was received.
struct Found {
    letter: DeadLetter,
    copies: Vec<Received>,
}

/// The tenant's messages in `queue` (in the order first seen), and everything else received.
async fn find(
    deps: &Deps,
    tenant: &TenantId,
    queue: DlqQueue,
    hold_seconds: i32,
) -> Result<(Vec<Found>, Vec<Received>, bool), SqsError> {
    let scan = queue::scan(&deps.inbound.sqs, deps.queues.dlq(queue), hold_seconds).await?;
    let senders = &deps.inbound.send.config.senders;
    let mut found: Vec<Found> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut others = Vec::new();
    for m in scan.messages {
        match decode(queue, &m, senders) {
            Some(letter) if letter.owner.as_ref() == Some(tenant) => match index.get(&letter.original_id) {
                Some(&i) => found[i].copies.push(m),
                None => {
                    index.insert(letter.original_id.clone(), found.len());
                    found.push(Found {
                        letter,
                        copies: vec![m],
                    });
                }
            },
            // Another tenant's, nobody's or unreadable: not the caller's to see.
            _ => others.push(m),
        }
    }
    Ok((found, others, scan.truncated))
}

/// The record of a message first seen now.
fn record_of(tenant: &TenantId, queue: DlqQueue, letter: &DeadLetter, now: DateTime<Utc>) -> DlqRecord {
    DlqRecord {
        tenant_id: tenant.clone(),
        queue,
        original_message_id: letter.original_id.clone(),
        kind: letter.kind.as_str().to_string(),
        summary: letter.summary.clone(),
        first_failed_at: letter.first_failed_at,
        first_seen_at: now,
        error: letter.error.as_deref().map(bounded),
        attempts: 0,
        last_error: None,
        last_attempt_at: None,
        replayed_at: None,
        expires_at: expires_at(now, DLQ_RETENTION),
    }
}

fn bounded(s: &str) -> String {
    match s.char_indices().nth(MAX_ERROR_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// One dead letter as the API shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Listed {
    pub message_id: String,
    pub kind: String,
    pub summary: serde_json::Value,
    #[serde(with = "wecare_core::time::iso_opt")]
    pub first_failed_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub attempts: u32,
    pub state: DlqState,
    pub last_error: Option<String>,
    #[serde(with = "wecare_core::time::iso_opt")]
    pub last_attempt_at: Option<DateTime<Utc>>,
    #[serde(with = "wecare_core::time::iso_opt")]
    pub replayed_at: Option<DateTime<Utc>>,
    /// How many copies of it the queue holds.
    pub copies: usize,
}

impl Listed {
    fn of(r: DlqRecord, copies: usize) -> Self {
        Listed {
            state: r.state(),
            message_id: r.original_message_id,
            kind: r.kind,
            summary: r.summary,
            first_failed_at: r.first_failed_at,
            error: r.error,
            attempts: r.attempts,
            last_error: r.last_error,
            last_attempt_at: r.last_attempt_at,
            replayed_at: r.replayed_at,
            copies,
        }
    }
}

/// What a listing found.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Listing {
    pub queue: DlqQueue,
    pub items: Vec<Listed>,
    /// False when the queue held more than one look takes in: replaying some shows the rest.
    pub complete: bool,
}

/// The tenant's dead letters in `queue`, each recorded (once) in DLQMessages.
pub async fn list(deps: &Deps, tenant: &TenantId, queue: DlqQueue, now: DateTime<Utc>) -> Result<Listing, ListError> {
    let (found, others, truncated) = find(deps, tenant, queue, LIST_HOLD_SECONDS).await?;
    // Looked at, so visible again at once, before anything else can fail.
    let everything: Vec<&Received> = found.iter().flat_map(|f| &f.copies).chain(&others).collect();
    queue::release(&deps.inbound.sqs, deps.queues.dlq(queue), &everything).await;
    // One conditional put per message, several at once (a listing may hold a hundred).
    let seen: Vec<(DlqRecord, usize)> = found
        .iter()
        .map(|f| (record_of(tenant, queue, &f.letter, now), f.copies.len()))
        .collect();
    let items: Vec<Listed> = futures::stream::iter(seen)
        .map(|(record, copies)| async move {
            Ok::<_, StoreError>(Listed::of(deps.records.see(&record, now).await?, copies))
        })
        .buffered(CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    Ok(Listing {
        queue,
        items,
        complete: !truncated,
    })
}

/// How the replay of one message ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Run again successfully, and deleted from the queue.
    Replayed,
    /// A replay had succeeded before: deleted from the queue, not run again.
    AlreadyReplayed,
    /// Run again and failed: left in the queue, its attempt counted and its error recorded.
    Failed,
    /// Out of attempts: not run again.
    Abandoned,
    /// Not in the queue (or not the tenant's).
    NotFound,
}

/// One message's result.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageReplay {
    pub message_id: String,
    pub outcome: Outcome,
    /// Where the message stands now (absent when not found).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<DlqState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// The error of a failed replay, or the last one of an abandoned message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What the replay did (processed, re-enqueued, sent, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl MessageReplay {
    fn not_found(id: String) -> Self {
        MessageReplay {
            message_id: id,
            outcome: Outcome::NotFound,
            state: None,
            attempts: None,
            error: None,
            detail: None,
        }
    }

    fn of(outcome: Outcome, r: &DlqRecord, error: Option<String>, detail: Option<String>) -> Self {
        MessageReplay {
            message_id: r.original_message_id.clone(),
            outcome,
            state: Some(r.state()),
            attempts: Some(r.attempts),
            error,
            detail,
        }
    }
}

/// What a replay request did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Replay {
    pub queue: DlqQueue,
    pub results: Vec<MessageReplay>,
    /// False when the queue held more than one request looks at or replays: a message reported
    /// not found may then be among the rest, and another request reaches it once these are gone.
    pub complete: bool,
}

/// Replays the messages `request` selects (see the module). A request that is not valid is
/// refused before the queue is touched.
pub async fn replay(
    deps: &Deps,
    ctx: &AuditContext,
    queue: DlqQueue,
    request: ReplayRequest,
    now: DateTime<Utc>,
) -> Result<Replay, ReplayError> {
    let selection = Selection::try_from(request)?;
    let tenant = &ctx.principal.tenant_id;
    let (found, others, truncated) = find(deps, tenant, queue, REPLAY_HOLD_SECONDS).await?;
    let url = deps.queues.dlq(queue);
    let (targets, rest, complete): (Vec<Found>, Vec<Found>, bool) = match &selection {
        Selection::All => {
            let complete = !truncated && found.len() <= MAX_REPLAY_BATCH;
            let mut found = found;
            let rest = found.split_off(found.len().min(MAX_REPLAY_BATCH));
            (found, rest, complete)
        }
        Selection::Ids(ids) => {
            let (targets, rest) = found.into_iter().partition(|f| ids.contains(&f.letter.original_id));
            (targets, rest, !truncated)
        }
    };
    // What is not replayed is only looked at: visible again before the replays begin.
    let untouched: Vec<&Received> = rest.iter().flat_map(|f| &f.copies).chain(&others).collect();
    queue::release(&deps.inbound.sqs, url, &untouched).await;

    let mut done: BTreeMap<String, MessageReplay> = futures::stream::iter(targets)
        .map(|f| async move {
            let result = replay_one(deps, ctx, queue, &f, now).await;
            audit(deps, ctx, queue, &result, now).await;
            (f.letter.original_id, result)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let results = match selection {
        Selection::Ids(ids) => ids
            .into_iter()
            .map(|id| done.remove(&id).unwrap_or_else(|| MessageReplay::not_found(id)))
            .collect(),
        Selection::All => done.into_values().collect(),
    };
    Ok(Replay {
        queue,
        results,
        complete,
    })
}

/// Replays one message; a failure of the platform's own bookkeeping is that message's failure.
async fn replay_one(deps: &Deps, ctx: &AuditContext, queue: DlqQueue, f: &Found, now: DateTime<Utc>) -> MessageReplay {
    match try_replay_one(deps, ctx, queue, f, now).await {
        Ok(result) => result,
        Err(e) => {
            tracing::error!(queue = queue.as_str(), message_id = %f.letter.original_id, error.chain = ?wecare_http::error::cause_chain(&e), "replay could not be recorded");
            release_all(deps, queue, f).await;
            MessageReplay {
                message_id: f.letter.original_id.clone(),
                outcome: Outcome::Failed,
                state: None,
                attempts: None,
                error: Some("the replay could not be recorded; try again".into()),
                detail: None,
            }
        }
    }
}

async fn try_replay_one(
    deps: &Deps,
    ctx: &AuditContext,
    queue: DlqQueue,
    f: &Found,
    now: DateTime<Utc>,
) -> Result<MessageReplay, StoreError> {
    let tenant = &ctx.principal.tenant_id;
    let id = &f.letter.original_id;
    let record = deps.records.see(&record_of(tenant, queue, &f.letter, now), now).await?;
    let start = match record.state() {
        DlqState::Pending => deps.records.begin_attempt(tenant, queue, id, now).await?,
        _ => AttemptStart::Refused(record),
    };
    let record = match start {
        AttemptStart::Started(r) => r,
        AttemptStart::Refused(r) => return Ok(refused(deps, queue, f, r).await),
        AttemptStart::Missing => {
            // Its record expired between the look and the claim: nothing ran; the next try
            // records it afresh.
            release_all(deps, queue, f).await;
            return Ok(MessageReplay {
                message_id: id.clone(),
                outcome: Outcome::Failed,
                state: Some(DlqState::Pending),
                attempts: None,
                error: Some("its record expired meanwhile; try again".into()),
                detail: None,
            });
        }
    };
    match run(deps, ctx, &f.letter.job, now).await {
        Ok(detail) => {
            deps.records.succeeded(tenant, queue, id, now).await?;
            delete_all(deps, queue, f).await;
            let mut r = record;
            r.replayed_at = Some(now);
            tracing::info!(queue = queue.as_str(), message_id = %id, attempts = r.attempts, "dead letter replayed");
            Ok(MessageReplay::of(Outcome::Replayed, &r, None, Some(detail)))
        }
        Err(error) => {
            let error = bounded(&error);
            let r = deps
                .records
                .failed(tenant, queue, id, &error, now)
                .await?
                .unwrap_or(record);
            release_all(deps, queue, f).await;
            tracing::warn!(queue = queue.as_str(), message_id = %id, attempts = r.attempts, state = ?r.state(), "dead letter replay failed");
            Ok(MessageReplay::of(Outcome::Failed, &r, Some(error), None))
        }
    }
}

/// A message not to be run: deleted if it was replayed already, left alone if abandoned.
async fn refused(deps: &Deps, queue: DlqQueue, f: &Found, r: DlqRecord) -> MessageReplay {
    match r.state() {
        DlqState::Replayed => {
            delete_all(deps, queue, f).await;
            MessageReplay::of(Outcome::AlreadyReplayed, &r, None, None)
        }
        DlqState::Abandoned => {
            release_all(deps, queue, f).await;
            let error = r.last_error.clone();
            MessageReplay::of(Outcome::Abandoned, &r, error, None)
        }
        // Refused while pending: its record expired at that very moment.
        DlqState::Pending => {
            release_all(deps, queue, f).await;
            MessageReplay::of(
                Outcome::Failed,
                &r,
                Some("its record expired meanwhile; try again".into()),
                None,
            )
        }
    }
}

async fn release_all(deps: &Deps, queue: DlqQueue, f: &Found) {
    let copies: Vec<&Received> = f.copies.iter().collect();
    queue::release(&deps.inbound.sqs, deps.queues.dlq(queue), &copies).await;
}

/// Deletes every copy; one left behind (a failed delete) is deleted by the next replay, which
/// finds its record replayed.
async fn delete_all(deps: &Deps, queue: DlqQueue, f: &Found) {
    for m in &f.copies {
        if let Err(e) = queue::delete(&deps.inbound.sqs, deps.queues.dlq(queue), m).await {
            tracing::warn!(queue = queue.as_str(), error.chain = ?wecare_http::error::cause_chain(&e), "replayed dead letter not deleted; the next replay deletes it");
        }
    }
}

/// Runs a message's original consumer: what it did, or why it failed.
async fn run(deps: &Deps, ctx: &AuditContext, job: &Job, now: DateTime<Utc>) -> Result<String, String> {
    let chain = |e: &(dyn std::error::Error + 'static)| wecare_http::error::cause_chain(e).join(": ");
    match job {
        Job::Inbound(event) => inbound_whatsapp_handler::handle(&deps.inbound, event.clone(), now)
            .await
            .map(|()| "processed by the inbound handler".to_string())
            .map_err(|e| chain(&e)),
        Job::Bulk(body) => queue::send(&deps.inbound.sqs, &deps.queues.bulk_queue, body)
            .await
            .map(|()| "put back on bulk-queue".to_string())
            .map_err(|e| chain(&e)),
        Job::Outbound(letter) => {
            let cmd = letter.as_ref().clone().into_command(ctx.clone(), now);
            match wecare_messaging::send(&deps.inbound.send, cmd).await {
                Err(e) => Err(chain(&e)),
                Ok(SendOutcome::Sent(_)) => Ok("sent".into()),
                Ok(SendOutcome::DryRun(_)) => Ok("recorded without sending (DRY_RUN)".into()),
                // Recorded as the send's outcome: a provider's refusal is not the platform's
                // failure, and a send that may have reached the provider is never made again.
                Ok(SendOutcome::Failed(m)) => Ok(format!(
                    "the provider refused it ({})",
                    m.error.map(|e| e.code).unwrap_or_default()
                )),
                Ok(SendOutcome::Unknown(_)) => Ok("it may have reached the provider: recorded as unknown".into()),
                Ok(SendOutcome::InProgress(_)) => Err("another send with the same key is in progress".into()),
                Ok(SendOutcome::Refused(r @ Refusal::RateLimited { .. })) => Err(r.to_string()),
                // The pipeline's decision, as the original caller would have taken it.
                Ok(SendOutcome::Refused(r)) => Ok(format!("refused: {} ({r})", r.code().as_str())),
            }
        }
    }
}

/// One audit entry per message replayed or refused for its state.
async fn audit(deps: &Deps, ctx: &AuditContext, queue: DlqQueue, r: &MessageReplay, now: DateTime<Utc>) {
    let outcome = match r.outcome {
        Outcome::NotFound => return,
        Outcome::Replayed | Outcome::AlreadyReplayed => "success",
        Outcome::Failed => "failed",
        Outcome::Abandoned => "refused",
    };
    let entry = AuditEntry::new(
        ctx,
        "dlq.replay",
        "dlq-message",
        &format!("{queue}/{}", r.message_id),
        outcome,
        None,
        serde_json::to_value(r).ok(),
        now,
    );
    if let Err(e) = deps.inbound.send.messages.audit_once(&entry, now).await {
        tracing::error!(error.chain = ?wecare_http::error::cause_chain(&e), "replay not audited");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(ids: Option<Vec<&str>>, all: Option<bool>) -> ReplayRequest {
        ReplayRequest {
            message_ids: ids.map(|v| v.into_iter().map(str::to_string).collect()),
            all,
        }
    }

    #[test]
    fn a_selection_names_ids_or_all_but_not_both_and_at_most_a_hundred() {
        assert_eq!(
            Selection::try_from(request(Some(vec!["a", "b", "a"]), None)),
            Ok(Selection::Ids(vec!["a".into(), "b".into()]))
        );
        assert_eq!(Selection::try_from(request(None, Some(true))), Ok(Selection::All));
        assert_eq!(
            Selection::try_from(request(Some(vec!["a"]), Some(true))),
            Err(SelectionError::Both)
        );
        assert_eq!(Selection::try_from(request(None, None)), Err(SelectionError::Nothing));
        assert_eq!(
            Selection::try_from(request(None, Some(false))),
            Err(SelectionError::Nothing)
        );
        assert_eq!(
            Selection::try_from(request(Some(vec![]), None)),
            Err(SelectionError::Nothing)
        );
        let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
        let e = Selection::try_from(ReplayRequest {
            message_ids: Some(many),
            all: None,
        })
        .unwrap_err();
        assert_eq!((e.clone(), e.field()), (SelectionError::TooMany(101), "messageIds"));
        assert_eq!(
            Selection::try_from(request(Some(vec![""]), None)),
            Err(SelectionError::BadId)
        );
    }

    #[test]
    fn errors_are_kept_to_a_bounded_length() {
        assert_eq!(bounded("short"), "short");
        assert_eq!(bounded(&"x".repeat(2000)).chars().count(), MAX_ERROR_CHARS + 1);
    }
}
