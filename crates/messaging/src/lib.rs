//! The one send pipeline of the platform, independent of HTTP.
//!
//! A caller — an outbound API function, the inbound handler confirming a STOP, and soon the bulk
//! worker, DLQ replay and AI approvals — builds a [`SendCommand`] (tenant, actor, contact, channel
//! content, sender, idempotency key, now) and [`send`] answers a [`SendOutcome`]: sent, dry run,
//! refused with a stable code, failed with the provider's code, unknown, or in progress. How the
//! pipeline records before it sends and settles after is described in [`pipeline`]; the API's
//! status codes are decided at its edge (`wecare-send-api`), never here.

pub mod catalogue;
pub mod command;
pub mod config;
pub mod dead_letter;
pub mod media;
pub mod pace;
pub mod pipeline;
pub mod providers;

use aws_config::SdkConfig;
use wecare_store::{ContactsRepo, MessagesRepo, RateLimiter, SettingsRepo, StoreError, TierTracker};

use crate::media::MediaBucket;

pub use command::{
    system_context, Actor, Content, MediaRequest, Refusal, SendCommand, SendOutcome, SystemPurpose, TemplateRequest,
    WhatsAppContent,
};
pub use config::{Config, SendMode};
pub use pace::Pacer;
pub use pipeline::{send, send_reporting};

/// A failure of the platform itself (not of the send): the caller answers 500 or retries.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("the media bucket could not be read")]
    Media(#[source] Box<media::MediaError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Clone)]
pub struct Deps {
    pub config: Config,
    pub contacts: ContactsRepo,
    pub messages: MessagesRepo,
    pub limiter: RateLimiter,
    pub tier: TierTracker,
    pub media: MediaBucket,
    /// Media ids of files already handed to WhatsApp, reused while fresh.
    pub handed_over: media::HandedOver,
    pub alerts: aws_sdk_sns::Client,
    pub providers: providers::Providers,
    pub catalogue: catalogue::TemplateCatalogue,
    /// The tenant's settings (a campaign's quiet hours; the settings page).
    pub settings: SettingsRepo,
}

impl Deps {
    /// `dynamo` is passed in so callers can attach interceptors; providers use `sdk`, where the
    /// sandbox endpoints are configured locally.
    pub fn new(
        config: Config,
        sdk: &SdkConfig,
        dynamo: aws_sdk_dynamodb::Client,
        provider_sdk: &ProviderEndpoints,
    ) -> Self {
        Deps {
            contacts: ContactsRepo::new(dynamo.clone(), &config.contacts_table, &config.audit_logs_table),
            messages: MessagesRepo::new(
                dynamo.clone(),
                &config.messages_table,
                &config.bulk_recipients_table,
                &config.audit_logs_table,
            ),
            limiter: RateLimiter::new(dynamo.clone(), &config.rate_limit_table),
            tier: TierTracker::new(dynamo.clone(), &config.rate_limit_table),
            settings: SettingsRepo::new(dynamo.clone(), &config.system_config_table, &config.audit_logs_table),
            catalogue: catalogue::TemplateCatalogue::new(sdk, provider_sdk, dynamo, &config.system_config_table),
            media: MediaBucket::new(sdk, &config.media_bucket),
            handed_over: media::HandedOver::default(),
            alerts: aws_sdk_sns::Client::new(sdk),
            providers: providers::Providers::new(sdk, provider_sdk),
            config,
        }
    }
}

/// Where the providers are reached: the real endpoints in AWS, the sandbox locally.
#[derive(Debug, Clone, Default)]
pub struct ProviderEndpoints {
    pub social_messaging: Option<String>,
    pub sms_voice: Option<String>,
    /// Bedrock's agent runtime (knowledge base and agent), for the AI functions.
    pub bedrock_agent_runtime: Option<String>,
}
