//! Accepting a job (`bulk-job-create`): the CSV upload URL, the preview, and the create itself.
//!
//! Create is fast whatever the size of the job: it plans (reads only), then writes the manifest to
//! S3, reserves the tier, writes the job PENDING and enqueues one `expand` message. A rejected
//! request writes nothing; the tier reservation is one guarded write, so two jobs created together
//! cannot overbook the account, and a job that is not written gives its reservation back.

use chrono::{DateTime, Utc};
use wecare_core::bulk::{check_confirmation, ConfirmationRequired, Exclusion, Progress};
use wecare_core::{IdempotencyKey, TenantId};
use wecare_store::audit::{AuditContext, AuditEntry};
use wecare_store::bulk::BulkJob;

use crate::plan::{plan, upload_key, Plan, PlanRefusal};
use crate::request::{Invalid, JobRequest};
use crate::work::{enqueue, Work};
use crate::{BulkError, Deps};

/// How long an upload URL may be used.
pub const UPLOAD_TTL: std::time::Duration = std::time::Duration::from_secs(15 * 60);

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Plan(#[from] PlanRefusal),
    #[error(transparent)]
    Confirmation(#[from] ConfirmationRequired),
    #[error(
        "the WhatsApp messaging tier has room for {fits} more business-initiated conversations in 24 hours \
         and this job needs {needed}; send fewer, or wait for conversations to expire"
    )]
    Tier { fits: u64, needed: u64 },
    #[error("no recipient is eligible; look at the preview's exclusions")]
    NothingEligible,
    #[error(transparent)]
    Bulk(#[from] BulkError),
}

/// Where the browser puts a recipients CSV.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Upload {
    pub upload_id: uuid::Uuid,
    pub url: String,
    pub method: &'static str,
    pub headers: serde_json::Value,
    pub expires_at: DateTime<Utc>,
}

/// A presigned PUT for a new CSV of `tenant`.
pub async fn upload(deps: &Deps, tenant: &TenantId, now: DateTime<Utc>) -> Result<Upload, BulkError> {
    let upload_id = uuid::Uuid::new_v4();
    let presigning = wecare_messaging::media::presigning(now, UPLOAD_TTL).map_err(|e| BulkError::s3("presign", e))?;
    let req = deps
        .s3
        .put_object()
        .bucket(&deps.config.reports_bucket)
        .key(upload_key(tenant, &upload_id))
        .content_type("text/csv")
        .presigned(presigning)
        .await
        .map_err(|e| BulkError::s3("presign", e))?;
    Ok(Upload {
        upload_id,
        url: req.uri().to_string(),
        method: "PUT",
        headers: serde_json::json!({ "content-type": "text/csv" }),
        expires_at: now + chrono::Duration::from_std(UPLOAD_TTL).unwrap_or_default(),
    })
}

/// The preview: the plan, nothing written.
pub async fn preview(
    deps: &Deps,
    tenant: &TenantId,
    req: JobRequest,
    now: DateTime<Utc>,
) -> Result<serde_json::Value, CreateError> {
    let spec = req.check()?;
    let plan = plan(deps, tenant, &spec, now).await??;
    Ok(plan.preview())
}

/// The key of a job's manifest.
pub fn manifest_key(tenant: &TenantId, job_id: &str) -> String {
    format!("manifests/{tenant}/{job_id}.json")
}

