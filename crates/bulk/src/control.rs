//! `bulk-job-control`: reading jobs and their recipients, and pause, resume and cancel.
//!
//! Every control is one conditional write on the job's status (`BulkRepo::control`), so two
//! operators racing cannot both win and an illegal transition is refused by DynamoDB itself.
//! Resume enqueues only the recipients still pending; cancel enqueues a sweep that cancels them
//! (chunks in flight cancel their own), and the job is finished from its ledger after that.

use chrono::{DateTime, Utc};
use serde::Serialize;
use wecare_core::bulk::{eta_seconds, Control, IllegalTransition, JobStatus};
use wecare_core::TenantId;
use wecare_store::audit::{AuditContext, AuditEntry};
use wecare_store::bulk::{BulkJob, BulkRecipient, ControlError, ListError, Page, RecipientStatus, SecondCount};

use crate::work::{enqueue, Work};
use crate::worker::{enqueue_pending, STALL_AFTER, WATCH_EVERY};
use crate::{BulkError, Deps};

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("bulk job not found")]
    NotFound,
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    #[error("the report is written when the job has finished")]
    ReportNotReady,
    #[error(transparent)]
    List(#[from] ListError),
    #[error(transparent)]
    Bulk(#[from] BulkError),
}

impl From<wecare_store::StoreError> for JobError {
    fn from(e: wecare_store::StoreError) -> Self {
        JobError::Bulk(e.into())
    }
}

/// A job as the console shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobView {
    #[serde(flatten)]
    pub job: BulkJob,
    pub report_ready: bool,
    /// While the tenant's quiet hours hold an unfinished job's sends: when they end.
    #[serde(with = "wecare_core::time::iso_opt", skip_serializing_if = "Option::is_none")]
    pub quiet_until: Option<DateTime<Utc>>,
}

impl JobView {
    /// `quiet_until`: when the tenant's quiet hours in force now end ([`quiet_until`]).
    pub fn of(mut job: BulkJob, now: DateTime<Utc>, quiet_until: Option<DateTime<Utc>>) -> JobView {
        let working = matches!(job.status, JobStatus::Running | JobStatus::Pending) && job.progress.pending > 0;
        let quiet_until = quiet_until.filter(|_| working);
        // Work remains and nothing has moved for long: a chunk is stuck (in bulk-dlq, or failing).
        // Not while quiet hours hold it: that is waiting, not stuck.
        let last = job.last_progress_at.unwrap_or(job.updated_at);
        if job.status == JobStatus::Running
            && quiet_until.is_none()
            && job.progress.pending > 0
            && now - last > STALL_AFTER
        {
            job.stalled = true;
        }
        JobView {
            report_ready: job.report_key.is_some(),
            job,
            quiet_until,
        }
    }
}

/// When the tenant's quiet hours, if they hold now, end: what a job's view says of a job waiting
/// for them (read eventually consistently, as the worker reads them).
pub async fn quiet_until(
    deps: &Deps,
    tenant: &TenantId,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, BulkError> {
    let stored = deps
        .messaging
        .settings
        .get(tenant, false)
        .await
        .map_err(BulkError::Settings)?;
    Ok(stored.settings.quiet_hours.and_then(|q| q.holds_until(now)))
}

/// A job with its pace: the rate over the last seconds, the time left, and the chart's points.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobDetail {
    pub job: JobView,
    pub rate_per_second: f64,
    pub eta_seconds: Option<u64>,
    pub series: Vec<SecondCount>,
}

/// Seconds of the chart.
const SERIES_SECONDS: i32 = 600;
/// The current rate is measured over this many recent seconds.
const RATE_WINDOW: i64 = 10;

