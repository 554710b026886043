//! The provider sandbox: a wire-level stand-in for the AWS services moto does not emulate.
//!
//! The real SDK clients reach it through an endpoint override, so the functions run exactly the
//! code they run in AWS. It speaks socialmessaging (restJson1: SendWhatsAppMessage,
//! PostWhatsAppMessageMedia, GetWhatsAppMessageMedia, and the WhatsApp message template operations
//! List/Get/Create/Update/DeleteWhatsAppMessageTemplate, ListWhatsAppTemplateLibrary,
//! CreateWhatsAppMessageTemplateFromLibrary and CreateWhatsAppMessageTemplateMedia) and
//! pinpoint-sms-voice-v2 (awsJson1.0: SendTextMessage) and bedrock-agent-runtime (restJson1:
//! Retrieve, RetrieveAndGenerate, and InvokeAgent answering an event stream, over a small
//! knowledge base of the demo business with a deterministic extractive "model" that can be fooled
//! by the prompt injections documented in [`bedrock`]), validating requests as the services do;
//! keeps a ledger of every call (`GET /ledger`); fails the next N calls of an operation or adds
//! latency on request (`POST /faults`); and plays a customer by publishing EUM Social events to the
//! SNS topic in moto (`POST /customer/messages`, `POST /customer/statuses`); and plays Meta's
//! template review (`POST /templates/decide`).

mod accounts;
mod agent;
pub mod bedrock;
mod customer;
mod faults;
mod knowledge;
mod ledger;
mod sms;
mod template_library;
mod template_media;
mod templates;
mod whatsapp;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use axum::routing::{get, post};
use axum::Router;

pub use faults::Fault;
pub use ledger::LedgerEntry;

/// What the sandbox needs to reach moto.
#[derive(Clone)]
pub struct SandboxConfig {
    pub sdk: SdkConfig,
    /// The topic EUM Social publishes WhatsApp events to.
    pub events_topic_arn: String,
    pub account_id: String,
    /// WhatsApp origination phone-number ids the sandbox knows, with their Meta ids and numbers.
    pub phone_numbers: Vec<PhoneNumberSetting>,
    /// Whether SendWhatsAppMessage checks a template against the WABA's templates (exists in that
    /// language, APPROVED, right parameter count) as Meta does. Off, any template is accepted.
    pub strict_templates: bool,
    /// Meta's review played by itself: a new template is decided this long after it is submitted
    /// (approved, or rejected with INVALID_FORMAT when its name starts with `reject_`), and the
    /// decision published like one made on request. `None`: only `POST /templates/decide` decides.
    pub template_review: Option<std::time::Duration>,
    /// The one knowledge base Retrieve and RetrieveAndGenerate know (e.g. `KBWECARE01`); any
    /// other id is not found.
    pub knowledge_base_id: String,
    /// The one agent InvokeAgent knows (e.g. `AGWECARE01`), and its one alias (e.g. `TSTALIASID`,
    /// Bedrock's alias of an agent's working draft).
    pub agent_id: String,
    pub agent_alias_id: String,
}

#[derive(Clone, Debug)]
pub struct PhoneNumberSetting {
    /// `phone-number-id-…`, as SendWhatsAppMessage takes it.
    pub phone_number_id: String,
    pub meta_phone_number_id: String,
    pub display_phone_number: String,
    pub waba_id: String,
}

#[derive(Clone)]
pub(crate) struct State {
    pub config: Arc<SandboxConfig>,
    pub ledger: Arc<Mutex<Vec<LedgerEntry>>>,
    pub faults: Arc<Mutex<Vec<Fault>>>,
    /// Media the simulated customers sent, by media id, for GetWhatsAppMessageMedia.
    pub media: Arc<Mutex<std::collections::HashMap<String, customer::Media>>>,
    /// The message templates of every configured WhatsApp Business Account.
    pub templates: Arc<Mutex<Vec<templates::Template>>>,
    /// Template header handles issued by CreateWhatsAppMessageTemplateMedia, with their WABAs.
    pub header_handles: Arc<Mutex<Vec<template_media::HeaderHandle>>>,
    /// What the Bedrock agent remembers of each session.
    pub agent_sessions: Arc<Mutex<agent::Sessions>>,
    pub s3: aws_sdk_s3::Client,
    pub sns: aws_sdk_sns::Client,
}

/// The sandbox's HTTP routes.
pub fn router(config: SandboxConfig) -> Router {
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config.sdk)
            .force_path_style(true)
            .build(),
    );
    let sns = aws_sdk_sns::Client::new(&config.sdk);
    let mut wabas: Vec<String> = config.phone_numbers.iter().map(|p| p.waba_id.clone()).collect();
    wabas.sort();
    wabas.dedup();
    let state = State {
        config: Arc::new(config),
        ledger: Arc::default(),
        faults: Arc::default(),
        media: Arc::default(),
        templates: Arc::new(Mutex::new(templates::seed(&wabas))),
        header_handles: Arc::default(),
        agent_sessions: Arc::default(),
        s3,
        sns,
    };
    Router::new()
        .route("/v1/whatsapp/send", post(whatsapp::send))
        .route("/v1/whatsapp/media", post(whatsapp::post_media))
        .route("/v1/whatsapp/media/get", post(whatsapp::get_media))
        .route(
            "/v1/whatsapp/template",
            get(templates::get).post(templates::update).delete(templates::delete),
        )
        .route("/v1/whatsapp/waba/list", get(accounts::list))
        .route("/v1/whatsapp/template/list", get(templates::list))
        .route("/v1/whatsapp/template/put", post(templates::create))
        .route("/v1/whatsapp/template/library", post(template_library::list))
        .route("/v1/whatsapp/template/create", post(template_library::create))
        .route("/v1/whatsapp/template/media", post(template_media::upload))
        .route("/knowledgebases/{kb_id}/retrieve", post(bedrock::retrieve))
        .route("/retrieveAndGenerate", post(bedrock::retrieve_and_generate))
        .route(
            "/agents/{agent_id}/agentAliases/{alias_id}/sessions/{session_id}/text",
            post(agent::invoke),
        )
        .route("/templates/decide", post(templates::decide))
        .route("/", post(sms::dispatch))
        .route("/ledger", get(ledger::list).delete(ledger::clear))
        .route("/faults", post(faults::add).delete(faults::clear))
        .route("/customer/messages", post(customer::message))
        .route("/customer/statuses", post(customer::status))
        .with_state(state)
}

/// Serves the sandbox on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, config: SandboxConfig) -> anyhow::Result<()> {
    axum::serve(
        listener,
        router(config).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
