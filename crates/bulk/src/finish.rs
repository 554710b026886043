//! Finishing a job: its whole ledger counted exactly and written out as the report, a part at a
//! time.
//!
//! The finish is the one step that reads every recipient of a job. A ledger of a few thousand
//! entries is read in a second on AWS, but one of 100,000 takes many, and the local stack's store
//! reads a few hundred entries a second: a finish done in one invocation would run past the
//! worker's timeout there, be retried from the start, and never end. So the finish is a *pass*
//! over the ledger in parts. Each invocation reads pages of it until its part is full
//! ([`crate::Config::report_part`] entries), the ledger ends or the deadline comes near; counts
//! them; writes their report lines as one part in the reports bucket; and enqueues the rest of the
//! pass as a check carrying where it stopped and what it has counted ([`Pass`]). The part that
//! reaches the end completes the count: if nothing is pending, the parts are joined into the
//! report, the tier reservation is settled and the job is finished with one conditional write
//! (so once); otherwise the recount is the answer, and the job is not finished yet.
//!
//! **At least once.** A redelivered step starts again from the same place with the same counts
//! and rewrites the same part, so a part is never counted twice. A pass holds a lease on the job
//! ([`wecare_store::bulk::BulkRepo::lease_finish`], renewed at every step) so that the checks that
//! come meanwhile do not start passes of their own; one whose worker died is taken over when its
//! lease runs out, by a new pass with its own id, under which its parts are kept apart.

use std::collections::HashMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use wecare_core::bulk::{JobStatus, Progress, RecipientOutcome};
use wecare_core::ContactId;
use wecare_store::audit::AuditEntry;
use wecare_store::bulk::{BulkJob, BulkRecipient, RecipientStatus};

use crate::report;
use crate::work::{enqueue, Work};
use crate::worker::{emit_metrics, manifest, started_by, DEADLINE_MARGIN};
use crate::{BulkError, Deps};

/// Ledger entries read with one request (DynamoDB also stops a page at 1 MB).
pub const PAGE: usize = 1000;
/// How long a pass holds the job between two of its steps. A step renews it with every page, so
/// this only has to outlast one page's read and the part's write.
pub const LEASE: chrono::Duration = chrono::Duration::seconds(90);

/// Where a pass over a job's ledger stands between two steps (carried in its check message).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pass {
    /// Names the pass's parts and its lease.
    pub id: String,
    /// The status the job is finished from: running, or cancelled.
    pub from: JobStatus,
    /// The ledger's cursor after the entries counted so far; none before the first step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Parts written so far.
    pub parts: u32,
    /// The recipients counted so far (the rest still pending).
    pub counts: Progress,
    /// Conversations the counted sends opened against the job's tier reservation.
    pub tier_used: u64,
}

impl Pass {
    pub fn start(job: &BulkJob, from: JobStatus) -> Pass {
        Pass {
            id: uuid::Uuid::now_v7().to_string(),
            from,
            after: None,
            parts: 0,
            counts: Progress::new(job.progress.total),
            tier_used: 0,
        }
    }
}

/// What a step of a pass came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The job is finished (by this pass or another).
    Finished,
    /// The job's status moved while the pass counted (it was paused): it is not finished, and is
    /// counted again once it runs.
    Moved,
    /// The pass goes on in the check it enqueued.
    Continues,
    /// Another pass holds the job.
    Busy,
    /// The whole ledger is counted and recipients are still pending: the exact counts.
    NotDone(Progress),
}

/// Counts one ledger entry into `counts` (an entry still being sent stays pending), and what its
/// send used of the tier reservation into `tier_used`.
pub fn count(counts: &mut Progress, tier_used: &mut u64, r: &BulkRecipient) {
    let outcome = match r.status {
        RecipientStatus::Pending => return,
        RecipientStatus::Sent => RecipientOutcome::Sent,
        RecipientStatus::Failed => RecipientOutcome::Failed,
        RecipientStatus::Unknown => RecipientOutcome::Unknown,
        RecipientStatus::Cancelled => RecipientOutcome::Cancelled,
        RecipientStatus::Skipped => RecipientOutcome::Skipped(
            r.reason
                .as_deref()
                .and_then(wecare_core::bulk::Exclusion::parse)
                .unwrap_or(wecare_core::bulk::Exclusion::NotOptedIn),
        ),
    };
    counts.record(outcome);
    // An unknown send may have opened a conversation; counting one that did not only errs on the
    // safe side of the limit.
    if r.tier_opened {
        *tier_used += 1;
    }
}

