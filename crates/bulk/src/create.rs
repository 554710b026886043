//! Accepting a job (`bulk-job-create`): the CSV upload URL, the preview, and the create itself.
//!
//! **A create is accepted from the preview it confirms.** The preview plans (reads only) and keeps
//! the plan in the reports bucket for [`PREVIEW_TTL`] under a `previewId` — nothing of the product
//! is written: no job, contact, reservation or audit entry. A create that names a recent preview
//! of the same sender, content and recipients, while no contact of the tenant has been written
//! since (`ContactsRepo::changes` has not moved), is accepted from it in a few requests whatever
//! the size of the job: a new plan would be the same, so the confirmation is checked against the
//! count that preview showed, the tier against its business-initiated conversations, and its
//! recipients become the job's manifest by a copy inside S3. Otherwise the create plans again
//! (as long as reading its recipients takes), and a count that changed since the preview asks for
//! confirmation again. Recipients are judged again anyway when they are sent.
//!
//! Then it reserves the tier, writes the job PENDING and enqueues one `expand` message. A rejected
//! request writes nothing; the tier reservation is one guarded write, so two jobs created together
//! cannot overbook the account, and a job that is not written gives its reservation back.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wecare_core::bulk::{check_confirmation, ConfirmationRequired, Exclusion, Progress};
use wecare_core::sender::Sender;
use wecare_core::{IdempotencyKey, TenantId};
use wecare_store::audit::{AuditContext, AuditEntry};
use wecare_store::bulk::BulkJob;

use crate::plan::{plan, upload_key, PlanRefusal, Planned};
use crate::request::{Invalid, JobRequest, JobSpec};
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

/// How long a preview can be created from.
pub const PREVIEW_TTL: chrono::Duration = chrono::Duration::minutes(15);

/// What a preview showed, kept for the create that confirms it (its recipients are kept beside
/// it, in [`preview_manifest_key`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewSnapshot {
    /// [`JobSpec::fingerprint`] of the request previewed.
    pub fingerprint: String,
    /// The tenant's contact writes counted before the plan was made (`ContactsRepo::changes`):
    /// while it has not moved, the plan is what a new one would be.
    pub contacts_changes: u64,
    pub planned_at: DateTime<Utc>,
    pub sender: String,
    pub eligible: u64,
    pub business_initiated: u64,
    pub over_tier: u64,
    /// Excluded recipients by reason (the non-zero ones).
    pub excluded: BTreeMap<String, u64>,
}

pub fn preview_key(tenant: &TenantId, preview: &uuid::Uuid) -> String {
    format!("previews/{tenant}/{preview}/summary.json")
}

pub fn preview_manifest_key(tenant: &TenantId, preview: &uuid::Uuid) -> String {
    format!("previews/{tenant}/{preview}/manifest.json")
}

/// The preview: the plan, kept for [`PREVIEW_TTL`] under the `previewId` it answers with
/// (nothing of the product is written).
pub async fn preview(
    deps: &Deps,
    tenant: &TenantId,
    req: JobRequest,
    now: DateTime<Utc>,
) -> Result<serde_json::Value, CreateError> {
    let spec = req.check()?;
    // Read before the plan: a contact written while it is made moves the count past this.
    let contacts_changes = deps.messaging.contacts.changes(tenant).await.map_err(BulkError::from)?;
    let plan = plan(deps, tenant, &spec, now).await??;
    let mut answer = plan.preview();
    if plan.eligible_count() > 0 {
        let id = uuid::Uuid::new_v4();
        let snapshot = PreviewSnapshot {
            fingerprint: spec.fingerprint(&plan.sender.id),
            contacts_changes,
            planned_at: now,
            sender: plan.sender.id.clone(),
            eligible: plan.eligible_count(),
            business_initiated: plan.business_initiated(),
            over_tier: plan.excluded.get(&Exclusion::OverTier).map_or(0, |o| o.len() as u64),
            excluded: excluded_counts(&plan.excluded_counts()),
        };
        // The recipients first: a summary is only ever found with its manifest beside it.
        put_json(deps, &preview_manifest_key(tenant, &id), &plan.eligible).await?;
        put_json(deps, &preview_key(tenant, &id), &snapshot).await?;
        answer["previewId"] = serde_json::json!(id);
        answer["previewExpiresAt"] = serde_json::json!(wecare_core::time::iso(now + PREVIEW_TTL));
    }
    Ok(answer)
}

fn excluded_counts(counts: &BTreeMap<Exclusion, u64>) -> BTreeMap<String, u64> {
    counts
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(e, n)| (e.as_str().to_string(), *n))
        .collect()
}

/// The object at `key` in the reports bucket (an upload, a manifest, a preview); `None` if there
/// is none.
pub(crate) async fn get_object(deps: &Deps, key: &str) -> Result<Option<Vec<u8>>, BulkError> {
    let got = deps
        .s3
        .get_object()
        .bucket(&deps.config.reports_bucket)
        .key(key)
        .send()
        .await;
    match got {
        Ok(o) => Ok(Some(
            o.body
                .collect()
                .await
                .map_err(|e| BulkError::s3("GetObject", e))?
                .to_vec(),
        )),
        Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => Ok(None),
        Err(e) => Err(BulkError::s3("GetObject", e)),
    }
}

