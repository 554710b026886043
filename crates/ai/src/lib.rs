//! AI reply suggestions and questions to the knowledge base, as use cases that know nothing of
//! HTTP: `ai-query-kb` and `ai-generate-response` are their edges, and the same code drafts in
//! the background when a tenant turns automation on.
//!
//! The one promise: nothing the assistant produces is sent unless an operator approves it, and
//! then only through the send pipeline (consent, window, sender, rate and tier all apply), keyed
//! by the suggestion so that approving twice sends once. See [`suggestions`].

pub mod assistant;
pub mod query;
pub mod suggestions;

use std::collections::BTreeMap;
use std::time::Duration;

use wecare_http::config::{ConfigError, Env};
use wecare_store::AiRepo;

pub use assistant::{AiError, Assistant, AssistantConfig};

/// What the AI functions read once per cold start.
#[derive(Debug, Clone)]
pub struct Config {
    pub messaging: wecare_messaging::Config,
    pub ai_interactions_table: String,
    pub assistant: AssistantConfig,
}

/// How long a Bedrock call may take by default: under API Gateway's 29 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(25);

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from(std::env::vars().collect())
    }

    /// Every missing variable, this crate's and the send path's, is named in one error.
    pub fn from(vars: BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let messaging = wecare_messaging::Config::from(Env::from_map(vars.clone()));
        let mut env = Env::from_map(vars);
        let ai_interactions_table = env.required("AI_INTERACTIONS_TABLE");
        let knowledge_base_id = env.required("AI_KNOWLEDGE_BASE_ID");
        let agent_id = env.required("AI_AGENT_ID");
        let agent_alias_id = env.required("AI_AGENT_ALIAS_ID");
        let model_arn = env.required("AI_MODEL_ARN");
        let timeout = env.optional(
            "AI_TIMEOUT_MS",
            |s: &str| s.parse::<u64>().map(Duration::from_millis).map_err(|e| e.to_string()),
            DEFAULT_TIMEOUT,
        );
        let messaging = match messaging {
            Ok(c) => Some(c),
            Err(e) => {
                e.problems.into_iter().for_each(|p| env.problem(p));
                None
            }
        };
        env.finish(|| {
            Some(Config {
                messaging: messaging?,
                ai_interactions_table,
                assistant: AssistantConfig {
                    knowledge_base_id,
                    agent_id,
                    agent_alias_id,
                    model_arn,
                    timeout,
                },
            })
        })
    }
}

/// Clients and repositories, built once per cold start.
#[derive(Clone)]
pub struct Deps {
    /// The send path (an approval sends through it), contacts, messages and settings.
    pub messaging: wecare_messaging::Deps,
    pub interactions: AiRepo,
    pub assistant: Assistant,
}

impl Deps {
    /// `dynamo` is passed in so callers can attach interceptors; Bedrock and the providers are
    /// reached at `providers`' endpoints where set (the sandbox, locally).
    pub fn new(
        config: Config,
        sdk: &aws_config::SdkConfig,
        dynamo: aws_sdk_dynamodb::Client,
        providers: &wecare_messaging::ProviderEndpoints,
    ) -> Self {
        let mut bedrock = aws_sdk_bedrockagentruntime::config::Builder::from(sdk);
        if let Some(url) = &providers.bedrock_agent_runtime {
            bedrock = bedrock.endpoint_url(url);
        }
        let assistant = Assistant::new(
            aws_sdk_bedrockagentruntime::Client::from_conf(bedrock.build()),
            config.assistant.clone(),
        );
        Deps {
            interactions: AiRepo::new(
                dynamo.clone(),
                &config.ai_interactions_table,
                &config.messaging.audit_logs_table,
            ),
            messaging: wecare_messaging::Deps::new(config.messaging, sdk, dynamo, providers),
            assistant,
        }
    }
}
