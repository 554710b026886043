//! Bulk campaigns, independent of HTTP and of Lambda: what `bulk-job-create`, `bulk-worker` and
//! `bulk-job-control` do, each function being only the edge that decodes its event.
//!
//! The life of a job:
//! 1. **Accept** ([`create`]): the recipients are resolved and judged (the preview, which creates
//!    nothing and keeps its plan for the create that confirms it), the operator's confirmation and
//!    the tier are checked, the resolved list becomes the job's manifest in the reports bucket
//!    (copied from the confirmed preview, so a job of any size is accepted in a few requests), the
//!    tier capacity is reserved, and the job is written PENDING with one `expand` message on
//!    `bulk-queue`.
//! 2. **Expand** ([`worker`]): the contacts a CSV's rows carry consent for are created, and the
//!    manifest becomes chunks of exactly 100 recipients on the queue; the job is RUNNING.
//! 3. **Send** ([`worker`]): each recipient goes through the one send pipeline with the key
//!    (job, recipient), paced by the sender's bucket. Its message record is its ledger entry
//!    (in the job's partition of BulkRecipients), claimed before the provider call and settled after it
//!    with its outcome, so nobody is sent or counted twice however often a chunk arrives, and a
//!    recipient costs no write beyond its message's two.
//! 4. **Finish** ([`finish`]): when nothing is pending the ledger is counted exactly and written
//!    out as the CSV report, a part per invocation however big the job, and the job completes with
//!    one conditional write.
//!
//! Operators pause, resume and cancel through [`control`]; every transition is one conditional
//! write on the job's status.

pub mod control;
pub mod create;
pub mod finish;
pub mod plan;
pub mod report;
pub mod request;
pub mod work;
pub mod worker;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use wecare_core::bulk::JobStatus;
use wecare_core::{Region, TenantId};
use wecare_http::config::{ConfigError, Env};
use wecare_store::BulkRepo;

/// Configuration of the three bulk functions, read once per cold start.
#[derive(Debug, Clone)]
pub struct Config {
    /// The send pipeline's (senders, rates, tier, tables).
    pub messaging: wecare_messaging::Config,
    pub jobs_table: String,
    pub queue_url: String,
    /// CSV uploads (`imports/`), job manifests (`manifests/`) and reports (`reports/`).
    pub reports_bucket: String,
    /// How phone numbers without a country code (in a CSV) are read.
    pub default_region: Region,
    /// Ledger entries a finishing job reads and writes out as one part of its report in one
    /// invocation, at most (`BULK_REPORT_PART`, 10,000 by default: a few requests on AWS).
    pub report_part: usize,
}

/// See [`Config::report_part`].
pub const DEFAULT_REPORT_PART: usize = 10_000;

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from(Env::from_process())
    }

    pub fn from(env: Env) -> Result<Self, ConfigError> {
        let messaging = wecare_messaging::Config::from(env.clone());
        let mut env = env;
        let jobs_table = env.required("BULK_JOBS_TABLE");
        let queue_url = env.required("BULK_QUEUE_URL");
        let reports_bucket = env.required("REPORTS_BUCKET");
        let default_region = env.parsed("DEFAULT_PHONE_REGION", Region::parse);
        let report_part = env.optional(
            "BULK_REPORT_PART",
            |v| match v.parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err("must be a whole number above 0"),
            },
            DEFAULT_REPORT_PART,
        );
        let messaging = match messaging {
            Ok(m) => Some(m),
            Err(e) => {
                env.problem(e.to_string());
                None
            }
        };
        env.finish(|| {
            Some(Config {
                messaging: messaging?,
                jobs_table,
                queue_url,
                reports_bucket,
                default_region: default_region?,
                report_part,
            })
        })
    }
}

type SlotPool = Arc<Mutex<HashMap<String, Vec<Arc<wecare_messaging::pace::Slots>>>>>;

/// Jobs' statuses as last read, by (tenant, job): the chunks one worker runs at once share one
/// read per [`worker::STATUS_POLL`] instead of each reading it.
type StatusCache = Arc<Mutex<HashMap<(TenantId, String), (std::time::Instant, Option<JobStatus>)>>>;

fn slot_key(sender: &wecare_core::sender::Sender) -> String {
    format!("{}@{}", sender.rate_bucket(), sender.rate.per_second)
}