/// One step of the pass finishing `job` (a new pass from `from` when `pass` is none).
pub async fn step(
    deps: &Deps,
    job: &BulkJob,
    from: JobStatus,
    pass: Option<Pass>,
    deadline: Instant,
) -> Result<Step, BulkError> {
    let (tenant, job_id) = (&job.tenant_id, job.job_id.as_str());
    let mut pass = pass.unwrap_or_else(|| Pass::start(job, from));
    let lease = |now| now + LEASE;
    let now = wecare_core::time::now();
    if !deps
        .jobs
        .lease_finish(tenant, job_id, &pass.id, lease(now), now)
        .await?
    {
        return Ok(Step::Busy);
    }
    let part_size = deps.config.report_part.max(1);
    let mut rows: Vec<BulkRecipient> = Vec::new();
    // A recipient sent nothing (skipped, cancelled) has no message to take its address from: the
    // report gives the masked one the manifest holds, read once a step if a part needs it.
    let mut addresses: Option<HashMap<ContactId, String>> = None;
    loop {
        let limit = (part_size - rows.len()).min(PAGE);
        let (page, next) = deps
            .jobs
            .ledger_page(tenant, job_id, pass.after.as_deref(), i32::try_from(limit).ok())
            .await?;
        for mut r in page {
            count(&mut pass.counts, &mut pass.tier_used, &r);
            if r.address.is_none() {
                if addresses.is_none() {
                    addresses = Some(
                        manifest(deps, job)
                            .await?
                            .into_iter()
                            .map(|p| (p.contact_id, p.address))
                            .collect(),
                    );
                }
                r.address = addresses.as_ref().and_then(|a| a.get(&r.contact_id).cloned());
            }
            rows.push(r);
        }
        pass.after = next;
        if pass.after.is_none() || rows.len() >= part_size || Instant::now() + DEADLINE_MARGIN >= deadline {
            break;
        }
        let now = wecare_core::time::now();
        if !deps
            .jobs
            .lease_finish(tenant, job_id, &pass.id, lease(now), now)
            .await?
        {
            // Taken over (this step ran past its lease): the other pass counts it all again.
            return Ok(Step::Busy);
        }
    }
    let part = report::rows(&rows).map_err(|e| BulkError::s3("render report", e))?;
    report::put(deps, &report::part_key(tenant, job_id, &pass.id, pass.parts), part).await?;
    pass.parts += 1;
    if pass.after.is_some() {
        let now = wecare_core::time::now();
        if !deps
            .jobs
            .lease_finish(tenant, job_id, &pass.id, lease(now), now)
            .await?
        {
            return Ok(Step::Busy);
        }
        let next = Work::Check {
            tenant: tenant.clone(),
            job_id: job_id.to_string(),
            watch: false,
            pass: Some(pass),
        };
        enqueue(deps, &next, 0).await?;
        return Ok(Step::Continues);
    }
    if pass.counts.pending > 0 {
        deps.jobs.release_finish(tenant, job_id, &pass.id).await?;
        return Ok(Step::NotDone(pass.counts));
    }
    if complete(deps, job, &pass).await? {
        return Ok(Step::Finished);
    }
    // The closing write was refused: another pass finished the job first, or its status moved.
    match deps.jobs.get(tenant, job_id).await? {
        Some(now) if now.finished_at.is_none() => {
            deps.jobs.release_finish(tenant, job_id, &pass.id).await?;
            Ok(Step::Moved)
        }
        _ => Ok(Step::Finished),
    }
}

