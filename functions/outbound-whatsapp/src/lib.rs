//! `POST /api/messages/whatsapp`: sends a WhatsApp text (inside the 24 h window) or an approved
//! template (any time) to a contact who opted in to WhatsApp, from an allowlisted number.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tracing::Instrument;
use wecare_http::{parse_json_body, Request, Response};
use wecare_messaging::{contact_id, handle_send, Deps, Outbound, TemplateRequest};
use wecare_store::messages::Template;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SendWhatsAppRequest {
    pub contact_id: String,
    pub text: Option<String>,
    pub template: Option<TemplateRequest>,
    /// The origination phone-number id; the deployment's first allowed number by default.
    pub from: Option<String>,
}

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span =
        tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "outbound-whatsapp");
    handle_send(deps, &req, now, "message.send.whatsapp", |req| {
        let b: SendWhatsAppRequest = parse_json_body(req)?;
        let template = b.template.map(|t| Template {
            name: t.name,
            language: t.language,
            parameters: t.parameters,
        });
        Ok((
            contact_id(&b.contact_id)?,
            Outbound::WhatsApp {
                text: b.text,
                template,
                from: b.from,
            },
        ))
    })
    .instrument(span)
    .await
}
