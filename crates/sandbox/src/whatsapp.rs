//! socialmessaging (restJson1): SendWhatsAppMessage, PostWhatsAppMessageMedia,
//! GetWhatsAppMessageMedia, with the service's validation and error shapes. With
//! `strict_templates`, a template message is checked against the sending number's WABA templates.

use axum::extract::State as AxState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde_json::{json, Value};

use crate::faults;
use crate::ledger::record;
use crate::State;

const SERVICE: &str = "socialmessaging";

/// A restJson1 error as the SDK parses it: code in `x-amzn-ErrorType`, text in `message`.
pub(crate) fn error(status: u16, code: &str, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [
            ("x-amzn-ErrorType", code.to_string()),
            ("content-type", "application/json".into()),
        ],
        json!({ "message": message }).to_string(),
    )
        .into_response()
}

fn valid_phone_number_id(id: &str) -> bool {
    let plain = |s: &str| {
        s.strip_prefix("phone-number-id-")
            .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric()))
    };
    plain(id) || id.rsplit('/').next().is_some_and(plain) && id.starts_with("arn:aws:social-messaging:")
}

fn phone_number_id_of(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

/// An answer whose headers go out and whose body never completes: the connection is dropped
/// after the request was taken.
pub(crate) fn dropped() -> Response {
    let body = futures::stream::once(async {
        Err::<Vec<u8>, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "dropped by the sandbox",
        ))
    });
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        axum::body::Body::from_stream(body),
    )
        .into_response()
}

