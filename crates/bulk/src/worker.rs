//! `bulk-worker`: what each message on `bulk-queue` does (see [`crate::work::Work`]).
//!
//! **At most once.** A recipient is sent only through the send pipeline, under the idempotency
//! key (job, recipient): whichever delivery of a chunk claims it first is the only one that can
//! reach the provider, and every other gets that send's outcome or "in progress". Its ledger item
//! is then settled with one conditional write (only while pending), so it is counted once. A
//! chunk arriving twice, a worker dying mid-chunk, or a pause and resume while chunks are in
//! flight can therefore repeat work, but never a send and never a count.
//!
//! **Checked at send time.** Consent, deletion and the window are the pipeline's checks, made for
//! each recipient when it is sent, so a STOP during the campaign is honoured; such a recipient is
//! skipped with its reason.
//!
//! **Paced.** A chunk's sends share a [`Pacer`]: slots of the sender's bucket reserved in blocks
//! (one limiter write per block), waited for rather than refused, and a stop that takes effect
//! just before the provider call. The job's status is polled every [`STATUS_POLL`], so a pause or
//! cancel stops sending within a second; a paused job's untouched recipients stay pending (resume
//! enqueues them again), a cancelled job's are cancelled.
//!
//! **Quiet hours.** A chunk taken up inside the tenant's quiet hours (`wecare_core::settings`),
//! or running when they begin, sends nothing more: its untouched recipients go back on the queue
//! delayed to the hours' end, still pending, the job still running.
//!
//! **Deadline.** Before the invocation's deadline the worker stops taking recipients and enqueues
//! the rest of its chunk as a new message, so a timeout never leaves a chunk half done.
//!
//! **Progress** is counted per worker and added to the job at most about once a second; the
//! counts are exact at the end, when the job is finished from its ledger (a recount that is also
//! the report). **Completion** is one conditional write, so it happens once; the winner gives back
//! unused tier capacity, audits and emits the job's metrics.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use wecare_core::bulk::{exclusion, JobStatus, Progress};
use wecare_core::consent::{ConsentSource, OptIns};
use wecare_core::{ConsentClock, ContactId, IdempotencyKey, Principal, Role, TenantId, UserId};
use wecare_messaging::pace::TemplateUses;
use wecare_messaging::{Actor, Pacer, Refusal, SendCommand, SendOutcome};
use wecare_store::audit::AuditContext;
use wecare_store::bulk::{BulkJob, ProgressDelta, RecipientStatus};
use wecare_store::contacts::WriteError;
use wecare_store::Contact;

use crate::finish::{self, Pass, Step};
use crate::plan::{content_for, facts_of, Planned};
use crate::request::ContentRequest;
use crate::work::{enqueue, enqueue_all, ChunkRecipient, Work};
use crate::{BulkError, Deps};

/// How often a running chunk reads its job's status (pause and cancel act within a second).
pub const STATUS_POLL: Duration = Duration::from_millis(400);
/// How often a worker adds its counts to the job: each flush is two writes (the job, and the
/// second's point of its chart), so this is what progress costs per worker, whatever the rate.
pub const FLUSH_EVERY: Duration = Duration::from_secs(2);
/// Sends of one chunk in flight at once, each holding its own slot (most of them asleep until
/// shortly before it, holding no claim): enough for the slots of the lead ahead and of the sends
/// still settling, and more than a block (`wecare_messaging::pace::MAX_BLOCK`), so that every slot
/// of a block has a send checked and claimed by the time it is due.
pub const CONCURRENCY: usize = 24;
/// The longest a chunk held by quiet hours waits before it looks at them again (SQS delays a
/// message at most 15 minutes): turning quiet hours off reaches held campaigns within this.
pub const QUIET_RECHECK: Duration = Duration::from_secs(300);
/// Recipients whose contacts are read with one request.
pub const READ_TOGETHER: usize = 8;
/// Time kept back before the deadline: the longest a started send may still take.
pub const DEADLINE_MARGIN: Duration = Duration::from_secs(8);
/// Seconds between the checks that watch a job until it is final.
pub const WATCH_EVERY: i32 = 20;
/// A running job with no progress for this long is recounted from its ledger.
pub const QUIET: chrono::Duration = chrono::Duration::seconds(15);
/// ... and shown as stalled after this long.
pub const STALL_AFTER: chrono::Duration = chrono::Duration::minutes(5);
/// After a cancellation's sweep, how long sends already at the provider are given to settle
/// before the job is finished from its ledger.
pub const SETTLE_AFTER_CANCEL: i32 = 10;
/// Receives after which SQS moves a message to `bulk-dlq` (the queue's redrive policy).
pub const MAX_RECEIVES: u32 = 5;