pub async fn list(
    deps: &Deps,
    tenant: &TenantId,
    status: Option<JobStatus>,
    limit: i32,
    after: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Page<JobView>, JobError> {
    let page = deps.jobs.list(tenant, status, limit, after).await?;
    let quiet = quiet_until(deps, tenant, now).await?;
    Ok(Page {
        items: page.items.into_iter().map(|j| JobView::of(j, now, quiet)).collect(),
        next_cursor: page.next_cursor,
    })
}

pub async fn detail(deps: &Deps, tenant: &TenantId, job_id: &str, now: DateTime<Utc>) -> Result<JobDetail, JobError> {
    let job = deps.jobs.get(tenant, job_id).await?.ok_or(JobError::NotFound)?;
    let series = deps.jobs.series(tenant, job_id, SERIES_SECONDS).await?;
    let recent: u64 = series
        .iter()
        .filter(|p| (now - p.at).num_seconds() <= RATE_WINDOW)
        .map(|p| p.sent + p.failed)
        .sum();
    let rate = if job.status == JobStatus::Running {
        recent as f64 / RATE_WINDOW as f64
    } else {
        0.0
    };
    let pending = job.progress.pending;
    let eta = match job.status {
        JobStatus::Running | JobStatus::Pending if pending > 0 => {
            // At the measured rate once there is one, else at the sender's configured rate.
            let configured = deps
                .config
                .messaging
                .senders
                .resolve(tenant, job.channel, Some(&job.sender))
                .map(|s| s.rate.per_second)
                .unwrap_or(1.0);
            Some(eta_seconds(pending, if rate > 0.0 { rate } else { configured }))
        }
        JobStatus::Running | JobStatus::Pending => Some(0),
        _ => None,
    };
    let view = JobView::of(job, now, quiet_until(deps, tenant, now).await?);
    // Held by quiet hours, the rest starts when they end.
    let eta = match (eta, view.quiet_until) {
        (Some(left), Some(until)) => Some(left + (until - now).num_seconds().max(0) as u64),
        (eta, _) => eta,
    };
    Ok(JobDetail {
        job: view,
        rate_per_second: rate,
        eta_seconds: eta,
        series,
    })
}

pub async fn recipients(
    deps: &Deps,
    tenant: &TenantId,
    job_id: &str,
    status: RecipientStatus,
    limit: i32,
    after: Option<&str>,
) -> Result<Page<BulkRecipient>, JobError> {
    let job = deps.jobs.get(tenant, job_id).await?.ok_or(JobError::NotFound)?;
    if status == RecipientStatus::Pending {
        // Pending recipients have no ledger entry (see the store): the manifest less the ledger.
        let mut all: Vec<BulkRecipient> = crate::worker::pending(deps, &job)
            .await?
            .into_iter()
            .map(|p| BulkRecipient {
                job_id: job.job_id.clone(),
                tenant_id: job.tenant_id.clone(),
                contact_id: p.contact_id,
                status: RecipientStatus::Pending,
                reason: None,
                message_id: None,
                provider_message_id: None,
                address: Some(p.address),
                values: p.values.into_iter().collect(),
                settled_at: None,
                tier_opened: false,
            })
            .collect();
        all.sort_by_key(|r| r.contact_id);
        let start = after
            .and_then(wecare_core::ContactId::parse)
            .map(|a| all.partition_point(|r| r.contact_id <= a))
            .unwrap_or(0);
        let end = (start + limit.max(1) as usize).min(all.len());
        let next = (end < all.len()).then(|| all[end - 1].contact_id.to_string());
        return Ok(Page {
            items: all[start..end].to_vec(),
            next_cursor: next,
        });
    }
    Ok(deps.jobs.recipients(tenant, job_id, status, limit, after).await?)
}

/// Pause, resume or cancel, audited.
pub async fn control(
    deps: &Deps,
    ctx: &AuditContext,
    job_id: &str,
    c: Control,
    now: DateTime<Utc>,
) -> Result<JobView, JobError> {
    let tenant = &ctx.principal.tenant_id;
    let job = match deps.jobs.control(tenant, job_id, c, now).await {
        Ok(j) => j,
        Err(ControlError::NotFound) => return Err(JobError::NotFound),
        Err(ControlError::Illegal(i)) => return Err(JobError::Illegal(i)),
        Err(ControlError::Store(e)) => return Err(e.into()),
    };
    match c {
        Control::Pause => {}
        Control::Resume => {
            if job.expanded {
                let n = enqueue_pending(deps, &job).await?;
                tracing::info!(job_id, pending = n, "resumed: pending recipients enqueued again");
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
                .await?;
            } else {
                // Paused before its expansion finished: the expansion enqueues once it has.
                enqueue(
                    deps,
                    &Work::Expand {
                        tenant: tenant.clone(),
                        job_id: job_id.to_string(),
                    },
                    0,
                )
                .await?;
            }
        }
        Control::Cancel => {
            // A moment's delay lets chunks in flight see the cancel and settle their own sends.
            enqueue(
                deps,
                &Work::Sweep {
                    tenant: tenant.clone(),
                    job_id: job_id.to_string(),
                },
                2,
            )
            .await?;
        }
    }
    let entry = AuditEntry::new(
        ctx,
        &format!("bulk.job.{}", c.as_str()),
        "bulk-job",
        job_id,
        "success",
        None,
        Some(serde_json::json!({ "status": job.status.as_str(), "progress": job.progress })),
        now,
    );
    deps.messaging.messages.audit_once(&entry, now).await?;
    Ok(JobView::of(job, now, quiet_until(deps, tenant, now).await?))
}

/// A short-lived URL of the job's report.
pub async fn report(
    deps: &Deps,
    tenant: &TenantId,
    job_id: &str,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), JobError> {
    let job = deps.jobs.get(tenant, job_id).await?.ok_or(JobError::NotFound)?;
    let key = job.report_key.ok_or(JobError::ReportNotReady)?;
    let url = crate::report::download_url(deps, &key, now).await?;
    Ok((
        url,
        now + chrono::Duration::from_std(crate::report::DOWNLOAD_TTL).unwrap_or_default(),
    ))
}