/// Accepts a job: the job as written (PENDING) and whether this call created it (a repeat of the
/// same idempotency key answers the job the first call created).
pub async fn create(
    deps: &Deps,
    ctx: &AuditContext,
    req: JobRequest,
    key: Option<IdempotencyKey>,
    now: DateTime<Utc>,
) -> Result<(BulkJob, bool), CreateError> {
    let tenant = &ctx.principal.tenant_id;
    let spec = req.check()?;
    let job_id = match &key {
        Some(k) => IdempotencyKey::derived(&["bulk-job", k.as_str()]).message_id(tenant),
        None => uuid::Uuid::now_v7().to_string(),
    };
    if key.is_some() {
        if let Some(existing) = deps.jobs.get(tenant, &job_id).await.map_err(BulkError::from)? {
            return Ok((existing, false));
        }
    }
    let plan = plan(deps, tenant, &spec, now).await??;
    let eligible = plan.eligible_count();
    if eligible == 0 {
        return Err(CreateError::NothingEligible);
    }
    check_confirmation(eligible, spec.confirmed_count)?;
    let needed = plan.business_initiated();
    if let Some(over) = plan.excluded.get(&Exclusion::OverTier).filter(|o| !o.is_empty()) {
        return Err(CreateError::Tier {
            fits: needed,
            needed: needed + over.len() as u64,
        });
    }
    let waba = plan.sender.waba_id.clone();
    if needed > 0 {
        let limit = deps.config.messaging.whatsapp_tier_limit;
        let waba = waba.as_deref().unwrap_or_default();
        // One guarded write: a job created at the same moment cannot take the same capacity.
        if deps
            .messaging
            .tier
            .reserve(waba, needed, limit, now)
            .await
            .map_err(BulkError::from)?
            .is_none()
        {
            let used = deps.messaging.tier.peek(waba).await.map_err(BulkError::from)?;
            return Err(CreateError::Tier {
                fits: limit.saturating_sub(used),
                needed,
            });
        }
    }
    let release = |why: &'static str| {
        let (tier, waba) = (deps.messaging.tier.clone(), waba.clone());
        async move {
            if needed > 0 {
                if let Err(e) = tier.release_reserved(waba.as_deref().unwrap_or_default(), needed).await {
                    tracing::error!(error = %e, why, "tier reservation not given back");
                }
            }
        }
    };
    let written = write_job(deps, ctx, &spec, &plan, &job_id, waba.clone(), now).await;
    let job = match written {
        Ok(Some(job)) => job,
        Ok(None) => {
            // The same key won a moment ago: that job holds its own reservation.
            release("duplicate job").await;
            let existing = deps.jobs.get(tenant, &job_id).await.map_err(BulkError::from)?;
            return existing.map(|j| (j, false)).ok_or(CreateError::NothingEligible);
        }
        Err(e) => {
            release("job not written").await;
            return Err(e.into());
        }
    };
    if let Err(e) = enqueue(
        deps,
        &Work::Expand {
            tenant: tenant.clone(),
            job_id: job_id.clone(),
        },
        0,
    )
    .await
    {
        // Without its expansion the job would wait forever: it is cancelled, its capacity returned.
        let _ = deps
            .jobs
            .control(tenant, &job_id, wecare_core::bulk::Control::Cancel, now)
            .await;
        release("expansion not enqueued").await;
        return Err(e.into());
    }
    let mut entry = AuditEntry::new(
        ctx,
        "bulk.job.create",
        "bulk-job",
        &job_id,
        "success",
        None,
        Some(serde_json::json!({
            "name": job.name, "channel": job.channel.as_str(), "sender": job.sender,
            "eligible": eligible, "excluded": job.excluded, "tierReserved": needed,
        })),
        now,
    );
    entry.audit_id = format!("bulk-create-{job_id}");
    deps.messaging
        .messages
        .audit_once(&entry, now)
        .await
        .map_err(BulkError::from)?;
    tracing::info!(job_id = %job_id, eligible, channel = job.channel.as_str(), "bulk job accepted");
    Ok((job, true))
}

/// Writes the manifest, then the job; `None` if a job with this id exists already.
async fn write_job(
    deps: &Deps,
    ctx: &AuditContext,
    spec: &crate::request::JobSpec,
    plan: &Plan,
    job_id: &str,
    waba: Option<String>,
    now: DateTime<Utc>,
) -> Result<Option<BulkJob>, BulkError> {
    let tenant = &ctx.principal.tenant_id;
    let key = manifest_key(tenant, job_id);
    let body = serde_json::to_vec(&plan.eligible).map_err(BulkError::Manifest)?;
    deps.s3
        .put_object()
        .bucket(&deps.config.reports_bucket)
        .key(&key)
        .content_type("application/json")
        .body(body.into())
        .send()
        .await
        .map_err(|e| BulkError::s3("PutObject", e))?;
    let job = BulkJob {
        job_id: job_id.to_string(),
        tenant_id: tenant.clone(),
        name: spec.name.clone(),
        channel: spec.channel,
        sender: plan.sender.id.clone(),
        content: serde_json::to_value(&spec.content).map_err(BulkError::Manifest)?,
        status: wecare_core::bulk::JobStatus::Pending,
        progress: Progress::new(plan.eligible_count()),
        excluded: plan
            .excluded_counts()
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(e, n)| (e.as_str().to_string(), n))
            .collect(),
        tier_reserved: plan.business_initiated(),
        waba_id: waba,
        tier_used: 0,
        tier_settled_at: None,
        manifest_key: key,
        expanded: false,
        stalled: false,
        last_progress_at: None,
        report_key: None,
        created_by: ctx.principal.user_id.to_string(),
        created_at: now,
        updated_at: now,
        finished_at: None,
    };
    Ok(deps.jobs.create(&job).await?.then_some(job))
}
