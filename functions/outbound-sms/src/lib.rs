//! `POST /api/messages/sms`: sends an SMS to a contact who opted in to SMS.
//!
//! The body is 1–1600 characters; its GSM-7 or UCS-2 segment count is computed exactly, charged
//! to the rate limit (one token per segment), stored and returned with the message.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tracing::Instrument;
use wecare_http::{parse_json_body, Request, Response};
use wecare_messaging::{Content, Deps};
use wecare_send_api::{contact_id, handle_send, SendRequest};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SendSmsRequest {
    pub contact_id: String,
    pub text: String,
    /// One of the tenant's SMS senders (pool or origination identity); the default when absent.
    pub from: Option<String>,
}

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span = tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "outbound-sms");
    handle_send(deps, &req, now, "message.send.sms", |req| {
        let body: SendSmsRequest = parse_json_body(req)?;
        Ok(SendRequest {
            contact_id: contact_id(&body.contact_id)?,
            content: Content::Sms { text: body.text },
            from: body.from,
        })
    })
    .instrument(span)
    .await
}
