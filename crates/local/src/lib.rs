//! The local stack: the whole product on one machine with no AWS account.
//!
//! moto is the embedded AWS (started as a child process, DynamoDB serialized), resources are
//! provisioned from the same table definitions the CDK app uses, and an HTTP server routes
//! `/api/*` exactly as API Gateway's HTTP API would: it builds the payload-v2 event, runs the
//! `auth-middleware` authorizer, then the route's function handler, all in-process and all the
//! very code that runs in Lambda. `make dev` and the integration tests both start it from here.

pub mod aws;
pub mod bulk_pump;
pub mod demo;
pub mod functions;
pub mod gateway;
pub mod moto;
pub mod provision;
pub mod pump;
pub mod seed;

/// Starts the provider sandbox on `listener`, wired to moto and the stack's events topic;
/// `template_review` decides new templates by itself after that long (`None`: on request only).
pub fn start_sandbox(
    listener: tokio::net::TcpListener,
    sdk: &aws_config::SdkConfig,
    resources: &Resources,
    template_review: Option<std::time::Duration>,
) {
    let config = wecare_sandbox::SandboxConfig {
        sdk: sdk.clone(),
        events_topic_arn: resources.sns_topic_arn.clone(),
        account_id: "123456789012".into(),
        phone_numbers: seed::whatsapp_numbers().into_iter().map(|n| n.setting).collect(),
        // Template sends are refused as Meta refuses them (unknown, not approved, wrong language
        // or parameter count): the send path's own catalogue check is meant to stop them first.
        strict_templates: true,
        template_review,
        knowledge_base_id: seed::KNOWLEDGE_BASE_ID.into(),
        agent_id: seed::AGENT_ID.into(),
        agent_alias_id: seed::AGENT_ALIAS_ID.into(),
    };
    tokio::spawn(async move {
        if let Err(e) = wecare_sandbox::serve(listener, config).await {
            tracing::error!(error = %e, "sandbox stopped");
        }
    });
}

pub use functions::Functions;
pub use provision::Resources;