/// The ledger is counted and nothing is pending: the report joined from the pass's parts, the
/// tier reservation settled, and the job finished (once): whether this call finished it.
async fn complete(deps: &Deps, job: &BulkJob, pass: &Pass) -> Result<bool, BulkError> {
    let (tenant, job_id) = (&job.tenant_id, job.job_id.as_str());
    let mut body = report::header().map_err(|e| BulkError::s3("render report", e))?;
    for n in 0..pass.parts {
        let key = report::part_key(tenant, job_id, &pass.id, n);
        let part = crate::create::get_object(deps, &key).await?.ok_or_else(|| {
            BulkError::s3(
                "GetObject",
                std::io::Error::other(format!("report part {n} is missing")),
            )
        })?;
        body.extend(part);
    }
    let key = report::report_key(tenant, job_id);
    report::put(deps, &key, body).await?;
    let now = wecare_core::time::now();
    // The reservation is settled before the job is marked finished, and exactly once (the job
    // records it in the same transaction), so a crash in between leaves it to the next check.
    if let (Some(waba), true) = (&job.waba_id, job.tier_reserved > 0) {
        let once = deps.jobs.tier_settlement(tenant, job_id, pass.tier_used, now)?;
        deps.messaging
            .tier
            .settle_reservation(waba, tenant, job_id, job.tier_reserved, pass.tier_used, now, once)
            .await?;
    }
    if !deps
        .jobs
        .finish(tenant, job_id, pass.from, &pass.counts, &key, now)
        .await?
    {
        return Ok(false);
    }
    // Only the step that finished the job gets here.
    let counts = &pass.counts;
    let finished = deps.jobs.get(tenant, job_id).await?.unwrap_or_else(|| job.clone());
    let unused = finished.tier_reserved.saturating_sub(finished.tier_used);
    let mut entry = AuditEntry::new(
        &started_by(&finished),
        "bulk.job.finish",
        "bulk-job",
        job_id,
        finished.status.as_str(),
        None,
        Some(serde_json::json!({ "progress": counts, "report": key, "tierReleased": unused })),
        now,
    );
    entry.audit_id = format!("bulk-finish-{job_id}");
    deps.messaging.messages.audit_once(&entry, now).await?;
    emit_metrics(&finished, counts, now);
    tracing::info!(
        job_id,
        status = finished.status.as_str(),
        sent = counts.sent,
        failed = counts.failed,
        parts = pass.parts,
        "bulk job finished"
    );
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wecare_core::bulk::Exclusion;
    use wecare_core::TenantId;

    fn entry(status: RecipientStatus, reason: Option<&str>, tier_opened: bool) -> BulkRecipient {
        BulkRecipient {
            job_id: "job".into(),
            tenant_id: TenantId::parse("acme").expect("tenant"),
            contact_id: ContactId::new(),
            status,
            reason: reason.map(str::to_string),
            message_id: None,
            provider_message_id: None,
            address: None,
            values: HashMap::new(),
            settled_at: None,
            tier_opened,
        }
    }

    #[test]
    fn counting_a_ledger_in_parts_gives_the_counts_of_counting_it_at_once() {
        let ledger = vec![
            entry(RecipientStatus::Sent, None, true),
            entry(RecipientStatus::Pending, None, false),
            entry(
                RecipientStatus::Skipped,
                Some(Exclusion::OptedOutByKeyword.as_str()),
                false,
            ),
            entry(RecipientStatus::Unknown, None, true),
            entry(RecipientStatus::Failed, Some("131026"), false),
            entry(RecipientStatus::Cancelled, None, false),
        ];
        let (mut whole, mut whole_tier) = (Progress::new(8), 0);
        for r in &ledger {
            count(&mut whole, &mut whole_tier, r);
        }
        let (mut parts, mut parts_tier) = (Progress::new(8), 0);
        for part in ledger.chunks(4) {
            for r in part {
                count(&mut parts, &mut parts_tier, r);
            }
        }
        assert_eq!(whole, parts);
        assert_eq!((whole.sent, whole.unknown, whole.failed, whole.cancelled), (1, 1, 1, 1));
        assert_eq!(whole.skipped.get(&Exclusion::OptedOutByKeyword), Some(&1));
        assert_eq!(whole.pending, 3, "the entry still being sent and the two without one");
        assert_eq!(whole_tier, 2);
        assert!(whole.adds_up());
    }

    #[test]
    fn a_pass_survives_its_trip_through_a_queue_message() {
        let job_total = Progress::new(3);
        let pass = Pass {
            id: "p".into(),
            from: JobStatus::Cancelled,
            after: Some("cursor".into()),
            parts: 2,
            counts: job_total,
            tier_used: 1,
        };
        let json = serde_json::to_string(&pass).expect("json");
        assert_eq!(serde_json::from_str::<Pass>(&json).expect("pass"), pass);
    }
}
