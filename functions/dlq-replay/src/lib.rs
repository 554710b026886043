//! `GET /api/dlq/{queue}` and `POST /api/dlq/{queue}/replay`: an Admin's view of what failed in
//! `inbound-dlq`, `bulk-dlq` and `outbound-dlq`, and the replay of it by the logic of each
//! message's original consumer (see [`replay`]). Only Admins (`ManageDlq`); only the caller's
//! tenant's messages are shown or replayed, and what no tenant owns is shown to nobody
//! ([`decode`]). An unknown queue is not found.

pub mod decode;
pub mod queue;
pub mod replay;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;
use tracing::Instrument;
use wecare_core::dlq::{DeadLetterQueues, DlqQueue};
use wecare_core::Permission;
use wecare_http::config::{ConfigError, Env};
use wecare_http::guard::{authorize, Attempt};
use wecare_http::{error_response, json_response, parse_json_body, path_param, route_key, ApiError, Request, Response};
use wecare_store::{AuditContext, DlqRepo};

use crate::replay::{ListError, ReplayError, ReplayRequest};

/// The queues this function reads and writes.
#[derive(Debug, Clone)]
pub struct Queues {
    pub dead_letters: DeadLetterQueues,
    /// Where bulk work is put back.
    pub bulk_queue: String,
}

impl Queues {
    /// The URL of a dead-letter queue.
    pub fn dlq(&self, q: DlqQueue) -> &str {
        self.dead_letters.url(q)
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// The inbound handler's configuration (the send path's within it, and the URLs of
    /// `inbound-dlq` and `outbound-dlq`): a replay runs that handler and that send path.
    pub inbound: inbound_whatsapp_handler::Config,
    pub queues: Queues,
    pub dlq_messages_table: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from(std::env::vars().collect())
    }

    /// Every missing or malformed variable, this function's and the inbound handler's, is named
    /// in one error.
    pub fn from(vars: BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let inbound = inbound_whatsapp_handler::Config::from(vars.clone());
        let mut env = Env::from_map(vars);
        let bulk_dlq = env.required("BULK_DLQ_URL");
        let bulk_queue = env.required("BULK_QUEUE_URL");
        let dlq_messages_table = env.required("DLQ_MESSAGES_TABLE");
        let inbound = match inbound {
            Ok(c) => Some(c),
            Err(e) => {
                e.problems.into_iter().for_each(|p| env.problem(p));
                None
            }
        };
        env.finish(|| {
            let inbound = inbound?;
            Some(Config {
                queues: Queues {
                    dead_letters: DeadLetterQueues {
                        inbound: inbound.inbound_dlq_url.clone(),
                        bulk: bulk_dlq,
                        outbound: inbound.outbound_dlq_url.clone(),
                    },
                    bulk_queue,
                },
                inbound,
                dlq_messages_table,
            })
        })
    }
}

/// Clients and repositories, built once per cold start.
pub struct Deps {
    /// The inbound handler's dependencies: what a replayed event runs on, the send path (its
    /// `send`), and the SQS client the queues are read with.
    pub inbound: inbound_whatsapp_handler::Deps,
    pub records: DlqRepo,
    pub queues: Queues,
}

impl Deps {
    /// `dynamo` is passed in so callers can attach interceptors; providers use `sdk`.
    pub fn new(
        config: Config,
        sdk: &aws_config::SdkConfig,
        dynamo: aws_sdk_dynamodb::Client,
        providers: &wecare_messaging::ProviderEndpoints,
    ) -> Self {
        Deps {
            records: DlqRepo::new(dynamo.clone(), &config.dlq_messages_table),
            inbound: inbound_whatsapp_handler::Deps::new(config.inbound, sdk, dynamo, providers),
            queues: config.queues,
        }
    }

    /// The same dependencies with another SQS client (the local stack's, with an operation log).
    pub fn with_sqs(mut self, sqs: aws_sdk_sqs::Client) -> Self {
        self.inbound.sqs = sqs;
        self
    }
}

/// The one mapping of the listing's errors to the API's.
fn list_error(e: ListError) -> ApiError {
    match e {
        ListError::Sqs(e) => ApiError::internal(&e),
        ListError::Store(e) => ApiError::internal(&e),
    }
}