/// Handles one batch from the event source: each record on its own, concurrently; the ones that
/// failed are reported so that SQS redelivers only them.
pub async fn handle(deps: &Deps, event: SqsEvent, deadline: Instant) -> SqsBatchResponse {
    let work = event.records.into_iter().map(|record| async move {
        let id = record.message_id.clone().unwrap_or_default();
        let receives: u32 = record
            .attributes
            .get("ApproximateReceiveCount")
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        let Some(work) = record.body.as_deref().and_then(|b| serde_json::from_str::<Work>(b).ok()) else {
            // Nothing can ever read it: failing would only cycle it to the DLQ, where it belongs.
            tracing::error!(message_id = %id, "bulk-queue message is not bulk work");
            return Some(id);
        };
        match run(deps, &work, deadline).await {
            Ok(()) => None,
            Err(e) => {
                let (tenant, job_id) = work.job();
                let chain = wecare_http::error::cause_chain(&e);
                tracing::error!(job_id, kind = work.kind(), receives, error.chain = ?chain, "bulk work failed; SQS will redeliver it");
                if receives >= MAX_RECEIVES {
                    // The last receive: the message goes to bulk-dlq, and the job says so.
                    let _ = deps
                        .jobs
                        .set_stalled(tenant, job_id, true, None, wecare_core::time::now())
                        .await;
                }
                Some(id)
            }
        }
    });
    let mut response = SqsBatchResponse::default();
    for failed in futures::future::join_all(work).await.into_iter().flatten() {
        response.add_failure(failed);
    }
    response
}

/// Does one piece of work.
pub async fn run(deps: &Deps, work: &Work, deadline: Instant) -> Result<(), BulkError> {
    match work {
        Work::Expand { tenant, job_id } => expand(deps, tenant, job_id).await,
        Work::Chunk {
            tenant,
            job_id,
            recipients,
        } => chunk(deps, tenant, job_id, recipients, deadline).await,
        Work::Check {
            tenant,
            job_id,
            watch,
            pass,
        } => check(deps, tenant, job_id, *watch, pass.clone(), deadline).await,
        Work::Sweep { tenant, job_id } => sweep(deps, tenant, job_id).await,
    }
}

/// Whom a job's sends and audit entries name: the operator who created it.
pub fn started_by(job: &BulkJob) -> AuditContext {
    AuditContext {
        principal: Principal {
            user_id: UserId::parse(&job.created_by).unwrap_or_else(|_| UserId::parse("system").expect("literal")),
            email: None,
            role: Role::Operator,
            tenant_id: job.tenant_id.clone(),
        },
        request_id: format!("bulk-{}", job.job_id),
        source_ip: None,
        user_agent: None,
    }
}

/// The job's manifest as it stands (with the contacts its CSV rows create, once expanded).
pub async fn manifest(deps: &Deps, job: &BulkJob) -> Result<Vec<Planned>, BulkError> {
    let bytes = crate::create::get_object(deps, &job.manifest_key)
        .await?
        .ok_or_else(|| BulkError::s3("GetObject", std::io::Error::other("the job's manifest is missing")))?;
    serde_json::from_slice(&bytes).map_err(BulkError::Manifest)
}

