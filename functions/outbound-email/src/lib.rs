//! `POST /api/messages/email`: sends an email (subject plus text and/or HTML) through SES to a
//! contact who opted in to email.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tracing::Instrument;
use wecare_http::{parse_json_body, Request, Response};
use wecare_messaging::{contact_id, handle_send, Deps, Outbound};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SendEmailRequest {
    pub contact_id: String,
    pub subject: String,
    pub text: Option<String>,
    pub html: Option<String>,
}

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span = tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "outbound-email");
    handle_send(deps, &req, now, "message.send.email", |req| {
        let b: SendEmailRequest = parse_json_body(req)?;
        Ok((
            contact_id(&b.contact_id)?,
            Outbound::Email {
                subject: b.subject,
                text: b.text,
                html: b.html,
            },
        ))
    })
    .instrument(span)
    .await
}