/// Writes `value` as JSON to `key` in the reports bucket (a manifest, a preview).
pub(crate) async fn put_json(deps: &Deps, key: &str, value: &impl Serialize) -> Result<(), BulkError> {
    let body = serde_json::to_vec(value).map_err(BulkError::Manifest)?;
    deps.s3
        .put_object()
        .bucket(&deps.config.reports_bucket)
        .key(key)
        .content_type("application/json")
        .body(body.into())
        .send()
        .await
        .map_err(|e| BulkError::s3("PutObject", e))?;
    Ok(())
}

/// The preview `spec` names, if it is of this request and recent enough to create from.
async fn usable_preview(
    deps: &Deps,
    tenant: &TenantId,
    spec: &JobSpec,
    sender: &Sender,
    now: DateTime<Utc>,
) -> Result<Option<(uuid::Uuid, PreviewSnapshot)>, BulkError> {
    let Some(id) = spec.preview_id else {
        return Ok(None);
    };
    // Unknown, or of another tenant (the key holds the tenant): planned again.
    let Some(body) = get_object(deps, &preview_key(tenant, &id)).await? else {
        return Ok(None);
    };
    let Ok(snapshot) = serde_json::from_slice::<PreviewSnapshot>(&body) else {
        return Ok(None);
    };
    let recent = snapshot.fingerprint == spec.fingerprint(&sender.id)
        && snapshot.sender == sender.id
        && now - snapshot.planned_at <= PREVIEW_TTL
        && snapshot.planned_at <= now;
    // No contact written since: a new plan would count exactly what the preview showed.
    let unchanged = recent && deps.messaging.contacts.changes(tenant).await? == snapshot.contacts_changes;
    Ok(unchanged.then_some((id, snapshot)))
}

/// What a job is accepted with: its counts, and where its recipients come from.
struct Accepted {
    sender: Sender,
    eligible: u64,
    business_initiated: u64,
    over_tier: u64,
    excluded: BTreeMap<String, u64>,
    recipients: Recipients,
}

enum Recipients {
    /// Planned by this request.
    Planned(Vec<Planned>),
    /// Kept by the preview the request confirmed (its manifest's key).
    Previewed(String),
}

/// Plans `spec`, or takes the plan of the preview it confirms.
async fn accepted(deps: &Deps, tenant: &TenantId, spec: &JobSpec, now: DateTime<Utc>) -> Result<Accepted, CreateError> {
    let sender = deps
        .config
        .messaging
        .senders
        .resolve(tenant, spec.channel, spec.sender.as_deref())
        .map_err(PlanRefusal::Sender)?
        .clone();
    if let Some((id, snapshot)) = usable_preview(deps, tenant, spec, &sender, now).await? {
        tracing::info!(preview_id = %id, eligible = snapshot.eligible, "accepted from its preview");
        return Ok(Accepted {
            sender,
            eligible: snapshot.eligible,
            business_initiated: snapshot.business_initiated,
            over_tier: snapshot.over_tier,
            excluded: snapshot.excluded,
            recipients: Recipients::Previewed(preview_manifest_key(tenant, &id)),
        });
    }
    let plan = plan(deps, tenant, spec, now).await??;
    Ok(Accepted {
        eligible: plan.eligible_count(),
        business_initiated: plan.business_initiated(),
        over_tier: plan.excluded.get(&Exclusion::OverTier).map_or(0, |o| o.len() as u64),
        excluded: excluded_counts(&plan.excluded_counts()),
        sender: plan.sender,
        recipients: Recipients::Planned(plan.eligible),
    })
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
    let accepted = accepted(deps, tenant, &spec, now).await?;
    let eligible = accepted.eligible;
    if eligible == 0 {
        return Err(CreateError::NothingEligible);
    }
    check_confirmation(eligible, spec.confirmed_count)?;
    let needed = accepted.business_initiated;
    if accepted.over_tier > 0 {
        return Err(CreateError::Tier {
            fits: needed,
            needed: needed + accepted.over_tier,
        });
    }
    let waba = accepted.sender.waba_id.clone();
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
    let written = write_job(deps, ctx, &spec, &accepted, &job_id, waba.clone(), now).await;
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
    spec: &JobSpec,
    accepted: &Accepted,
    job_id: &str,
    waba: Option<String>,
    now: DateTime<Utc>,
) -> Result<Option<BulkJob>, BulkError> {
    let tenant = &ctx.principal.tenant_id;
    let key = manifest_key(tenant, job_id);
    match &accepted.recipients {
        Recipients::Planned(eligible) => put_json(deps, &key, eligible).await?,
        // A copy inside S3: no byte of a hundred thousand recipients passes through here.
        Recipients::Previewed(from) => {
            deps.s3
                .copy_object()
                .bucket(&deps.config.reports_bucket)
                .copy_source(format!("{}/{from}", deps.config.reports_bucket))
                .key(&key)
                .content_type("application/json")
                .send()
                .await
                .map_err(|e| BulkError::s3("CopyObject", e))?;
        }
    }
    let job = BulkJob {
        job_id: job_id.to_string(),
        tenant_id: tenant.clone(),
        name: spec.name.clone(),
        channel: spec.channel,
        sender: accepted.sender.id.clone(),
        content: serde_json::to_value(&spec.content).map_err(BulkError::Manifest)?,
        status: wecare_core::bulk::JobStatus::Pending,
        progress: Progress::new(accepted.eligible),
        excluded: accepted.excluded.clone().into_iter().collect(),
        tier_reserved: accepted.business_initiated,
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