/// The contacts a CSV's rows carry consent for, created; the job registered where contacts'
/// timelines find its messages; then the chunks. Nothing is written per recipient: a recipient's
/// ledger entry is its message, written when it is sent.
async fn expand(deps: &Deps, tenant: &TenantId, job_id: &str) -> Result<(), BulkError> {
    let Some(job) = deps.jobs.get(tenant, job_id).await? else {
        return Ok(());
    };
    if job.finished_at.is_some() {
        return Ok(());
    }
    let now = wecare_core::time::now();
    if !job.expanded {
        let mut planned = manifest(deps, &job).await?;
        if planned.iter().any(|p| p.create.is_some()) {
            for p in planned.iter_mut() {
                if let Some(new) = p.create.take() {
                    p.contact_id = create_contact(deps, &job, p.contact_id, &new, now).await?;
                }
            }
            // The manifest now names the contacts as created (a redelivery creates none again).
            crate::create::put_json(deps, &job.manifest_key, &planned).await?;
        }
        deps.messaging
            .messages
            .register_campaign(tenant, job_id, job.created_at)
            .await?;
        deps.jobs.set_expanded(tenant, job_id, now).await?;
        if job.status == JobStatus::Cancelled {
            // Cancelled before it started: the sweep closes every recipient as cancelled.
            return sweep(deps, tenant, job_id).await;
        }
    }
    deps.jobs.start(tenant, job_id, now).await?;
    let Some(job) = deps.jobs.get(tenant, job_id).await? else {
        return Ok(());
    };
    if job.status != JobStatus::Running {
        // Paused (resume enqueues), or cancelled (the cancel's sweep settles the ledger).
        return Ok(());
    }
    enqueue_pending(deps, &job).await?;
    enqueue(
        deps,
        &Work::Check {
            tenant: tenant.clone(),
            job_id: job_id.to_string(),
            watch: true,
            pass: None,
        },
        WATCH_EVERY,
    )
    .await
}

/// The recipients of `job` still pending: those of its manifest without an outcome in its ledger
/// (no entry, or a claim still `sending`, which a repeat of its key settles), in manifest order.
pub async fn pending(deps: &Deps, job: &BulkJob) -> Result<Vec<Planned>, BulkError> {
    let settled: std::collections::HashSet<ContactId> = deps
        .jobs
        .ledger(&job.tenant_id, &job.job_id)
        .await?
        .into_iter()
        .filter(|r| r.status != RecipientStatus::Pending)
        .map(|r| r.contact_id)
        .collect();
    Ok(manifest(deps, job)
        .await?
        .into_iter()
        .filter(|p| !settled.contains(&p.contact_id))
        .collect())
}

/// Enqueues every pending recipient of `job`, in chunks of exactly 100 (the last one smaller).
pub async fn enqueue_pending(deps: &Deps, job: &BulkJob) -> Result<usize, BulkError> {
    let pending = pending(deps, job).await?;
    let chunks: Vec<Work> = wecare_core::bulk::chunks(pending.len())
        .map(|range| Work::Chunk {
            tenant: job.tenant_id.clone(),
            job_id: job.job_id.clone(),
            recipients: pending[range]
                .iter()
                .map(|p| ChunkRecipient {
                    contact_id: p.contact_id,
                    values: p.values.clone(),
                })
                .collect(),
        })
        .collect();
    enqueue_all(deps, &chunks).await?;
    Ok(pending.len())
}

/// Creates the contact a CSV row carried consent for, with that consent recorded as an import by
/// the job's creator; if the number or address belongs to a contact by now, that contact.
async fn create_contact(
    deps: &Deps,
    job: &BulkJob,
    id: ContactId,
    new: &crate::plan::NewContact,
    now: DateTime<Utc>,
) -> Result<ContactId, BulkError> {
    let region = deps.config.default_region;
    let by = job.created_by.clone();
    let mut opt_ins = OptIns::default();
    let changes = opt_ins.apply(&new.consent, &by, now, ConsentSource::Import);
    let mut clock = ConsentClock::default();
    clock.record(&changes);
    let contact = Contact {
        contact_id: id,
        tenant_id: job.tenant_id.clone(),
        name: new
            .name
            .as_deref()
            .and_then(|n| wecare_core::ContactName::parse(n).ok()),
        phone: new
            .phone
            .as_deref()
            .and_then(|p| wecare_core::PhoneNumber::parse(p, region).ok()),
        email: new.email.as_deref().and_then(|e| wecare_core::Email::parse(e).ok()),
        whatsapp_user_id: None,
        opt_ins,
        last_consent_change: clock,
        consent_history: changes,
        last_inbound_message_at: None,
        created_at: now,
        created_by: by,
        updated_at: now,
        deleted_at: None,
        deleted_by: None,
        version: 1,
    };
    match deps.messaging.contacts.create(&contact, &started_by(job), now).await {
        Ok(()) => Ok(id),
        Err(WriteError::Duplicate { existing, .. }) => Ok(ContactId::parse(&existing).unwrap_or(id)),
        Err(WriteError::Store(e)) => Err(e.into()),
        Err(e) => Err(BulkError::Store(wecare_store::StoreError::Dynamo {
            operation: "TransactWriteItems",
            source: Box::new(e),
        })),
    }
}