/// Answers with an injected fault, or runs `ok` and records the call either way. `ok` returns what
/// the ledger keeps and what goes over the wire (the ledger may know more, e.g. the wamid).
pub(crate) async fn guarded(
    state: &State,
    operation: &str,
    request: Value,
    ok: impl std::future::Future<Output = Result<(Value, Value), (u16, &'static str, String)>>,
) -> Response {
    let action = faults::take(state, operation).await;
    if let faults::Action::Fail(f) = &action {
        record(
            state,
            SERVICE,
            operation,
            request,
            f.status,
            json!({ "error": f.code, "message": f.message }),
        );
        return error(f.status, &f.code, &f.message);
    }
    match ok.await {
        Ok((kept, wire)) => {
            record(state, SERVICE, operation, request, 200, kept);
            match action {
                faults::Action::Drop => dropped(),
                faults::Action::StatusFirst { status, wait } => {
                    let published =
                        crate::customer::publish_status_of(state, wire["messageId"].as_str(), &status).await;
                    if let Err(e) = published {
                        tracing::warn!(error = %e, "statusFirst: the status could not be published");
                    }
                    tokio::time::sleep(wait).await;
                    Json(wire).into_response()
                }
                _ => Json(wire).into_response(),
            }
        }
        Err((status, code, message)) => {
            record(
                state,
                SERVICE,
                operation,
                request,
                status,
                json!({ "error": code, "message": message }),
            );
            error(status, code, &message)
        }
    }
}

pub(crate) async fn send(AxState(state): AxState<State>, body: String) -> Response {
    let Ok(req) = serde_json::from_str::<Value>(&body) else {
        return error(400, "ValidationException", "request body is not JSON");
    };
    let decoded = req["message"]
        .as_str()
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
    let mut logged = req.clone();
    logged["message"] = decoded.clone().unwrap_or(Value::Null);
    let st = state.clone();
    guarded(&state, "SendWhatsAppMessage", logged, async move {
        let origination = req["originationPhoneNumberId"].as_str().unwrap_or("");
        if !valid_phone_number_id(origination) {
            return Err((
                400,
                "ValidationException",
                format!("originationPhoneNumberId {origination:?} is not a phone number id"),
            ));
        }
        if req["metaApiVersion"].as_str().unwrap_or("").is_empty() {
            return Err((400, "ValidationException", "metaApiVersion is required".into()));
        }
        let Some(number) = st
            .config
            .phone_numbers
            .iter()
            .find(|p| p.phone_number_id == phone_number_id_of(origination))
        else {
            return Err((
                404,
                "ResourceNotFoundException",
                format!("phone number {origination} not found"),
            ));
        };
        let Some(message) = decoded else {
            return Err((
                400,
                "ValidationException",
                "message must be base64 of a WhatsApp message object".into(),
            ));
        };
        if message["messaging_product"] != "whatsapp" {
            return Err((
                400,
                "InvalidParametersException",
                "messaging_product must be whatsapp".into(),
            ));
        }
        if message["to"].as_str().is_none() && message["recipient"].as_str().is_none() {
            return Err((400, "InvalidParametersException", "to or recipient is required".into()));
        }
        let kind = message["type"].as_str().unwrap_or("text");
        if message[kind].is_null() {
            return Err((
                400,
                "InvalidParametersException",
                format!("{kind} object is required for type {kind}"),
            ));
        }
        if kind == "template" && st.config.strict_templates {
            crate::templates::check_send(&st, &number.waba_id, &message[kind])?;
        }
        // The wamid is Meta's id: the caller learns it only from status events, so it is kept
        // in the ledger (for the customer simulation) and not returned.
        let message_id = uuid::Uuid::new_v4().to_string();
        let wamid = format!("wamid.{}", uuid::Uuid::new_v4().simple());
        Ok((
            json!({ "messageId": message_id, "wamid": wamid }),
            json!({ "messageId": message_id }),
        ))
    })
    .await
}

pub(crate) async fn post_media(AxState(state): AxState<State>, Json(req): Json<Value>) -> Response {
    let st = state.clone();
    let r = req.clone();
    guarded(&state, "PostWhatsAppMessageMedia", req, async move {
        let (bucket, key) = (
            r["sourceS3File"]["bucketName"].as_str().unwrap_or(""),
            r["sourceS3File"]["key"].as_str().unwrap_or(""),
        );
        if bucket.is_empty() || key.is_empty() {
            return Err((
                400,
                "ValidationException",
                "sourceS3File.bucketName and key are required".into(),
            ));
        }
        let head = st.s3.head_object().bucket(bucket).key(key).send().await;
        let head = head.map_err(|_| {
            (
                400,
                "InvalidParametersException",
                format!("s3://{bucket}/{key} cannot be read"),
            )
        })?;
        let media_id = uuid::Uuid::new_v4().simple().to_string();
        let kept = json!({
            "mediaId": media_id,
            "contentType": head.content_type().unwrap_or("application/octet-stream"),
            "size": head.content_length().unwrap_or(0),
        });
        Ok((kept, json!({ "mediaId": media_id })))
    })
    .await
}

pub(crate) async fn get_media(AxState(state): AxState<State>, Json(req): Json<Value>) -> Response {
    let st = state.clone();
    let r = req.clone();
    guarded(&state, "GetWhatsAppMessageMedia", req, async move {
        let media_id = r["mediaId"].as_str().unwrap_or("");
        let Some(media) = crate::customer::media(&st, media_id) else {
            return Err((404, "ResourceNotFoundException", format!("media {media_id} not found")));
        };
        if r["metadataOnly"].as_bool() != Some(true) {
            let (bucket, key) = (
                r["destinationS3File"]["bucketName"].as_str().unwrap_or(""),
                r["destinationS3File"]["key"].as_str().unwrap_or(""),
            );
            if bucket.is_empty() || key.is_empty() {
                return Err((
                    400,
                    "ValidationException",
                    "destinationS3File is required unless metadataOnly".into(),
                ));
            }
            st.s3
                .put_object()
                .bucket(bucket)
                .key(key)
                .content_type(&media.mime_type)
                .body(media.bytes.clone().into())
                .send()
                .await
                .map_err(|_| {
                    (
                        500,
                        "InternalServiceException",
                        format!("cannot write s3://{bucket}/{key}"),
                    )
                })?;
        }
        let out = json!({ "mimeType": media.mime_type, "fileSize": media.bytes.len() });
        Ok((out.clone(), out))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_number_ids_are_accepted_bare_or_as_arns() {
        assert!(valid_phone_number_id("phone-number-id-0123abc"));
        assert!(valid_phone_number_id(
            "arn:aws:social-messaging:us-east-1:123456789012:phone-number-id/phone-number-id-0123abc"
        ));
        assert!(!valid_phone_number_id("+919330994400"));
        assert!(!valid_phone_number_id("phone-number-id-"));
    }
}
