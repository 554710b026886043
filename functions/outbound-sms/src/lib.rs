//! `POST /api/messages/sms`: sends an SMS to a contact who opted in to SMS.
//!
//! The body is 1–1600 characters; its GSM-7 or UCS-2 segment count is computed exactly, charged
//! to the rate limit (one token per segment), stored and returned with the message.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tracing::Instrument;
use wecare_http::{parse_json_body, Request, Response};
use wecare_messaging::{contact_id, handle_send, Deps, Outbound};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SendSmsRequest {
    pub contact_id: String,
    pub text: String,
}

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span = tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "outbound-sms");
    handle_send(deps, &req, now, "message.send.sms", |req| {
        let body: SendSmsRequest = parse_json_body(req)?;
        Ok((contact_id(&body.contact_id)?, Outbound::Sms { text: body.text }))
    })
    .instrument(span)
    .await
}