/// Clients and repositories, built once per cold start.
#[derive(Clone)]
pub struct Deps {
    pub config: Config,
    pub messaging: wecare_messaging::Deps,
    pub jobs: BulkRepo,
    pub sqs: aws_sdk_sqs::Client,
    pub s3: aws_sdk_s3::Client,
    /// Send slots left over by finished chunks, per sender bucket, for the next chunk.
    slots: SlotPool,
    statuses: StatusCache,
}

impl Deps {
    pub fn new(
        config: Config,
        sdk: &SdkConfig,
        dynamo: aws_sdk_dynamodb::Client,
        providers: &wecare_messaging::ProviderEndpoints,
    ) -> Self {
        let messaging = wecare_messaging::Deps::new(config.messaging.clone(), sdk, dynamo.clone(), providers);
        Deps {
            // The one S3 client of the send path (the media bucket's) serves the reports bucket too.
            s3: messaging.media.s3().clone(),
            messaging,
            jobs: BulkRepo::new(dynamo, &config.jobs_table, &config.messaging.bulk_recipients_table),
            sqs: aws_sdk_sqs::Client::new(sdk),
            slots: Default::default(),
            statuses: Default::default(),
            config,
        }
    }

    /// The same dependencies with another SQS client (the local stack's, with an operation log).
    pub fn with_sqs(self, sqs: aws_sdk_sqs::Client) -> Self {
        Deps { sqs, ..self }
    }

    /// A pacer for one chunk from `sender`: the slots an earlier chunk left, or new ones.
    pub fn pacer(&self, sender: &wecare_core::sender::Sender) -> wecare_messaging::Pacer {
        let left = self
            .slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(&slot_key(sender))
            .and_then(Vec::pop);
        let slots = left.unwrap_or_else(|| {
            Arc::new(wecare_messaging::pace::Slots::new(
                self.messaging.limiter.clone(),
                sender,
            ))
        });
        wecare_messaging::Pacer::sharing(slots)
    }

    /// A job's status (`None`: the job is gone), read at most once per half [`worker::STATUS_POLL`]
    /// by this worker whatever number of its chunks ask, so a poll never sees a status older than
    /// that: a pause or cancel is seen within 1.5 polls.
    pub async fn job_status(
        &self,
        tenant: &TenantId,
        job_id: &str,
    ) -> Result<Option<JobStatus>, wecare_store::StoreError> {
        let key = (tenant.clone(), job_id.to_string());
        let cached = self
            .statuses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .copied();
        if let Some((read_at, status)) = cached {
            if read_at.elapsed() < worker::STATUS_POLL / 2 {
                return Ok(status);
            }
        }
        let read_at = std::time::Instant::now();
        let status = self.jobs.status(tenant, job_id).await?;
        let mut statuses = self.statuses.lock().unwrap_or_else(|p| p.into_inner());
        statuses.retain(|_, (at, _)| at.elapsed() < std::time::Duration::from_secs(60));
        statuses.insert(key, (read_at, status));
        Ok(status)
    }

    /// Hands a finished chunk's slots on to the next chunk from the same sender.
    pub fn hand_on(&self, sender: &wecare_core::sender::Sender, pacer: &wecare_messaging::Pacer) {
        self.slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(slot_key(sender))
            .or_default()
            .push(pacer.slots());
    }
}

/// A failure of the platform itself (DynamoDB, S3, SQS): the caller answers 500, or lets the
/// queue deliver the work again.
#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    #[error(transparent)]
    Store(#[from] wecare_store::StoreError),
    #[error(transparent)]
    Send(#[from] wecare_messaging::SendError),
    #[error("S3 {operation} failed")]
    S3 {
        operation: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("SQS {operation} failed")]
    Sqs {
        operation: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("the job's manifest is unreadable")]
    Manifest(#[source] serde_json::Error),
    #[error("the tenant's settings could not be read")]
    Settings(#[source] wecare_store::settings::ReadError),
}

impl BulkError {
    pub(crate) fn s3(operation: &'static str, e: impl std::error::Error + Send + Sync + 'static) -> Self {
        BulkError::S3 {
            operation,
            source: Box::new(e),
        }
    }

    pub(crate) fn sqs(operation: &'static str, e: impl std::error::Error + Send + Sync + 'static) -> Self {
        BulkError::Sqs {
            operation,
            source: Box::new(e),
        }
    }
}
