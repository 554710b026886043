//! `POST /api/messages/email`: sends an email (subject plus text and/or HTML) through SES to a
//! contact who opted in to email.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tracing::Instrument;
use wecare_http::{parse_json_body, Request, Response};
use wecare_messaging::{Content, Deps};
use wecare_send_api::{contact_id, handle_send, SendRequest};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SendEmailRequest {
    pub contact_id: String,
    pub subject: String,
    pub text: Option<String>,
    pub html: Option<String>,
    /// One of the tenant's email senders; the tenant's default when absent.
    pub from: Option<String>,
}

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span = tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "outbound-email");
    handle_send(deps, &req, now, "message.send.email", |req| {
        let b: SendEmailRequest = parse_json_body(req)?;
        Ok(SendRequest {
            contact_id: contact_id(&b.contact_id)?,
            content: Content::Email {
                subject: b.subject,
                text: b.text,
                html: b.html,
            },
            from: b.from,
        })
    })
    .instrument(span)
    .await
}
