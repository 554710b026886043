//! The functions of the product, built as Lambda builds them: each from its own `Config` read
//! from an environment map (the one the CDK app sets in production), with clients made once.

use std::collections::BTreeMap;

use anyhow::Context;
use aws_config::SdkConfig;
use chrono::{DateTime, Utc};
use serde_json::Value;
use wecare_http::config::Env;
use wecare_http::{AuthorizerRequest, AuthorizerResponse, Request, Response};
use wecare_store::OperationLog;

pub struct Functions {
    authorizer: auth_middleware::Deps,
    contacts: wecare_contacts::Deps,
    messaging: wecare_messaging::Deps,
    inbound: inbound_whatsapp_handler::Deps,
    bulk: wecare_bulk::Deps,
    dlq: dlq_replay::Deps,
    messages_read: messages_read::Deps,
    users: users::Deps,
    ai: wecare_ai::Deps,
}

impl Functions {
    /// `dynamo_log` and `sqs_log`, when given, record every DynamoDB and SQS operation the
    /// functions perform.
    /// `providers` points the provider SDK clients at the sandbox.
    pub fn new(
        sdk: &SdkConfig,
        env: &BTreeMap<String, String>,
        providers: &wecare_messaging::ProviderEndpoints,
        dynamo_log: Option<OperationLog>,
        sqs_log: Option<OperationLog>,
    ) -> anyhow::Result<Self> {
        let mut conf = aws_sdk_dynamodb::config::Builder::from(sdk);
        if let Some(log) = dynamo_log {
            conf = conf.interceptor(log);
        }
        let dynamo = aws_sdk_dynamodb::Client::from_conf(conf.build());
        let mut sqs = aws_sdk_sqs::config::Builder::from(sdk);
        if let Some(log) = sqs_log {
            sqs = sqs.interceptor(log);
        }
        let sqs = aws_sdk_sqs::Client::from_conf(sqs.build());
        let auth_config = auth_middleware::Config::from(Env::from_map(env.clone())).context("auth-middleware")?;
        let contacts_config = wecare_contacts::Config::from(Env::from_map(env.clone())).context("contacts")?;
        let messaging_config = wecare_messaging::Config::from(Env::from_map(env.clone())).context("messaging")?;
        let inbound_config = inbound_whatsapp_handler::Config::from(env.clone()).context("inbound-whatsapp-handler")?;
        let bulk_config = wecare_bulk::Config::from(Env::from_map(env.clone())).context("bulk")?;
        let dlq_config = dlq_replay::Config::from(env.clone()).context("dlq-replay")?;
        let messages_read_config = messages_read::Config::from(env.clone()).context("messages-read")?;
        let users_config = users::Config::from(Env::from_map(env.clone())).context("users")?;
        let ai_config = wecare_ai::Config::from(env.clone()).context("ai")?;
        Ok(Functions {
            authorizer: auth_middleware::Deps::new(&auth_config, dynamo.clone(), reqwest::Client::new()),
            contacts: wecare_contacts::Deps::new(dynamo.clone(), &contacts_config),
            messaging: wecare_messaging::Deps::new(messaging_config, sdk, dynamo.clone(), providers),
            inbound: inbound_whatsapp_handler::Deps::new(inbound_config, sdk, dynamo.clone(), providers),
            dlq: dlq_replay::Deps::new(dlq_config, sdk, dynamo.clone(), providers).with_sqs(sqs.clone()),
            messages_read: messages_read::Deps::new(messages_read_config, sdk, dynamo.clone(), providers)
                .with_sqs(sqs.clone()),
            users: users::Deps::new(&users_config, sdk, dynamo.clone()),
            ai: wecare_ai::Deps::new(ai_config, sdk, dynamo.clone(), providers),
            bulk: wecare_bulk::Deps::new(bulk_config, sdk, dynamo, providers).with_sqs(sqs),
        })
    }

    pub async fn authorize(&self, req: AuthorizerRequest, now: DateTime<Utc>) -> AuthorizerResponse<Value> {
        auth_middleware::handle(&self.authorizer, req, now).await
    }

    /// Invokes the inbound handler with an SNS event, as Lambda does for the events topic.
    pub async fn inbound(
        &self,
        event: aws_lambda_events::event::sns::SnsEvent,
        now: DateTime<Utc>,
    ) -> Result<(), inbound_whatsapp_handler::InboundError> {
        inbound_whatsapp_handler::handle(&self.inbound, event, now).await
    }

    /// Invokes `bulk-worker` with an SQS event, as the event source mapping does; `deadline_ms`
    /// is the invocation's end in epoch milliseconds (Lambda's timeout).
    pub async fn bulk_worker(
        &self,
        event: aws_lambda_events::event::sqs::SqsEvent,
        deadline_ms: u64,
    ) -> aws_lambda_events::event::sqs::SqsBatchResponse {
        bulk_worker::handle(&self.bulk, event, deadline_ms).await
    }

    /// Invokes `ai-generate-response` with a batch from `ai-queue`, as its event source does.
    pub async fn ai_drafts(
        &self,
        event: aws_lambda_events::event::sqs::SqsEvent,
    ) -> aws_lambda_events::event::sqs::SqsBatchResponse {
        ai_generate_response::drafts(&self.ai, event).await
    }

    /// Invokes `whatsapp-templates` with the schedule's event, as EventBridge does: catalogues
    /// older than the configured age are synced.
    pub async fn refresh_templates(
        &self,
        now: DateTime<Utc>,
    ) -> Result<whatsapp_templates::Refreshed, whatsapp_templates::EventError> {
        whatsapp_templates::refresh(&self.messaging, now).await
    }

    /// Invokes the function named in the route table; `None` if no such function is wired.
    pub async fn invoke(&self, function: &str, req: Request, now: DateTime<Utc>) -> Option<Response> {
        let (c, m) = (&self.contacts, &self.messaging);
        Some(match function {
            "users" => users::handle(&self.users, req, now).await,
            "contacts-create" => contacts_create::handle(c, req, now).await,
            "contacts-read" => contacts_read::handle(c, req, now).await,
            "contacts-update" => contacts_update::handle(c, req, now).await,
            "contacts-delete" => contacts_delete::handle(c, req, now).await,
            "contacts-search" => contacts_search::handle(c, req, now).await,
            "outbound-whatsapp" => outbound_whatsapp::handle(m, req, now).await,
            "whatsapp-templates" => whatsapp_templates::handle(m, req, now).await,
            "outbound-sms" => outbound_sms::handle(m, req, now).await,
            "outbound-email" => outbound_email::handle(m, req, now).await,
            "messages-read" => messages_read::handle(&self.messages_read, req, now).await,
            "bulk-job-create" => bulk_job_create::handle(&self.bulk, req, now).await,
            "bulk-job-control" => bulk_job_control::handle(&self.bulk, req, now).await,
            "dlq-replay" => dlq_replay::handle(&self.dlq, req, now).await,
            "ai-query-kb" => ai_query_kb::handle(&self.ai, req, now).await,
            "ai-generate-response" => ai_generate_response::handle(&self.ai, req, now).await,
            _ => return None,
        })
    }
}