/// The one mapping of the replay's errors to the API's.
fn replay_error(e: ReplayError) -> ApiError {
    match e {
        ReplayError::Selection(s) => ApiError::validation(s.field(), &s),
        ReplayError::Sqs(e) => ApiError::internal(&e),
    }
}

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span = tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "dlq-replay");
    async {
        let result = match route_key(&req) {
            "POST /api/dlq/{queue}/replay" => replay_route(deps, &req, now).await,
            _ => list_route(deps, &req, now).await,
        };
        match result {
            Ok(v) => json_response(200, &v),
            Err(e) => error_response(&e),
        }
    }
    .instrument(span)
    .await
}

/// The permission first, for every request: an Operator is refused whatever queue they name.
async fn allowed(deps: &Deps, req: &Request, action: &str, now: DateTime<Utc>) -> Result<AuditContext, ApiError> {
    let attempt = Attempt {
        permission: Permission::ManageDlq,
        action,
        resource_type: "dlq",
        resource_id: path_param(req, "queue").unwrap_or("*"),
    };
    let contacts = &deps.inbound.send.contacts;
    authorize(contacts.client(), contacts.audit_table(), req, attempt, now).await
}

fn queue_of(req: &Request) -> Result<DlqQueue, ApiError> {
    path_param(req, "queue")
        .and_then(DlqQueue::parse)
        .ok_or_else(|| ApiError::not_found("dead-letter queue"))
}

fn json<T: serde::Serialize>(v: T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|e| ApiError::internal(&e))
}

async fn list_route(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = allowed(deps, req, "dlq.list", now).await?;
    let queue = queue_of(req)?;
    let listing = replay::list(deps, &ctx.principal.tenant_id, queue, now)
        .await
        .map_err(list_error)?;
    json(listing)
}

async fn replay_route(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = allowed(deps, req, "dlq.replay", now).await?;
    let queue = queue_of(req)?;
    let body: ReplayRequest = parse_json_body(req)?;
    let done = replay::replay(deps, &ctx, queue, body, now)
        .await
        .map_err(replay_error)?;
    json(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_variable_of_either_config_is_named() {
        let err = Config::from(BTreeMap::new()).unwrap_err().to_string();
        for var in [
            "BULK_DLQ_URL",
            "BULK_QUEUE_URL",
            "DLQ_MESSAGES_TABLE",
            "SEND_MODE",
            "SENDERS",
        ] {
            assert!(err.contains(&format!("{var} is not set")), "{var}: {err}");
        }
        // With the send path configured, the inbound handler's own variables are named too.
        let messaging: BTreeMap<String, String> = [
            ("SEND_MODE", "DRY_RUN"),
            ("WHATSAPP_META_API_VERSION", "v20.0"),
            ("RATE_WHATSAPP_PER_SECOND", "80"),
            ("RATE_SMS_PER_SECOND", "5"),
            ("RATE_EMAIL_PER_SECOND", "10"),
            ("SENDERS", "[]"),
            ("CONTACTS_TABLE", "c"),
            ("MESSAGES_TABLE", "m"),
            ("BULK_RECIPIENTS_TABLE", "br"),
            ("AUDIT_LOGS_TABLE", "a"),
            ("RATE_LIMIT_TRACKERS_TABLE", "r"),
            ("SYSTEM_CONFIG_TABLE", "s"),
            ("WHATSAPP_TIER_LIMIT", "250"),
            ("ALERTS_TOPIC_ARN", "arn"),
            ("MEDIA_BUCKET", "b"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let err = Config::from(messaging.clone()).unwrap_err().to_string();
        for var in [
            "INBOUND_DLQ_URL",
            "OUTBOUND_DLQ_URL",
            "MEDIA_FILES_TABLE",
            "BULK_DLQ_URL",
        ] {
            assert!(err.contains(&format!("{var} is not set")), "{var}: {err}");
        }
        let mut complete = messaging;
        for (k, v) in [
            ("MEDIA_FILES_TABLE", "mf"),
            ("DEFAULT_PHONE_REGION", "IN"),
            ("INBOUND_DLQ_URL", "https://sqs/inbound-dlq"),
            ("OUTBOUND_DLQ_URL", "https://sqs/outbound-dlq"),
            ("BULK_DLQ_URL", "https://sqs/bulk-dlq"),
            ("BULK_QUEUE_URL", "https://sqs/bulk-queue"),
            ("AI_QUEUE_URL", "https://sqs/ai-queue"),
            ("DLQ_MESSAGES_TABLE", "d"),
        ] {
            complete.insert(k.to_string(), v.to_string());
        }
        let config = Config::from(complete).unwrap();
        assert_eq!(config.queues.dlq(DlqQueue::Outbound), "https://sqs/outbound-dlq");
        assert_eq!(config.queues.dlq(DlqQueue::Inbound), "https://sqs/inbound-dlq");
    }
}
