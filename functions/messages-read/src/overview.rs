//! `GET /api/overview?utcOffsetMinutes=`: the console's home — the tenant's messages per channel
//! and milestone for each hour of today and each of the last seven days (the reader's days, from
//! their offset), delivery and read rates, the WhatsApp tier's use against its limit, the depth of
//! each dead-letter queue (for Admins, who may replay them) and the running bulk jobs' progress.
//!
//! Everything is read from what is kept as messages are written, in a bounded number of requests
//! whatever the volume: one Query of the tenant's counters (at most 7 × 24 × 3 items, see
//! `wecare_store::overview`), one GetItem per WhatsApp Business Account of the tenant's numbers
//! (the tier's count), one Query of the tenant's newest jobs, and SQS's approximate depth of each
//! queue. Anyone who may read messages may read it (Viewers too: it is messages, counted); only the
//! queues' depth is kept to Admins. A queue's depth counts every tenant's messages there (SQS
//! knows no tenants); the Failed messages page shows which are the caller's.

use aws_sdk_sqs::types::QueueAttributeName;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use wecare_core::bulk::{JobStatus, Progress};
use wecare_core::dlq::DlqQueue;
use wecare_core::overview::{summarise, UtcOffset, Window};
use wecare_core::{Channel, Permission, TenantId};
use wecare_http::guard::{authorize, Attempt};
use wecare_http::{query_param, ApiError, Request};
use wecare_store::bulk::ListError;
use wecare_store::StoreError;

use crate::Deps;

/// The newest jobs looked at for running ones: a tenant runs a few at once, and the newest are
/// the running ones; an older job still running past this many newer ones is not shown.
const JOBS_LOOKED_AT: i32 = 25;

/// What can go wrong with an overview.
#[derive(Debug, thiserror::Error)]
pub enum OverviewError {
    #[error("must be a whole number of minutes from -720 to 840 (the reader's offset from UTC)")]
    Offset,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Jobs(#[from] ListError),
}

/// The one mapping of the overview's errors to the API's.
fn api_error(e: OverviewError) -> ApiError {
    match e {
        OverviewError::Offset => ApiError::validation("utcOffsetMinutes", &e),
        OverviewError::Store(e) => ApiError::internal(&e),
        OverviewError::Jobs(e) => ApiError::internal(&e),
    }
}

fn offset(req: &Request) -> Result<UtcOffset, OverviewError> {
    match query_param(req, "utcOffsetMinutes") {
        None => Ok(UtcOffset::UTC),
        Some(raw) => raw
            .trim()
            .parse::<i32>()
            .ok()
            .and_then(UtcOffset::from_minutes)
            .ok_or(OverviewError::Offset),
    }
}

/// One WhatsApp Business Account's tier: business-initiated conversations of the last 24 hours.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Tier {
    waba_id: String,
    /// The tenant's numbers on the account.
    numbers: Vec<String>,
    /// Conversations counted now: those of the last 24 hours, and possibly some just older that the
    /// next send retires (it is read, not swept), so never less than the use.
    used: u64,
    limit: u64,
    /// Where the 80 % warning starts.
    warn_at: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct QueueDepth {
    queue: DlqQueue,
    /// Messages waiting (SQS's approximate count); `None` when SQS did not answer.
    depth: Option<u64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RunningJob {
    job_id: String,
    name: Option<String>,
    channel: Channel,
    status: JobStatus,
    progress: Progress,
    stalled: bool,
    created_at: String,
}

pub async fn overview(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let attempt = Attempt {
        permission: Permission::ReadMessages,
        action: "overview.read",
        resource_type: "overview",
        resource_id: "*",
    };
    let contacts = &deps.messaging.contacts;
    let ctx = authorize(contacts.client(), contacts.audit_table(), req, attempt, now).await?;
    let window = Window::new(now, offset(req).map_err(api_error)?);
    let tenant = &ctx.principal.tenant_id;
    let with_queues = ctx.principal.role.can(Permission::ManageDlq);
    let (counters, tiers, jobs, queues) = tokio::join!(
        deps.messaging.messages.overview().read(tenant, &window, now),
        tiers(deps, tenant),
        running_jobs(deps, tenant),
        async {
            match with_queues {
                true => Some(depths(deps).await),
                false => None,
            }
        },
    );
    let summary = summarise(&window, counters.map_err(|e| api_error(e.into()))?);
    Ok(json!({
        "generatedAt": wecare_core::time::iso(now),
        "messages": summary,
        "tier": tiers.map_err(api_error)?,
        "runningJobs": jobs.map_err(api_error)?,
        "deadLetterQueues": queues,
    }))
}

/// The tier of each business account the tenant's WhatsApp numbers are on.
pub(crate) async fn tiers(deps: &Deps, tenant: &TenantId) -> Result<Vec<Tier>, OverviewError> {
    let config = &deps.messaging.config;
    let mut accounts: Vec<(String, Vec<String>)> = Vec::new();
    for sender in config.senders.of_tenant(tenant, Some(Channel::WhatsApp)) {
        let Some(waba) = &sender.waba_id else { continue };
        match accounts.iter_mut().find(|(w, _)| w == waba) {
            Some((_, numbers)) => numbers.push(sender.label.clone()),
            None => accounts.push((waba.clone(), vec![sender.label.clone()])),
        }
    }
    let limit = config.whatsapp_tier_limit;
    let mut out = Vec::with_capacity(accounts.len());
    for (waba, numbers) in accounts {
        out.push(Tier {
            used: deps.messaging.tier.peek(&waba).await?,
            waba_id: waba,
            numbers,
            limit,
            warn_at: wecare_store::tier::warning_threshold(limit),
        });
    }
    Ok(out)
}

async fn running_jobs(deps: &Deps, tenant: &TenantId) -> Result<Vec<RunningJob>, OverviewError> {
    let page = deps
        .jobs
        .list(tenant, Some(JobStatus::Running), JOBS_LOOKED_AT, None)
        .await?;
    Ok(page
        .items
        .into_iter()
        .map(|j| RunningJob {
            job_id: j.job_id,
            name: j.name,
            channel: j.channel,
            status: j.status,
            progress: j.progress,
            stalled: j.stalled,
            created_at: wecare_core::time::iso(j.created_at),
        })
        .collect())
}

/// Each dead-letter queue's approximate depth, asked of SQS for the three at once. A queue SQS
/// does not answer for is shown without one (logged), rather than failing the whole overview.
async fn depths(deps: &Deps) -> Vec<QueueDepth> {
    let asked = DlqQueue::ALL.map(|queue| async move {
        let out = deps
            .sqs
            .get_queue_attributes()
            .queue_url(deps.queues.url(queue))
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await;
        let depth = match out {
            Ok(o) => o
                .attributes
                .and_then(|mut a| a.remove(&QueueAttributeName::ApproximateNumberOfMessages))
                .and_then(|n| n.parse::<u64>().ok()),
            Err(e) => {
                tracing::warn!(queue = queue.as_str(), error = %aws_sdk_sqs::error::DisplayErrorContext(&e), "queue depth not read");
                None
            }
        };
        QueueDepth { queue, depth }
    });
    futures::future::join_all(asked).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_offset_is_a_validation_error_of_its_parameter() {
        let e = api_error(OverviewError::Offset);
        assert_eq!(e.code, wecare_core::ErrorCode::ValidationFailed);
        assert!(e.message.starts_with("utcOffsetMinutes: "), "{}", e.message);
    }
}