/// Why a chunk stopped before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Status(JobStatus),
    Deadline,
    /// The tenant's quiet hours began, until then.
    Quiet(DateTime<Utc>),
}

/// What became of one recipient of a chunk.
enum Done {
    /// Settled (or found settled by another delivery).
    Settled,
    /// Not attempted, or stopped before the provider: still pending.
    Untouched(ChunkRecipient),
    /// Claimed by another delivery of the same chunk, still sending it — or dead since, which
    /// only the claim's age can tell.
    Owned(ChunkRecipient),
}

async fn chunk(
    deps: &Deps,
    tenant: &TenantId,
    job_id: &str,
    recipients: &[ChunkRecipient],
    deadline: Instant,
) -> Result<(), BulkError> {
    let Some(job) = deps.jobs.get(tenant, job_id).await? else {
        return Ok(());
    };
    match job.status {
        JobStatus::Running => {}
        JobStatus::Cancelled => {
            cancel_all(deps, &job, recipients.iter().map(|r| r.contact_id)).await?;
            return enqueue_check(deps, &job, 0).await;
        }
        // Paused or pending: the recipients stay pending, and resume enqueues them again.
        _ => return Ok(()),
    }
    // The settings are read once per chunk (eventually consistent: a save reaches chunks within
    // a second or so); quiet hours that begin while the chunk runs stop it (see the watcher).
    let quiet = deps
        .messaging
        .settings
        .get(tenant, false)
        .await
        .map_err(BulkError::Settings)?
        .settings
        .quiet_hours;
    if let Some(until) = quiet.as_ref().and_then(|q| q.holds_until(wecare_core::time::now())) {
        return hold(deps, tenant, job_id, recipients.to_vec(), until).await;
    }
    let sender = match deps
        .config
        .messaging
        .senders
        .resolve(tenant, job.channel, Some(&job.sender))
    {
        Ok(s) => s.clone(),
        Err(e) => {
            // The sender was taken away from the tenant since the job was accepted.
            let reason = format!("NOT_ALLOWLISTED: {e}");
            let delta = Mutex::default();
            for r in recipients {
                close(
                    deps,
                    &job,
                    &r.contact_id,
                    RecipientStatus::Failed,
                    Some(&reason),
                    &delta,
                )
                .await?;
            }
            let delta = delta.into_inner().unwrap_or_else(|p| p.into_inner());
            deps.jobs
                .add_progress(tenant, job_id, &delta, wecare_core::time::now())
                .await?;
            return enqueue_check(deps, &job, 1).await;
        }
    };
    let content: ContentRequest = serde_json::from_value(job.content.clone()).map_err(BulkError::Manifest)?;
    let pacer = Arc::new(deps.pacer(&sender).expecting(recipients.len()));
    let stop: Arc<Mutex<Option<Stop>>> = Arc::default();
    let delta: Arc<Mutex<ProgressDelta>> = Arc::default();
    let ctx = started_by(&job);

    // Set by the flush that leaves nothing pending: the job is then finished straight away.
    let drained = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Watches the job's status and the clock, and flushes the counts, while the chunk runs.
    let watcher = {
        let (deps, pacer, stop, delta, drained) = (
            deps.clone(),
            pacer.clone(),
            stop.clone(),
            delta.clone(),
            drained.clone(),
        );
        let (tenant, job_id, sender_id) = (tenant.clone(), job_id.to_string(), sender.id.clone());
        tokio::spawn(async move {
            let mut last_flush = Instant::now();
            loop {
                tokio::time::sleep(STATUS_POLL).await;
                if Instant::now() + DEADLINE_MARGIN >= deadline {
                    set_stop(&stop, Stop::Deadline);
                    pacer.stop();
                }
                if let Some(until) = quiet.as_ref().and_then(|q| q.holds_until(wecare_core::time::now())) {
                    set_stop(&stop, Stop::Quiet(until));
                    pacer.stop();
                }
                match deps.job_status(&tenant, &job_id).await {
                    Ok(Some(JobStatus::Running)) => {}
                    Ok(Some(status)) => {
                        set_stop(&stop, Stop::Status(status));
                        pacer.stop();
                    }
                    Ok(None) => {
                        set_stop(&stop, Stop::Status(JobStatus::Cancelled));
                        pacer.stop();
                    }
                    // A failed read is retried at the next poll.
                    Err(_) => {}
                }
                if last_flush.elapsed() >= FLUSH_EVERY {
                    last_flush = Instant::now();
                    match flush(&deps, &tenant, &job_id, &delta, &pacer, &sender_id).await {
                        Ok(Some(0)) => drained.store(true, std::sync::atomic::Ordering::SeqCst),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "progress not flushed; kept for the next flush"),
                    }
                }
            }
        })
    };

    // The recipients' contacts are read a group at a time (one request instead of one per send),
    // by the first send of the group to be checked, just before its slot, and eventually
    // consistently: half the read units of a campaign, for a view of consent that may miss a
    // change of the last second or so — well inside the seconds a STOP takes to reach us from the
    // customer's phone through Meta, SNS and the inbound function. A send whose group was read
    // more than `PREFETCH_FRESH` ago reads its contact again itself, consistently.
    let grouped = futures::stream::iter(recipients.chunks(READ_TOGETHER).map(<[ChunkRecipient]>::to_vec))
        .map({
            let pacer = pacer.clone();
            move |group| {
                let ids: Vec<ContactId> = group.iter().map(|r| r.contact_id).collect();
                pacer.read_together(&ids);
                futures::stream::iter(group)
            }
        })
        .flatten();
    let results: Vec<Result<Done, BulkError>> = grouped
        .map(|r| {
            let (pacer, delta, ctx, content, job) = (pacer.clone(), delta.clone(), ctx.clone(), &content, &job);
            async move {
                if pacer.stopped() {
                    return Ok(Done::Untouched(r));
                }
                send_one(deps, job, &ctx, content, r, pacer, &delta).await
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    watcher.abort();
    deps.hand_on(&sender, &pacer);
    let flushed = flush(deps, tenant, job_id, &delta, &pacer, &sender.id).await;
    if matches!(flushed, Ok(Some(0))) {
        drained.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    let mut untouched = Vec::new();
    let mut owned = Vec::new();
    let mut failure = None;
    for r in results {
        match r {
            Ok(Done::Untouched(r)) => untouched.push(r),
            Ok(Done::Owned(r)) => owned.push(r),
            Ok(Done::Settled) => {}
            Err(e) => failure = Some(e),
        }
    }
    flushed?;
    if !owned.is_empty() {
        // Claimed by another delivery. If it lives it settles them; if it died mid-send nobody
        // would, so they come back once the claim is stale, to be settled unknown (never resent).
        let delay = deps.config.messaging.stale_claim.num_seconds().saturating_add(1);
        enqueue(
            deps,
            &Work::Chunk {
                tenant: tenant.clone(),
                job_id: job_id.to_string(),
                recipients: owned,
            },
            i32::try_from(delay).unwrap_or(i32::MAX),
        )
        .await?;
    }
    if let Some(e) = failure {
        // The untouched recipients are still pending; the redelivery picks every one up again.
        return Err(e);
    }
    let stopped = *stop.lock().unwrap_or_else(|p| p.into_inner());
    tracing::info!(
        job_id, recipients = recipients.len(), untouched = untouched.len(), limiter_writes = pacer.reservations(),
        slots_dropped = ?pacer.slots_dropped(), lead_ms = pacer.lead().as_millis() as u64, stop = ?stopped, "chunk done"
    );
    if !untouched.is_empty() {
        match stopped {
            Some(Stop::Status(JobStatus::Cancelled)) => {
                cancel_all(deps, &job, untouched.iter().map(|r| r.contact_id)).await?;
                drained.store(true, std::sync::atomic::Ordering::SeqCst);
            }
            Some(Stop::Status(_)) => {}
            Some(Stop::Quiet(until)) => hold(deps, tenant, job_id, untouched, until).await?,
            // Out of time (or stopped for no status reason): the rest goes back on the queue.
            Some(Stop::Deadline) | None => {
                enqueue(
                    deps,
                    &Work::Chunk {
                        tenant: tenant.clone(),
                        job_id: job_id.to_string(),
                        recipients: untouched,
                    },
                    0,
                )
                .await?;
            }
        }
    }
    // Only the chunk whose counts left nothing pending (or that cancelled its rest) has the job
    // finished now; a job whose counts went astray is finished by its watching check.
    if drained.load(std::sync::atomic::Ordering::SeqCst) {
        enqueue_check(deps, &job, 1).await?;
    }
    Ok(())
}

/// Puts a chunk back on the queue to be taken up when the tenant's quiet hours are over (or at
/// the latest after [`QUIET_RECHECK`], so a change of the hours is seen): its recipients stay
/// pending meanwhile, and the job running.
async fn hold(
    deps: &Deps,
    tenant: &TenantId,
    job_id: &str,
    recipients: Vec<ChunkRecipient>,
    until: DateTime<Utc>,
) -> Result<(), BulkError> {
    let wait = (until - wecare_core::time::now()).num_milliseconds();
    // Rounded up, so the chunk comes back after the hours and not a moment before them.
    let wait = (wait + 999) / 1000;
    let delay = wait.clamp(1, QUIET_RECHECK.as_secs() as i64);
    tracing::info!(job_id, until = %wecare_core::time::iso(until), delay, recipients = recipients.len(), "quiet hours: chunk held");
    enqueue(
        deps,
        &Work::Chunk {
            tenant: tenant.clone(),
            job_id: job_id.to_string(),
            recipients,
        },
        i32::try_from(delay).unwrap_or(1),
    )
    .await
}

fn set_stop(stop: &Mutex<Option<Stop>>, why: Stop) {
    let mut s = stop.lock().unwrap_or_else(|p| p.into_inner());
    if s.is_none() {
        *s = Some(why);
    }
}

/// Adds the counts gathered since the last flush to the job, and the run's accepted template
/// messages to its sender's usage; on failure they are kept for the next flush. (A worker that
/// dies loses the template count of its last few seconds; the job's own counts are recounted
/// from its ledger.)
async fn flush(
    deps: &Deps,
    tenant: &TenantId,
    job_id: &str,
    delta: &Mutex<ProgressDelta>,
    pacer: &Pacer,
    sender: &str,
) -> Result<Option<u64>, BulkError> {
    let taken = std::mem::take(&mut *delta.lock().unwrap_or_else(|p| p.into_inner()));
    let result = deps
        .jobs
        .add_progress(tenant, job_id, &taken, wecare_core::time::now())
        .await;
    if result.is_err() {
        delta.lock().unwrap_or_else(|p| p.into_inner()).merge(taken);
    }
    let mut unflushed = TemplateUses::new();
    let mut counted = Ok(());
    for ((day, category), n) in pacer.take_template_uses() {
        let repo = &deps.messaging.catalogue.repo;
        if let Err(e) = repo.count_uses(tenant, sender, category, day, n).await {
            unflushed.insert((day, category), n);
            counted = Err(e);
        }
    }
    pacer.give_back_template_uses(unflushed);
    // The overview's counts of the run's settled sends, one write per hour and channel. A failure
    // keeps them for the next flush and fails nothing: they are an at-a-glance view, and a run
    // whose last flush fails loses them (an undercount, logged).
    let overview = deps.messaging.messages.overview();
    if let Err((unwritten, e)) = overview.add(tenant, pacer.take_overview()).await {
        tracing::warn!(job_id, error = %e, "overview counts not written; kept for the next flush");
        pacer.give_back_overview(unwritten);
    }
    counted.and(result).map_err(BulkError::from)
}

/// Closes one recipient without a message (skipped, cancelled, or failed before any send);
/// counted in `delta` only if this write took effect.
async fn close(
    deps: &Deps,
    job: &BulkJob,
    contact: &ContactId,
    outcome: RecipientStatus,
    reason: Option<&str>,
    delta: &Mutex<ProgressDelta>,
) -> Result<(), BulkError> {
    let closed = deps
        .jobs
        .close_recipient(
            &job.tenant_id,
            &job.job_id,
            contact,
            outcome,
            reason,
            wecare_core::time::now(),
        )
        .await?;
    if closed {
        delta.lock().unwrap_or_else(|p| p.into_inner()).record(outcome, reason);
    }
    Ok(())
}

async fn cancel_all(deps: &Deps, job: &BulkJob, contacts: impl Iterator<Item = ContactId>) -> Result<(), BulkError> {
    let delta = Mutex::default();
    for c in contacts {
        close(deps, job, &c, RecipientStatus::Cancelled, None, &delta).await?;
    }
    let delta = delta.into_inner().unwrap_or_else(|p| p.into_inner());
    deps.jobs
        .add_progress(&job.tenant_id, &job.job_id, &delta, wecare_core::time::now())
        .await?;
    Ok(())
}

/// One recipient through the pipeline; its message is its ledger entry, so only an outcome
/// without a message (skipped, failed before sending) is written here.
async fn send_one(
    deps: &Deps,
    job: &BulkJob,
    ctx: &AuditContext,
    content: &ContentRequest,
    r: ChunkRecipient,
    pacer: Arc<Pacer>,
    delta: &Mutex<ProgressDelta>,
) -> Result<Done, BulkError> {
    let message = match content_for(job.channel, content, &r.values) {
        Ok(m) => m,
        Err(_) => {
            let why = wecare_core::bulk::Exclusion::MissingVariable.as_str();
            return close(deps, job, &r.contact_id, RecipientStatus::Skipped, Some(why), delta)
                .await
                .map(|()| Done::Settled);
        }
    };
    let cmd = SendCommand {
        tenant: job.tenant_id.clone(),
        actor: Actor::BulkJob {
            job_id: job.job_id.clone(),
            started_by: ctx.clone(),
        },
        contact_id: r.contact_id,
        content: message,
        from: Some(job.sender.clone()),
        key: IdempotencyKey::derived(&["bulk", &job.job_id, &r.contact_id.to_string()]),
        now: wecare_core::time::now(),
        pacer: Some(pacer.clone()),
    };
    let (outcome, settled_here) = wecare_messaging::send_reporting(&deps.messaging, cmd).await?;
    let recorded = match outcome {
        SendOutcome::Sent(m) | SendOutcome::DryRun(m) | SendOutcome::Failed(m) | SendOutcome::Unknown(m) => m,
        SendOutcome::InProgress(_) => return Ok(Done::Owned(r)),
        SendOutcome::Refused(Refusal::Closed) => return Ok(Done::Settled),
        SendOutcome::Refused(refusal) => {
            return match skipped_for(deps, job, &r.contact_id, &refusal).await? {
                Some((outcome, reason)) => close(deps, job, &r.contact_id, outcome, Some(&reason), delta)
                    .await
                    .map(|()| Done::Settled),
                None => Ok(Done::Untouched(r)),
            };
        }
    };
    // Counted by the one call that settled it; a repeat finds it settled and counts nothing.
    if settled_here {
        if let Some(outcome) = wecare_store::messages::outcome_of(recorded.status) {
            delta.lock().unwrap_or_else(|p| p.into_inner()).record(outcome, None);
        }
    }
    Ok(Done::Settled)
}

/// How a refused send is recorded (its outcome and reason); `None` leaves the recipient pending
/// (stopped before sending).
async fn skipped_for(
    deps: &Deps,
    job: &BulkJob,
    contact: &ContactId,
    refusal: &Refusal,
) -> Result<Option<(RecipientStatus, String)>, BulkError> {
    use wecare_core::bulk::Exclusion as E;
    let why = match refusal {
        Refusal::Stopped | Refusal::RateLimited { .. } | Refusal::Closed => return Ok(None),
        Refusal::ContactNotFound => E::Deleted,
        Refusal::NoAddress(_) => E::MissingAddress,
        Refusal::TemplateRequired => E::OutsideWindowWithoutTemplate,
        Refusal::TierLimitExceeded { .. } => E::OverTier,
        Refusal::NotOptedIn(channel) => {
            // Whether they said STOP themselves is worth telling apart in the report.
            let contact = deps.messaging.contacts.get(&job.tenant_id, contact).await?;
            contact
                .map(|c| facts_of(&c, *channel, wecare_core::time::now()))
                .and_then(|f| exclusion(&f, *channel, true))
                .unwrap_or(E::NotOptedIn)
        }
        Refusal::Invalid { .. } | Refusal::NotAllowlisted(_) | Refusal::KeyReused => {
            return Ok(Some((
                RecipientStatus::Failed,
                format!("{}: {refusal}", refusal.code().as_str()),
            )))
        }
    };
    Ok(Some((RecipientStatus::Skipped, why.as_str().to_string())))
}

async fn enqueue_check(deps: &Deps, job: &BulkJob, delay: i32) -> Result<(), BulkError> {
    enqueue(
        deps,
        &Work::Check {
            tenant: job.tenant_id.clone(),
            job_id: job.job_id.clone(),
            watch: false,
            pass: None,
        },
        delay,
    )
    .await
}

/// Finishes the job if nothing is pending (a step of the pass that does, see [`crate::finish`]);
/// a watching check keeps watching until it is final.
async fn check(
    deps: &Deps,
    tenant: &TenantId,
    job_id: &str,
    watch: bool,
    pass: Option<Pass>,
    deadline: Instant,
) -> Result<(), BulkError> {
    let Some(job) = deps.jobs.get(tenant, job_id).await? else {
        return Ok(());
    };
    if job.finished_at.is_some() {
        return Ok(());
    }
    let now = wecare_core::time::now();
    let last = job.last_progress_at.unwrap_or(job.updated_at);
    let quiet = now - last > QUIET;
    let from = match (&pass, job.status) {
        (Some(p), _) => Some(p.from),
        (None, JobStatus::Running) if job.progress.pending == 0 || quiet => Some(JobStatus::Running),
        (None, JobStatus::Cancelled) => Some(JobStatus::Cancelled),
        _ => None,
    };
    let finished = match from {
        None => false,
        Some(from) => match finish::step(deps, &job, from, pass, deadline).await? {
            Step::Finished => true,
            Step::Continues | Step::Busy | Step::Moved => false,
            Step::NotDone(recount) if from == JobStatus::Cancelled => {
                if recount.pending > 0 {
                    enqueue(
                        deps,
                        &Work::Sweep {
                            tenant: tenant.clone(),
                            job_id: job_id.to_string(),
                        },
                        0,
                    )
                    .await?;
                }
                false
            }
            Step::NotDone(recount) => {
                // Work remains and nothing moves: the counts are repaired from the ledger, and
                // after long enough the job shows as stalled.
                let stalled = now - last > STALL_AFTER;
                deps.jobs
                    .set_stalled(tenant, job_id, stalled || job.stalled, Some(&recount), now)
                    .await?;
                false
            }
        },
    };
    if watch && !finished {
        let delay = if job.status == JobStatus::Paused {
            300
        } else {
            WATCH_EVERY
        };
        let next = Work::Check {
            tenant: tenant.clone(),
            job_id: job_id.to_string(),
            watch: true,
            pass: None,
        };
        enqueue(deps, &next, delay).await?;
    }
    Ok(())
}

/// Cancels what a cancelled job still has pending, then has it finished once sends already at
/// the provider have settled.
async fn sweep(deps: &Deps, tenant: &TenantId, job_id: &str) -> Result<(), BulkError> {
    let Some(job) = deps.jobs.get(tenant, job_id).await? else {
        return Ok(());
    };
    if job.status != JobStatus::Cancelled || job.finished_at.is_some() {
        return Ok(());
    }
    let pending = pending(deps, &job).await?;
    cancel_all(deps, &job, pending.iter().map(|p| p.contact_id)).await?;
    enqueue_check(deps, &job, SETTLE_AFTER_CANCEL).await
}

/// The job's EMF metrics: duration, throughput, failure rate and outcomes, per channel.
pub(crate) fn emit_metrics(job: &BulkJob, p: &Progress, now: DateTime<Utc>) {
    use wecare_http::metrics::emit;
    let seconds = (now - job.created_at).num_milliseconds().max(1) as f64 / 1000.0;
    let attempted = p.sent + p.failed + p.unknown;
    let failure_rate = if attempted == 0 {
        0.0
    } else {
        (p.failed + p.unknown) as f64 * 100.0 / attempted as f64
    };
    let channel = job.channel.as_str();
    emit(
        &[
            ("BulkJobDurationSeconds", "Seconds", seconds),
            ("BulkJobThroughput", "Count/Second", attempted as f64 / seconds),
            ("BulkJobFailureRate", "Percent", failure_rate),
        ],
        &[("Channel", channel)],
    );
    for (outcome, n) in [
        ("sent", p.sent),
        ("failed", p.failed),
        ("unknown", p.unknown),
        ("skipped", p.skipped_total()),
        ("cancelled", p.cancelled),
    ] {
        emit(
            &[("BulkRecipients", "Count", n as f64)],
            &[("Channel", channel), ("Outcome", outcome)],
        );
    }
}
